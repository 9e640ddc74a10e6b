"""Every bad or hostile input in tests/corpus/ through the real CLI, as expected.toml says.

The model is a scripted fake on 127.0.0.1, and where it matters a hostile one: it obeys a
prompt injection, invents a table cell, quotes digits glued to kanji. Each outcome is either
exit 0 with a Brief whose every span is text[start:end] == quote, or exit 1 with exactly one
"newsbrief: error:" line, no traceback, and no model call at all.
"""

from __future__ import annotations

import json
import os
import runpy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fake_openai import Reply, draft_reply, serve
from support import CORPUS, no_wait
from support import run_cli as run_process

from newsbrief.brief.drafts import BriefDraft
from newsbrief.brief.policy import POLICY as BRIEF_POLICY
from newsbrief.cli.main import main
from newsbrief.contract import Brief
from newsbrief.model import transport as retry

MAX_REASKS = BRIEF_POLICY.max_reasks

MANIFEST: dict[str, Any] = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = MANIFEST["case"]
MODELS: dict[str, dict[str, Any]] = MANIFEST["models"]
DEFAULT_MAX_BYTES = 2 * 1024 * 1024  # expected.toml's messages say "2.1 MB"
NOT_INPUTS = {".gitattributes", "expected.toml", "make_corpus.py"}
REQUIRED = {
    "empty.txt", "whitespace_only.txt", "png_renamed.txt", "pdf_renamed.txt", "latin1.txt",
    "utf16le_bom.txt", "utf8_bom.txt", "huge_20mb.txt", "html_nav_only.html",
    "html_article_in_nav.html", "no_numbers.txt", "german.txt", "japanese.txt", "table_500.txt",
    "injection.txt", "nul_late.txt", "directory.txt", "missing.txt", "unreadable.txt",
    "markdown.md", "crlf.txt", "one_line.txt",
}  # fmt: skip
NEVER_CALLED = Reply(status=500, body={"error": {"message": "an input error must not reach me"}})


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["file"] for c in cases]


@pytest.fixture(autouse=True)
def _fast_and_default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "_asleep", no_wait)
    monkeypatch.setenv("NEWSBRIEF_MAX_BYTES", str(DEFAULT_MAX_BYTES))
    monkeypatch.delenv("NEWSBRIEF_MAX_BYTES", raising=False)


def make_input(case: dict[str, Any], tmp_path: Path) -> str:
    """The path to pass to the CLI: the committed file, or one made here."""
    make = case.get("make")
    path = tmp_path / case["file"]
    if make is None:
        return str(CORPUS / case["file"])
    if make == "huge":
        line = b"Stocks rose 1.5% as the Nikkei 225 closed at 57,890 on Tuesday.\n"
        path.write_bytes(line * (20_000_000 // len(line) + 1))
    elif make == "unreadable":
        path.write_text("Stocks rose 1.5% on Tuesday.\n")
        path.chmod(0)
        if os.geteuid() == 0 and os.access(path, os.R_OK):
            pytest.skip("running as root: a mode-000 file is still readable")
    elif make == "dev_zero":
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero here")
        return "/dev/zero"
    elif make == "symlink_loop":
        path.symlink_to(path)
    else:
        raise AssertionError(f"unknown make = {make!r}")
    return str(path)


def run_cli(
    argv: list[str], capsys: pytest.CaptureFixture[str], script: list[Reply]
) -> tuple[int, str, str, int]:
    """(exit code, stdout, stderr, requests the model endpoint received)."""
    with serve(script) as fake:
        code = main([*argv, "--base-url", fake.base_url, "--model", "fake", "--timeout", "10"])
        requests = len(fake.requests)
    out, err = capsys.readouterr()
    return code, out, err, requests


def error_line(code: int, err: str) -> str:
    """The message of the one and only stderr line; an input error prints nothing else."""
    assert code == 1, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsbrief: error: "), err
    return lines[0].removeprefix("newsbrief: error: ")


def check_brief(out: str, case: dict[str, Any]) -> dict[str, Any]:
    Brief.model_validate_json(out)  # re-verifies ids, spans and parsed values itself
    brief: dict[str, Any] = json.loads(out)
    text: str = brief["source"]["text"]
    spans = brief["key_figures"] + [p["evidence"] for p in brief["policy_implications"]]
    for span in spans:
        assert text[span["start"] : span["end"]] == span["quote"]
    assert "\r" not in text and "\x00" not in text and not text.startswith("\ufeff")
    values = sorted(f["value"] for f in brief["key_figures"])
    warnings: list[str] = brief["warnings"]
    if "values" in case:
        assert values == sorted(float(v) for v in case["values"]), warnings
    if "allowed_values" in case:
        assert set(values) <= {float(v) for v in case["allowed_values"]}, values
    for value in case.get("forbid_values", []):
        assert float(value) not in values
    if "figures" in case:
        assert len(values) == case["figures"]
    for fragment in case.get("warnings", []):
        assert any(fragment in w for w in warnings), (fragment, warnings)
    if "title" in case:
        assert brief["source"]["title"] == case["title"]
    for fragment in case.get("text_contains", []):
        assert fragment in text
    for fragment in case.get("text_excludes", []):
        assert fragment not in text
    for fragment in case.get("summary_excludes", []):
        assert fragment not in brief["summary"]
    return brief


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_corpus_entry(
    case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_input(case, tmp_path)
    script = [draft_reply(MODELS[case["model"]])] if "model" in case else [NEVER_CALLED]
    code, out, err, requests = run_cli(["summarize", path, "--format", "json"], capsys, script)
    if case["expect"] == "error":
        assert case["message"] in error_line(code, err)
        assert out == ""
        assert requests == 0  # refused before any model call
        return
    assert case["expect"] == "brief"
    assert code == 0, err
    assert "Traceback" not in err
    check_brief(out, case)
    # A fully grounded answer is taken at once; ungrounded proposals are re-asked, then dropped.
    assert requests == (MAX_REASKS + 1 if case.get("reasked") else 1)


def test_manifest_covers_the_corpus() -> None:
    listed = _ids(CASES)
    assert len(listed) == len(set(listed)) >= 22
    assert set(listed) >= REQUIRED
    on_disk = {p.name for p in CORPUS.iterdir()} - NOT_INPUTS - {"__pycache__"}
    committed = {c["file"] for c in CASES if "make" not in c and c["file"] != "missing.txt"}
    assert on_disk == committed
    assert not (CORPUS / "missing.txt").exists()
    used = {c["model"] for c in CASES if "model" in c}
    assert used == set(MODELS)
    for answer in MODELS.values():
        # Hostile, but possible: an endpoint's grammar only lets through what fits the schema.
        BriefDraft.model_validate(answer)
    for case in CASES:
        assert case["expect"] in {"error", "brief"}
        assert ("message" in case) == (case["expect"] == "error"), case["file"]
        assert ("model" in case) == (case["expect"] == "brief"), case["file"]


def test_committed_files_are_what_the_script_makes() -> None:
    made: dict[str, bytes] = runpy.run_path(str(CORPUS / "make_corpus.py"))["files"]()
    for name, data in made.items():
        assert (CORPUS / name).read_bytes() == data, f"{name} drifted: rerun make_corpus.py"
        assert len(data) < 100_000
    assert {name.split("/")[0] for name in made} == {
        p.name for p in CORPUS.iterdir() if p.name not in NOT_INPUTS | {"__pycache__"}
    }


# The real process runs with the defaults a user gets, whatever this shell had set.
UNSET = ("NEWSBRIEF_MAX_BYTES", "NEWSBRIEF_DEBUG", "OPENAI_API_KEY", "NEWSBRIEF_BASE_URL")


def test_real_process_binary_input_is_one_line() -> None:
    proc = run_process(["summarize", str(CORPUS / "png_renamed.txt")], timeout=60, unset=UNSET)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"newsbrief: error: {CORPUS / 'png_renamed.txt'} is a PNG image, not text"
    ]


def test_real_process_huge_stdin_is_refused_after_a_bounded_read() -> None:
    proc = run_process(
        ["summarize", "-"],
        stdin="Stocks rose 1.5%.\n" * 1_200_000,  # 21.6 MB
        timeout=60,
        unset=UNSET,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "newsbrief: error: standard input is over the 2.1 MB limit "
        "(set NEWSBRIEF_MAX_BYTES to raise it)"
    ]


def test_real_process_injection_article_is_grounded() -> None:
    case = next(c for c in CASES if c["file"] == "injection.txt")
    with serve([draft_reply(MODELS[case["model"]])]) as fake:
        proc = run_process(
            [
                "summarize",
                str(CORPUS / "injection.txt"),
                "--format",
                "json",
                "--base-url",
                fake.base_url,
                "--model",
                "fake",
                "--timeout",
                "10",
            ],
            timeout=120,
            unset=UNSET,
        )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    brief = check_brief(proc.stdout, case)
    assert 999e12 not in {f["value"] for f in brief["key_figures"]}
