"""Renderers: Briefs and Digests as Markdown, Digests as self-contained HTML."""

from __future__ import annotations

from newsbrief.contract import Brief
from newsbrief.digest.contract import Digest
from newsbrief.render.brief_page import brief_to_html
from newsbrief.render.html import digest_to_html
from newsbrief.render.markdown import brief_to_markdown, digest_to_markdown


def to_markdown(item: Brief | Digest) -> str:
    """Markdown for a Brief or a Digest."""
    if isinstance(item, Brief):
        return brief_to_markdown(item)
    return digest_to_markdown(item)


def to_html(item: Brief | Digest) -> str:
    """One self-contained HTML page for a Brief or a Digest (inline CSS, no scripts, no
    requests)."""
    if isinstance(item, Brief):
        return brief_to_html(item)
    return digest_to_html(item)


__all__ = [
    "brief_to_html",
    "brief_to_markdown",
    "digest_to_html",
    "digest_to_markdown",
    "to_html",
    "to_markdown",
]
