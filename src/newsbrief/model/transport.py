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

from newsbrief.redact import remember

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


class RetryableStatus(Exception):
    def __init__(self, response: httpx2.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, RetryableStatus):
        return True
    return isinstance(
        exc, httpx2.TimeoutException | httpx2.NetworkError | httpx2.RemoteProtocolError
    )


def retry_after_s(response: httpx2.Response) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header, delta or HTTP date."""
    headers = response.headers
    if "retry-after-ms" in headers:
        try:
            return float(headers["retry-after-ms"]) / 1000
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(raw) if raw.strip() else None
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


class _Wait:
    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.backoff = wait_exponential_jitter(
            multiplier=policy.initial_wait_s, max=policy.max_wait_s, jitter=policy.initial_wait_s
        )

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableStatus):
            asked = retry_after_s(exc.response)
            if asked is not None:
                return min(asked, self.policy.max_retry_after_s)
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


def _retrying_kwargs(policy: RetryPolicy) -> dict[str, Any]:
    return {
        "stop": stop_after_attempt(policy.max_attempts),
        "wait": _Wait(policy),
        "retry": retry_if_exception(is_retryable),
        "retry_error_callback": _last_response_or_raise,
    }


CREDENTIAL_HEADERS = ("authorization", "api-key", "x-api-key", "x-goog-api-key")
# Shorter "keys" are placeholders for servers that want none ("not-needed", "EMPTY"):
# redacting those everywhere would garble text and protect nothing.
MIN_HARVESTED_KEY_LEN = 16


def remember_credentials(request: httpx2.Request) -> None:
    """Whatever key this request carries is redacted from everything written from now on."""
    for name in CREDENTIAL_HEADERS:
        value = request.headers.get(name)
        if value:
            token = value.split(" ", 1)[1] if value.lower().startswith("bearer ") else value
            token = token.strip()
            if len(token) >= MIN_HARVESTED_KEY_LEN:
                remember(token)


class AsyncRetryingTransport(httpx2.AsyncBaseTransport):
    def __init__(self, inner: httpx2.AsyncBaseTransport, policy: RetryPolicy) -> None:
        self.inner = inner
        self.policy = policy
        self.requests_sent = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        remember_credentials(request)

        async def send() -> httpx2.Response:
            self.requests_sent += 1
            response = await self.inner.handle_async_request(request)
            if response.status_code in RETRYABLE_STATUS:
                await response.aread()
                await response.aclose()
                raise RetryableStatus(response)
            return response

        result: httpx2.Response = await AsyncRetrying(
            sleep=lambda s: _asleep(s), **_retrying_kwargs(self.policy)
        )(send)
        return result

    async def aclose(self) -> None:
        await self.inner.aclose()
