"""Both seeds, replayed from traffic recorded on the embedded model.

Re-record (runs the embedded model, a few minutes):
    pytest tests/test_seed_cassettes.py --newsbrief-record=all
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbrief import Brief, summarize
from newsbrief.endpoint import Endpoint
from newsbrief.ingest import read_path
from newsbrief.numbers import parse_number

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))


def assert_grounded(brief: Brief) -> None:
    text = brief.source.text
    for f in brief.key_figures:
        assert text[f.start : f.end] == f.quote
        assert f.number_text in f.quote
        assert (f.value, f.unit) == parse_number(f.number_text)
    for p in brief.policy_implications:
        assert text[p.evidence.start : p.evidence.end] == p.evidence.quote


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_brief_replays_grounded(seed: str, newsbrief_endpoint: Endpoint) -> None:
    article = read_path(str(ROOT / "seeds" / seed))
    brief = summarize(article.text, title=article.title, endpoint=newsbrief_endpoint)
    assert brief.source.text == (ROOT / "seeds" / seed).read_text(encoding="utf-8")
    assert len(brief.key_figures) >= 4, brief.warnings
    assert_grounded(brief)
    assert 1 <= len(brief.summary.split(". ")) <= 6
    assert brief.provenance.endpoint == "embedded"
    assert brief.provenance.attempts >= 1 and brief.provenance.usage.total_tokens > 0
