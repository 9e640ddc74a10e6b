"""Transport retries: what is retried, how long we wait, and that nothing multiplies."""

from __future__ import annotations

import asyncio

import httpx2
import pytest
from support import RecordedWaits

from newsbrief.model import transport as retry
from newsbrief.model.transport import (
    AsyncRetryingTransport,
    RetryPolicy,
    is_retryable,
    retry_after_s,
)


class Script(httpx2.AsyncBaseTransport):
    def __init__(self, *outcomes: int | Exception, headers: dict[str, str] | None = None) -> None:
        self.outcomes = list(outcomes)
        self.headers = headers or {}
        self.calls = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        outcome = self.outcomes[min(self.calls, len(self.outcomes) - 1)]
        self.calls += 1
        if isinstance(outcome, Exception):
            raise outcome
        return httpx2.Response(outcome, headers=self.headers, request=request)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited = RecordedWaits()
    monkeypatch.setattr(retry, "_asleep", waited)
    return waited


def send(transport: httpx2.AsyncBaseTransport) -> httpx2.Response:
    async def post() -> httpx2.Response:
        async with httpx2.AsyncClient(transport=transport) as client:
            return await client.post("http://127.0.0.1:1/v1/chat/completions", json={})

    return asyncio.run(post())


POLICY = RetryPolicy(max_attempts=4, initial_wait_s=0.5, max_wait_s=4.0)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_then_succeed(status: int, sleeps: list[float]) -> None:
    inner = Script(status, status, 200)
    assert send(AsyncRetryingTransport(inner, POLICY)).status_code == 200
    assert inner.calls == 3 and len(sleeps) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_never_retried(status: int, sleeps: list[float]) -> None:
    inner = Script(status, 200)
    assert send(AsyncRetryingTransport(inner, POLICY)).status_code == status
    assert inner.calls == 1 and sleeps == []


@pytest.mark.parametrize(
    "error",
    [
        httpx2.ConnectError("refused"),
        httpx2.ReadTimeout("slow"),
        httpx2.RemoteProtocolError("dropped"),
    ],
)
def test_network_errors_are_retried(error: Exception, sleeps: list[float]) -> None:
    inner = Script(error, 200)
    assert send(AsyncRetryingTransport(inner, POLICY)).status_code == 200
    assert inner.calls == 2


def test_attempts_are_bounded_and_the_last_status_is_returned(sleeps: list[float]) -> None:
    inner = Script(503)
    assert send(AsyncRetryingTransport(inner, POLICY)).status_code == 503
    assert inner.calls == POLICY.max_attempts
    assert all(w <= POLICY.max_wait_s + POLICY.initial_wait_s for w in sleeps)


def test_persistent_network_error_is_raised_after_the_bound(sleeps: list[float]) -> None:
    inner = Script(httpx2.ConnectError("refused"))
    with pytest.raises(httpx2.ConnectError):
        send(AsyncRetryingTransport(inner, POLICY))
    assert inner.calls == POLICY.max_attempts


def test_retry_after_is_honoured(sleeps: list[float]) -> None:
    inner = Script(429, 200, headers={"retry-after": "7"})
    send(AsyncRetryingTransport(inner, POLICY))
    assert sleeps == [7.0]


def test_retry_after_is_capped(sleeps: list[float]) -> None:
    inner = Script(429, 200, headers={"retry-after": "3600"})
    send(AsyncRetryingTransport(inner, POLICY))
    assert sleeps == [POLICY.max_retry_after_s]


def test_backoff_grows_exponentially_with_jitter(sleeps: list[float]) -> None:
    send(AsyncRetryingTransport(Script(500, 500, 500, 200), POLICY))
    assert len(sleeps) == 3
    # exponential base 0.5, 1, 2 plus up to 0.5 jitter each
    for base, waited in zip([0.5, 1.0, 2.0], sleeps, strict=True):
        assert base <= waited <= base + POLICY.initial_wait_s


def test_retry_after_parsing() -> None:
    req = httpx2.Request("GET", "http://127.0.0.1")
    assert retry_after_s(httpx2.Response(429, headers={"retry-after": "2"}, request=req)) == 2.0
    assert (
        retry_after_s(httpx2.Response(429, headers={"retry-after-ms": "1500"}, request=req)) == 1.5
    )
    assert retry_after_s(httpx2.Response(429, request=req)) is None
    dated = httpx2.Response(
        429, headers={"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, request=req
    )
    assert retry_after_s(dated) == 0.0


def test_classification() -> None:
    assert is_retryable(httpx2.ConnectTimeout("x"))
    assert not is_retryable(ValueError("x"))


def test_openai_client_retries_are_off_so_attempts_do_not_multiply() -> None:
    from newsbrief.model.connect import openai_async
    from newsbrief.model.endpoint import resolve_endpoint

    endpoint = resolve_endpoint(base_url="http://127.0.0.1:1/v1")
    assert openai_async(endpoint, POLICY).max_retries == 0


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1500", "soon"])
def test_an_unusable_retry_after_ms_falls_back_to_the_backoff(
    value: str, sleeps: list[float]
) -> None:
    req = httpx2.Request("GET", "http://127.0.0.1")
    assert (
        retry_after_s(httpx2.Response(429, headers={"retry-after-ms": value}, request=req)) is None
    )
    response = send(
        AsyncRetryingTransport(Script(429, 429, 200, headers={"retry-after-ms": value}), POLICY)
    )
    assert response.status_code == 200
    for base, waited in zip([0.5, 1.0], sleeps, strict=True):  # the backoff, never 0 or nan
        assert base <= waited <= base + POLICY.initial_wait_s


def test_a_negative_retry_after_falls_back_to_the_backoff() -> None:
    req = httpx2.Request("GET", "http://127.0.0.1")
    assert retry_after_s(httpx2.Response(429, headers={"retry-after": "-5"}, request=req)) is None
