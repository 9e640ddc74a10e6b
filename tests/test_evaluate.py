"""The evaluation harness: its scores are computed from the brief and the article alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsbrief import summarize
from newsbrief.cli.main import main
from newsbrief.contract import Brief, Evidence, KeyFigure, PolicyImplication
from newsbrief.evaluate.metrics import (
    FailedRow,
    GoldItem,
    check_grounding,
    copied_implications,
    duplicate_sentences,
    figure_recall,
    matches_reference,
    reference_figures,
    score,
    score_labels,
    summary_origins,
    table,
)
from newsbrief.model.endpoint import resolve_endpoint
from newsbrief.text.numbers import find_numbers
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, draft_reply, serve


def tiny_brief() -> Brief:
    with serve([draft_reply(TINY_DRAFT)]) as fake:
        return summarize(TINY_ARTICLE, endpoint=resolve_endpoint(base_url=fake.base_url))


def one(text: str):  # type: ignore[no-untyped-def]
    (n,) = find_numbers(text)
    return n


@pytest.mark.parametrize(
    ("brief_text", "reference", "same"),
    [
        ("$452.2 million", "$452 million", True),
        ("2.5%", "2.5 percent", True),
        ("$0.89", "$0.9", True),
        ("28%", "$28 million", False),
        ("$404 million", "$409.4 million", False),
        ("-28%", "28%", True),  # a stated fall, written without its sign in a bullet
        ("$1.01", "$1.10", False),
    ],
)
def test_reference_matching_allows_rounding_as_written(
    brief_text: str, reference: str, same: bool
) -> None:
    assert matches_reference(one(brief_text), one(reference)) is same


def test_reference_figures_skip_years_and_small_counts() -> None:
    bullets = ["for fiscal 2021, company expects eps of $2.85 to $3.10.", "q4 sales up 3 units"]
    assert [n.text for n in reference_figures(bullets)] == ["$2.85", "$3.10"]


def test_recall_counts_reference_figures_found_among_the_brief_figures() -> None:
    brief = tiny_brief()
    found, wanted = figure_recall(brief, ["nikkei closed at 57,890.", "up 1.5 percent; $3 bn"])
    assert (found, wanted) == (2, 3)


def test_grounding_is_rechecked_from_offsets_not_flags() -> None:
    brief = tiny_brief()
    assert check_grounding(brief).precision == 1.0
    f = brief.key_figures[0]
    moved = KeyFigure.model_construct(**{**f.model_dump(), "start": f.start + 1})
    broken = brief.model_copy(update={"key_figures": [moved, *brief.key_figures[1:]]})
    g = check_grounding(broken)
    assert g.figures_ok == len(brief.key_figures) - 1 and g.failures


def test_numbers_in_statements_must_be_in_the_article() -> None:
    brief = tiny_brief().model_copy(update={"summary": "The Nikkei fell 12.4% to 57,890."})
    g = check_grounding(brief)
    assert g.stated_numbers == 2 and g.stated_ok == 1


def test_labels_follow_the_gold_rule() -> None:
    brief = tiny_brief()
    gold = [
        GoldItem("57,890", True, ["nikkei"], ["close", "closing"], ["gain"]),
        GoldItem("1.5%", True, ["nikkei"], ["gain", "rise"], ["clos", "level"]),
    ]
    labels = score_labels(brief, gold)
    assert (labels.right, labels.vague, labels.wrong) == (2, 0, 0)
    relabelled = brief.model_copy(
        update={
            "key_figures": [
                brief.key_figures[0].model_copy(update={"label": "Nikkei gain"}),
                brief.key_figures[1].model_copy(update={"label": "a number"}),
            ]
        }
    )
    labels = score_labels(relabelled, gold)
    assert (labels.right, labels.vague, labels.wrong) == (0, 1, 1)
    assert labels.accuracy == 0 and labels.coverage == 0


def test_repeated_summary_sentences_are_counted() -> None:
    assert duplicate_sentences("Stocks rose. Stocks rose today. Bonds fell.") == 0
    assert duplicate_sentences("The Nikkei hit a record. The Nikkei hit a record!") == 1


def test_a_document_score_carries_cost_and_counts() -> None:
    s = score("tiny.txt", tiny_brief(), bullets=["closed at 57,890"], wall_s=1.24)
    assert (s.figures, s.recall, s.attempts, s.wall_s) == (2, (1, 1), 1, 1.2)
    assert json.loads(json.dumps(s.to_json()))["grounding"]["precision"] == 1.0


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
    brief = tiny_brief()
    assert summary_origins(brief) == (2, 0, 0)  # TINY_DRAFT's two wordings both stand
    copy = brief.model_copy(
        update={
            "policy_implications": [
                PolicyImplication(
                    statement="The Nikkei 225 closed at 57,890, up 1.5% on the day.",
                    evidence=Evidence(
                        quote=brief.key_figures[0].quote,
                        start=brief.key_figures[0].start,
                        end=brief.key_figures[0].end,
                    ),
                )
            ]
        }
    )
    assert copied_implications(copy) == 1 and copied_implications(brief) == 0
    folder = ectsum_like(tmp_path)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"a.txt": True, "b.txt": "yes"}))
    code, report, err = eval_run(folder, tmp_path, capsys, "--policy", str(policy))
    assert code == 0, err
    assert "| a.txt | 2 | 0 (policy) |" in report and "| 2/0/0 |" in report
    assert "Policy-angle articles with an implication: 0/1" in report
    assert "policy angle for b.txt" in err and "not true or false" in err


def test_one_table_writer_for_every_report() -> None:
    lines = table(
        ("document", "figures", "s"),
        [("a.txt", 3, "12"), FailedRow("b.txt", "x" * 100)],
        right_from=1,
    )
    assert lines == [
        "| document | figures | s |",
        "|---|---:|---:|",
        "| a.txt | 3 | 12 |",
        f"| b.txt | error: {'x' * 80} | |",
    ]
    assert table(("a", "b"), [])[1] == "|---|---|"
