"""What the digest templates share: their Jinja environment, excerpts and context.

All article-derived text goes through Jinja's autoescaping in HTML (our own templates only:
article text is always a value, never a template) and is never put in an href or src: every
link is a fragment we build from our own article ids. In Markdown every value goes through
the md_text, md_cell or md_code filter (escape.py). In both, every printed value loses its
control characters first (the `finalize` hook), so no output can drive a terminal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from newsbrief.contract import Brief
from newsbrief.digest.build import Digest
from newsbrief.render.escape import md_cell, md_code, md_text, strip_controls

CONTEXT_CHARS = 160


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


@dataclass(frozen=True)
class Excerpt:
    anchor: str
    before: str
    quote: str
    after: str


def _cut(text: str, start: int, end: int) -> Excerpt:
    a = max(0, start - CONTEXT_CHARS)
    b = min(len(text), end + CONTEXT_CHARS)
    before = ("…" if a > 0 else "") + " ".join(text[a:start].split()) + " "
    after = " " + " ".join(text[end:b].split()) + ("…" if b < len(text) else "")
    return Excerpt("", before, text[start:end], after)


def excerpts(article_id: str, brief: Brief) -> list[Excerpt]:
    text = brief.source.text
    out = []
    for i, f in enumerate(brief.key_figures):
        e = _cut(text, f.start, f.end)
        out.append(Excerpt(f"{article_id}-f{i}", e.before, e.quote, e.after))
    for i, p in enumerate(brief.policy_implications):
        e = _cut(text, p.evidence.start, p.evidence.end)
        out.append(Excerpt(f"{article_id}-e{i}", e.before, e.quote, e.after))
    return out


env.filters["md_cell"] = md_cell
env.filters["md_text"] = md_text
env.filters["md_code"] = md_code


def _byline(source: str | None, published: dt.datetime | None) -> str:
    """ "Harbor Street Journal, 18 Nov 2026 07:30 UTC": what a reader checks first."""
    when = published.strftime("%d %b %Y %H:%M UTC") if published else ""
    return ", ".join(part for part in (source or "", when) if part)


def context(digest: Digest) -> dict[str, object]:
    titles = {
        a.article_id: (a.brief.source.title if a.brief else a.origin) for a in digest.articles
    }
    byline = {a.article_id: _byline(a.source, a.published) for a in digest.articles}
    return {
        "d": digest,
        "titles": titles,
        "byline": byline,
        "excerpts": {aid: excerpts(aid, b) for aid, b in digest.briefs.items()},
    }
