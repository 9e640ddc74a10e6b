"""A throwaway user project for the plugin's tests (test_hostile_plugin.py, test_guard.py):
its test files written with a common header, run by a real pytest (pytester), recording
against the fake server and replaying with nothing running. conftest.py loads this module
as a plugin, for its `suite` fixture."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbrief.model import prompts
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, FakeOpenAI, draft_reply, serve

MODEL = "fake-model-1"


KEY = "sk-HOSTILE-0123456789abcdef"


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


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Iterator[Suite]:
    yield Suite(pytester, monkeypatch)
    prompts.reload()
