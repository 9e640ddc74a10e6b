"""The pytest plugin against users who share cassettes, name tests at length, and run code
that reaches for the network (or a child process) in ways a socket patch cannot see.

Each scenario runs a throwaway user suite in a real pytest (pytester), as test_plugin.py
does: in-process where speed matters, in a subprocess where the process itself is under
test (an audit hook lasts as long as its interpreter; a fork must not copy our runner).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsbrief import summarize
from newsbrief.model import prompts
from newsbrief.testing.cassettes import make_vcr
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, FakeOpenAI, draft_reply, serve

pytest_plugins = ["pytester"]

MODEL = "fake-model-1"
KEY = "sk-HOSTILE-0123456789abcdef"
HEAVY = (
    "newsbrief.model",
    "newsbrief.digest",
    "newsbrief.brief",
    "newsbrief.render",
    "openai",
    "instructor",
    "vcr",
    "httpx2",
    "yaml",
)
HEADER = f"""
import pytest
import newsbrief

TEXT = {TINY_ARTICLE!r}
FIGURES = ["57,890", "1.5%"]
"""


class Suite:
    """The user's project: records against the fake server, replays with nothing running."""

    def __init__(self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pytester = pytester
        self.monkeypatch = monkeypatch
        pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
        for var in ("NEWSBRIEF_RECORD_MODE", "NEWSBRIEF_PROMPTS_DIR", "NEWSBRIEF_MODE"):
            monkeypatch.delenv(var, raising=False)

    def write(self, name: str, body: str) -> Path:
        return Path(self.pytester.makepyfile(**{name: HEADER + textwrap.dedent(body)}))

    def cassettes(self, stem: str) -> list[Path]:
        return sorted((self.pytester.path / "cassettes" / stem).glob("*.yaml"))

    def run(self, *args: str) -> pytest.RunResult:
        prompts.reload()
        return self.pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)

    def record(self, *args: str, model: str = MODEL) -> tuple[pytest.RunResult, FakeOpenAI]:
        with serve([draft_reply(TINY_DRAFT)]) as fake, self.monkeypatch.context() as env:
            env.setenv("NEWSBRIEF_BASE_URL", fake.base_url)
            env.setenv("OPENAI_API_KEY", KEY)
            env.setenv("NEWSBRIEF_MODEL", model)
            result = self.run(*args)
        return result, fake


@pytest.fixture(scope="module", autouse=True)
def _warm_imports(tmp_path_factory: pytest.TempPathFactory) -> None:
    """As in test_plugin.py: pytester restores sys.modules after each in-process run, so
    what the first model call imports lazily (instructor's providers among it) is imported
    once out here, where it stays."""
    cassette = tmp_path_factory.mktemp("warm") / "warm.yaml"
    with serve([draft_reply(TINY_DRAFT)]) as fake, make_vcr("all").use_cassette(str(cassette)):
        summarize(TINY_ARTICLE, base_url=fake.base_url, api_key="not-needed", model=MODEL)


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Iterator[Suite]:
    yield Suite(pytester, monkeypatch)
    prompts.reload()


def interactions(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text())["interactions"])


# --- (1) tests sharing one cassette ------------------------------------------------------------

SHARED = """
@pytest.mark.newsbrief_cassette("shared")
def test_first(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == FIGURES


@pytest.mark.newsbrief_cassette("shared")
def test_second(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT + "Bonds were flat.\\n", endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == FIGURES
"""


def test_tests_sharing_a_cassette_record_together_with_once(suite: Suite) -> None:
    suite.write("test_shared", SHARED)

    result, fake = suite.record("--newsbrief-record=once")

    result.assert_outcomes(passed=2)  # not "stale" for the second test
    assert len(fake.requests) == 2
    (cassette,) = suite.cassettes("test_shared")
    assert cassette.name == "shared.yaml"
    assert len(interactions(cassette)) == 2
    suite.run().assert_outcomes(passed=2)  # replay, no server


def test_rerecording_a_shared_cassette_with_all_keeps_every_test(suite: Suite) -> None:
    suite.write("test_shared", SHARED)
    suite.record("--newsbrief-record=once")[0].assert_outcomes(passed=2)
    (cassette,) = suite.cassettes("test_shared")
    data = yaml.safe_load(cassette.read_text())
    stale = json.loads(json.dumps(data["interactions"][0]))
    stale["request"]["body"] = stale["request"]["body"].replace("Markets", "Bourses")
    data["interactions"].append(stale)  # an old recording no test sends any more
    cassette.write_text(yaml.safe_dump(data))

    result, fake = suite.record("--newsbrief-record=all")

    result.assert_outcomes(passed=2)
    assert len(fake.requests) == 2  # both went to the server
    bodies = [i["request"]["body"] for i in interactions(cassette)]
    assert len(bodies) == 2  # both kept (not only the last test's), the stale one gone
    assert not any("Bourses" in b for b in bodies)
    suite.run().assert_outcomes(passed=2)


# --- (2) long names ----------------------------------------------------------------------------

LONG = """
LONG = ["nikkei " + "x" * 300 + " one", "nikkei " + "x" * 300 + " two", "日経平均" * 40]


@pytest.mark.parametrize("label", LONG, ids=LONG)  # pytest would shorten ids it made
def test_param(newsbrief_endpoint, label):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == FIGURES


@pytest.mark.newsbrief_cassette("y" * 400)
def test_marker(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == FIGURES
"""


def test_long_test_ids_get_short_distinct_cassette_names(suite: Suite) -> None:
    suite.write("test_long", LONG)

    result, _ = suite.record("--newsbrief-record=once")

    result.assert_outcomes(passed=4)  # no "File name too long"
    names = [p.name for p in suite.cassettes("test_long")]
    assert len(names) == 4  # the two x ids differ only at their ends: still two files
    assert all(len(name.encode()) <= 120 for name in names), names  # bytes, not characters
    suite.run().assert_outcomes(passed=4)


# --- the user's paths in cassette metadata ----------------------------------------------------

MODEL_PATH = """
def test_brief(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == FIGURES
"""


def test_a_model_given_as_a_path_is_recorded_as_its_basename(suite: Suite) -> None:
    suite.write("test_model", MODEL_PATH)
    model = "/home/alice/models/my-model.Q4_K_M.gguf"

    suite.record("--newsbrief-record=once", model=model)[0].assert_outcomes(passed=1)

    (cassette,) = suite.cassettes("test_model")
    raw = cassette.read_text()
    assert "/home/alice" not in raw and "alice" not in raw
    metadata = yaml.safe_load(raw)["metadata"]["newsbrief_endpoint"]
    assert metadata["model"] == "my-model.Q4_K_M.gguf"
    suite.run().assert_outcomes(passed=1)


# --- (3) nothing leaves the process during replay ----------------------------------------------

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


# --- (4) the plugin is cheap to load ----------------------------------------------------------


def test_importing_the_plugin_loads_none_of_the_model_stack() -> None:
    code = (
        "import json, sys\n"
        "import newsbrief.testing.plugin\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if any(m == h or m.startswith(h + '.') for h in heavy))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout) == []


def test_a_session_that_never_uses_the_plugin_loads_none_of_the_model_stack(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_plain=f"""
        import sys

        def test_nothing_heavy(request):
            assert request.config.pluginmanager.has_plugin("newsbrief")  # it did load
            heavy = {HEAVY!r}
            loaded = [m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy)]
            assert loaded == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)
