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

Replay blocks the network twice over (unless the test is marked `vcr`: pytest-recording
then decides for non-model traffic): socket.socket.connect is patched (loopback too: a
local server answering would hide a stale cassette), and an audit hook refuses what that
patch cannot see (the C-level socket, a socket rebuilt from a file descriptor, UDP sendto
and sendmsg, name lookups of remote hosts) and any child process, which escapes every
guard in this one.

Imports of newsbrief itself stay inside the functions: this module is loaded into every
pytest session of every project that installs newsbrief, used or not.
"""

from __future__ import annotations

import hashlib
import ipaddress
import shlex
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
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
# Longest cassette file name (in UTF-8 bytes) kept as is; longer ones keep this much and a
# hash of the whole name, so two long names never share a file.
MAX_NAME = 100
# Cassettes this session has started recording (resolved paths), for tests sharing one.
_RECORDED_HERE = pytest.StashKey[set[Path]]()
# The exception type of a test that failed in setup or call: its recording is incomplete.
_FAILED = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("newsbrief")
    group.addoption(
        "--newsbrief-record-mode",
        "--newsbrief-record",  # the first name this option had; kept as an alias
        dest="newsbrief_record_mode",
        choices=RECORD_MODES,
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
        item.stash[_FAILED] = call.excinfo.typename


def record_mode(config: pytest.Config, vcr_config: dict[str, Any] | None = None) -> str:
    """The option, else NEWSBRIEF_RECORD_MODE, else `record_mode` in newsbrief_vcr_config,
    else none (replay), as pytest-recording ranks its own."""
    try:
        mode = config.getoption("newsbrief_record_mode") or settings.RECORD_MODE.get()
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    mode = mode or (vcr_config or {}).get("record_mode") or "none"
    if mode not in RECORD_MODES:
        raise pytest.UsageError(
            f"newsbrief_vcr_config: record_mode {mode!r} is not one of {', '.join(RECORD_MODES)}"
        )
    return str(mode)


def safe_name(name: str) -> str:
    """A file name for a test or marker name: safe characters only, and short enough for
    any file system (255 bytes is the usual limit, in bytes: "日経" is six; a parametrize
    id can run to pages). Past MAX_NAME bytes: the start and a hash of the whole, so two
    long names stay two files."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(name))
    encoded = safe.encode("utf-8")
    if len(encoded) > MAX_NAME:
        digest = hashlib.sha1(str(name).encode("utf-8"), usedforsecurity=False).hexdigest()
        start = encoded[:MAX_NAME].decode("utf-8", "ignore")  # no half a character
        safe = f"{start}-{digest[:12]}"
    return safe


def default_cassette_dir(config: pytest.Config, test_file: Path) -> Path:
    """Where a test file's cassettes go unless `newsbrief_cassette_dir` is overridden:
    <rootdir>/<ini newsbrief_cassette_dir>/<file stem>, or beside the test file with
    `newsbrief_cassettes_beside_tests`. Beside the tests, pytest-recording's folder holds
    the app's cassettes under the test names; ours go one level down, never onto them."""
    if config.getini("newsbrief_cassettes_beside_tests"):
        return test_file.parent / "cassettes" / test_file.stem / "newsbrief"
    # The test file's stem is already a file name: kept as is, so no cassette moves.
    folder = Path(str(config.rootpath)) / str(config.getini("newsbrief_cassette_dir"))
    return folder / test_file.stem


def cassette_path(request: pytest.FixtureRequest, folder: Path) -> Path:
    marker = request.node.get_closest_marker("newsbrief_cassette")
    name = marker.args[0] if marker and marker.args else request.node.name
    return folder / f"{safe_name(name)}.yaml"


def session_record_mode(config: pytest.Config, mode: str, path: Path) -> str:
    """The vcrpy record mode for this cassette in this test, given the tests before it.

    A cassette is shared through the marker, and the session's mode applies to it as a
    whole: `all` and `rewrite` empty it for the first test that uses it, not for each
    (which would keep only the last test's recording); `once` on a cassette this session
    is recording adds to it (`new_episodes`), where vcrpy would call the second test's
    requests stale. A cassette a failed recording left (incomplete_reason) is recorded
    afresh by any recording mode: it is missing, not stale.
    """
    from newsbrief.testing.cassettes import cassette_incomplete

    if mode == "none":
        return mode
    mode = "all" if mode == "rewrite" else mode  # vcrpy has no "rewrite": delete, then "all"
    here = config.stash.setdefault(_RECORDED_HERE, set())
    key = path.resolve()
    if key in here:
        return "new_episodes" if mode == "once" else mode
    if path.exists() and (mode == "all" or cassette_incomplete(path)):
        path.unlink()  # vcrpy's "all" keeps unmatched (stale) interactions
    if not path.exists():  # this session writes it from scratch
        here.add(key)
    return mode


def record_command(request: pytest.FixtureRequest, mode: str) -> str:
    """The hint's command, as the README gives it: `once` records what is missing,
    `rewrite` records a stale cassette afresh. Pasteable from the rootdir; quoted because
    parametrized ids carry [ ] and spaces."""
    return f"pytest {shlex.quote(request.node.nodeid)} --newsbrief-record-mode={mode}"


class NetworkBlocked(OSError):
    """Raised for any network use (or child process) during cassette replay.

    An OSError, as a refused connection would be: code that handles one (platform's
    `uname -p` probe, a library's fallback) keeps working, and nothing reaches the network.
    """


BLOCKED = "network blocked in cassette replay"


def blocked_message(attempt: str) -> str:
    return (
        f"{BLOCKED} (tried to {attempt}): newsbrief replays recorded model traffic "
        "offline, so nothing may leave this process while a replay cassette is active; "
        "its cassettes hold model requests only: record other HTTP with pytest-recording "
        "(@pytest.mark.vcr) or serve it from the test"
    )


def _blocked_connect(self: socket.socket, address: Any) -> None:
    raise NetworkBlocked(blocked_message(f"connect to {address!r}"))


# --- the audit hook: what patching socket.socket cannot see ---------------------------------

_replaying = 0  # replay cassettes active now, in any thread (the hook sees every thread)
_replay_lock = threading.Lock()
_hook_installed = False
_SOCKET_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})
_LOOKUP_EVENTS = frozenset(
    {
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyname_ex",
        "socket.gethostbyaddr",
    }
)
_PROCESS_EVENTS = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.startfile"}
)
_WATCHED = _SOCKET_EVENTS | _LOOKUP_EVENTS | _PROCESS_EVENTS
_LOCAL_FAMILIES = frozenset(
    getattr(socket, name) for name in ("AF_UNIX", "AF_NETLINK") if hasattr(socket, name)
)


def _local_host(host: Any) -> bool:
    """A loopback address or the name localhost; anything else may leave the machine."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _socket_attempt(event: str, args: tuple[Any, ...]) -> str | None:
    """What a socket event tries to reach, or None when it stays on this machine."""
    sock, address = args[0], args[1] if len(args) > 1 else None
    if address is None:  # sendmsg on a connected socket: its connect was checked
        return None
    if getattr(sock, "family", None) in _LOCAL_FAMILIES:
        return None
    if isinstance(address, tuple) and address and _local_host(address[0]):
        return None
    verb = {"socket.connect": "connect to", "socket.sendto": "send a datagram to"}
    return f"{verb.get(event, 'send a message to')} {address!r}"


def _attempt(event: str, args: tuple[Any, ...]) -> str | None:
    if event in _SOCKET_EVENTS:
        return _socket_attempt(event, args)
    if event in _LOOKUP_EVENTS:
        host = args[0] if args else None
        if host is None or _local_host(host):
            return None
        if event == "socket.getaddrinfo" and isinstance(host, str | bytes):
            try:  # a numeric address needs no lookup; connecting to it is checked later
                ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host)
                return None
            except (ValueError, UnicodeDecodeError):
                pass
        return f"look up {host!r}"
    shown = " ".join(repr(a) for a in args[:2])[:200]
    return f"start a child process ({event} {shown}), which no in-process guard could stop"


def _audit(event: str, args: tuple[Any, ...]) -> None:
    # Runs for every audited event in the process, forever: the cheap checks come first.
    if not _replaying or event not in _WATCHED:
        return
    attempt = _attempt(event, args)
    if attempt is not None:
        raise NetworkBlocked(blocked_message(attempt))


def _install_audit_hook() -> None:
    """Once per process (an audit hook cannot be removed): inert unless replaying."""
    global _hook_installed
    with _replay_lock:
        if not _hook_installed:
            sys.addaudithook(_audit)
            _hook_installed = True


def _blocked_fork_exec(*args: Any, **kwargs: Any) -> Any:
    # multiprocessing's spawn and forkserver start their interpreter through this directly,
    # with no audit event of its own.
    raise NetworkBlocked(blocked_message("start a child process (_posixsubprocess.fork_exec)"))


@contextmanager
def replay_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Network and child processes blocked while inside, in every thread of the process."""
    global _replaying
    _install_audit_hook()
    monkeypatch.setattr(socket.socket, "connect", _blocked_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _blocked_connect)
    try:
        import _posixsubprocess
    except ImportError:  # Windows: no fork_exec to guard
        pass
    else:
        monkeypatch.setattr(_posixsubprocess, "fork_exec", _blocked_fork_exec)
    with _replay_lock:
        _replaying += 1
    try:
        yield
    finally:
        with _replay_lock:
            _replaying -= 1


def incomplete_message(path: Path, why: str, request: pytest.FixtureRequest) -> str:
    return (
        f"incomplete newsbrief cassette {path}: {why}; "
        f"record it with: {record_command(request, 'once')}"
    )


def stale_message(path: Path, request: pytest.FixtureRequest) -> str:
    """Why replay found no match, in terms the user can act on: which prompt recorded it,
    or that the cassette holds nothing at all (a recording that failed before any request,
    made before such recordings were marked): then it is missing, not stale."""
    from newsbrief.model.prompts import prompt_version
    from newsbrief.testing.cassettes import inspect_cassette

    info = inspect_cassette(path)
    if info.incomplete:
        return incomplete_message(path, info.incomplete, request)
    recorded = ", ".join(sorted(info.prompt_versions)) or "unknown"
    current = prompt_version()
    why = (
        "the prompt is unchanged, so the request itself changed (article, model or options)"
        if recorded == current
        else "the prompt templates changed since it was recorded"
    )
    return (
        f"stale newsbrief cassette {path}: recorded with prompt version {recorded}, "
        f"current prompt version {current}; {why}. "
        f"Re-record with: {record_command(request, 'rewrite')}"
    )


def _ours(request: Any) -> bool:
    """A request newsbrief's client sent: each carries the X-Newsbrief-* headers."""
    from newsbrief.testing.cassettes import MARKER_PREFIX

    return any(str(name).lower().startswith(MARKER_PREFIX) for name in request.headers)


def _model_traffic_only(monkeypatch: pytest.MonkeyPatch, cassette: Any) -> None:
    """Our cassette takes the requests newsbrief's own transport sends, and only those.

    It patches no HTTP library (the plugin opens it with every vcrpy patcher skipped), so
    every other request goes where the user's suite sends it: pytest-recording's or their
    own vcrpy cassette, the network block, the network. And it sends through the inner
    transport's own method, unwrapped from whatever recorder patched that class, so no
    other cassette records model traffic, whichever was entered first.
    """
    import inspect

    import httpx2
    from vcr.stubs.httpx_stubs import vcr_handle_async_request

    from newsbrief.model.transport import AsyncRetryingTransport

    ordinary = AsyncRetryingTransport._send

    async def send(transport: AsyncRetryingTransport, request: httpx2.Request) -> httpx2.Response:
        if not _ours(request):
            return await ordinary(transport, request)
        inner = transport.inner
        unpatched = inspect.unwrap(type(inner).handle_async_request)
        response: httpx2.Response = await vcr_handle_async_request(cassette, unpatched, httpx2)(
            inner, request
        )
        return response

    monkeypatch.setattr(AsyncRetryingTransport, "_send", send)
    _llama_server_traffic(monkeypatch, cassette)


def _llama_server_traffic(monkeypatch: pytest.MonkeyPatch, cassette: Any) -> None:
    """The embedded server's own requests (its tokenizer) through our cassette too: played
    back in replay, recorded as vcrpy's stubs record them. The prefix-cache warmup, which
    our request hook drops, goes to the server unrecorded."""
    import urllib.request

    from vcr.request import Request as VcrRequest

    from newsbrief.model import loopback

    ordinary = loopback.send

    def send(request: urllib.request.Request, timeout: float) -> bytes:
        def described() -> Any:  # a fresh one each time: the request hook edits it
            headers = dict(request.header_items())
            return VcrRequest(request.get_method(), request.full_url, request.data, headers)

        if not cassette.filter_request(described()):
            return ordinary(request, timeout)
        if cassette.can_play_response_for(described()):
            body = cassette.play_response(described())["body"]["string"]
            return body if isinstance(body, bytes) else str(body).encode("utf-8")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = bytes(response.read())
            headers: dict[str, list[str]] = {}
            for name, value in response.headers.items():
                headers.setdefault(name, []).append(value)
            status = {"code": response.status, "message": response.reason}
        cassette.append(
            described(), {"status": status, "headers": headers, "body": {"string": body}}
        )
        return body

    monkeypatch.setattr(loopback, "send", send)


def _mark_recording(cassette: Any, item: pytest.Item, started: bool) -> None:
    """Says in the cassette whether its recording finished (RECORDING_METADATA), so a
    failed one is recorded again by the next `once`, never called stale. Only a cassette
    this test wrote to or started: a test failing on a finished cassette leaves it alone,
    and a shared cassette an earlier test's failure marked stays marked."""
    from newsbrief.testing.cassettes import RECORDING_METADATA

    if not (cassette.dirty or started):
        return
    failed = item.stash.get(_FAILED, None)
    state = cassette.get_metadata(RECORDING_METADATA, {"complete": failed is None})
    if failed is not None:
        state.update(complete=False, failed=failed)
    elif started:
        state.clear()
        state.update(complete=True)
    cassette.dirty = True  # the state may be all that changed


# Settings newsbrief_vcr_config cannot make: where cassettes lie is newsbrief_cassette_dir
# and the marker's; which libraries are patched is _model_traffic_only's.
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
    from newsbrief.testing.cassettes import cassette_incomplete, make_vcr

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
        _model_traffic_only(monkeypatch, cassette)
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
                _mark_recording(cassette, request.node, started)


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
    from newsbrief.testing.cassettes import ENDPOINT_METADATA, scrub_paths

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
