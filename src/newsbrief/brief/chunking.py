"""Fit long articles into the model's context: measure, then split on paragraph or
sentence boundaries into overlapping chunks whose offsets index the whole article."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsbrief.brief.policy import POLICY, BriefPolicy
from newsbrief.model.endpoint import Endpoint
from newsbrief.text import align

_PARAGRAPH = re.compile(r"\n\s*\n|\n")


@dataclass(frozen=True)
class Chunk:
    start: int
    end: int


def article_budget(endpoint: Endpoint, policy: BriefPolicy = POLICY) -> int:
    """Tokens of article that fit one request beside everything else (see the policy)."""
    return max(policy.min_article_budget, endpoint.context_tokens() - policy.reserved_tokens())


def _units(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Paragraphs (or lines); a paragraph too long for a chunk is cut into sentences, and a
    sentence too long into whitespace-bounded pieces."""
    units: list[tuple[int, int]] = []
    pos = 0
    for m in [*_PARAGRAPH.finditer(text), None]:
        end = m.start() if m else len(text)
        if text[pos:end].strip():
            units.extend(_fit(text, pos, end, max_chars))
        if m is None:
            break
        pos = m.end()
    return units


def _fit(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    if end - start <= max_chars:
        return [(start, end)]
    out = []
    pos = start
    while pos < end:
        _, s_end = align.sentence_bounds(text, pos)
        s_end = min(max(s_end, pos + 1), end)
        if s_end - pos > max_chars:  # one huge sentence: cut at the last space that fits
            cut = text.rfind(" ", pos, pos + max_chars)
            s_end = cut if cut > pos else pos + max_chars
        out.append((pos, s_end))
        pos = s_end
        while pos < end and text[pos].isspace():
            pos += 1
    return out


def split(
    text: str, max_chars: int, overlap_chars: int = POLICY.chunk_overlap_chars
) -> list[Chunk]:
    """Greedy packing of whole units; each chunk repeats the tail of the previous one (up to
    overlap_chars of whole units) so a figure cut at a boundary is whole in one of them."""
    units = _units(text, max_chars)
    if not units:
        return []
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        start = units[i][0]
        j = i
        while j + 1 < len(units) and units[j + 1][1] - start <= max_chars:
            j += 1
        chunks.append(Chunk(start, units[j][1]))
        if j + 1 >= len(units):
            break
        nxt = j + 1
        for k in range(i + 1, j + 1):
            if units[j][1] - units[k][0] <= overlap_chars:
                nxt = k
                break
        if units[j + 1][1] - units[nxt][0] > max_chars:
            nxt = j + 1  # the overlap would leave no room for anything new
        i = nxt
    return chunks
