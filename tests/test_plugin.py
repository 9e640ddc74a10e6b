"""The pytest plugin as a user meets it: a throwaway test suite, run in a real pytest.

Each scenario runs the user's suite in a subprocess (pytester), so the plugin loads through
its `pytest11` entry point exactly as after `pip install newsbrief`, and module caches and
socket patches never leak between runs. Recording talks to the scripted fake server on
127.0.0.1; replay runs with that server stopped and the endpoint environment cleared, as on
a CI machine with no key.
"""

from __future__ import annotations

import gzip
import json
import re
import shlex
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from support import ROOT

from newsbrief import summarize
from newsbrief.model import prompts
from newsbrief.testing.cassettes import make_vcr
from newsbrief.testing.inspection import inspect_cassette
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, FakeOpenAI, Reply, completion, serve

pytest_plugins = ["pytester"]

SENTINEL = "sk-SENTINEL-0123456789abcdef"
MODEL = "fake-model-1"
TEXT = TINY_ARTICLE
CASSETTE = Path("cassettes/test_user/test_brief.yaml")
COMMAND = "pytest test_user.py::test_brief --newsbrief-record-mode=rewrite"
DRAFT = TINY_DRAFT
# Response headers a hosted provider sends that identify or authenticate the account.
ACCOUNT_HEADERS = {
    "Set-Cookie": "session=COOKIE-SECRET-VALUE; Path=/",
    "openai-organization": "ORG-SECRET-VALUE",
    "openai-project": "PROJECT-SECRET-VALUE",
}

USER_SUITE = """
import os
import socket

import pytest

import newsbrief

TEXT = "Markets rallied.\\nThe Nikkei 225 closed at 57,890, up 1.5% on the day.\\n"


def test_brief(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%"]
    assert brief.provenance.model == "fake-model-1"
    assert brief.provenance.endpoint == "openai-compatible"


@pytest.mark.asyncio
@pytest.mark.newsbrief_cassette("test_brief")
async def test_async_brief(newsbrief_endpoint):
    brief = await newsbrief.asummarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%"]


@pytest.mark.newsbrief_cassette("test_brief")
def test_socket(newsbrief_endpoint):
    socket.create_connection(("127.0.0.1", int(os.environ["PROBE_PORT"])), timeout=2).close()


@pytest.mark.parametrize("label", ["nikkei 225 close"])
def test_param(newsbrief_endpoint, label):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert brief.key_figures[0].label.lower() == label
"""


def reply(*, gzipped: bool = False) -> Reply:
    body = completion(json.dumps(DRAFT))
    body["system_fingerprint"] = SENTINEL  # a server echoing the key must not leak it either
    headers = {**ACCOUNT_HEADERS, "x-echo-key": SENTINEL}
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        return Reply(body=gzip.compress(json.dumps(body).encode()), headers=headers)
    return Reply(body=body, headers=headers)


class UserSuite:
    """The user's project: records against the fake server, replays with nothing running."""

    def __init__(self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pytester = pytester
        self.monkeypatch = monkeypatch
        pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
        pytester.makepyfile(test_user=USER_SUITE)
        for var in ("NEWSBRIEF_RECORD_MODE", "NEWSBRIEF_PROMPTS_DIR", "NEWSBRIEF_MODE"):
            monkeypatch.delenv(var, raising=False)

    @property
    def cassette(self) -> Path:
        return self.pytester.path / CASSETTE

    def run(self, *args: str, subprocess: bool = False) -> pytest.RunResult:
        """In-process is fast; a subprocess is a fresh interpreter, as on a CI machine."""
        if subprocess:
            return self.pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=300)
        prompts.reload()  # the test may have edited a template since the last run
        return self.pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)

    def record(self, *args: str, gzipped: bool = False) -> tuple[pytest.RunResult, FakeOpenAI]:
        with serve([reply(gzipped=gzipped)]) as fake, self.monkeypatch.context() as env:
            env.setenv("NEWSBRIEF_BASE_URL", fake.base_url)
            env.setenv("OPENAI_API_KEY", SENTINEL)
            env.setenv("NEWSBRIEF_MODEL", MODEL)
            result = self.run(*args)
        return result, fake

    def replay(self, *args: str, subprocess: bool = False) -> pytest.RunResult:
        """Server stopped, no endpoint configured: only the cassette can answer."""
        return self.run(*args, subprocess=subprocess)

    def use_prompts_copy(self, tmp_path: Path) -> Path:
        folder = tmp_path / "prompts"
        shutil.copytree(ROOT / "prompts", folder)
        self.monkeypatch.setenv("NEWSBRIEF_PROMPTS_DIR", str(folder))
        return folder


def current_prompt_version() -> str:
    prompts.reload()  # keyed on the folder, and the test edits files inside it
    return prompts.prompt_version()


@pytest.fixture(scope="module", autouse=True)
def _warm_imports(tmp_path_factory: pytest.TempPathFactory) -> None:
    """pytester restores sys.modules after each in-process run, so what a first model call
    imports lazily (openai's resources, instructor's providers, vcrpy's stubs: ~0.7 s) would
    be imported again by every run. Imported once out here, it stays."""
    cassette = tmp_path_factory.mktemp("warm") / "warm.yaml"
    with serve([reply()]) as fake, make_vcr("all").use_cassette(str(cassette)):
        summarize(TEXT, base_url=fake.base_url, api_key="not-needed", model=MODEL)


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Iterator[UserSuite]:
    yield UserSuite(pytester, monkeypatch)
    prompts.reload()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A live loopback port: a connect that is not blocked would succeed here."""
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    yield sock
    sock.close()


def headers_of(cassette: dict[str, Any], side: str) -> set[str]:
    return {name.lower() for i in cassette["interactions"] for name in i[side]["headers"]}


def test_first_run_records_a_scrubbed_cassette(suite: UserSuite) -> None:
    result, fake = suite.record("test_user.py::test_brief", "--newsbrief-record=once")

    result.assert_outcomes(passed=1)
    assert fake.headers[0]["authorization"] == f"Bearer {SENTINEL}"  # sent, so must be scrubbed
    raw = suite.cassette.read_text()
    data = yaml.safe_load(raw)
    assert len(data["interactions"]) == 1
    assert "authorization" not in headers_of(data, "request")
    assert not headers_of(data, "response") & {h.lower() for h in ACCOUNT_HEADERS}
    for secret in (SENTINEL, *ACCOUNT_HEADERS.values(), "COOKIE-SECRET-VALUE"):
        assert secret not in raw
    assert f":{urlsplit(fake.base_url).port}" not in raw
    request = data["interactions"][0]["request"]
    assert request["uri"] == "http://127.0.0.1:8080/v1/chat/completions"
    assert request["headers"]["host"] == ["127.0.0.1:8080"]
    info = inspect_cassette(suite.cassette)
    assert (info.secrets, info.error, info.models) == ([], None, {MODEL})
    assert info.prompt_versions == {current_prompt_version()}


def test_replay_needs_no_server_and_blocks_the_network(
    suite: UserSuite, listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite.record("test_user.py::test_brief", "--newsbrief-record=once")[0].assert_outcomes(passed=1)
    recorded = suite.cassette.read_bytes()
    monkeypatch.setenv("PROBE_PORT", str(listener.getsockname()[1]))

    result = suite.replay("test_user.py", "-k", "brief or socket", subprocess=True)

    result.assert_outcomes(passed=2, failed=1)  # sync and async replay; the socket is refused
    result.stdout.fnmatch_lines(["FAILED test_user.py::test_socket*"])
    result.stdout.fnmatch_lines(["*network blocked in cassette replay*"])
    with pytest.raises(BlockingIOError):
        listener.accept()  # nothing reached the live port
    assert suite.cassette.read_bytes() == recorded  # replay never rewrites a cassette


def test_edited_prompt_fails_replay_naming_versions_and_command(
    suite: UserSuite, tmp_path: Path
) -> None:
    folder = suite.use_prompts_copy(tmp_path)
    suite.record("test_user.py::test_brief", "--newsbrief-record=once")[0].assert_outcomes(passed=1)
    recorded = current_prompt_version()
    with (folder / "brief_system.md").open("a") as f:
        f.write("\nBe brief.\n")
    current = current_prompt_version()
    assert recorded != current

    result = suite.replay("test_user.py::test_brief")

    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert f"recorded with prompt version {recorded}" in out
    assert f"current prompt version {current}" in out
    assert f"Re-record with: {COMMAND}\n" in out
    assert "cannot reach" not in out  # the stale message, not a misleading transport error


@pytest.mark.parametrize("switch", ["flag", "env"])
def test_rerecording_with_rewrite_fixes_a_stale_cassette(
    suite: UserSuite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, switch: str
) -> None:
    folder = suite.use_prompts_copy(tmp_path)
    suite.record("test_user.py::test_brief", "--newsbrief-record=once")[0].assert_outcomes(passed=1)
    with (folder / "brief_user.md").open("a") as f:
        f.write("\nAnswer in JSON.\n")
    stale = suite.replay("test_user.py::test_brief")
    stale.assert_outcomes(failed=1)
    command = re.findall(r"Re-record with: (.+)", stale.stdout.str())[0]
    assert command == COMMAND

    argv = shlex.split(command)[1:]  # exactly what the message told the user to run
    if switch == "env":
        monkeypatch.setenv("NEWSBRIEF_RECORD_MODE", "rewrite")
        argv.remove("--newsbrief-record-mode=rewrite")
    rerecorded, fake = suite.record(*argv)
    monkeypatch.delenv("NEWSBRIEF_RECORD_MODE", raising=False)

    rerecorded.assert_outcomes(passed=1)
    assert len(fake.requests) == 1  # went to the server, not to the old recording
    info = inspect_cassette(suite.cassette)
    assert (info.interactions, info.prompt_versions) == (1, {current_prompt_version()})
    assert not info.stale
    suite.replay("test_user.py::test_brief").assert_outcomes(passed=1)


def test_missing_cassette_fails_with_the_record_command(suite: UserSuite) -> None:
    result = suite.replay("test_user.py::test_param")

    result.assert_outcomes(errors=1)
    command = "pytest 'test_user.py::test_param[nikkei 225 close]' --newsbrief-record-mode=once"
    assert f"no newsbrief cassette at {suite.pytester.path / 'cassettes'}" in result.stdout.str()
    assert f"record it with: {command}\n" in result.stdout.str()
    assert not (suite.pytester.path / "cassettes").exists()

    recorded, _ = suite.record(*shlex.split(command)[1:])  # quoted id survives a shell
    recorded.assert_outcomes(passed=1)
    assert (suite.pytester.path / "cassettes/test_user/test_param_nikkei_225_close_.yaml").is_file()
    suite.replay("test_user.py::test_param").assert_outcomes(passed=1)


def test_gzip_responses_are_recorded_decoded(suite: UserSuite) -> None:
    result, _ = suite.record("test_user.py::test_brief", "--newsbrief-record=once", gzipped=True)
    result.assert_outcomes(passed=1)

    response = yaml.safe_load(suite.cassette.read_text())["interactions"][0]["response"]
    body = response["body"]["string"]
    assert isinstance(body, str) and json.loads(body)["object"] == "chat.completion"
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert "content-encoding" not in headers
    assert headers["content-length"] == [str(len(body.encode()))]
    suite.replay("test_user.py::test_brief").assert_outcomes(passed=1)


def readme_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme[readme.index("## Testing your own code with recorded fixtures") :]


def test_readme_example_records_replays_and_shows_the_real_stale_message(
    suite: UserSuite, tmp_path: Path
) -> None:
    section = readme_section()
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    shown = re.search(r"```text\n_+ \w+ _+\n(.*?)```", section, re.DOTALL)
    assert example and shown
    code = example.group(1)
    where = code.splitlines()[0].removeprefix("# ")  # the file the example says it lives in
    (suite.pytester.path / where).parent.mkdir(parents=True, exist_ok=True)
    (suite.pytester.path / where).write_text(code)
    folder = suite.use_prompts_copy(tmp_path)
    suite.record(where, "--newsbrief-record=once")[0].assert_outcomes(passed=1)
    recorded = current_prompt_version()
    suite.replay(where).assert_outcomes(passed=1)
    with (folder / "brief_system.md").open("a") as f:
        f.write("\nBe brief.\n")

    result = suite.replay(where)

    result.assert_outcomes(failed=1)
    (actual,) = [ln for ln in result.outlines if ln.startswith("stale newsbrief cassette")]
    documented = " ".join(shown.group(1).split())
    doc_recorded, doc_current = re.findall(r"prompt version (\w+)", documented)
    actual = (
        actual.replace(str(suite.pytester.path), "/src/app")
        .replace(recorded, doc_recorded)
        .replace(current_prompt_version(), doc_current)
    )
    assert actual == documented


def test_cassette_without_endpoint_metadata_replays_with_the_environment(
    suite: UserSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cassettes made before the endpoint was recorded in them, or by plain vcrpy."""
    suite.record("test_user.py::test_brief", "--newsbrief-record=once")[0].assert_outcomes(passed=1)
    data = yaml.safe_load(suite.cassette.read_text())
    del data["metadata"]
    suite.cassette.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("NEWSBRIEF_MODEL", MODEL)
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)

    suite.replay("test_user.py::test_brief").assert_outcomes(passed=1)


OTHER_SUITE = """
import urllib.request

import newsbrief

TEXT = "Markets rallied.\\nThe Nikkei 225 closed at 57,890, up 1.5% on the day.\\n"


def test_brief(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%"]


def test_page(newsbrief_endpoint):
    urllib.request.urlopen("http://127.0.0.1:9/feed.xml", timeout=2)
"""


def test_a_query_string_base_url_replays(suite: UserSuite) -> None:
    suite.pytester.makepyfile(test_other=OTHER_SUITE)
    with serve([reply()]) as fake, suite.monkeypatch.context() as env:
        env.setenv("NEWSBRIEF_BASE_URL", fake.base_url + "?api-version=2024-06-01")
        env.setenv("OPENAI_API_KEY", SENTINEL)
        env.setenv("NEWSBRIEF_MODEL", MODEL)
        suite.run("test_other.py::test_brief", "--newsbrief-record=once").assert_outcomes(passed=1)
    suite.replay("test_other.py::test_brief").assert_outcomes(passed=1)


def test_an_unrecorded_call_that_is_no_model_call_is_blocked_never_called_stale(
    suite: UserSuite,
) -> None:
    """newsbrief's cassette holds model requests only: another call in replay meets the
    network block, whose message says where such calls belong."""
    suite.pytester.makepyfile(test_other=OTHER_SUITE)
    suite.record("test_other.py::test_brief", "--newsbrief-record=once")
    cassette = suite.pytester.path / "cassettes/test_other/test_brief.yaml"
    target = suite.pytester.path / "cassettes/test_other/test_page.yaml"
    target.write_bytes(cassette.read_bytes())
    result = suite.replay("test_other.py::test_page")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "network blocked in cassette replay (tried to connect to ('127.0.0.1', 9))" in out
    assert "its cassettes hold model requests only" in out
    assert "stale newsbrief cassette" not in out
