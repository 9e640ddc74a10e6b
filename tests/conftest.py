"""Suite-wide: no test reaches beyond this machine's loopback interface."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from support import SEEDS

from newsbrief import settings

# Helpers with fixtures of their own, loaded here so pytest rewrites their asserts too.
pytest_plugins = ["cli_support", "plugin_suite"]

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise OSError(f"tests may not reach the network (tried {host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "NEWSBRIEF_BASE_URL",
        "NEWSBRIEF_MODEL",
        "NEWSBRIEF_MODE",
    ):
        monkeypatch.delenv(var, raising=False)
    yield


@pytest.fixture
def seed_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in SEEDS}


@pytest.fixture(autouse=True)
def _own_brief_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """`summarize` and `digest` cache briefs by default: each test gets a cache of its own
    (NEWSBRIEF_CACHE_DIR, inherited by the processes it starts), so no test is answered from
    another's run or the user's, and none writes into the user's cache. The embedded model's
    file stays where it is: the real models folder is linked in, so a test that needs the
    model neither copies nor (on a fresh machine, into a temporary folder) rebuilds it."""
    models = settings.cache_dir() / "models"
    cache = tmp_path_factory.mktemp("newsbrief-cache")
    with contextlib.suppress(OSError):  # a read-only home: tests needing the model will say
        models.mkdir(parents=True, exist_ok=True)
        (cache / "models").symlink_to(models, target_is_directory=True)
    monkeypatch.setenv(settings.CACHE_DIR.name, str(cache))
    yield
