"""Splitting long articles, and map/reduce over a fake model: spans index the whole text."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
from support import ECTSUM

from newsbrief import summarize
from newsbrief.brief.chunking import article_budget, split
from newsbrief.brief.policy import POLICY
from newsbrief.model.endpoint import resolve_endpoint
from tests.fakes.server import Reply, completion, serve


def long_article(paragraphs: int = 60) -> str:
    out = ["Quarterly report"]
    for i in range(1, paragraphs + 1):
        out.append(
            f"Segment {i} revenue rose {i}.5% to ${100 + i} million in the quarter. "
            f"Management said demand in region {i} stayed firm and margins held. "
            "The central bank is expected to keep rates on hold."
        )
    return "\n\n".join(out) + "\n"


@pytest.mark.parametrize("max_chars", [500, 2_000, 9_000])
def test_split_covers_everything_with_overlap_and_bounds(max_chars: int) -> None:
    text = long_article()
    chunks = split(text, max_chars)
    assert len(chunks) > 1
    assert all(c.end - c.start <= max_chars for c in chunks)
    assert not text[: chunks[0].start].strip() and not text[chunks[-1].end :].strip()
    for a, b in itertools.pairwise(chunks):
        # whole paragraphs overlap when two fit in a chunk; else chunks just touch
        assert b.start < a.end if max_chars >= 2_000 else b.start <= a.end + 2
        assert b.end > a.end, "every chunk adds something new"
        assert text[b.start - 1] == "\n" or b.start == 0, "chunks start on a paragraph boundary"


def test_huge_sentence_is_cut_at_spaces() -> None:
    text = "word " * 5_000
    chunks = split(text, 1_000)
    assert all(c.end - c.start <= 1_000 for c in chunks)
    assert chunks[-1].end >= len(text.rstrip())


def test_real_transcript_splits_on_lines() -> None:
    path = ECTSUM / "ABM_q4_2021.txt"
    if not path.exists():
        pytest.fail(f"the ECTSum sample is expected beside the checkout at {path}")
    text = path.read_text(encoding="utf-8")
    chunks = split(text, 12_000)
    assert 4 <= len(chunks) <= 8
    assert all(text[c.end : c.end + 1] in ("\n", "") for c in chunks)


def test_remote_budget_is_conservative(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = resolve_endpoint(base_url="http://127.0.0.1:9/v1")
    assert endpoint.count_tokens("x" * 3_000) == 1_001
    monkeypatch.setenv("NEWSBRIEF_CONTEXT", "6000")
    assert article_budget(endpoint) == 6000 - POLICY.reserved_tokens()


def _router(body: dict[str, Any]) -> Reply:
    messages = body["messages"]
    last = messages[-1]["content"]
    if "read in parts" in messages[0]["content"]:
        answer = {
            "summary": [
                {"source": 1, "text": "Revenue rose in every segment."},
                {"source": 2, "text": "The central bank holds rates."},
            ],
            "policy_implications": [
                {"statement": "Rates stay on hold.", "actor": "central bank", "source": 1}
            ],
        }
        return Reply(body=completion(json.dumps(answer)))
    article = last.split("<<<", 1)[1].split(">>>", 1)[0]
    figures = [
        {"id": m.group(3), "label": f"Segment {m.group(1)} revenue growth"}
        for m in re.finditer(r"Segment (\d+) revenue rose (\d+\.5%) \[(C\d+)\]", article)
    ][:3]
    bank = re.search(r"\[(S\d+)\] The central bank is expected", article)
    answer = {
        "key_figures": figures,
        "summary": ["Revenue rose.", "Margins held."],
        "policy_implications": [
            {
                "statement": "Borrowing costs stay where they are while rates are on hold.",
                "actor": "central bank",
                "evidence": [bank.group(1)],
            }
        ]
        if bank
        else [],
    }
    return Reply(body=completion(json.dumps(answer)))


def test_map_reduce_gives_an_ordinary_brief_over_the_whole_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSBRIEF_CONTEXT", "5600")  # budget ~1.8k tokens: several chunks
    text = long_article()
    steps: list[str] = []
    with serve(_router) as fake:
        brief = summarize(text, base_url=fake.base_url, on_progress=steps.append)
        reduce_calls = sum("read in parts" in b["messages"][0]["content"] for b in fake.requests)
    chunk_steps = [s for s in steps if s.startswith("chunk ")]
    assert len(chunk_steps) >= 3 and steps[-1] == "combining chunks" and reduce_calls == 1
    assert brief.source.text == text
    assert len(brief.key_figures) >= 6
    starts = [f.start for f in brief.key_figures]
    assert max(starts) > len(text) // 2  # figures from late chunks, at whole-text offsets
    # more grounded than a brief keeps: the kept ones by rank (whole-text salience, the
    # model's choice first), not the first by position
    assert any("grounded figures, by rank" in w for w in brief.warnings)
    for f in brief.key_figures:
        assert text[f.start : f.end] == f.quote
    assert len({(f.value, f.unit) for f in brief.key_figures}) == len(brief.key_figures)
    # The part sentences the answer chose (by number), as written where their sentence
    # bears them out, else the article's own sentence: 2 to 4, each pointing at the text.
    assert 2 <= len(brief.summary_sentences) <= 4
    for sentence in brief.summary_sentences:
        assert all(text[x.start : x.end] == x.quote for x in sentence.spans)
    (imp,) = brief.policy_implications
    assert imp.statement == "Rates stay on hold."
    assert text[imp.evidence.start : imp.evidence.end] == imp.evidence.quote
