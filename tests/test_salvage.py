"""A truncated answer keeps its complete part, and nothing more."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from newsbrief import summarize
from newsbrief.brief.policy import POLICY
from newsbrief.model.salvage import complete_prefix
from tests.fakes.server import Reply, completion, serve

FIG = '{"id": "C01", "label": "Nikkei 225 close"}'

# Three candidates: 57,890 is C01, 1.5% is C02, 0.8% is C03 (225 is an index name).
TEXT = "Markets.\nThe Nikkei 225 closed at 57,890, up 1.5% on the day, and the yen fell 0.8%.\n"
FIGURES = [
    {"id": "C01", "label": "Nikkei close"},
    {"id": "C02", "label": "Nikkei daily gain"},
    {"id": "C03", "label": "yen daily fall"},
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": ["x", "y", "z', {"a": ["x", "y"]}),
        ('{"a": [{"b": 1}, {"b": 2}, {"b"', {"a": [{"b": 1}, {"b": 2}]}),
        ('{"f": [' + FIG + ", " + FIG[:30], {"f": [json.loads(FIG)]}),
        ('{"f": [' + FIG + '], "s": ["x", "y', {"f": [json.loads(FIG)], "s": ["x"]}),
        ('{"s": "a \\" } ]", "t": [{"u": 1}, {', {"s": 'a " } ]', "t": [{"u": 1}]}),
        ("no json here", None),
        ('{"a": "never closed', None),
    ],
)
def test_complete_prefix(text: str, expected: object) -> None:
    assert complete_prefix(text) == expected


def _looping_in_figures() -> str:
    """Figures come first in the answer: a model looping on one id is cut off there, before
    it wrote a summary."""
    figures = [json.dumps(f) for f in FIGURES] + [json.dumps(FIGURES[0])] * 30
    return '{"key_figures": [' + ", ".join(figures) + ', {"id": "C01", "label": "Nikkei cl'


SENTENCE = "The Nikkei 225 closed at 57,890, up 1.5% on the day, and the yen fell 0.8%."


def _looping_in_summary() -> str:
    head = json.dumps({"key_figures": FIGURES})[:-1]
    item = json.dumps({"id": "S02", "text": "The yen fell 0.8%."})
    return head + ', "summary": [' + ", ".join([item] * 31) + ', {"id": "S02", "text": "The y'


@pytest.mark.parametrize(
    ("looping", "summary", "warned"),
    [
        # No summary before the cut: the brief leads with the sentence our code ranks first.
        (_looping_in_figures, SENTENCE, "repeats C01"),
        (_looping_in_summary, "The yen fell 0.8%.", "repeats another"),
    ],
)
def test_truncated_looping_answer_is_salvaged_and_grounded(
    looping: Callable[[], str], summary: str, warned: str
) -> None:
    with serve([Reply(body=completion(looping(), finish_reason="length"))]) as fake:
        brief = summarize(TEXT, base_url=fake.base_url)
        assert len(fake.requests) == 1  # cut off at max_tokens: salvaged, never re-asked
    # The complete part, grounded: each figure once, quoted by our code, in the draft's order.
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%", "0.8%"]
    # Named by their sentence: the answer's labels are not needed.
    assert [f.label for f in brief.key_figures] == [
        "Nikkei 225 close",
        "Nikkei 225 gain, the day",
        "yen fall",  # "the yen fell 0.8%": a currency's fall, named by its frame too
    ]
    for f in brief.key_figures:
        assert TEXT[f.start : f.end] == f.quote and f.number_text in f.quote
    assert any(warned in w for w in brief.warnings), brief.warnings
    assert brief.summary == summary  # what the cut-off answer said, deduplicated; never more
    assert brief.policy_implications == []


def test_truncated_looping_figures_warn_once_per_repeat() -> None:
    with serve([Reply(body=completion(_looping_in_figures(), finish_reason="length"))]) as fake:
        brief = summarize(TEXT, base_url=fake.base_url)
    repeats = [w for w in brief.warnings if "repeats C01" in w]
    assert len(repeats) == 30  # every complete repeat named; the cut-off one never parsed
    assert len(brief.key_figures) == 3 <= POLICY.max_figures


def test_unparseable_reask_keeps_the_earlier_answer() -> None:
    first = json.dumps(
        {
            "key_figures": [
                {"id": "C01", "label": "Nikkei close"},
                {"id": "C09", "label": "invented rise"},  # the prompt listed C01..C03 only
            ],
            "summary": ["Stocks rose 9.9%.", "The yen fell."],
            "policy_implications": [],
        }
    )
    fenced = "```json\n{broken\n```"
    with serve([Reply(body=completion(first)), Reply(body=completion(fenced))]) as fake:
        brief = summarize(TEXT, base_url=fake.base_url)
        assert len(fake.requests) == 2  # one re-ask, which failed to parse
        reask = fake.requests[1]["messages"][-1]["content"]
    assert "'C09' is not the id of a listed number" in reask  # what the re-ask asked to fix
    chosen = [f.number_text for f in brief.key_figures if f.chosen_by == "model"]
    assert chosen == ["57,890"]
    assert any("'C09' is not the id of a listed number" in w for w in brief.warnings)
    assert any("9.9%" in w for w in brief.warnings)  # the invented number, named and dropped
    assert "9.9" not in brief.summary and brief.summary == SENTENCE  # our lead sentence


def test_fenced_json_answer_is_recovered() -> None:
    text = "Markets.\nThe Nikkei 225 closed at 57,890, up 1.5% on the day.\n"
    answer = json.dumps(
        {
            "key_figures": [
                {"id": "C01", "label": "Nikkei close"},
                {"id": "C02", "label": "Nikkei daily gain"},
            ],
            "summary": ["Stocks rose.", "A record close."],
            "policy_implications": [],
        }
    )
    fenced = Reply(body=completion("```json\n" + answer + "\n```"))
    with serve([fenced]) as fake:
        brief = summarize(text, base_url=fake.base_url)
        # Unparsed as sent (the fence), so re-asked once; the last answer's JSON is then
        # recovered from inside its fence.
        assert len(fake.requests) == 1 + POLICY.max_reasks
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%"]
    assert brief.summary == "The Nikkei 225 closed at 57,890, up 1.5% on the day."
