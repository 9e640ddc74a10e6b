"""Tests for newsbrief.text.align: sentence and clause bounds at exact offsets, and the span
a figure is quoted by."""

from __future__ import annotations

import pytest

from newsbrief.text.align import (
    MAX_ANCHOR_SPAN,
    clause_bounds,
    sentence_bounds,
    sentence_spans,
    span_around,
)
from newsbrief.text.numbers import find_numbers

ARTICLE = (
    "Jobs Report Beats Forecasts\n"
    "Employers added 57,890 jobs in March, the Labor Department said on Friday. "
    "The unemployment rate fell to 3.9% from 4.1%, while wages rose 0.3%.\n"
    "\u201cWe are cautiously optimistic,\u201d said Jane O\u2019Neil, chief economist at "
    "Acme Corp. in New York. \u201cBut it\u2019s too early to celebrate.\u201d\n"
    "Acme\u2019s revenue \u2014 which topped $4.9 trillion \u2014 grew 12% year-on-year "
    "in 2023\u201324.\n"
    "Household budgets are squeezed\u2014a double-edged sword for the recovery.\n"
    "Futures slipped \u22122.5% in early trading, and the Nasdaq 100 index lost a 25% gain.\n"
    "Analysts had expected 50,000 new jobs; the U.S. economy has added jobs for 40 months.\n"
    "- Policy Predictability: the central bank will keep rates on hold.\n"
)


# --- the span a figure is quoted by -----------------------------------------------------------


def _number(text: str, written: str):  # type: ignore[no-untyped-def]
    (n,) = [n for n in find_numbers(text) if n.text == written]
    return n


def test_a_short_sentence_is_the_figure_s_span() -> None:
    span = span_around(ARTICLE, _number(ARTICLE, "57,890"))
    found = ARTICLE[span.start : span.end]
    assert found == "Employers added 57,890 jobs in March, the Labor Department said on Friday."


def test_long_sentence_clause_window() -> None:
    filler = ", ".join(f"clause number {w} talks about something else" for w in "abcdefghij")
    sentence = f"In a long statement, {filler}, the ministry reported 57,890 new permits, {filler}."
    text = f"Intro line. {sentence} Next sentence."
    assert len(sentence) > MAX_ANCHOR_SPAN
    span = span_around(text, _number(text, "57,890"))
    found = text[span.start : span.end]
    assert "the ministry reported 57,890 new permits" in found
    assert len(found) <= MAX_ANCHOR_SPAN
    assert found in sentence and found == found.strip()


def test_long_clause_window_without_commas() -> None:
    words = " ".join(f"word{i}" for i in range(80))
    text = f"{words} the ministry reported 57,890 new permits {words}."
    span = span_around(text, _number(text, "57,890"))
    found = text[span.start : span.end]
    assert "57,890" in found and len(found) <= MAX_ANCHOR_SPAN
    assert not found.startswith("ord") and found == found.strip()


def test_every_number_s_span_holds_it_and_cuts_no_word() -> None:
    for n in find_numbers(ARTICLE):
        span = span_around(ARTICLE, n)
        assert span.start <= n.start and n.end <= span.end
        found = ARTICLE[span.start : span.end]
        assert found == found.strip() and len(found) <= MAX_ANCHOR_SPAN


# --- sentence_bounds ------------------------------------------------------------------------


def _sentence_at(text: str, needle: str) -> str:
    a, b = sentence_bounds(text, text.index(needle))
    return text[a:b]


@pytest.mark.parametrize(
    ("text", "needle", "expected"),
    [
        ("First one. Second one! Third one? Fourth", "Second", "Second one!"),
        ("First one. Second one! Third one? Fourth", "Third", "Third one?"),
        ("First one. Second one! Third one? Fourth", "Fourth", "Fourth"),
        ("It rose 1.5 percent. Then it fell.", "percent", "It rose 1.5 percent."),
        ("The U.S. economy grew. Europe lagged.", "economy", "The U.S. economy grew."),
        ("Below U.S. standards. Next.", "standards", "Below U.S. standards."),
        (
            "Mr. Smith met Dr. Jones at Acme Inc. on Monday. Fine.",
            "Jones",
            "Mr. Smith met Dr. Jones at Acme Inc. on Monday.",
        ),
        ("A heading\nBody text here. More.", "heading", "A heading"),
        ("A heading\nBody text here. More.", "Body", "Body text here."),
        ('He said "it is done." Then he left.', "done", 'He said "it is done."'),
        ("He said \u201cit is done.\u201d Then he left.", "Then", "Then he left."),
        ("Prices rose approx. ten percent. Next.", "ten", "Prices rose approx. ten percent."),
        (
            "Der Umsatz lag bei 5 Mrd. Euro im Jahr. Gut.",
            "Euro",
            "Der Umsatz lag bei 5 Mrd. Euro im Jahr.",
        ),
        (
            "Ab dem 1. Januar gilt das Gesetz. Danach nicht.",
            "Januar",
            "Ab dem 1. Januar gilt das Gesetz.",
        ),
        (
            "\u58f2\u4e0a\u304c\u5897\u3048\u305f\u3002\u5229\u76ca\u306f\u6e1b\u3063\u305f\u3002",
            "\u5229\u76ca",
            "\u5229\u76ca\u306f\u6e1b\u3063\u305f\u3002",
        ),
        ("Version 1.2.3 shipped. Done.", "shipped", "Version 1.2.3 shipped."),
        ("Wait... what happened? Nothing.", "what", "Wait... what happened?"),
    ],
)
def test_sentence_bounds(text: str, needle: str, expected: str) -> None:
    assert _sentence_at(text, needle) == expected


def test_sentence_bounds_edges() -> None:
    text = "One. Two.  \n\n  Three.   "
    assert sentence_bounds(text, 0) == (0, 4)
    assert sentence_bounds(text, 4) == (5, 9)  # the space after "One." starts "Two."
    assert text[slice(*sentence_bounds(text, 12))] == "Two."  # blank line: previous
    assert text[slice(*sentence_bounds(text, len(text)))] == "Three."
    assert text[slice(*sentence_bounds(text, 10**6))] == "Three."
    assert text[slice(*sentence_bounds(text, -5))] == "One."
    assert sentence_bounds("", 0) == (0, 0)
    assert sentence_bounds("   ", 1) == (1, 1)
    assert sentence_bounds("\n\nHello", 0) == (2, 7)


def test_sentence_bounds_contains_pos() -> None:
    for pos, ch in enumerate(ARTICLE):
        a, b = sentence_bounds(ARTICLE, pos)
        assert 0 <= a < b <= len(ARTICLE)
        found = ARTICLE[a:b]
        assert found == found.strip()
        if not ch.isspace():
            assert a <= pos < b


def test_sentence_spans_are_the_sentences_in_order() -> None:
    text = "One. Two!  Three?\n\nA heading\nDr. Jones left. Fine."
    found = [text[a:b] for a, b in sentence_spans(text)]
    assert found == ["One.", "Two!", "Three?", "A heading", "Dr. Jones left.", "Fine."]
    assert sentence_spans("") == [] and sentence_spans(" \n ") == []


@pytest.mark.parametrize(
    ("needle", "clause"),
    [
        ("1.2%", "Kospi rose 1.2%"),
        ("0.8%", "the Taiex gained 0.8%"),
        ("3%", "the yen fell 3%"),
    ],
)
def test_clause_bounds(needle: str, clause: str) -> None:
    text = "Kospi rose 1.2%, while the Taiex gained 0.8% and the yen fell 3% on Monday. Next."
    start = text.index(needle)
    a, b = clause_bounds(text, start, start + len(needle))
    assert clause in text[a:b]
    assert needle in text[a:b]
    assert all(other not in text[a:b] for other in ("1.2%", "0.8%", "3%") if other != needle)
