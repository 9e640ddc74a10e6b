"""pytest plugin: record newsbrief's model traffic once, replay it offline forever after.

Installed through the `pytest11` entry point, so `pip install newsbrief` is enough:

    def test_my_brief(newsbrief_endpoint):
        brief = newsbrief.summarize(text, endpoint=newsbrief_endpoint)

Replay is the default and blocks the network; `--newsbrief-record=once|new_episodes|all`
(or NEWSBRIEF_RECORD_MODE) records against the configured endpoint (NEWSBRIEF_BASE_URL,
OPENAI_API_KEY, NEWSBRIEF_MODEL, NEWSBRIEF_MODE), or the embedded model when none is set.
Cassettes go to <rootdir>/cassettes/<test file stem>/<test name>.yaml (ini option
`newsbrief_cassette_dir`; marker `newsbrief_cassette(name)` to share one).

Imports of newsbrief itself stay inside the functions: this module is loaded into every
pytest session of every project that installs newsbrief, used or not.
"""

from __future__ import annotations

import shlex
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from newsbrief.model.endpoint import Endpoint

from newsbrief import settings
from newsbrief.errors import ConfigError

RECORD_MODES = settings.RECORD_MODES
REPLAY_HOST = "http://127.0.0.1:8080"
REPLAY_BASE_URL = f"{REPLAY_HOST}/v1"


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
    from newsbrief.redact import install_log_redaction

    install_log_redaction()  # keys never reach a captured log or a report
    config.addinivalue_line(
        "markers", "newsbrief_cassette(name): cassette file name for this test (default: test name)"
    )


def record_mode(config: pytest.Config) -> str:
    try:
        mode = config.getoption("--newsbrief-record") or settings.RECORD_MODE.get() or "none"
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    return str(mode)


def cassette_path(request: pytest.FixtureRequest) -> Path:
    marker = request.node.get_closest_marker("newsbrief_cassette")
    name = marker.args[0] if marker and marker.args else request.node.name
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    folder = Path(str(request.config.rootpath)) / str(
        request.config.getini("newsbrief_cassette_dir")
    )
    return folder / Path(str(request.node.path)).stem / f"{safe}.yaml"


def rerecord_command(request: pytest.FixtureRequest) -> str:
    """Pasteable from the rootdir; quoted because parametrized ids carry [ ] and spaces."""
    return f"pytest {shlex.quote(request.node.nodeid)} --newsbrief-record=all"


class NetworkBlocked(OSError):
    pass


def _blocked_connect(self: socket.socket, address: Any) -> None:
    raise NetworkBlocked(f"network blocked in cassette replay (tried to connect to {address!r})")


def stale_message(path: Path, command: str) -> str:
    """Why replay found no match, in terms the user can act on: which prompt recorded it."""
    from newsbrief.model.prompts import prompt_version
    from newsbrief.testing.cassettes import inspect_cassette

    recorded = ", ".join(sorted(inspect_cassette(path).prompt_versions)) or "unknown"
    current = prompt_version()
    why = (
        "the prompt is unchanged, so the request itself changed (article, model or options)"
        if recorded == current
        else "the prompt templates changed since it was recorded"
    )
    return (
        f"stale newsbrief cassette {path}: recorded with prompt version {recorded}, "
        f"current prompt version {current}; {why}. Re-record with: {command}"
    )


@pytest.fixture
def newsbrief_cassette(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The active vcr cassette; fails the test loudly when the cassette is missing or stale."""
    from newsbrief.testing.cassettes import make_vcr

    mode = record_mode(request.config)
    path = cassette_path(request)
    command = rerecord_command(request)
    if mode == "none" and not path.exists():
        pytest.fail(f"no newsbrief cassette at {path}; record it with: {command}", pytrace=False)
    if mode == "all":
        path.unlink(missing_ok=True)  # vcrpy's "all" keeps unmatched (stale) interactions
    path.parent.mkdir(parents=True, exist_ok=True)
    secrets = tuple(s for s in (settings.API_KEY.get(),) if s)
    monkeypatch = pytest.MonkeyPatch()  # our own, so undo() leaves the test's patches alone
    vcr = make_vcr(record_mode=mode, secrets=secrets)
    with vcr.use_cassette(str(path), allow_playback_repeats=True) as cassette:
        original = cassette.can_play_response_for

        def can_play(req: Any) -> bool:
            if original(req):
                return True
            if cassette.write_protected and cassette.filter_request(req):
                # A BaseException: it passes the `except Exception` of openai, instructor and
                # newsbrief, so the test fails with this, not with "cannot reach the endpoint".
                pytest.fail(stale_message(path, command), pytrace=False)
            return False

        monkeypatch.setattr(cassette, "can_play_response_for", can_play)
        if mode == "none":
            monkeypatch.setattr(socket.socket, "connect", _blocked_connect)
            monkeypatch.setattr(socket.socket, "connect_ex", _blocked_connect)
        try:
            yield cassette
        finally:
            monkeypatch.undo()


@pytest.fixture
def newsbrief_endpoint(newsbrief_cassette: Any) -> Endpoint:
    """The endpoint to pass to summarize/asummarize: real when recording, a stand-in on replay.

    The cassette remembers the recorded model, mode, kind and URL path, so replay needs no
    environment: CI with no key and no server sends the very requests that were recorded.
    Requests match on method, path and body, so the stand-in's host never matters.
    """
    from vcr.errors import MissingMetadataError

    from newsbrief.model.endpoint import Endpoint, ready, resolve_endpoint
    from newsbrief.testing.cassettes import ENDPOINT_METADATA

    if newsbrief_cassette.write_protected:
        try:
            recorded = newsbrief_cassette.get_metadata(ENDPOINT_METADATA, None)
        except MissingMetadataError:  # recorded before the metadata existed
            recorded = None
        if recorded is None:
            endpoint = resolve_endpoint()
            return endpoint.with_base_url(endpoint.base_url or REPLAY_BASE_URL)
        return Endpoint(
            model=str(recorded["model"]),
            base_url=REPLAY_HOST + str(recorded["base_path"]),
            mode=str(recorded["mode"]),
            embedded=bool(recorded["embedded"]),
        )
    endpoint = ready(resolve_endpoint())
    base_path = urlsplit(endpoint.base_url or "https://api.openai.com/v1").path
    newsbrief_cassette.get_metadata(
        ENDPOINT_METADATA,
        {
            "model": endpoint.model,
            "mode": endpoint.mode,
            "embedded": endpoint.embedded,
            "base_path": base_path,
        },
    )
    return endpoint
