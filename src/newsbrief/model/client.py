"""One structured model call through instructor: client, re-ask bound, metering, errors.

Validation failures (bad JSON, ungrounded quotes, unknown citations) go back to the model
through instructor's re-ask, bounded; transport failures are retried below, in retry.py.
Every openai error becomes one of our one-line errors here, with secrets redacted.
"""

from __future__ import annotations

import copy
import logging
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, TypeVar, cast, get_origin

import httpx2
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel

from newsbrief import settings
from newsbrief.contract import SCHEMA_VERSION, Usage
from newsbrief.errors import AuthenticationError, EndpointError, ModelOutputError, NewsbriefError
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.pool import client_pool
from newsbrief.model.prompts import prompt_version
from newsbrief.model.salvage import complete_prefix
from newsbrief.model.schema import checking
from newsbrief.model.transport import (
    NEVER_RETRY_STATUS,
    AsyncRetryingTransport,
    NotAnAPIResponse,
    ResponseRefused,
    RetryPolicy,
)
from newsbrief.redact import remember_url, remote_text

T = TypeVar("T", bound=BaseModel)
# Greedy decoding made the 1.5B model loop (one figure thirty times, until max_tokens): light
# seeded sampling and repetition penalties end the loop, and the seed keeps answers
# reproducible on one machine. Sent with every call, live or in a batch file.
SAMPLING: dict[str, Any] = {
    "temperature": 0.3,
    "seed": 0,
    "frequency_penalty": 0.5,
    "presence_penalty": 0.5,
}


@dataclass(frozen=True)
class Spent:
    """What model calls cost: the one record of usage, attempts and wall time."""

    usage: Usage = field(default_factory=Usage)
    attempts: int = 0
    latency_s: float = 0.0

    def __add__(self, other: Spent) -> Spent:
        return Spent(
            self.usage + other.usage,
            self.attempts + other.attempts,
            round(self.latency_s + other.latency_s, 3),
        )


@dataclass
class Meter:
    """Shared by instructor's hooks and our validator: which attempt is this, what it cost."""

    allowed: int
    count: int = 0
    usage: Usage = field(default_factory=Usage)
    answers: list[Any] = field(default_factory=list)  # every answer that parsed, in order
    started: float = field(default_factory=time.monotonic)

    def spent(self) -> Spent:
        return Spent(self.usage, self.count, round(time.monotonic() - self.started, 3))

    @property
    def last_attempt(self) -> bool:
        return self.count >= self.allowed

    def on_kwargs(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1

    def on_response(self, response: Any) -> None:
        self.add_usage(getattr(response, "usage", None))

    def add_usage(self, u: Any) -> None:
        """Count a response's usage, an openai object or (from a batch file) a dict."""
        if u is None:
            return

        def read(name: str) -> int:
            return token_count(u.get(name) if isinstance(u, dict) else getattr(u, name, 0))

        self.usage = self.usage + Usage(
            prompt_tokens=read("prompt_tokens"),
            completion_tokens=read("completion_tokens"),
            total_tokens=read("total_tokens"),
        )

    def checker(self, problems: Callable[[Any], list[str]] | None) -> Callable[[Any], None]:
        """The validator of one call: keep every parsed answer, and send `problems` back to
        the model (a ValueError) on every attempt but the last, which is accepted as it is
        and the caller drops what is still wrong."""

        def check(draft: Any) -> None:
            self.answers.append(draft)
            found = problems(draft) if problems and not self.last_attempt else []
            if found:
                raise ValueError("Fix these problems:\n- " + "\n- ".join(found))

        return check

    def kept(self, content: str, response_model: type[T]) -> T | None:
        """What stands when the last answer failed: its complete JSON part if that
        validates, else the last answer that did."""
        return salvage(content, response_model) or (self.answers[-1] if self.answers else None)


_METER: ContextVar[Meter | None] = ContextVar("newsbrief_meter", default=None)


@contextmanager
def metering(meter: Meter) -> Iterator[None]:
    """Route the pooled client's hooks to this call's meter (this task only)."""
    token = _METER.set(meter)
    try:
        yield
    finally:
        _METER.reset(token)


# instructor logs each failed attempt at ERROR ("API call failed on attempt 1", a validation
# error's whole text), openai and httpx at WARNING: beside the one error we raise, which
# says it better, that is noise on a library user's stderr.
QUIET_LIBRARIES = ("instructor", "openai", "httpx", "httpx2", "httpcore")


@lru_cache(maxsize=1)
def quiet_libraries() -> None:
    """Keep the model libraries' log lines off stderr, unless NEWSBRIEF_DEBUG is set.

    With no logging set up, Python prints WARNING and above through its last-resort handler
    to stderr. A NullHandler on each library's logger ends that fallback and nothing else:
    logging the user asked for (logging.basicConfig, OPENAI_LOG=debug) still gets every
    record.
    """
    if settings.DEBUG.get():
        return
    for name in QUIET_LIBRARIES:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def on_kwargs(*args: Any, **kwargs: Any) -> None:
    """instructor hook: one more attempt for the call in progress."""
    meter = _METER.get()
    if meter is not None:
        meter.on_kwargs()


def on_response(response: Any) -> None:
    """instructor hook: the usage of the call in progress."""
    meter = _METER.get()
    if meter is not None:
        meter.on_response(response)


def token_count(value: Any) -> int:
    """A token count as the server reported it, or 0 when it is not one (NaN, -1, "x")."""
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53
    return int(value) if ok else 0


def _headers() -> dict[str, str]:
    # Recorded into cassettes, so a stale cassette can say which prompt it was made with.
    return {"X-Newsbrief-Prompt-Version": prompt_version(), "X-Newsbrief-Schema": SCHEMA_VERSION}


@lru_cache(maxsize=256)
def prepared(response_model: type[T]) -> type[T]:
    """The response model as instructor wants it, built once per model: instructor wraps a
    plain model in a new class (0.7 ms) and regenerates its JSON schema (1.4 ms) on every
    call, for a result that depends on the class alone. Already wrapped, it skips the first;
    the second is served from a copy made here."""
    from instructor.v2.core.function_calls import response_schema

    wrapped: Any = response_schema(response_model)
    schema = wrapped.model_json_schema()
    generate = wrapped.model_json_schema

    def model_json_schema(*args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:
            return dict(generate(*args, **kwargs))
        return copy.deepcopy(schema)  # a copy: callers may change what they are given

    wrapped.model_json_schema = staticmethod(model_json_schema)
    return cast(type[T], wrapped)


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One SSL context per process: loading the CA bundle costs ~20 ms of CPU (measured 70 ms
    on a loaded machine), and every client used to load it again, even for http:// URLs."""
    return httpx2.create_ssl_context()


def openai_async(endpoint: Endpoint, policy: RetryPolicy) -> openai.AsyncOpenAI:
    remember_url(endpoint.api_url)  # before openai appends a path to its query
    transport = AsyncRetryingTransport(
        httpx2.AsyncHTTPTransport(verify=_ssl_context()),
        policy,
        deadline_s=endpoint.request_deadline_s,
        max_bytes=endpoint.max_response_bytes,
    )
    return openai.AsyncOpenAI(
        http_client=openai.DefaultAsyncHttpxClient(transport=transport),
        base_url=endpoint.api_url,
        api_key=endpoint.api_key or "not-needed",
        max_retries=0,  # retry.py owns transport retries; never multiply them
        timeout=endpoint.timeout_s,
        default_headers=_headers(),
    )


def _last_error(exc: BaseException) -> str:
    """The final validation error, without instructor's <failed_attempts> dump."""
    text = str(exc)
    if "</failed_attempts>" in text:
        text = text.rsplit("</failed_attempts>", 1)[1] or text
    return text


def _api_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return exc.message


def translate_error(exc: BaseException, endpoint: Endpoint, attempts: int = 0) -> NewsbriefError:
    """One line a user can act on; never a key, never a traceback."""
    where = endpoint.where
    if isinstance(exc, NewsbriefError):
        return exc
    if isinstance(exc, InstructorRetryException | IncompleteOutputException):
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, openai.OpenAIError):
            return translate_error(cause, endpoint)
        if isinstance(exc, IncompleteOutputException):
            return ModelOutputError("model answer was cut off (max_tokens reached)")
        detail = remote_text(_last_error(exc), endpoint.api_key)
        return ModelOutputError(
            f"model output did not validate after {attempts} attempt(s): {detail}"
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return AuthenticationError(
            f"authentication failed at {where} (HTTP {exc.status_code}, not retried): "
            "check OPENAI_API_KEY"
        )
    if isinstance(exc, openai.NotFoundError):
        msg = f"{where} answered 404: model {endpoint.model!r} or path not found (not retried)"
    elif isinstance(exc, openai.APIStatusError) and exc.status_code in NEVER_RETRY_STATUS:
        code = exc.status_code
        msg = f"{where} rejected the request (HTTP {code}, not retried): {_api_message(exc)}"
    elif isinstance(exc, openai.APIStatusError):
        msg = f"{where} failed with HTTP {exc.status_code} after retries: {_api_message(exc)}"
    elif isinstance(exc, openai.APITimeoutError):
        msg = f"{where} timed out after retries"
    elif isinstance(exc, openai.APIConnectionError) and isinstance(exc.__cause__, NotAnAPIResponse):
        msg = f"{where} {exc.__cause__} (after retries)"  # a proxy's page is retried
    elif isinstance(exc, openai.APIConnectionError) and isinstance(exc.__cause__, ResponseRefused):
        msg = f"{where} {exc.__cause__} (not retried)"
    elif isinstance(exc, openai.APIConnectionError):
        msg = f"cannot reach {where}: {exc.__cause__ or exc}"
    else:
        msg = f"model call failed: {type(exc).__name__}: {exc}"
    # The server's words are in msg: redacted before it is cut, never a half key left.
    return EndpointError(remote_text(msg, endpoint.api_key, limit=500))


async def acall(
    endpoint: Endpoint,
    messages: list[dict[str, str]],
    response_model: type[T],
    *,
    max_reasks: int,
    max_tokens: int,
    problems: Callable[[T], list[str]] | None = None,
    policy: RetryPolicy | None = None,
) -> tuple[T, Meter]:
    """Ask until the answer validates and `problems` finds nothing, or the re-asks run out:
    the last attempt is accepted as it is and the caller drops what is still wrong."""
    meter = Meter(allowed=max_reasks + 1)
    quiet_libraries()
    try:
        client = (await client_pool()).get(endpoint, policy or endpoint.profile.retry)
        with checking(meter.checker(problems)), metering(meter):
            result = await client.chat.completions.create(
                model=endpoint.model,
                messages=messages,
                response_model=prepared(response_model),
                max_retries=max_reasks,
                max_tokens=max_tokens,
                **SAMPLING,
            )
    except (IncompleteOutputException, InstructorRetryException) as exc:
        # Cut off at max_tokens, or the last answer did not parse (often JSON in a Markdown
        # fence): its complete JSON part if that validates, else the earlier parsed answer.
        recovered = meter.kept(_last_content(exc), response_model)
        if recovered is None:
            raise translate_error(exc, endpoint, meter.count) from None
        result = recovered
    except Exception as exc:
        raise translate_error(exc, endpoint, meter.count) from None
    return result, meter


class Ask(Protocol):
    """How a model call is made: acall live, model.replay.Replay from batch files."""

    async def __call__(
        self,
        endpoint: Endpoint,
        messages: list[dict[str, str]],
        response_model: type[T],
        *,
        max_reasks: int,
        max_tokens: int,
        problems: Callable[[T], list[str]] | None = None,
        policy: RetryPolicy | None = None,
    ) -> tuple[T, Meter]: ...


def _last_content(exc: Exception) -> str:
    completion = getattr(exc, "last_completion", None)
    try:
        return completion.choices[0].message.content or ""  # type: ignore[union-attr]
    except (AttributeError, IndexError):
        return ""


def salvage(content: str, response_model: type[T]) -> T | None:
    """A truncated answer's complete part, if it validates (lists it lacks count as empty).
    The caller's grounding then decides what survives, as for any answer."""
    data = complete_prefix(content)
    if not isinstance(data, dict):
        return None
    for name, info in response_model.model_fields.items():
        if name not in data and get_origin(info.annotation) is list:
            data[name] = []
    try:
        return response_model.model_validate(data)
    except ValueError:
        return None
