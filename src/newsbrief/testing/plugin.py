"""pytest plugin: record newsbrief's model traffic once, replay it offline forever after.

Installed through the `pytest11` entry point, so `pip install newsbrief` is enough:

    def test_my_brief(newsbrief_endpoint):
        brief = newsbrief.summarize(text, endpoint=newsbrief_endpoint)

Replay is the default and blocks the network; `--newsbrief-record=once|new_episodes|all`
(or NEWSBRIEF_RECORD_MODE) records against the configured endpoint (NEWSBRIEF_BASE_URL,
OPENAI_API_KEY, NEWSBRIEF_MODEL, NEWSBRIEF_MODE), or the embedded model when none is set.
Cassettes go to <rootdir>/cassettes/<test file stem>/<test name>.yaml (ini option
`newsbrief_cassette_dir`; marker `newsbrief_cassette(name)` to share one). Tests sharing a
cassette record into it together: within one session `all` empties it only once, and
`once` adds to a cassette this session created rather than calling it stale.

Replay blocks the network twice over: socket.socket.connect is patched (loopback too: a
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


def cassette_path(request: pytest.FixtureRequest) -> Path:
    marker = request.node.get_closest_marker("newsbrief_cassette")
    name = marker.args[0] if marker and marker.args else request.node.name
    folder = Path(str(request.config.rootpath)) / str(
        request.config.getini("newsbrief_cassette_dir")
    )
    # The test file's stem is already a file name: kept as is, so no cassette moves.
    return folder / Path(str(request.node.path)).stem / f"{safe_name(name)}.yaml"


def session_record_mode(config: pytest.Config, mode: str, path: Path) -> str:
    """The record mode for this cassette in this test, given the tests before it.

    A cassette is shared through the marker, and the session's mode applies to it as a
    whole: `all` empties it for the first test that uses it, not for each (which would
    keep only the last test's recording); `once` on a cassette this session is recording
    adds to it (`new_episodes`), where vcrpy would call the second test's requests stale.
    """
    if mode == "none":
        return mode
    here = config.stash.setdefault(_RECORDED_HERE, set())
    key = path.resolve()
    if key in here:
        return "new_episodes" if mode == "once" else mode
    if mode == "all" or not path.exists():  # this session writes it from scratch
        here.add(key)
    if mode == "all":
        path.unlink(missing_ok=True)  # vcrpy's "all" keeps unmatched (stale) interactions
    return mode


def rerecord_command(request: pytest.FixtureRequest) -> str:
    """Pasteable from the rootdir; quoted because parametrized ids carry [ ] and spaces."""
    return f"pytest {shlex.quote(request.node.nodeid)} --newsbrief-record=all"


class NetworkBlocked(OSError):
    """Raised for any network use (or child process) during cassette replay.

    An OSError, as a refused connection would be: code that handles one (platform's
    `uname -p` probe, a library's fallback) keeps working, and nothing reaches the network.
    """


BLOCKED = "network blocked in cassette replay"


def blocked_message(attempt: str) -> str:
    return (
        f"{BLOCKED} (tried to {attempt}): newsbrief replays recorded model traffic "
        "offline, so nothing may leave this process while a replay cassette is active"
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


def _model_call(request: Any) -> bool:
    """A newsbrief model request: every one carries the prompt-version header."""
    from newsbrief.testing.cassettes import PROMPT_HEADER

    return any(name.lower() == PROMPT_HEADER for name in request.headers)


def unrecorded_message(request: Any) -> str:
    """Replay met a request that is not a model call: no cassette records those, so it is
    no sign of a stale cassette."""
    from newsbrief.redact import display_url

    return (
        f"{BLOCKED}: {request.method} {display_url(str(request.uri))} is not a model call "
        "(newsbrief cassettes record model requests only); serve it from the test itself"
    )


@pytest.fixture
def newsbrief_cassette(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The active vcr cassette; fails the test loudly when the cassette is missing or stale."""
    from newsbrief.redact import url_secrets
    from newsbrief.testing.cassettes import make_vcr

    mode = record_mode(request.config)
    path = cassette_path(request)
    command = rerecord_command(request)
    if mode == "none" and not path.exists():
        pytest.fail(f"no newsbrief cassette at {path}; record it with: {command}", pytrace=False)
    mode = session_record_mode(request.config, mode, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    secrets = tuple(s for s in (settings.API_KEY.get(),) if s)
    if mode != "none":
        secrets += url_secrets(settings.BASE_URL.get())
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
                if not _model_call(req):
                    pytest.fail(unrecorded_message(req), pytrace=False)
                pytest.fail(stale_message(path, command), pytrace=False)
            return False

        monkeypatch.setattr(cassette, "can_play_response_for", can_play)
        try:
            with replay_guard(monkeypatch) if mode == "none" else nullcontext():
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
