"""pytest plugin: record newsbrief's model traffic once, replay it offline forever after.

Installed through the `pytest11` entry point, so `pip install newsbrief` is enough:

    def test_my_brief(newsbrief_endpoint):
        brief = newsbrief.summarize(text, endpoint=newsbrief_endpoint)

Replay is the default and blocks the network; `--newsbrief-record-mode=once|new_episodes|
all|rewrite` (pytest-recording's names; `--newsbrief-record` is the old spelling, and
NEWSBRIEF_RECORD_MODE the env switch) records against the configured endpoint
(NEWSBRIEF_BASE_URL, OPENAI_API_KEY, NEWSBRIEF_MODEL, NEWSBRIEF_MODE), or the embedded
model when none is set. Cassettes go to <rootdir>/cassettes/<test file stem>/<test
name>.yaml (ini option `newsbrief_cassette_dir`, or `newsbrief_cassettes_beside_tests`;
fixture `newsbrief_cassette_dir`; marker `newsbrief_cassette(name)` to share one);
fixture `newsbrief_vcr_config` adjusts vcrpy as pytest-recording's `vcr_config` does.

The cassette holds model requests only (those carrying X-Newsbrief-* headers, sent by
newsbrief's own transport): it patches no HTTP library, so pytest-recording's cassette,
the user's vcrpy or the network block gets everything else, in record and replay alike.
Tests sharing a cassette record into it together: within one session `all` and `rewrite`
empty it only once, and `once` adds to a cassette this session created rather than calling
it stale. A test that fails while recording marks its cassette incomplete, and the next
recording run records it afresh.

Replay blocks the network twice over (guard.py; unless the test is marked `vcr`:
pytest-recording then decides for non-model traffic). Which cassette and which record mode
is recording.py's; which requests the cassette takes, traffic.py's; this module holds the
hooks, options and fixtures pytest registers.

Imports of newsbrief's model stack and vcrpy stay inside the functions: this module is
loaded into every pytest session of every project that installs newsbrief, used or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from newsbrief.model.endpoint import Endpoint

from newsbrief import settings
from newsbrief.testing.guard import replay_guard
from newsbrief.testing.recording import (
    FAILED,
    cassette_path,
    default_cassette_dir,
    incomplete_message,
    mark_recording,
    record_command,
    record_mode,
    session_record_mode,
    stale_message,
)
from newsbrief.testing.traffic import model_traffic_only

REPLAY_HOST = "http://127.0.0.1:8080"
REPLAY_BASE_URL = f"{REPLAY_HOST}/v1"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("newsbrief")
    group.addoption(
        "--newsbrief-record-mode",
        "--newsbrief-record",  # the first name this option had; kept as an alias
        dest="newsbrief_record_mode",
        choices=settings.RECORD_MODES,
        default=None,
        help="record newsbrief's model cassettes, with pytest-recording's mode names "
        "(default none: replay only, network blocked); env NEWSBRIEF_RECORD_MODE",
    )
    parser.addini("newsbrief_cassette_dir", "folder of newsbrief cassettes", default="cassettes")
    parser.addini(
        "newsbrief_cassettes_beside_tests",
        "keep newsbrief cassettes beside the test files, in "
        "<test dir>/cassettes/<module>/newsbrief/ (pytest-recording's folder, one level down)",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    from newsbrief.redact import install_log_redaction

    install_log_redaction()  # keys never reach a captured log or a report
    config.addinivalue_line(
        "markers", "newsbrief_cassette(name): cassette file name for this test (default: test name)"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remembers a test that failed in setup or call, so its recording is marked failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.failed and report.when in ("setup", "call") and call.excinfo is not None:
        item.stash[FAILED] = call.excinfo.typename


# Settings newsbrief_vcr_config cannot make: where cassettes lie is newsbrief_cassette_dir
# and the marker's; which libraries are patched is model_traffic_only's.
_FIXED_SETTINGS = frozenset(
    {
        "path",
        "cassette_library_dir",
        "path_transformer",
        "func_path_generator",
        "skip_patchers",
        "custom_patches",
    }
)
_USER_HOOKS = ("before_record_request", "before_record_response")


@pytest.fixture
def newsbrief_vcr_config() -> dict[str, Any]:
    """vcrpy settings for newsbrief's cassettes, as pytest-recording's `vcr_config` is for
    its own; override it in a conftest.py (or a test module).

    Keys go to vcrpy's use_cassette over newsbrief's defaults (match on method, path and
    body; gzip decoded; a request may be replayed more than once): `match_on`,
    `filter_headers`, `filter_query_parameters`, `filter_post_data_parameters`,
    `before_record_request` and `before_record_response` (these run after newsbrief's own
    scrubbing, never instead of it), `record_mode` (a default below the command line and
    NEWSBRIEF_RECORD_MODE). The folder is `newsbrief_cassette_dir`'s.
    """
    return {}


@pytest.fixture(scope="module")
def newsbrief_cassette_dir(request: pytest.FixtureRequest) -> Path:
    """The folder of this test module's newsbrief cassettes: <rootdir>/cassettes/<module>
    (ini `newsbrief_cassette_dir`), or <test dir>/cassettes/<module>/newsbrief with the ini
    option `newsbrief_cassettes_beside_tests = true`. Override it as pytest-recording's
    `vcr_cassette_dir`."""
    return default_cassette_dir(request.config, Path(str(request.path)))


@pytest.fixture
def newsbrief_cassette(
    request: pytest.FixtureRequest,
    newsbrief_vcr_config: dict[str, Any],
    newsbrief_cassette_dir: Path | str,
) -> Iterator[Any]:
    """The active vcr cassette; fails the test with one line when the cassette is missing,
    incomplete or stale, each naming the command that records it."""
    from vcr.patch import PATCHER_NAMES

    from newsbrief.redact import url_secrets
    from newsbrief.testing.cassettes import make_vcr
    from newsbrief.testing.inspection import cassette_incomplete

    if not isinstance(newsbrief_vcr_config, dict | None):
        kind = type(newsbrief_vcr_config).__name__
        pytest.fail(f"newsbrief_vcr_config must return a dict, not {kind}", pytrace=False)
    config = dict(newsbrief_vcr_config or {})
    fixed = sorted(_FIXED_SETTINGS & set(config))
    if fixed:
        pytest.fail(
            f"newsbrief_vcr_config cannot set {', '.join(fixed)}: the folder is "
            "newsbrief_cassette_dir's, and newsbrief's cassette patches no HTTP library",
            pytrace=False,
        )
    try:
        mode = record_mode(request.config, config)
    except pytest.UsageError as exc:
        pytest.fail(str(exc), pytrace=False)
    path = cassette_path(request, Path(newsbrief_cassette_dir))
    once = record_command(request, "once")
    if mode == "none":
        if not path.exists():
            pytest.fail(f"no newsbrief cassette at {path}; record it with: {once}", pytrace=False)
        why = cassette_incomplete(path, marked_only=True)  # an unmarked empty one may be right
        if why:
            pytest.fail(incomplete_message(path, why, request), pytrace=False)
    vcr_mode = session_record_mode(request.config, mode, path)
    started = vcr_mode != "none" and not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    secrets = tuple(s for s in (settings.API_KEY.get(),) if s)
    if mode != "none":
        secrets += url_secrets(settings.BASE_URL.get())
    hooks = {name: config.pop(name) for name in _USER_HOOKS if name in config}
    config.pop("record_mode", None)
    monkeypatch = pytest.MonkeyPatch()  # our own, so undo() leaves the test's patches alone
    vcr = make_vcr(record_mode=vcr_mode, secrets=secrets, **hooks)
    options = {"allow_playback_repeats": True, **config, "skip_patchers": PATCHER_NAMES}
    with vcr.use_cassette(str(path), **options) as cassette:
        original = cassette.can_play_response_for

        def can_play(req: Any) -> bool:
            if original(req):
                return True
            if cassette.write_protected and cassette.filter_request(req):
                # A BaseException: it passes the `except Exception` of openai, instructor and
                # newsbrief, so the test fails with this, not with "cannot reach the endpoint".
                pytest.fail(stale_message(path, request), pytrace=False)
            return False

        monkeypatch.setattr(cassette, "can_play_response_for", can_play)
        model_traffic_only(monkeypatch, cassette)
        # A test marked for pytest-recording leaves its other traffic to that plugin (its
        # cassette, --block-network): newsbrief's model requests cannot leave in replay
        # anyway, since our cassette answers them or fails the test.
        guard = mode == "none" and request.node.get_closest_marker("vcr") is None
        try:
            with replay_guard(monkeypatch) if guard else nullcontext():
                yield cassette
        finally:
            monkeypatch.undo()
            if vcr_mode != "none":
                mark_recording(cassette, request.node, started)


@pytest.fixture
def newsbrief_endpoint(newsbrief_cassette: Any) -> Endpoint:
    """The endpoint to pass to summarize/asummarize: real when recording, a stand-in on replay.

    The cassette remembers the recorded model, mode, kind and URL path, so replay needs no
    environment: CI with no key and no server sends the very requests that were recorded.
    Requests match on method, path and body, so the stand-in's host never matters.
    """
    from vcr.errors import MissingMetadataError

    from newsbrief.model.endpoint import Endpoint, ready, resolve_endpoint
    from newsbrief.redact import display_url
    from newsbrief.testing.cassettes import ENDPOINT_METADATA
    from newsbrief.testing.scrub import scrub_paths

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
    # The query too (secret values scrubbed): openai appends the request path to a base
    # URL's query ("/v1?api-version=1/chat/completions"), so replay must send the same one.
    parts = urlsplit(display_url(endpoint.api_url or ""))
    base_path = parts.path + (f"?{parts.query}" if parts.query else "")
    newsbrief_cassette.get_metadata(
        ENDPOINT_METADATA,
        {
            # Scrubbed as the request bodies are: a model given as a path to a GGUF file
            # is recorded (and replayed) as its basename, never the user's folders.
            "model": scrub_paths(endpoint.model),
            "mode": endpoint.mode,
            "embedded": endpoint.profile.kind == "embedded",
            "base_path": base_path,
        },
    )
    return endpoint
