"""One model call per article through instructor, with grounding-driven re-asks.

Validation failures (bad JSON, ungrounded quotes) go back to the model through instructor's
re-ask, bounded; transport failures are retried below, in retry.py. Every openai error
becomes one of our one-line errors here, with secrets redacted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx2
import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException

from .draft import BriefDraft, draft_model
from .endpoint import Endpoint
from .errors import AuthenticationError, EndpointError, ModelOutputError, NewsbriefError
from .grounding import Grounded, candidate_numbers, figures_wanted, ground
from .models import SCHEMA_VERSION, Usage
from .prompts import prompt_version, render
from .redact import redact
from .retry import AsyncRetryingTransport, RetryingTransport, RetryPolicy

MAX_REASKS = 2
MAX_TOKENS = 2048


@dataclass
class Extraction:
    draft: BriefDraft
    grounded: Grounded
    warnings: list[str]
    usage: Usage
    attempts: int
    latency_s: float


@dataclass
class _Attempts:
    """Shared by the hooks and the validator: which attempt is this, what did it cost."""

    allowed: int
    text: str
    count: int = 0
    usage: Usage = field(default_factory=Usage)

    def on_kwargs(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1

    def on_response(self, response: Any) -> None:
        u = getattr(response, "usage", None)
        if u is not None:
            self.usage = self.usage + Usage(
                prompt_tokens=u.prompt_tokens or 0,
                completion_tokens=u.completion_tokens or 0,
                total_tokens=u.total_tokens or 0,
            )

    def check(self, draft: BriefDraft) -> None:
        if self.count >= self.allowed:
            return  # last attempt: keep what grounds, drop the rest with warnings
        problems = ground(draft, self.text).problems
        if problems:
            raise ValueError("Fix these problems:\n- " + "\n- ".join(problems))


def messages(text: str) -> list[dict[str, str]]:
    candidates = "; ".join(n.text for n in candidate_numbers(text))
    # Fixed instructions first: llama.cpp reuses their cached prefix from one article to the next.
    # A worked example as a prior turn: small models follow a shown answer far better than
    # a described one, and as a separate turn they copy its words less.
    return [
        {"role": "system", "content": render("brief_system")},
        {"role": "user", "content": render("example_article")},
        {"role": "assistant", "content": render("example_brief")},
        {"role": "user", "content": render("brief_user", article=text, numbers=candidates)},
    ]


def _headers() -> dict[str, str]:
    # Recorded into cassettes, so a stale cassette can say which prompt it was made with.
    return {"X-Newsbrief-Prompt-Version": prompt_version(), "X-Newsbrief-Schema": SCHEMA_VERSION}


def _client_kwargs(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "base_url": endpoint.base_url,
        "api_key": endpoint.api_key or "not-needed",
        "max_retries": 0,
        "timeout": endpoint.timeout_s,
        "default_headers": _headers(),
    }


def openai_sync(endpoint: Endpoint, policy: RetryPolicy) -> openai.OpenAI:
    http = openai.DefaultHttpxClient(transport=RetryingTransport(httpx2.HTTPTransport(), policy))
    return openai.OpenAI(http_client=http, **_client_kwargs(endpoint))


def openai_async(endpoint: Endpoint, policy: RetryPolicy) -> openai.AsyncOpenAI:
    transport = AsyncRetryingTransport(httpx2.AsyncHTTPTransport(), policy)
    http = openai.DefaultAsyncHttpxClient(transport=transport)
    return openai.AsyncOpenAI(http_client=http, **_client_kwargs(endpoint))


def _request(text: str, endpoint: Endpoint, state: _Attempts) -> dict[str, Any]:
    return {
        "model": endpoint.model,
        "messages": messages(text),
        "response_model": draft_model(figures_wanted(text)),
        "max_retries": MAX_REASKS,
        "context": {"checker": state.check},
        "temperature": 0,
        "seed": 0,
        "max_tokens": MAX_TOKENS,
    }


def _finish(draft: BriefDraft, state: _Attempts, started: float) -> Extraction:
    grounded = ground(draft, state.text)
    warnings = grounded.warnings
    return Extraction(
        draft=draft,
        grounded=grounded,
        warnings=warnings,
        usage=state.usage,
        attempts=state.count,
        latency_s=round(time.monotonic() - started, 3),
    )


def translate_error(exc: BaseException, endpoint: Endpoint) -> NewsbriefError:
    """One line a user can act on; never a key, never a traceback."""
    where = endpoint.base_url or "the embedded model"
    if isinstance(exc, NewsbriefError):
        return exc
    if isinstance(exc, InstructorRetryException | IncompleteOutputException):
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, openai.OpenAIError):
            return translate_error(cause, endpoint)
        if isinstance(exc, IncompleteOutputException):
            return ModelOutputError("model answer was cut off (max_tokens reached)")
        detail = " ".join(str(exc).split())[:300]
        return ModelOutputError(
            f"model output did not validate after {MAX_REASKS + 1} attempts: {detail}"
        )
    msg = ""
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return AuthenticationError(
            redact(
                f"authentication failed at {where} (HTTP {exc.status_code}): check OPENAI_API_KEY",
                endpoint.api_key,
            )
        )
    if isinstance(exc, openai.NotFoundError):
        msg = f"{where} answered 404: model {endpoint.model!r} or path not found (not retried)"
    elif isinstance(exc, openai.BadRequestError):
        msg = f"{where} rejected the request (HTTP 400, not retried): {exc.message}"
    elif isinstance(exc, openai.APIStatusError):
        msg = f"{where} failed with HTTP {exc.status_code} after retries: {exc.message}"
    elif isinstance(exc, openai.APITimeoutError):
        msg = f"{where} timed out after retries"
    elif isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        msg = f"cannot reach {where}: {cause or exc}"
    else:
        msg = f"model call failed: {type(exc).__name__}: {exc}"
    return EndpointError(redact(" ".join(msg.split())[:500], endpoint.api_key))


def extract(text: str, endpoint: Endpoint, policy: RetryPolicy | None = None) -> Extraction:
    state = _Attempts(allowed=MAX_REASKS + 1, text=text)
    openai_client = openai_sync(endpoint, policy or RetryPolicy())
    client = instructor.from_openai(openai_client, mode=endpoint.instructor_mode)
    client.on("completion:kwargs", state.on_kwargs)
    client.on("completion:response", state.on_response)
    started = time.monotonic()
    try:
        draft = client.chat.completions.create(**_request(text, endpoint, state))
    except Exception as exc:
        raise translate_error(exc, endpoint) from None
    finally:
        openai_client.close()
    return _finish(draft, state, started)


async def aextract(text: str, endpoint: Endpoint, policy: RetryPolicy | None = None) -> Extraction:
    state = _Attempts(allowed=MAX_REASKS + 1, text=text)
    openai_client = openai_async(endpoint, policy or RetryPolicy())
    client = instructor.from_openai(openai_client, mode=endpoint.instructor_mode)
    client.on("completion:kwargs", state.on_kwargs)
    client.on("completion:response", state.on_response)
    started = time.monotonic()
    try:
        draft = await client.chat.completions.create(**_request(text, endpoint, state))
    except Exception as exc:
        raise translate_error(exc, endpoint) from None
    finally:
        await openai_client.close()
    return _finish(draft, state, started)
