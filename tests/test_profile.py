"""model/profile.py: what differs between the embedded model and a remote API is decided
by the endpoint's profile, and the code above model/ follows it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from newsbrief.contract import Usage
from newsbrief.digest.pricing import estimate_cost
from newsbrief.model import embedded as llama
from newsbrief.model.endpoint import Endpoint, resolve_endpoint
from newsbrief.model.profile import EMBEDDED, REMOTE
from newsbrief.model.transport import RetryPolicy


def test_no_endpoint_configured_is_the_embedded_profile() -> None:
    assert resolve_endpoint().profile is EMBEDDED
    assert resolve_endpoint(api_key="sk-test-not-a-real-key-000000").profile is REMOTE
    assert resolve_endpoint(base_url="http://127.0.0.1:9/v1").profile is REMOTE


def test_the_profile_gives_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSBRIEF_TIMEOUT", raising=False)
    monkeypatch.delenv("NEWSBRIEF_CONTEXT", raising=False)
    local, remote = resolve_endpoint(), resolve_endpoint(base_url="http://127.0.0.1:9/v1")
    assert (local.timeout_s, remote.timeout_s) == (EMBEDDED.timeout_s, REMOTE.timeout_s)
    assert local.context_tokens() == llama.DEFAULT_CONTEXT
    assert remote.context_tokens() == REMOTE.context_window()
    monkeypatch.setenv("NEWSBRIEF_CONTEXT", "32000")
    assert remote.context_tokens() == 32000
    assert local.context_tokens() == llama.DEFAULT_CONTEXT  # the embedded window is its own
    assert EMBEDDED.retry == RetryPolicy(max_attempts=1) and REMOTE.retry == RetryPolicy()
    assert (EMBEDDED.concurrency, REMOTE.concurrency) == (1, 4)
    assert (EMBEDDED.batch_files, REMOTE.batch_files) == (False, True)


def test_the_embedded_model_costs_nothing_whatever_its_name() -> None:
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=1_000_000, total_tokens=2_000_000)
    prices = {"gpt-4o": (2.5, 10.0)}
    remote = Endpoint(model="gpt-4o", base_url="http://127.0.0.1:9/v1")
    local = Endpoint(model="gpt-4o", base_url=None, embedded=True)
    assert estimate_cost(remote, usage, prices) == 12.5
    assert estimate_cost(local, usage, prices) == 0.0


def test_only_the_embedded_profile_primes_and_only_a_running_server() -> None:
    made: list[str] = []

    def fixed() -> list[dict[str, str]]:
        made.append("fixed")
        return [{"role": "system", "content": "fixed"}]

    remote = Endpoint(model="m", base_url="http://127.0.0.1:9/v1")
    not_started = Endpoint(model="m", base_url=None, embedded=True)
    asyncio.run(remote.prime(fixed))
    asyncio.run(not_started.prime(fixed))
    assert made == []  # the fixed part is not even built


def test_the_embedded_profile_restores_the_prefix_before_a_brief(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(llama, "warm_prefix", lambda *args: calls.append(args) or 0)
    running = Endpoint(model="m", base_url="http://127.0.0.1:9/v1", embedded=True)
    asyncio.run(running.prime(lambda: [{"role": "system", "content": "fixed"}]))
    ((base_url, messages, version),) = calls
    assert base_url == "http://127.0.0.1:9/v1"
    assert messages == [{"role": "system", "content": "fixed"}]
    assert isinstance(version, str) and version
