"""evaluate/metrics.py: the scores, computed from the brief and the article alone."""

from __future__ import annotations

import json

import pytest

from newsbrief import summarize
from newsbrief.contract import Brief, Evidence, KeyFigure, PolicyImplication
from newsbrief.evaluate.metrics import (
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


def test_summary_origins_and_copied_implications_come_from_the_brief_alone() -> None:
    """The summary w/s/d column and copied implications (reported by newsbrief eval:
    test_cli_eval.py)."""
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
