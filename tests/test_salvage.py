"""A truncated answer keeps its complete part, and nothing more."""

from __future__ import annotations

import json

import pytest
from fake_openai import Reply, completion, serve

from newsbrief import summarize
from newsbrief.model.salvage import complete_prefix

FIG = '{"label": "close", "quote": "closed at 57,890", "number_text": "57,890"}'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": ["x", "y", "z', {"a": ["x", "y"]}),
        ('{"a": [{"b": 1}, {"b": 2}, {"b"', {"a": [{"b": 1}, {"b": 2}]}),
        ('{"s": ["x"], "f": [' + FIG + ", " + FIG[:30], {"s": ["x"], "f": [json.loads(FIG)]}),
        ('{"s": "a \\" } ]", "t": [{"u": 1}, {', {"s": 'a " } ]', "t": [{"u": 1}]}),
        ("no json here", None),
        ('{"a": "never closed', None),
    ],
)
def test_complete_prefix(text: str, expected: object) -> None:
    assert complete_prefix(text) == expected


def test_truncated_looping_answer_is_salvaged_and_grounded() -> None:
    text = "Markets.\nThe Nikkei 225 closed at 57,890, up 1.5% on the day, and the yen fell 0.8%.\n"
    looping = (
        '{"summary": ["Stocks rose.", "The yen fell."], "key_figures": ['
        '{"label": "Nikkei close", "quote": "closed at 57,890", "number_text": "57,890"}, '
        '{"label": "Nikkei gain", "quote": "up 1.5% on the day", "number_text": "1.5%"}, '
        + ", ".join(
            ['{"label": "Nikkei close", "quote": "closed at 57,890", "number_text": "57,890"}'] * 30
        )
        + ', {"label": "Nikkei cl'
    )
    with serve([Reply(body=completion(looping, finish_reason="length"))]) as fake:
        brief = summarize(text, base_url=fake.base_url)
        assert len(fake.requests) == 1
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%"]
    assert any("repeats 57,890" in w for w in brief.warnings)
    assert brief.summary == "Stocks rose. The yen fell."


def test_unparseable_reask_keeps_the_earlier_answer() -> None:
    text = "Markets.\nThe Nikkei 225 closed at 57,890, up 1.5% on the day, and the yen fell 0.8%.\n"
    first = json.dumps(
        {
            "summary": ["Stocks rose.", "The yen fell."],
            "key_figures": [
                {"label": "Nikkei close", "quote": "closed at 57,890", "number_text": "57,890"},
                {"label": "invented", "quote": "rose 9.9%", "number_text": "9.9%"},
            ],
            "policy_implications": [],
        }
    )
    fenced = "```json\n{broken\n```"
    with serve([Reply(body=completion(first)), Reply(body=completion(fenced))]) as fake:
        brief = summarize(text, base_url=fake.base_url)
        assert len(fake.requests) == 2  # one re-ask, which failed to parse
    assert [f.number_text for f in brief.key_figures] == ["57,890"]
    assert any("9.9%" in w for w in brief.warnings)


def test_fenced_json_answer_is_recovered() -> None:
    text = "Markets.\nThe Nikkei 225 closed at 57,890, up 1.5% on the day.\n"
    answer = json.dumps(
        {
            "summary": ["Stocks rose.", "A record close."],
            "key_figures": [
                {"label": "Nikkei close", "quote": "closed at 57,890", "number_text": "57,890"}
            ],
            "policy_implications": [],
        }
    )
    fenced = Reply(body=completion("```json\n" + answer + "\n```"))
    with serve([fenced]) as fake:
        brief = summarize(text, base_url=fake.base_url)
    assert [f.number_text for f in brief.key_figures] == ["57,890"]
