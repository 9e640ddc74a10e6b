"""The evaluation harness: its scores are computed from the brief and the article alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai import TINY_ARTICLE, TINY_DRAFT, draft_reply, serve

from newsbrief import summarize
from newsbrief.contract import Brief, KeyFigure
from newsbrief.evaluate.metrics import (
    GoldItem,
    check_grounding,
    duplicate_sentences,
    figure_recall,
    matches_reference,
    reference_figures,
    score,
    score_labels,
)
from newsbrief.model.endpoint import resolve_endpoint
from newsbrief.text.numbers import find_numbers


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
