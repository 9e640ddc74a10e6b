"""One Markdown escaping for everything article- or model-derived, briefs and digests alike."""

from __future__ import annotations


def md_text(text: str) -> str:
    """Article-derived prose in Markdown: one line, and no raw HTML survives a renderer."""
    cleaned = " ".join(str(text).split())
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_cell(text: str) -> str:
    return md_text(str(text).replace("\\", "\\\\").replace("|", "\\|"))
