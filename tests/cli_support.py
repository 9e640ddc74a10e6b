"""What the CLI's test files (test_cli_*.py) share: main() run in this process, a usage
error read back, every parser a user can ask for --help, and the `fake` model server and
`article` file fixtures (conftest.py loads this module as a plugin)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbrief.cli.main import build_parser, main
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, FakeOpenAI, draft_reply, serve

Run = tuple[int, str, str]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Run:
    """main(argv) in this process: its exit code, stdout and stderr."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Exit 2 the argparse way: a usage line, then one error line; that line is returned."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("usage: newsbrief"), err
    last = err.strip().splitlines()[-1]
    assert last.startswith("newsbrief") and ": error: " in last, err
    return last


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_parsers() -> dict[str, argparse.ArgumentParser]:
    """Every parser a user can ask for --help: the top level and each (sub)command."""
    top = build_parser()
    found = {"newsbrief": top}
    for name, parser in subparsers(top).items():
        found[name] = parser
        for inner, sub in subparsers(parser).items():
            found[f"{name} {inner}"] = sub
    return found


def option_help(command: str, flag: str) -> str:
    """The help text of one of a command's flags, on one line."""
    parser = command_parsers()[command]
    (action,) = [a for a in parser._actions if flag in a.option_strings]
    return " ".join((action.help or "").split())


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with serve([draft_reply(TINY_DRAFT)]) as server:  # the last reply repeats
        yield server


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text(TINY_ARTICLE, encoding="utf-8")
    return path
