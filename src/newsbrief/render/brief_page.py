"""A Brief as one self-contained HTML page: the whole article with every figure, evidence
span and summary source marked and labelled, and the summary, figures and implications
linking to them.

The article is cut into segments at every span boundary (spans may overlap: a figure inside
the sentence a summary rests on); each segment carries the kinds of the spans covering it.
Every piece of text is a value in our template, escaped by Jinja's autoescaping, never a
template or markup of its own; the only links are fragments we build.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from newsbrief.contract import Brief
from newsbrief.render.page import env


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str  # "figure" (the number), "evidence", "summary"
    anchor: str
    label: str  # shown after the span ("" for none)


@dataclass(frozen=True)
class Segment:
    """A run of article text and the kinds of the spans covering it; `anchors` open here,
    `labels` close here (shown after the text)."""

    text: str
    kinds: tuple[str, ...]
    anchors: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]  # (kind, label)


def _spans(brief: Brief) -> list[_Span]:
    out = []
    for i, f in enumerate(brief.key_figures):
        offset = f.quote.find(f.number_text)
        start = f.start + max(0, offset)
        end = start + len(f.number_text) if offset >= 0 else f.end
        out.append(_Span(start, end, "figure", f"f{i}", f.label))
    for i, p in enumerate(brief.policy_implications):
        e = p.evidence
        out.append(_Span(e.start, e.end, "evidence", f"e{i}", f"evidence for implication {i + 1}"))
    for i, sentence in enumerate(brief.summary_sentences):
        for j, span in enumerate(sentence.spans):
            out.append(_Span(span.start, span.end, "summary", f"s{i}-{j}", f"summary {i + 1}"))
    return out


def segments(brief: Brief) -> list[Segment]:
    """The article in order, cut at every span boundary: joined, their text is the article."""
    text = brief.source.text
    spans = _spans(brief)
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out = []
    for a, b in itertools.pairwise(cuts):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        out.append(
            Segment(
                text=text[a:b],
                kinds=tuple(sorted({s.kind for s in covering})),
                anchors=tuple(s.anchor for s in spans if s.start == a),
                labels=tuple((s.kind, s.label) for s in spans if s.end == b and s.label),
            )
        )
    return out


def brief_to_html(brief: Brief) -> str:
    """One self-contained HTML page for a Brief (inline CSS, no scripts, no requests)."""
    return env.get_template("brief.html.j2").render(b=brief, segments=segments(brief))
