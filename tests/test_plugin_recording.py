"""newsbrief's plugin beside pytest-recording, in a user's project run by a real pytest.

The project is the README's recipe, written out from the README itself: an app that briefs
articles, builds a digest and calls a quote service of its own, tested with
`@pytest.mark.vcr` and `newsbrief_endpoint` together. Recording talks to a fake
OpenAI-compatible server and a fake quote service, both on 127.0.0.1; replay runs with
both stopped, no endpoint configured and `--block-network`. Each cassette must hold its
own traffic and nothing else, whichever recorder was entered first.

Then what a failed recording leaves (an empty or partial cassette) and how the next `once`
run heals it, the record modes under pytest-recording's names, and the settings fixtures.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from support import ROOT

from newsbrief import summarize
from newsbrief.cli.main import main
from newsbrief.testing.cassettes import RECORDING_METADATA, make_vcr
from tests.fakes.digests import router
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, FakeOpenAI, draft_reply, serve

pytest_plugins = ["pytester"]

MODEL = "fake-model-1"
KEY = "sk-RECIPE-0123456789abcdef"
CLOSE = 57912.3  # what the fake quote service says; the README's test expects "57,912"
RECIPE_HEADING = "### A project that also records its own HTTP (with pytest-recording)"
MODEL_ENV = ("NEWSBRIEF_BASE_URL", "OPENAI_API_KEY", "NEWSBRIEF_MODEL")


def recipe() -> tuple[dict[str, str], list[str]]:
    """The recipe's files ({path: text}, from blocks whose first line names a file) and its
    pytest commands, as the README shows them."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(RECIPE_HEADING) :]
    files: dict[str, str] = {}
    commands: list[str] = []
    for lang, code in re.findall(r"```(\w+)\n(.*?)```", section, re.DOTALL):
        first = code.splitlines()[0]
        name = first.removeprefix("# ")
        if lang in ("python", "ini") and first.startswith("# ") and " " not in name:
            files[name] = code
        if lang == "bash":
            commands += [ln.split("#")[0].strip() for ln in code.splitlines()]
    return files, [c for c in commands if c.startswith("pytest")]


class Quotes:
    """The app's own service: GET /close/<symbol> answers {"close": CLOSE}; counts calls."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        quotes = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                quotes.paths.append(self.path)
                data = json.dumps({"close": CLOSE}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[Quotes]:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


class Project:
    """The user's project in a pytester folder; records against the fakes, replays alone."""

    def __init__(self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pytester = pytester
        self.monkeypatch = monkeypatch
        for var in (*MODEL_ENV, "NEWSBRIEF_RECORD_MODE", "NEWSBRIEF_MODE", "QUOTES_URL"):
            monkeypatch.delenv(var, raising=False)

    @property
    def path(self) -> Path:
        return self.pytester.path

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            (self.path / name).parent.mkdir(parents=True, exist_ok=True)
            (self.path / name).write_text(text, encoding="utf-8")

    def run(self, *args: str, subprocess: bool = False) -> pytest.RunResult:
        if subprocess:  # a fresh interpreter, as on a CI machine
            return self.pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=300)
        # In process, a test module of ours with the project's module name (our own
        # tests/test_briefing.py) would be "imported" in its place: out of the way for the run.
        for path in self.path.rglob("test_*.py"):
            self.monkeypatch.delitem(sys.modules, path.stem, raising=False)
        return self.pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)

    @contextmanager
    def model(self, script: Any) -> Iterator[FakeOpenAI]:
        with serve(script) as fake, self.monkeypatch.context() as env:
            env.setenv("NEWSBRIEF_BASE_URL", fake.base_url)
            env.setenv("OPENAI_API_KEY", KEY)
            env.setenv("NEWSBRIEF_MODEL", MODEL)
            yield fake

    def fresh_cache(self, name: str) -> None:
        """A brief cache of its own for a run: replay must be answered by cassettes alone."""
        self.monkeypatch.setenv("NEWSBRIEF_CACHE_DIR", str(self.path / name))


@pytest.fixture(scope="module", autouse=True)
def _warm_imports(tmp_path_factory: pytest.TempPathFactory) -> None:
    """pytester restores sys.modules after each in-process run: what a first model call
    imports lazily (instructor's providers register themselves on import) is imported once
    out here, or a later run finds instructor half-registered."""
    cassette = tmp_path_factory.mktemp("warm") / "warm.yaml"
    with serve([draft_reply(TINY_DRAFT)]) as fake, make_vcr("all").use_cassette(str(cassette)):
        summarize(TINY_ARTICLE, base_url=fake.base_url, api_key="not-needed", model=MODEL)


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Project:
    return Project(pytester, monkeypatch)


def interactions(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"])


def uris(path: Path) -> list[str]:
    return [i["request"]["uri"] for i in interactions(path)]


def check(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    capsys.readouterr()  # what the in-process pytest runs printed
    code = main(["cassettes", "check", str(folder)])
    return code, capsys.readouterr().out.splitlines()


def test_the_readme_recipe_records_each_call_in_its_own_cassette_and_replays_offline(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    files, (record, replay) = recipe()
    assert set(files) == {
        "pytest.ini",
        "briefing.py",
        "tests/conftest.py",
        "tests/test_briefing.py",
    }
    assert shlex.split(record)[1:] == ["--record-mode=once", "--newsbrief-record-mode=once"]
    assert shlex.split(replay)[1:] == ["--block-network"]
    project.write(files)
    quotes = Quotes()
    project.monkeypatch.setenv("QUOTES_URL", quotes.url)  # kept for replay: vcrpy matches on it
    project.fresh_cache("record-cache")

    with quotes.running(), project.model(router()) as fake:
        project.run(*shlex.split(record)[1:]).assert_outcomes(passed=2)

    assert quotes.paths == ["/close/N225"]  # the app's call, once
    folder = project.path / "tests" / "cassettes" / "test_briefing"
    ours = folder / "newsbrief"
    # pytest-recording's cassette: the quote request alone, its port as sent.
    assert uris(folder / "test_morning_note.yaml") == [f"{quotes.url}/close/N225"]
    assert not (folder / "test_digest.yaml").exists()  # not marked vcr: nothing of its own
    # newsbrief's: the model requests alone, every one of them.
    note, digest = uris(ours / "test_morning_note.yaml"), uris(ours / "test_digest.yaml")
    assert note == ["http://127.0.0.1:8080/v1/chat/completions"]
    assert set(digest) == {"http://127.0.0.1:8080/v1/chat/completions"}
    assert len(note) + len(digest) == len(fake.requests)  # two briefs and a synthesis, and one
    assert len(digest) == 3
    for path in (ours / "test_morning_note.yaml", ours / "test_digest.yaml"):
        meta = yaml.safe_load(path.read_text())["metadata"]
        assert meta[RECORDING_METADATA] == {"complete": True}
        assert KEY not in path.read_text()
    recorded = {p: p.read_bytes() for p in folder.rglob("*.yaml")}

    for var in MODEL_ENV:  # CI: no endpoint, no key, both services down
        project.monkeypatch.delenv(var, raising=False)
    project.fresh_cache("replay-cache")
    project.run(*shlex.split(replay)[1:], subprocess=True).assert_outcomes(passed=2)

    assert {p: p.read_bytes() for p in folder.rglob("*.yaml")} == recorded
    code, lines = check(project.path / "tests" / "cassettes", capsys)
    assert code == 0
    assert lines[-1] == (
        "2 cassette(s), 0 stale, incomplete or unsafe, 1 skipped (not a newsbrief cassette)"
    )


def test_an_app_call_missing_from_its_cassette_is_pytest_recordings_to_fail_and_record(
    project: Project,
) -> None:
    files, (record, replay) = recipe()
    project.write(files)
    quotes = Quotes()
    project.monkeypatch.setenv("QUOTES_URL", quotes.url)
    with quotes.running(), project.model(router()):
        args = (*shlex.split(record)[1:], "-k", "morning")
        project.run(*args).assert_outcomes(passed=1)
    app_cassette = project.path / "tests/cassettes/test_briefing/test_morning_note.yaml"
    app_cassette.unlink()
    for var in MODEL_ENV:
        project.monkeypatch.delenv(var, raising=False)

    result = project.run(*shlex.split(replay)[1:], "-k", "morning")

    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "stale newsbrief cassette" not in out
    assert "network blocked in cassette replay" not in out  # not ours to block
    assert "/close/N225" in out  # pytest-recording (vcrpy) names the call it could not play

    # Recording it again is pytest-recording's business alone, while newsbrief replays (its
    # server is down): the replay's network block does not stand in the way.
    moved = Quotes()  # the service's new address: recorded again anyway
    project.monkeypatch.setenv("QUOTES_URL", moved.url)
    with moved.running():
        result = project.run("--record-mode=once", "-k", "morning")
    result.assert_outcomes(passed=1)
    assert moved.paths == ["/close/N225"]
    assert uris(app_cassette) == [f"{moved.url}/close/N225"]


USER_CASSETTE_SUITE = """
import os

import httpx
import vcr

import newsbrief

TEXT = "Markets rallied.\\nThe Nikkei 225 closed at 57,890, up 1.5% on the day.\\n"


def test_inner_cassette(newsbrief_endpoint):
    # The user's own vcrpy cassette, entered after newsbrief's: it patches httpx and httpx2
    # for everyone, yet the model request still goes to newsbrief's cassette.
    with vcr.use_cassette(os.environ["USER_CASSETTE"], record_mode="all"):
        brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
        httpx.get(os.environ["QUOTES_URL"] + "/close/N225", timeout=5)
    assert brief.key_figures[0].number_text == "57,890"
"""


def test_a_users_vcrpy_cassette_entered_inside_ours_gets_none_of_the_model_traffic(
    project: Project,
) -> None:
    project.pytester.makepyfile(test_inner=USER_CASSETTE_SUITE)
    quotes = Quotes()
    user = project.path / "user.yaml"
    project.monkeypatch.setenv("QUOTES_URL", quotes.url)
    project.monkeypatch.setenv("USER_CASSETTE", str(user))
    with quotes.running(), project.model([draft_reply(TINY_DRAFT)]) as fake:
        project.run("--newsbrief-record-mode=once").assert_outcomes(passed=1)

    assert len(fake.requests) == 1 and quotes.paths == ["/close/N225"]
    assert uris(user) == [f"{quotes.url}/close/N225"]
    ours = project.path / "cassettes/test_inner/test_inner_cassette.yaml"
    assert [urlsplit(u).path for u in uris(ours)] == ["/v1/chat/completions"]


# --- failed recordings ------------------------------------------------------------------

FLAKY_SUITE = """
import os

import pytest

import newsbrief

TEXT = "Markets rallied.\\nThe Nikkei 225 closed at 57,890, up 1.5% on the day.\\n"


@pytest.mark.asyncio
async def test_async_brief(newsbrief_endpoint):
    if os.environ.get("BREAK") == "before":
        raise RuntimeError("the test broke before its first request")
    brief = await newsbrief.asummarize(TEXT, endpoint=newsbrief_endpoint)
    if os.environ.get("BREAK") == "after":
        raise RuntimeError("the test broke after its request")
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%"]
"""
FLAKY = Path("cassettes/test_flaky/test_async_brief.yaml")


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_failed_first_recording_heals_on_the_next_once_run(
    project: Project, capsys: pytest.CaptureFixture[str], when: str
) -> None:
    project.pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    project.pytester.makepyfile(test_flaky=FLAKY_SUITE)
    cassette = project.path / FLAKY
    with project.model([draft_reply(TINY_DRAFT)]), project.monkeypatch.context() as env:
        env.setenv("BREAK", when)
        project.run("--newsbrief-record-mode=once").assert_outcomes(failed=1)
    assert len(interactions(cassette)) == (0 if when == "before" else 1)
    state = yaml.safe_load(cassette.read_text())["metadata"][RECORDING_METADATA]
    assert state == {"complete": False, "failed": "RuntimeError"}

    code, lines = check(project.path / "cassettes", capsys)
    assert code == 1
    assert lines[1].startswith(
        "INCOMPLETE: its recording failed (RuntimeError); record it with "
        "--newsbrief-record-mode=once"
    )
    replayed = project.run()
    replayed.assert_outcomes(errors=1)
    out = replayed.stdout.str()
    command = "pytest test_flaky.py::test_async_brief --newsbrief-record-mode=once"
    assert f"incomplete newsbrief cassette {cassette}: its recording failed (RuntimeError); " in out
    assert f"record it with: {command}\n" in out
    assert "stale newsbrief cassette" not in out and "prompt version" not in out

    with project.model([draft_reply(TINY_DRAFT)]) as fake:
        project.run(*shlex.split(command)[1:]).assert_outcomes(passed=1)  # as the hint says

    assert len(fake.requests) == 1  # recorded afresh, not replayed from the partial file
    assert len(interactions(cassette)) == 1
    assert yaml.safe_load(cassette.read_text())["metadata"][RECORDING_METADATA] == {
        "complete": True
    }
    project.run().assert_outcomes(passed=1)
    assert check(project.path / "cassettes", capsys)[0] == 0


def test_an_empty_cassette_from_before_the_mark_is_recorded_again_not_called_stale(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """`interactions: []` and no mark: what a failed recording left in earlier versions."""
    project.pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    project.pytester.makepyfile(test_flaky=FLAKY_SUITE)
    cassette = project.path / FLAKY
    with project.model([draft_reply(TINY_DRAFT)]), project.monkeypatch.context() as env:
        env.setenv("BREAK", "before")
        project.run("--newsbrief-record=once").assert_outcomes(failed=1)  # the old spelling
    data = yaml.safe_load(cassette.read_text())
    del data["metadata"][RECORDING_METADATA]
    cassette.write_text(yaml.safe_dump(data))

    code, lines = check(project.path / "cassettes", capsys)
    assert (code, lines[1].split(":")[0]) == (1, "INCOMPLETE")
    replayed = project.run()
    replayed.assert_outcomes(failed=1)
    assert "incomplete newsbrief cassette" in replayed.stdout.str()
    assert "stale newsbrief cassette" not in replayed.stdout.str()

    with project.model([draft_reply(TINY_DRAFT)]) as fake:
        project.run("--newsbrief-record-mode=once").assert_outcomes(passed=1)
    assert len(fake.requests) == 1
    project.run().assert_outcomes(passed=1)


# --- record modes and settings -----------------------------------------------------------

BRIEF_SUITE = """
import newsbrief

TEXT = "Markets rallied.\\nThe Nikkei 225 closed at 57,890, up 1.5% on the day.\\n"


def test_brief(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%"]
"""
BRIEF = Path("cassettes/test_brief/test_brief.yaml")


@pytest.mark.parametrize(
    ("args", "env", "sent"),
    [
        (["--newsbrief-record-mode=once"], None, 0),  # there already: replayed
        (["--newsbrief-record-mode=new_episodes"], None, 0),  # nothing new to add
        (["--newsbrief-record-mode=rewrite"], None, 1),
        (["--newsbrief-record-mode=all"], None, 1),
        (["--newsbrief-record=all"], None, 1),  # the old spelling
        ([], "rewrite", 1),  # NEWSBRIEF_RECORD_MODE
    ],
)
def test_record_modes_under_pytest_recordings_names(
    project: Project, args: list[str], env: str | None, sent: int
) -> None:
    project.pytester.makepyfile(test_brief=BRIEF_SUITE)
    with project.model([draft_reply(TINY_DRAFT)]):
        project.run("--newsbrief-record-mode=once").assert_outcomes(passed=1)
    with project.model([draft_reply(TINY_DRAFT)]) as fake, project.monkeypatch.context() as e:
        if env:
            e.setenv("NEWSBRIEF_RECORD_MODE", env)
        project.run(*args).assert_outcomes(passed=1)
    assert len(fake.requests) == sent
    assert len(interactions(project.path / BRIEF)) == 1  # re-recorded, never duplicated


def test_an_unknown_record_mode_is_a_usage_error(project: Project) -> None:
    project.pytester.makepyfile(test_brief=BRIEF_SUITE)
    result = project.run("--newsbrief-record-mode=sometimes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "invalid choice: 'sometimes'" in result.stderr.str()


SETTINGS_CONFTEST = """
import os

import pytest


def stamp(response):
    response["headers"]["x-stamped-by-user"] = ["yes"]
    return response


@pytest.fixture
def newsbrief_vcr_config():
    return {
        "record_mode": "once",
        "filter_headers": ["user-agent"],
        "before_record_response": stamp,
    }


@pytest.fixture(scope="module")
def newsbrief_cassette_dir():
    return os.environ["ELSEWHERE"]
"""


def test_newsbrief_vcr_config_and_cassette_dir_are_the_users_to_override(
    project: Project,
) -> None:
    project.pytester.makepyfile(test_brief=BRIEF_SUITE)
    project.pytester.makeconftest(SETTINGS_CONFTEST)
    elsewhere = project.path / "elsewhere"
    project.monkeypatch.setenv("ELSEWHERE", str(elsewhere))
    with project.model([draft_reply(TINY_DRAFT)]) as fake:
        project.run().assert_outcomes(passed=1)  # record_mode from the config: no flag

    assert len(fake.requests) == 1
    assert not (project.path / "cassettes").exists()
    path = elsewhere / "test_brief.yaml"
    (interaction,) = interactions(path)
    headers = {k.lower(): v for k, v in interaction["request"]["headers"].items()}
    assert "user-agent" not in headers and "authorization" not in headers
    assert interaction["response"]["headers"]["x-stamped-by-user"] == ["yes"]
    assert KEY not in path.read_text()  # the user's hook ran after our scrubbing, not instead
    project.run().assert_outcomes(passed=1)  # and it replays


def test_newsbrief_vcr_config_cannot_move_cassettes_or_patch_libraries(
    project: Project,
) -> None:
    project.pytester.makepyfile(test_brief=BRIEF_SUITE)
    project.pytester.makeconftest(
        "import pytest\n\n@pytest.fixture\ndef newsbrief_vcr_config():\n"
        "    return {'path': 'x.yaml', 'custom_patches': ()}\n"
    )
    result = project.run()
    result.assert_outcomes(errors=1)
    assert "newsbrief_vcr_config cannot set custom_patches, path: the folder is" in (
        result.stdout.str()
    )


def test_cassettes_beside_the_tests_sit_one_level_below_pytest_recordings(
    project: Project,
) -> None:
    project.pytester.makeini("[pytest]\nnewsbrief_cassettes_beside_tests = true\n")
    (project.path / "tests").mkdir()
    (project.path / "tests" / "test_brief.py").write_text(BRIEF_SUITE)
    with project.model([draft_reply(TINY_DRAFT)]):
        project.run("--newsbrief-record-mode=once").assert_outcomes(passed=1)
    path = project.path / "tests/cassettes/test_brief/newsbrief/test_brief.yaml"
    assert len(interactions(path)) == 1
    assert not (project.path / "cassettes").exists()
    project.run().assert_outcomes(passed=1)


@pytest.mark.parametrize("returned", ["['match_on']", "'once'", "42"])
def test_a_newsbrief_vcr_config_that_is_no_dict_fails_in_one_line(
    project: Project, returned: str
) -> None:
    project.pytester.makepyfile(test_brief=BRIEF_SUITE)
    project.pytester.makeconftest(
        f"import pytest\n\n@pytest.fixture\ndef newsbrief_vcr_config():\n    return {returned}\n"
    )
    result = project.run()
    result.assert_outcomes(errors=1)
    assert "newsbrief_vcr_config must return a dict, not " in result.stdout.str()
