"""Nothing leaves the process while a replay cassette is active: the pytest plugin's
network block.

Twice over: socket.socket.connect is patched (loopback too: a local server answering would
hide a stale cassette), and an audit hook refuses what that patch cannot see (the C-level
socket, a socket rebuilt from a file descriptor, UDP sendto and sendmsg, name lookups of
remote hosts) and any child process, which escapes every guard in this one.

Standard library only: the plugin loads this in every pytest session.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


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
