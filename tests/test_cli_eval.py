"""cli/eval.py: `newsbrief eval` on a fake model. The Markdown report and its JSON beside
it; a document, reference or gold file that cannot be used is its own row or a warning,
never the end of the report (the scores themselves: test_evaluate_metrics.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsbrief.cli.main import main
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, draft_reply, serve


def test_eval_command_writes_markdown_and_json(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    (folder / "ects").mkdir(parents=True)
    (folder / "gt_summaries").mkdir()
    (folder / "ects" / "tiny.txt").write_text(TINY_ARTICLE, encoding="utf-8")
    (folder / "gt_summaries" / "tiny.txt").write_text("nikkei closed at 57,890.\n")
    (folder / "ects" / "empty.txt").write_text("   \n", encoding="utf-8")
    gold = tmp_path / "gold.json"
    gold.write_text(
        json.dumps(
            {"tiny.txt": [{"number": "57,890", "key": True, "subject": ["nikkei"],
                           "measure": ["clos"], "wrong": []}]}
        )
    )  # fmt: skip
    out = tmp_path / "report.md"
    with serve([draft_reply(TINY_DRAFT)]) as fake:
        proc = subprocess.run(
            [sys.executable, "-m", "newsbrief", "eval", str(folder), "--gold", str(gold),
             "-o", str(out), "--base-url", fake.base_url, "--no-cache"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert proc.returncode == 3, proc.stderr  # one document could not be briefed
    report = out.read_text()
    assert "| tiny.txt | 2 |" in report and "error" in report
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["totals"]["briefed"] == 1 and data["totals"]["figure_recall"] == 1.0
    assert data["totals"]["label_accuracy"] == 1.0 and data["totals"]["key_coverage"] == 1.0


def eval_run(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    """`newsbrief eval` in this process on a fake model: exit code, report, stderr."""
    out = tmp_path / "report.md"
    with serve(lambda body: draft_reply(TINY_DRAFT)) as fake:
        code = main(["eval", str(folder), "-o", str(out), "--base-url", fake.base_url,
                     "--api-key", "sk-test", "--model", "m", "--no-cache", *extra])  # fmt: skip
    err = capsys.readouterr().err
    return code, out.read_text() if out.exists() else "", err


def ectsum_like(tmp_path: Path, names: tuple[str, ...] = ("a.txt", "b.txt")) -> Path:
    folder = tmp_path / "set"
    (folder / "ects").mkdir(parents=True)
    (folder / "gt_summaries").mkdir()
    for name in names:
        (folder / "ects" / name).write_text(TINY_ARTICLE, encoding="utf-8")
    return folder


def test_an_unreadable_reference_fails_its_row_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = ectsum_like(tmp_path)
    (folder / "gt_summaries" / "a.txt").write_bytes(b"\xff\xfe not UTF-8 \x80")
    code, report, err = eval_run(folder, tmp_path, capsys)
    assert code == 3, err
    assert "| a.txt | error: cannot read its reference" in report
    assert "| b.txt | 2 |" in report and "internal error" not in err


def test_a_dangling_link_with_smallest_is_a_failed_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = ectsum_like(tmp_path)
    (folder / "ects" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (folder / "ects" / "folder.txt").mkdir()  # a bad document: its own row too
    (folder / "ects" / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    code, report, err = eval_run(folder, tmp_path, capsys, "--smallest", "5")
    assert code == 3, err
    assert "| gone.txt | error:" in report and "| a.txt | 2 |" in report
    assert "| folder.txt | error:" in report and "| binary.txt | error:" in report


@pytest.mark.parametrize(
    "gold",
    [
        b"[" * 100_000 + b"]" * 100_000,  # RecursionError
        b"\xff\xfe{}",  # not UTF-8
        b'["a list"]',
        b'{"a.txt": "abc", "b.txt": [{"number": "no number here"}]}',
        b'{"a.txt": [null], "b.txt": [{"key": true}]}',
    ],
    ids=["nested", "not-utf8", "list", "wrong-items", "null-item"],
)
def test_a_bad_gold_file_is_a_warning_and_the_report_goes_on(
    gold: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = ectsum_like(tmp_path)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"a.txt": [{"number": "57,890", "subject": ["nikkei"]}]}))
    bad = tmp_path / "bad.json"
    bad.write_bytes(gold)
    code, report, err = eval_run(folder, tmp_path, capsys, "--gold", str(bad), "--gold", str(good))
    assert code == 0, err
    assert "warning: gold labels" in err and "internal error" not in err
    assert "| a.txt | 2 |" in report and "| b.txt | 2 |" in report
    assert "Note: gold labels" in report


def test_summary_origins_copies_and_policy_angles_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary w/s/d column, copied implications and the policy-angle count, from the
    brief alone; a policy file that cannot be used is a warning, not the end of the report."""
    folder = ectsum_like(tmp_path)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"a.txt": True, "b.txt": "yes"}))
    code, report, err = eval_run(folder, tmp_path, capsys, "--policy", str(policy))
    assert code == 0, err
    assert "| a.txt | 2 | 0 (policy) |" in report and "| 2/0/0 |" in report
    assert "Policy-angle articles with an implication: 0/1" in report
    assert "policy angle for b.txt" in err and "not true or false" in err
