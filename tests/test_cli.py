"""The CLI's contract: one line and exit 1 for every bad input or endpoint failure, 2 for usage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import no_wait, run_cli

from newsbrief.cli.main import main
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, Reply, draft_reply, serve

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
GOOD_TEXT = TINY_ARTICLE
GOOD_DRAFT = TINY_DRAFT


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


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


def test_json_output_is_the_brief_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(GOOD_TEXT)
    with serve([draft_reply(GOOD_DRAFT)]) as fake:
        code, out, _ = run(
            ["summarize", str(path), "--base-url", fake.base_url, "--format", "json"], capsys
        )
        assert fake.headers[0]["x-newsbrief-prompt-version"]
    assert code == 0
    brief = json.loads(out)
    text = brief["source"]["text"]
    assert text == GOOD_TEXT
    assert [f["value"] for f in brief["key_figures"]] == [57890.0, 1.5]
    for f in brief["key_figures"]:
        assert text[f["start"] : f["end"]] == f["quote"]
    assert brief["provenance"]["endpoint"] == "openai-compatible"
    assert brief["provenance"]["usage"]["total_tokens"] == 15


def test_markdown_is_the_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(GOOD_TEXT)
    with serve([draft_reply(GOOD_DRAFT)]) as fake:
        code, out, _ = run(["summarize", str(path), "--base-url", fake.base_url], capsys)
    assert code == 0
    assert out.startswith("# Markets rallied.")
    assert "| Nikkei 225 close | 57,890 |" in out


def test_stdin_and_real_process_exit_code(tmp_path: Path) -> None:
    """As a user runs it: a separate process, empty stdin, exit 1 and no traceback."""
    proc = run_cli(["summarize", "-"], stdin="  \n", timeout=60)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip() == "newsbrief: error: standard input is empty or whitespace only"
