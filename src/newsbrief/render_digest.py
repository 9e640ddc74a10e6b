"""A Digest as Markdown or as one self-contained HTML file (inline CSS, no requests).

All article-derived text goes through Jinja's autoescaping in HTML; Markdown table cells are
escaped here. Every figure in the HTML links to its highlighted quote in an excerpt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import jinja2

from .models import Brief
from .render import md_cell, md_text

if TYPE_CHECKING:
    from .digest import Digest

CONTEXT_CHARS = 160

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("newsbrief", "templates"),
    autoescape=jinja2.select_autoescape(["html", "html.j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
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


_env.filters["md_cell"] = md_cell
_env.filters["md_text"] = md_text


def _context(digest: Digest) -> dict[str, object]:
    titles = {
        a.article_id: (a.brief.source.title if a.brief else a.origin) for a in digest.articles
    }
    return {
        "d": digest,
        "titles": titles,
        "excerpts": {aid: excerpts(aid, b) for aid, b in digest.briefs.items()},
    }


def digest_to_markdown(digest: Digest) -> str:
    return _env.get_template("digest.md.j2").render(**_context(digest)).strip() + "\n"


def digest_to_html(digest: Digest) -> str:
    return _env.get_template("digest.html.j2").render(**_context(digest))
