"""pytest plugin: record newsbrief's model traffic once, replay it offline forever after.

Installed through the `pytest11` entry point, so `pip install newsbrief` is enough:

    def test_my_digest(newsbrief_endpoint):
        brief = newsbrief.summarize(text, endpoint=newsbrief_endpoint)

Replay is the default and blocks the network; `--newsbrief-record=once|new_episodes|all`
(or NEWSBRIEF_RECORD_MODE) records against the configured endpoint, or the embedded model.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

RECORD_MODES = ("none", "once", "new_episodes", "all")
REPLAY_BASE_URL = "http://127.0.0.1:8080/v1"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("newsbrief")
    group.addoption(
        "--newsbrief-record",
        choices=RECORD_MODES,
        default=None,
        help="record newsbrief cassettes (default none: replay only, network blocked); "
        "env NEWSBRIEF_RECORD_MODE",
    )
    parser.addini("newsbrief_cassette_dir", "folder of newsbrief cassettes", default="cassettes")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "newsbrief_cassette(name): cassette file name for this test (default: test name)"
    )


def record_mode(config: pytest.Config) -> str:
    mode = config.getoption("--newsbrief-record") or os.environ.get("NEWSBRIEF_RECORD_MODE", "none")
    if mode not in RECORD_MODES:
        raise pytest.UsageError(f"NEWSBRIEF_RECORD_MODE must be one of {', '.join(RECORD_MODES)}")
    return str(mode)


def cassette_path(request: pytest.FixtureRequest) -> Path:
    marker = request.node.get_closest_marker("newsbrief_cassette")
    name = marker.args[0] if marker and marker.args else request.node.name
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    folder = Path(str(request.config.rootpath)) / request.config.getini("newsbrief_cassette_dir")
    return folder / request.node.path.stem / f"{safe}.yaml"


def rerecord_command(request: pytest.FixtureRequest) -> str:
    return f"pytest '{request.node.nodeid}' --newsbrief-record=all"


class _NetworkBlocked(OSError):
    pass


def _blocked_connect(self: socket.socket, address: Any) -> None:
    raise _NetworkBlocked(f"network blocked in cassette replay (tried to connect to {address!r})")


def _stale_message(path: Path, misses: int, command: str) -> str:
    from .cassettes import inspect_cassette
    from .models import SCHEMA_VERSION
    from .prompts import prompt_version

    info = inspect_cassette(path)
    recorded = ", ".join(sorted(info.prompt_versions)) or "unknown"
    schemas = ", ".join(sorted(info.schema_versions)) or "unknown"
    return (
        f"stale newsbrief cassette {path}: {misses} request(s) have no recorded match. "
        f"Recorded with prompt version {recorded} (schema {schemas}); current prompt version "
        f"{prompt_version()} (schema {SCHEMA_VERSION}). Re-record with: {command}"
    )


@pytest.fixture
def newsbrief_cassette(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The active vcr cassette; fails the test loudly when the cassette is missing or stale."""
    from .cassettes import make_vcr

    mode = record_mode(request.config)
    path = cassette_path(request)
    command = rerecord_command(request)
    if mode == "none" and not path.exists():
        pytest.fail(f"no newsbrief cassette at {path}; record it with: {command}", pytrace=False)
    if mode == "all" and path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    secrets = tuple(s for s in (os.environ.get("OPENAI_API_KEY"),) if s)
    misses: list[Any] = []
    monkeypatch = pytest.MonkeyPatch()  # our own, so undo() leaves the test's patches alone
    with make_vcr(record_mode=mode, secrets=secrets).use_cassette(str(path)) as cassette:
        original = cassette.can_play_response_for

        def can_play(req: Any) -> bool:
            ok = bool(original(req))
            if not ok and cassette.write_protected:
                misses.append(req)
            return ok

        monkeypatch.setattr(cassette, "can_play_response_for", can_play)
        if mode == "none":
            monkeypatch.setattr(socket.socket, "connect", _blocked_connect)
            monkeypatch.setattr(socket.socket, "connect_ex", _blocked_connect)
        yield cassette
        monkeypatch.undo()
    if misses:
        pytest.fail(_stale_message(path, len(misses), command), pytrace=False)


@pytest.fixture
def newsbrief_endpoint(request: pytest.FixtureRequest, newsbrief_cassette: Any) -> Any:
    """The endpoint to pass to summarize/build_digest: real when recording, a stand-in on replay.

    Requests are matched on path and body, so the stand-in's host never matters.
    """
    from .endpoint import resolve_endpoint
    from .local import shared_server

    endpoint = resolve_endpoint()
    if record_mode(request.config) == "none":
        return endpoint.with_base_url(endpoint.base_url or REPLAY_BASE_URL)
    if endpoint.embedded:
        return endpoint.with_base_url(shared_server().base_url)
    return endpoint
