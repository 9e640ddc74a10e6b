"""Text a publisher repeats on its articles (footers, bylines, disclaimers, "read more"),
found and removed before articles are compared for stories.

Why: a shared footer is the same words, names and sometimes numbers in every article of a
source, and lifts unrelated articles of that source toward one story (six articles ending in
the same three paragraphs became one story). What an outlet repeats verbatim across its own
articles says nothing about which event each reports.

How: within each source, paragraphs and sentences are compared after normalising (case and
whitespace), by exact match. A paragraph or sentence found in at least MIN_ARTICLES of a
source's articles is boilerplate; one that states a figure worth stating (a level, a rate, an
amount) needs MIN_ARTICLES_WITH_FIGURE, since two updates of one report share their numbers
and those are the report. A title's parts (split at " | ", " - ", " -- ") repeated across
a source's titles ("... | Harbor Street Journal") go the same way. Articles without a
source, and a source's only article, are left as they are. An article is never emptied:
when every part repeats (a copy of another article), it is kept whole.

Once per digest: `own_texts` strips a digest's briefed articles; the stories cluster on the
result and the lead (its policy angles) reads it from the digest (`own_texts_of`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from urllib.parse import urlsplit

from newsbrief.digest.contract import ArticleResult, Digest, OwnText, OwnTexts
from newsbrief.text.numbers import find_numbers, worth_a_figure

MIN_ARTICLES = 2  # of one source: a part in this many of them is boilerplate
MIN_ARTICLES_WITH_FIGURE = 3  # ... unless it states a figure: then this many

_PARAGRAPH = re.compile(r"\n[ \t]*\n+")
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_TITLE_PART = re.compile(r"\s+(?:\||-{1,2}|\u2013|\u2014)\s+")


def _key(part: str) -> str:
    return " ".join(part.lower().split())


def _has_figure(part: str) -> bool:
    return any(worth_a_figure(n) for n in find_numbers(part))


def _split(text: str) -> list[tuple[str, list[str]]]:
    """(paragraph, its sentences) in order."""
    paragraphs = [p for p in _PARAGRAPH.split(text) if p.strip()]
    return [(p, [s for s in _SENTENCE.split(p.strip()) if s.strip()]) for p in paragraphs]


def _repeated(parts_per_article: list[set[str]], originals: dict[str, str]) -> set[str]:
    counts = Counter(k for parts in parts_per_article for k in parts)
    return {
        k
        for k, n in counts.items()
        if n >= (MIN_ARTICLES_WITH_FIGURE if _has_figure(originals[k]) else MIN_ARTICLES)
    }


def _strip_text(text: str, repeated: set[str]) -> str:
    kept = []
    for paragraph, sentences in _split(text):
        if _key(paragraph) in repeated:
            continue
        left = [s for s in sentences if _key(s) not in repeated]
        if left:
            kept.append(" ".join(left) if len(left) < len(sentences) else paragraph)
    return "\n\n".join(kept) if kept else text


def _strip_title(title: str, repeated: set[str]) -> str:
    parts = [p for p in _TITLE_PART.split(title) if p.strip()]
    left = [p for p in parts if _key(p) not in repeated]
    return " - ".join(left) if left and len(left) < len(parts) else title


def without_boilerplate(
    items: Sequence[tuple[str | None, str, str]],
) -> list[tuple[str, str]]:
    """Each (title, text) with its source's repeated parts removed, in input order.

    Args:
        items: (source, title, text) per article; source None: nothing is removed from it.
    """
    out = [(title, text) for _, title, text in items]
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, (source, _, _) in enumerate(items):
        if source:
            by_source[source].append(i)
    for members in by_source.values():
        if len(members) < MIN_ARTICLES:
            continue
        originals: dict[str, str] = {}
        bodies: list[set[str]] = []
        titles: list[set[str]] = []
        for i in members:
            _, title, text = items[i]
            parts: set[str] = set()
            for paragraph, sentences in _split(text):
                for part in (paragraph, *sentences):
                    originals.setdefault(_key(part), part)
                    parts.add(_key(part))
            bodies.append(parts)
            pieces = {_key(p) for p in _TITLE_PART.split(title) if p.strip()}
            originals.update((k, k) for k in pieces if k not in originals)
            titles.append(pieces)
        body_repeats = _repeated(bodies, originals)
        title_repeats = _repeated(titles, originals)
        for i in members:
            _, title, text = items[i]
            out[i] = (_strip_title(title, title_repeats), _strip_text(text, body_repeats))
    return out


def source_of(result: ArticleResult) -> str:
    """The outlet whose repeated text is boilerplate: the feed's or site's name, else the
    URL's host, else the origin itself (a file is its own source)."""
    if result.source:
        return result.source
    origin = result.origin
    if origin.lower().startswith(("http://", "https://")):
        return urlsplit(origin).hostname or origin
    return origin


def _basis(results: Sequence[ArticleResult]) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (r.article_id, r.brief.source.id, source_of(r)) for r in results if r.brief is not None
    )


def own_texts(results: Sequence[ArticleResult]) -> OwnTexts:
    """Each briefed article's title and text without what its source repeats, by article id.

    Args:
        results: a digest's results, in order (the failed ones have no text and are left out).
    """
    done = [r for r in results if r.brief is not None]
    cleaned = without_boilerplate(
        [(source_of(r), r.brief.source.title, r.brief.source.text) for r in done if r.brief]
    )
    return OwnTexts(
        basis=_basis(results),
        texts={r.article_id: OwnText(*pair) for r, pair in zip(done, cleaned, strict=True)},
    )


def own_texts_of(digest: Digest) -> OwnTexts:
    """The digest's own texts: the ones build_digest kept on it, else (a digest read from
    JSON, or a copy with other articles) computed now and kept."""
    kept = digest._own_texts
    if kept is None or kept.basis != _basis(digest.articles):
        kept = digest._own_texts = own_texts(digest.articles)
    return kept
