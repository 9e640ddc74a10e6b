"""What the digest templates share: their Jinja environment, excerpts and context.

All article-derived text goes through Jinja's autoescaping in HTML (our own templates only:
article text is always a value, never a template) and is never put in a src. Links are
fragments we build from our own article ids, and links to originals: an article's origin
when digest.batch.original_link accepts it (http(s), a host, no space or control character),
attribute-escaped. In Markdown every value goes through
the md_text, md_cell or md_code filter (escape.py). In both, every printed value loses its
control characters first (the `finalize` hook), so no output can drive a terminal.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from newsbrief.contract import Brief
from newsbrief.digest.batch import original_link, source_name
from newsbrief.digest.contract import Digest
from newsbrief.digest.lead import lead, snapshot
from newsbrief.render.escape import md_cell, md_code, md_inline, md_link, md_text, strip_controls
from newsbrief.render.notes import corrections, corrections_line, plural, reader_notes
from newsbrief.text.align import sentence_bounds


def _finalize(value: object) -> object:
    """Every `{{ value }}`, before escaping: no control character reaches the page."""
    if isinstance(value, Markup):
        return Markup(strip_controls(value))
    if isinstance(value, str):
        return strip_controls(value)
    return value


env = jinja2.Environment(
    loader=jinja2.PackageLoader("newsbrief.render", "templates"),
    autoescape=jinja2.select_autoescape(["html", "html.j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
    finalize=_finalize,
)


_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Mark:
    """A figure's number in its passage, with the figure's label shown beside it."""

    anchor: str  # the figure's id, linked from the tables
    text: str
    label: str


@dataclass(frozen=True)
class Passage:
    """Whole sentences of the article, cut at sentence ends and line breaks (a heading is
    never run into the text after it), with every figure they state marked."""

    anchors: list[str]  # evidence it holds (linked from the implications), repeated numbers
    parts: list[str | Mark]
    evidence: bool  # quoted as evidence for an implication


def _squash(text: str) -> str:
    """Whitespace runs (line breaks included) as one space; a leading or trailing one kept,
    since it separates the text from the mark beside it."""
    return _SPACES.sub(" ", text)


def passages(article_id: str, brief: Brief) -> list[Passage]:
    """One passage per group of overlapping sentences that hold a figure or evidence, in
    article order: a sentence stating three figures is shown once, with three marks."""
    text = brief.source.text
    spans: list[tuple[int, int]] = []
    marks: list[tuple[int, int, Mark]] = []
    for i, f in enumerate(brief.key_figures):
        offset = f.quote.find(f.number_text)
        at = f.start + max(0, offset)
        end = at + len(f.number_text) if offset >= 0 else f.end
        marks.append((at, end, Mark(f"{article_id}-f{i}", text[at:end], f.label)))
        spans.append(_sentences(text, at, end))
    evidence: dict[tuple[int, int], list[str]] = {}
    for i, p in enumerate(brief.policy_implications):
        span = _sentences(text, p.evidence.start, p.evidence.end)
        spans.append(span)
        evidence.setdefault(span, []).append(f"{article_id}-e{i}")
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out = []
    for a, b in merged:
        inside = sorted((m for m in marks if a <= m[0] and m[1] <= b), key=lambda m: m[0])
        parts: list[str | Mark] = []
        cursor = a
        extra: list[str] = []  # anchors of numbers already marked: their links still land
        for start, end, mark in inside:
            if start < cursor:
                extra.append(mark.anchor)
                continue
            parts.append(_squash(text[cursor:start]))
            parts.append(mark)
            cursor = end
        parts.append(_squash(text[cursor:b]))
        anchors = [anchor for (x, y), names in evidence.items() if a <= x and y <= b
                   for anchor in names]  # fmt: skip
        kept = [p for p in parts if p != ""]
        out.append(Passage([*anchors, *extra], kept, bool(anchors)))
    return out


def _sentences(text: str, start: int, end: int) -> tuple[int, int]:
    a = sentence_bounds(text, start)[0]
    b = sentence_bounds(text, max(start, end - 1))[1]
    return min(a, start), max(b, end)


def brief_notes(brief: Brief) -> list[str]:
    """What a reader of this brief is told (render.notes): sentences, never the log."""
    return reader_notes(brief.notes)


def brief_corrections(brief: Brief) -> str:
    """The one line that counts the repairs left to the JSON and -v (empty for none)."""
    return corrections_line(corrections(brief.notes, brief.warnings))


env.filters["brief_notes"] = brief_notes
env.filters["brief_corrections"] = brief_corrections
env.filters["plural"] = plural
env.filters["md_cell"] = md_cell
env.filters["md_text"] = md_text
env.filters["md_code"] = md_code
env.filters["md_inline"] = md_inline
env.filters["md_link"] = md_link


def _byline(source: str | None, published: dt.datetime | None) -> str:
    """ "Harbor Street Journal, 18 Nov 2026 07:30 UTC": what a reader checks first."""
    when = published.strftime("%d %b %Y %H:%M UTC") if published else ""
    return ", ".join(part for part in (source or "", when) if part)


def context(digest: Digest) -> dict[str, object]:
    """What the digest templates see: the digest, its lead and snapshot (digest.lead), and
    by article id its title, byline, source name, original link, whether it came from the
    cache, and passages."""
    titles = {
        a.article_id: (a.brief.source.title if a.brief else a.origin) for a in digest.articles
    }
    names = {a.article_id: source_name(a) for a in digest.articles}
    byline = {a.article_id: _byline(names[a.article_id], a.published) for a in digest.articles}
    links = {a.article_id: original_link(a) for a in digest.articles}
    # By id, not looked up per article in the template: that was every article per article.
    cached = {a.article_id: a.cached for a in digest.articles}
    items = lead(digest)

    def cites(ids: list[str]) -> list[tuple[str, str]]:
        """(article id, source name) for a citation list, one per source name."""
        out: dict[str, str] = {}
        for aid in ids:
            out.setdefault(names.get(aid, aid), aid)
        return [(aid, name) for name, aid in out.items()]

    changes = digest.changes
    return {
        "d": digest,
        "titles": titles,
        "byline": byline,
        "names": names,
        "links": links,
        "cached": cached,
        "cites": cites,
        "lead": items,
        "snapshot": snapshot(digest, items),
        "story_marks": changes.stories if changes else {},
        "figure_marks": changes.figures if changes else {},
        "since": changes.previous_at if changes else None,
        "figure_count": sum(len(b.key_figures) for b in digest.briefs.values()),
        "digest_notes": reader_notes(digest.notes),
        "digest_corrections": corrections_line(
            corrections(digest.notes, digest.warnings), "the overview"
        ),
        "passages": {aid: passages(aid, b) for aid, b in digest.briefs.items()},
    }
