"""testing/guard.py: nothing leaves the process during replay. A user suite run by a real
pytest in a subprocess (an audit hook lasts as long as its interpreter; a fork must not
copy our runner) tries every way out: the C-level socket, a socket rebuilt from a file
descriptor, UDP, name lookups, another thread, child processes of every kind."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from plugin_suite import MODEL, Suite

pytest_plugins = ["pytester"]

HOSTILE = """
import _socket
import multiprocessing.util
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

HOST = os.environ["PROBE_HOST"]
TCP = int(os.environ["PROBE_TCP"])
UDP = int(os.environ["PROBE_UDP"])
MARK = os.environ["PROBE_MARK"]
BLOCKED = "network blocked in cassette replay"
TOUCH = [sys.executable, "-c", f"open({MARK!r}, 'w').close()"]

pytestmark = pytest.mark.newsbrief_cassette("offline")


def test_c_level_socket(newsbrief_cassette):
    raw = _socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.settimeout(2)
    with pytest.raises(OSError, match=BLOCKED + ".*connect"):
        raw.connect((HOST, TCP))
    with pytest.raises(OSError, match=BLOCKED):
        raw.connect_ex((HOST, TCP))
    raw.close()


def test_socket_rebuilt_from_a_file_descriptor(newsbrief_cassette):
    rebuilt = socket.socket(fileno=socket.socket(socket.AF_INET, socket.SOCK_STREAM).detach())
    rebuilt.settimeout(2)
    with pytest.raises(OSError, match=BLOCKED):
        _socket.socket.connect(rebuilt, (HOST, TCP))
    copy = socket.fromfd(rebuilt.fileno(), socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(OSError, match=BLOCKED):
        _socket.socket.connect(copy, (HOST, TCP))
    copy.close()
    rebuilt.close()


def test_udp_sendto_and_sendmsg(newsbrief_cassette):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(OSError, match=BLOCKED + ".*datagram"):
            udp.sendto(b"leak", (HOST, UDP))
        with pytest.raises(OSError, match=BLOCKED):
            udp.sendmsg([b"leak"], [], 0, (HOST, UDP))


def test_name_lookup(newsbrief_cassette):
    with pytest.raises(OSError, match=BLOCKED + ".*look up"):
        socket.getaddrinfo("api.openai.com", 443)
    with pytest.raises(OSError, match=BLOCKED):
        socket.gethostbyname("api.openai.com")
    assert socket.getaddrinfo("127.0.0.1", 80)  # a numeric loopback needs no lookup


def test_another_thread(newsbrief_cassette):
    caught = []

    def reach():
        raw = _socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            raw.connect((HOST, TCP))
        except OSError as exc:
            caught.append(str(exc))
        finally:
            raw.close()

    worker = threading.Thread(target=reach)
    worker.start()
    worker.join(10)
    assert caught and BLOCKED in caught[0]


def test_subprocess(newsbrief_cassette):
    with pytest.raises(OSError, match=BLOCKED + ".*child process"):
        subprocess.run(TOUCH, check=False)


def test_os_system(newsbrief_cassette):
    with pytest.raises(OSError, match=BLOCKED):
        os.system(" ".join(TOUCH))


def test_posix_spawn(newsbrief_cassette):
    with pytest.raises(OSError, match=BLOCKED):
        os.posix_spawn(TOUCH[0], TOUCH, dict(os.environ))


def test_multiprocessing_spawn(newsbrief_cassette):
    with pytest.raises(OSError, match=BLOCKED):
        multiprocessing.util.spawnv_passfds(TOUCH[0], TOUCH, ())


def test_exec_in_a_forked_child(newsbrief_cassette):
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.execv(TOUCH[0], TOUCH)
        except BaseException as exc:
            os._exit(42 if BLOCKED in str(exc) else 43)
        os._exit(44)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 42


def test_a_request_the_cassette_lacks_is_still_stale(newsbrief_endpoint):
    with pytest.raises(pytest.fail.Exception, match="stale newsbrief cassette") as caught:
        newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert BLOCKED not in str(caught.value)


def test_zz_after_replay_the_process_is_free_again():
    subprocess.run([sys.executable, "-c", "pass"], check=True)
"""


OFFLINE_CASSETTE = {
    "interactions": [],
    "version": 1,
    "metadata": {
        # A finished recording that sent no request: an unmarked empty one would be taken
        # for a failed recording (see test_plugin_recording.py).
        "newsbrief_recording": {"complete": True},
        "newsbrief_endpoint": {
            "model": MODEL,
            "mode": "json_schema",
            "embedded": False,
            "base_path": "/v1",
        },
    },
}


def outward_address() -> str | None:
    """This machine's address on a non-loopback interface, if it has one: a connection
    there stays on the machine, yet is what a loopback-only guard must call the network."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        if probe.connect_ex(("192.0.2.123", 9)) != 0:  # UDP: routes, sends nothing
            return None
        address = str(probe.getsockname()[0])
    finally:
        probe.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@pytest.fixture
def listeners() -> Iterator[tuple[socket.socket, socket.socket]]:
    tcp = socket.create_server(("0.0.0.0", 0))
    tcp.setblocking(False)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("0.0.0.0", 0))
    udp.setblocking(False)
    yield tcp, udp
    tcp.close()
    udp.close()


def test_replay_blocks_every_way_out_of_the_process(
    suite: Suite,
    listeners: tuple[socket.socket, socket.socket],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tcp, udp = listeners
    host = outward_address()
    mark = tmp_path / "a child process ran"
    monkeypatch.setenv("PROBE_HOST", host or "192.0.2.1")
    monkeypatch.setenv("PROBE_TCP", str(tcp.getsockname()[1]))
    monkeypatch.setenv("PROBE_UDP", str(udp.getsockname()[1]))
    monkeypatch.setenv("PROBE_MARK", str(mark))
    suite.write("test_hostile", HOSTILE)
    cassette = suite.pytester.path / "cassettes" / "test_hostile" / "offline.yaml"
    cassette.parent.mkdir(parents=True)
    cassette.write_text(yaml.safe_dump(OFFLINE_CASSETTE))

    result = suite.pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=300)

    result.assert_outcomes(passed=12)
    assert not mark.exists(), "a child process ran during replay"
    if host is not None:  # the listeners were reachable: prove nothing reached them
        with pytest.raises(BlockingIOError):
            tcp.accept()
        with pytest.raises(BlockingIOError):
            udp.recvfrom(16)
