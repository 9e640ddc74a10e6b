"""Transport retries, in one place: an httpx2 transport wrapped in tenacity.

The openai client's own retries are switched off (max_retries=0) so the two never
multiply; instructor's re-asks sit above this layer and only ever see a final answer.

Every model request passes through here, so this is also where the key actually in use
(however it was given: environment, --api-key, an Endpoint built by hand) is handed to
redact.remember, before any response that could reflect it is logged or raised.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import time
from dataclasses import dataclass
from typing import Any

import httpx2
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from newsbrief import bodies
from newsbrief.redact import remember_credential, remember_url, remote_text

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
NEVER_RETRY_STATUS = frozenset({400, 401, 403, 404, 422})


@dataclass(frozen=True)
class RetryPolicy:
    """How one request is retried: attempts in all (not retries), exponential backoff with
    jitter between initial_wait_s and max_wait_s, and a ceiling on what a Retry-After header
    may ask for (a server asking for an hour gets max_retry_after_s, then one more try)."""

    max_attempts: int = 4
    initial_wait_s: float = 1.0
    max_wait_s: float = 20.0
    max_retry_after_s: float = 60.0

    def __post_init__(self) -> None:
        # A zero or negative bound would make tenacity loop or never send: refuse it here.
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")
        if min(self.initial_wait_s, self.max_wait_s, self.max_retry_after_s) < 0:
            raise ValueError("retry waits cannot be negative")

    def worst_case_wait_s(self) -> float:
        """Upper bound on time spent sleeping between attempts for one request."""
        per_wait = max(self.max_wait_s + self.initial_wait_s, self.max_retry_after_s)
        return per_wait * (self.max_attempts - 1)


class ResponseRefused(httpx2.DecodingError):
    """A response we will not hand on: too large, undecodable, or not a JSON API answer.
    Not retried: the same server gives the same answer."""


class NotAnAPIResponse(ResponseRefused):
    """A 2xx that is not JSON (an HTML error page from a proxy): retried like a transport
    fault, since a proxy's page is often passing; never shown to the model as its answer."""


class RetryableStatus(Exception):
    def __init__(self, response: httpx2.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, RetryableStatus | NotAnAPIResponse):
        return True
    return isinstance(
        exc, httpx2.TimeoutException | httpx2.NetworkError | httpx2.RemoteProtocolError
    )


def retry_after_s(response: httpx2.Response) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header, delta or HTTP date; None
    (our own backoff) for a value that is no usable wait: nan, inf, negative, "soon"."""
    headers = response.headers
    if "retry-after-ms" in headers:
        try:
            ms = float(headers["retry-after-ms"])
        except ValueError:
            ms = math.nan
        if math.isfinite(ms) and ms >= 0:  # nan, inf or negative: not a wait we can use
            return ms / 1000
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
        if seconds < 0:  # a negative delta: unusable (a date in the past means "now")
            return None
    except ValueError:
        try:  # an HTTP date; anything else ("soon", "") falls back to our own backoff
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if parsed.tzinfo is None:
            return None
        seconds = parsed.timestamp() - time.time()
    return max(0.0, seconds) if math.isfinite(seconds) else None


class _Wait:
    def __init__(self, retry: RetryPolicy) -> None:
        self.retry = retry
        self.backoff = wait_exponential_jitter(
            multiplier=retry.initial_wait_s, max=retry.max_wait_s, jitter=retry.initial_wait_s
        )

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableStatus):
            asked = retry_after_s(exc.response)
            if asked is not None:
                return min(asked, self.retry.max_retry_after_s)
        return float(self.backoff(state))


def _last_response_or_raise(state: RetryCallState) -> httpx2.Response:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, RetryableStatus):
        return exc.response  # the client turns it into its usual status error
    assert exc is not None
    raise exc


async def _asleep(seconds: float) -> None:
    """Every retry wait: on the event loop, so other articles keep going. Tests replace
    this one function to record or skip the waits."""
    await asyncio.sleep(seconds)


def _retrying_kwargs(retry: RetryPolicy) -> dict[str, Any]:
    return {
        "stop": stop_after_attempt(retry.max_attempts),
        "wait": _Wait(retry),
        "retry": retry_if_exception(is_retryable),
        "retry_error_callback": _last_response_or_raise,
    }


CREDENTIAL_HEADERS = (
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "x-goog-api-key",
)
# Shorter "keys" are placeholders for servers that want none ("not-needed", "EMPTY"):
# redacting those everywhere would garble text and protect nothing.
MIN_HARVESTED_KEY_LEN = 16


def remember_credentials(request: httpx2.Request) -> None:
    """Whatever key this request carries is redacted from everything written from now on."""
    remember_url(str(request.url))
    for name in CREDENTIAL_HEADERS:
        value = request.headers.get(name)
        if value:
            remember_credential(value, min_token_len=MIN_HARVESTED_KEY_LEN)


class AsyncRetryingTransport(httpx2.AsyncBaseTransport):
    """Retries (see RetryPolicy) around a transport that also bounds each attempt: the whole
    response, body included, must arrive within deadline_s and max_bytes (decoded)."""

    def __init__(
        self,
        inner: httpx2.AsyncBaseTransport,
        retry: RetryPolicy,
        *,
        deadline_s: float = 600.0,
        max_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.inner = inner
        self.retry = retry
        self.deadline_s = deadline_s
        self.max_bytes = max_bytes
        self.requests_sent = 0

    async def _attempt(self, request: httpx2.Request) -> httpx2.Response:
        self.requests_sent += 1
        try:
            async with asyncio.timeout(self.deadline_s):
                response = await self._send(request)
                try:
                    raw = await _read_raw(response, self.max_bytes)
                finally:
                    await response.aclose()
        except TimeoutError:  # a server dripping bytes, or a body that never ends
            raise httpx2.ReadTimeout(
                f"no complete response within {self.deadline_s:g} s", request=request
            ) from None
        try:
            body = bodies.decode(raw, response.headers.get("content-encoding"), self.max_bytes)
        except (bodies.BodyTooLarge, bodies.BadEncoding) as exc:
            raise ResponseRefused(str(exc), request=request) from None
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        whole = httpx2.Response(
            response.status_code, headers=headers, content=body, request=request
        )
        if response.status_code in RETRYABLE_STATUS:
            raise RetryableStatus(whole)
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if response.is_success and kind and "json" not in kind:
            # A proxy's or captive portal's page: no model answered, so nothing to re-ask.
            raise NotAnAPIResponse(
                f"answered HTTP {response.status_code} with {remote_text(kind, limit=100)}, "
                "not a JSON API response "
                "(is the base URL right?)",
                request=request,
            )
        return whole

    async def _send(self, request: httpx2.Request) -> httpx2.Response:
        """One round trip through the inner transport. The pytest plugin's cassette takes
        this over (newsbrief.testing.plugin), so it records model requests and only those,
        whatever other recorder (pytest-recording, vcrpy) holds the HTTP libraries."""
        return await self.inner.handle_async_request(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        remember_credentials(request)
        result: httpx2.Response = await AsyncRetrying(
            sleep=lambda s: _asleep(s), **_retrying_kwargs(self.retry)
        )(self._attempt, request)
        return result

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _read_raw(response: httpx2.Response, max_bytes: int) -> bytes:
    """The body as sent (still encoded), refused past max_bytes; a torn body raises
    RemoteProtocolError, which is retried like any dropped connection."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseRefused(f"response of {declared} bytes is over the {max_bytes}-byte limit")
    try:
        loaded = response.content  # a response built in memory (another transport, a test)
    except httpx2.ResponseNotRead:
        pass
    else:
        if len(loaded) > max_bytes:
            raise ResponseRefused(f"response is over the {max_bytes}-byte limit")
        return loaded
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > max_bytes:
            raise ResponseRefused(f"response is over the {max_bytes}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)
