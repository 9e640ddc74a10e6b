"""The live Ask: one structured model call through instructor, and its errors.

Validation failures (bad JSON, ungrounded quotes, unknown citations) go back to the model
through instructor's re-ask, bounded; transport failures are retried below, in transport.py.
Every openai error becomes one of our one-line errors here, with secrets redacted. The
request's type is model.call's; how the client is built, model.connect's.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, TypeVar, cast

import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel

from newsbrief.errors import AuthenticationError, EndpointError, ModelOutputError, NewsbriefError
from newsbrief.model.call import SAMPLING, Meter, Request, in_call
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.pool import client_pool
from newsbrief.model.transport import (
    NEVER_RETRY_STATUS,
    NotAnAPIResponse,
    ResponseRefused,
    RetryPolicy,
)
from newsbrief.redact import remote_text

T = TypeVar("T", bound=BaseModel)


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
    endpoint: Endpoint, request: Request[T], *, retry: RetryPolicy | None = None
) -> tuple[T, Meter]:
    """Ask until the answer validates and the request's problems find nothing, or the
    re-asks run out: the last attempt is accepted as it is and the caller drops what is
    still wrong. An Ask (model.call).

    Args:
        endpoint: where the model answers (ready: see model.endpoint.ready).
        request: the call (see model.call.Request).
        retry: transport retries per request; None: the endpoint profile's.
    """
    meter = Meter.of(request)
    failure: NewsbriefError | None = None
    try:
        client = (await client_pool()).get(endpoint, retry or endpoint.profile.retry)
        with in_call(meter):
            result = await client.chat.completions.create(
                model=endpoint.model,
                messages=request.messages,
                response_model=prepared(request.response_model),
                max_retries=request.max_reasks,
                max_tokens=request.max_tokens,
                **SAMPLING,
            )
    except (IncompleteOutputException, InstructorRetryException) as exc:
        # Cut off at max_tokens, or the last answer did not parse (often JSON in a Markdown
        # fence): its complete JSON part if that validates, else the earlier parsed answer.
        recovered = meter.kept(_last_content(exc), request.response_model)
        if recovered is None:
            failure = translate_error(exc, endpoint, meter.count)
        else:
            result = recovered
    except Exception as exc:
        failure = translate_error(exc, endpoint, meter.count)
    if failure is not None:
        # Raised outside the handler, so the original is not even a suppressed context:
        # its text is the server's, and a server may reflect the key or URL credentials.
        raise failure
    return result, meter


def _last_content(exc: Exception) -> str:
    completion = getattr(exc, "last_completion", None)
    try:
        return completion.choices[0].message.content or ""  # type: ignore[union-attr]
    except (AttributeError, IndexError):
        return ""
