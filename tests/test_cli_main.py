"""cli/main.py: the parser assembly and main(). --version; help for every option, with its
default, and for every command; usage errors that name what is wrong (and only that); -q
and -v, and newsbrief's log under -v; one line and exit 1 for every bad input or endpoint
failure, 2 for usage."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pytest
from cli_support import command_parsers, run, usage_error
from support import no_wait, run_cli

import newsbrief
from newsbrief import settings
from newsbrief.cli.main import main
from tests.fakes.server import TINY_ARTICLE, FakeOpenAI, Reply, serve

GOOD_TEXT = TINY_ARTICLE


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"newsbrief {version('newsbrief')}\n"


def test_version_falls_back_to_the_package_version(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"newsbrief {newsbrief.__version__}\n"


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 1
    lines = err.strip().splitlines()
    errors = [line for line in lines if line.startswith("newsbrief: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], err
    assert all(line.startswith("newsbrief: ") for line in lines), err  # progress, then the error
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in errors[0]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"   \n\t \n", "whitespace"),
        (PNG, "PNG image"),
        (b"abc\x00\x01\x02def", "binary"),
    ],
)
def test_bad_inputs_exit_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, fragment: str
) -> None:
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(["summarize", str(path), "--base-url", "http://127.0.0.1:9/v1"], capsys)
    assert_one_line_error(code, err, fragment)
    assert out == ""


def test_directory_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["summarize", str(tmp_path)], capsys)
    assert_one_line_error(code, err, "directory")


def test_unreachable_endpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsbrief.model import transport as retry

    monkeypatch.setattr(retry, "_asleep", no_wait)
    path = tmp_path / "a.txt"
    path.write_text(GOOD_TEXT)
    code, _, err = run(["summarize", str(path), "--base-url", "http://127.0.0.1:9/v1"], capsys)
    assert_one_line_error(code, err, "cannot reach http://127.0.0.1:9/v1")


@pytest.mark.parametrize("status", [401, 403])
def test_authentication_failure_names_no_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    key = "sk-test-SENTINEL0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    path = tmp_path / "a.txt"
    path.write_text(GOOD_TEXT)
    body = {
        "error": {"message": f"Incorrect API key provided: {key}", "type": "invalid_request_error"}
    }
    with serve([Reply(status=status, body=body)]) as fake:
        code, _, err = run(["summarize", str(path), "--base-url", fake.base_url], capsys)
        assert len(fake.requests) == 1  # never retried
    assert_one_line_error(code, err, "authentication failed")
    assert key not in err


def test_not_found_is_not_retried(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(GOOD_TEXT)
    with serve([Reply(status=404, body={"error": {"message": "no such model"}})]) as fake:
        code, _, err = run(
            ["summarize", str(path), "--base-url", fake.base_url, "--model", "nope"], capsys
        )
        assert len(fake.requests) == 1
    assert_one_line_error(code, err, "404", "not retried")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["summarize"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["summarize", "x.txt", "--format", "pdf"])
    assert exc.value.code == 2


def test_stdin_and_real_process_exit_code(tmp_path: Path) -> None:
    """As a user runs it: a separate process, empty stdin, exit 1 and no traceback."""
    proc = run_cli(["summarize", "-"], stdin="  \n", timeout=60)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip() == "newsbrief: error: standard input is empty or whitespace only"


def test_quiet_still_prints_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["-q", "summarize", str(tmp_path / "missing.txt")], capsys)
    assert code == 1
    assert err == f"newsbrief: error: no such file: {tmp_path / 'missing.txt'}\n"


def test_verbose_logs_newsbrief_at_info_redacted(
    article: Path,
    fake: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsbrief.ingest import read

    key = "sk-proj-SENTINEL0123456789abcdef"
    real_read_path = read.read_path

    def read_path(path: str, allow_private: bool = False) -> read.Article:
        logging.getLogger("newsbrief.ingest.read").info("reading %s with %s", path, key)
        return real_read_path(path, allow_private=allow_private)

    monkeypatch.setattr(read, "read_path", read_path)
    logger = logging.getLogger("newsbrief")
    handlers, level = list(logger.handlers), logger.level

    code, _, err = run(["summarize", str(article), "--base-url", fake.base_url, "-v"], capsys)
    assert code == 0, err
    assert f"newsbrief: INFO: newsbrief.ingest.read: reading {article} with REDACTED" in err
    assert key not in err
    assert (logger.handlers, logger.level) == (handlers, level)  # nothing left behind

    code, _, err = run(["summarize", str(article), "--base-url", fake.base_url], capsys)
    assert code == 0
    assert "INFO" not in err


def test_quiet_and_verbose_together_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = usage_error(["-q", "summarize", "a.txt", "-v"], capsys)
    assert "-q/--quiet and -v/--verbose" in line


@pytest.mark.parametrize("command", ["summarize", "digest", "eval", "cassettes check"])
def test_every_option_has_help_stating_its_default(command: str) -> None:
    parser = command_parsers()[command]
    missing, no_default = [], []
    for action in parser._actions:
        name = "/".join(action.option_strings) or action.dest
        if not (action.help or "").strip():
            missing.append(name)
        optional = action.option_strings or action.nargs == "?"
        meta = isinstance(action, argparse._HelpAction | argparse._VersionAction)
        if optional and not meta and "default" not in (action.help or ""):
            no_default.append(name)
    assert missing == [], f"`newsbrief {command}`: no help for {missing}"
    assert no_default == [], f"`newsbrief {command}`: no default stated for {no_default}"


def test_misspelt_flag_is_named_without_the_path(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(["summarize", "--formt", "json", "seeds/x.txt"], capsys)
    assert (
        line == "newsbrief summarize: error: unrecognized option: --formt (did you mean --format?)"
    )


def test_abbreviated_flag_is_not_guessed(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(["digest", "--form", "json", "a.txt"], capsys)
    assert line == "newsbrief digest: error: unrecognized option: --form (did you mean --format?)"


def test_extra_path_is_still_named(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(["summarize", "a.txt", "b.txt"], capsys)
    assert line == "newsbrief summarize: error: unrecognized arguments: b.txt"


def test_usage_error_cannot_drive_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(["summarize", "a.txt", "\x1b]0;pwned\x07"], capsys)
    assert "\x1b" not in line and "\\x1b]0;pwned\\x07" in line


@pytest.mark.parametrize(
    "command", ["newsbrief", "summarize", "digest", "eval", "cassettes", "cassettes check"]
)
def test_every_help_lists_the_environment_variables(command: str) -> None:
    text = command_parsers()[command].format_help()
    assert "environment variables:" in text
    missing = [v.name for v in settings.ALL if v.name not in text]
    assert missing == [], f"`{command} --help` does not list {missing}"


@pytest.mark.parametrize(
    "command", [[], ["summarize"], ["digest"], ["eval"], ["cassettes"], ["cassettes", "check"]]
)
def test_help_runs_for_every_command(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("usage: newsbrief")
