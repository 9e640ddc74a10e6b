"""ArticleText: one article (or chunk) analysed once, then passed on.

Prompt building, grounding and the figure demand all need the same facts about the text:
its numbers, which of them sit in sentences addressed to the model, and which are worth
offering as figures. Each is computed here, at most once per text.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

from newsbrief.text import align
from newsbrief.text.injection import injected_sentences, overlaps_injection
from newsbrief.text.numbers import (
    NumberMatch,
    find_numbers,
    overlong_numbers,
    quantity_key,
    same_quantity,
)


@dataclass(frozen=True)
class Ref:
    """A numbered part of the article the model may point at: a candidate figure (C07,
    its number at start..end) or a sentence (S12). Ids are fixed-width within one text."""

    id: str
    start: int
    end: int
    number: NumberMatch | None = None


def worth_a_figure(n: NumberMatch) -> bool:
    """Bare years and small bare integers (ordinals, counts, index names) are never offered
    as figures, and a sentence of ours may state them freely."""
    bare = not n.unit and n.value.is_integer()
    return not (bare and (1900 <= n.value <= 2100 or abs(n.value) < 1000))


def _ids(prefix: str, count: int) -> list[str]:
    width = max(2, len(str(count)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]


class ArticleText:
    """The text plus its lazily computed, memoised analysis. Immutable by convention."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._refs: dict[int, list[Ref]] = {}

    def __repr__(self) -> str:
        return f"ArticleText({len(self.text)} chars)"

    @cached_property
    def numbers(self) -> list[NumberMatch]:
        """Every number expression, left to right."""
        return find_numbers(self.text)

    @cached_property
    def injected(self) -> list[tuple[int, int]]:
        """Sentences that address the model instead of the reader (prompt injection)."""
        return injected_sentences(self.text)

    def is_injected(self, start: int, end: int) -> bool:
        return overlaps_injection(start, end, self.injected)

    @cached_property
    def asserted(self) -> list[NumberMatch]:
        """The numbers the article states, less those inside injected sentences."""
        return [n for n in self.numbers if not self.is_injected(n.start, n.end)]

    @cached_property
    def distinct_numbers(self) -> int:
        return len({quantity_key(n.value, n.unit) for n in self.numbers})

    def candidates(self, limit: int) -> list[NumberMatch]:
        """Distinct numbers worth offering as figures, in article order: bare years and
        small bare integers (ordinals, counts, index names) are left out. A number stated
        in a headline and again in a sentence is offered where the sentence states it: its
        quote then says what the number is."""
        chosen: dict[tuple[float, str], NumberMatch] = {}
        for n in self.asserted:
            if not worth_a_figure(n):
                continue
            key = quantity_key(n.value, n.unit)
            first = chosen.get(key)
            if first is None or (self._in_heading(first) and not self._in_heading(n)):
                chosen[key] = n
        return sorted(chosen.values(), key=lambda n: n.start)[:limit]

    def _in_heading(self, n: NumberMatch) -> bool:
        """On a line that does not end like a sentence (a title, a heading)."""
        end = self.text.find("\n", n.end)
        line = self.text[n.end : len(self.text) if end == -1 else end].rstrip()
        return not line.endswith((".", "!", "?", '"', "\u201d", ")"))

    def states(self, value: float, unit: str) -> bool:
        """Whether the article asserts this quantity somewhere."""
        return any(same_quantity(n, value, unit) for n in self.asserted)

    def unstated(self, sentence: str) -> list[str]:
        """Numbers a sentence of ours states that the article never does (a digit run too long
        to parse counts as one)."""
        found = [n.text for n in find_numbers(sentence) if not self.states(n.value, n.unit)]
        return found + overlong_numbers(sentence)

    def figure_refs(self, limit: int) -> list[Ref]:
        """The candidates with their ids (C01...): what the model may choose as figures."""
        if limit not in self._refs:
            found = self.candidates(limit)
            ids = _ids("C", len(found))
            self._refs[limit] = [Ref(i, n.start, n.end, n) for i, n in zip(ids, found, strict=True)]
        return self._refs[limit]

    def numbers_within(self, start: int, end: int) -> list[NumberMatch]:
        """The number expressions wholly inside text[start:end], from the memoised list."""
        i = bisect.bisect_left(self._starts, start)
        found = []
        for n in self.numbers[i:]:
            if n.start >= end:
                break
            if n.end <= end:
                found.append(n)
        return found

    @cached_property
    def _starts(self) -> list[int]:
        return [n.start for n in self.numbers]

    @cached_property
    def sentence_refs(self) -> list[Ref]:
        """The sentences with their ids (S01...), those addressed to the model left out: what
        an implication may cite as evidence."""
        spans = [s for s in align.sentence_spans(self.text) if not self.is_injected(*s)]
        return [Ref(i, a, b) for i, (a, b) in zip(_ids("S", len(spans)), spans, strict=True)]

    def marked(self, limit: int) -> str:
        """The text as the model sees it: each sentence opens with its id, each candidate
        number is followed by its id ("[S03] Shares fell 3.2% [C01] to $41.50 [C02]").
        Inline ids cost a few tokens each where a separate list repeats the article."""
        inserts = [(r.start, 0, f"[{r.id}] ") for r in self.sentence_refs]
        inserts += [(r.end, 1, f" [{r.id}]") for r in self.figure_refs(limit)]
        out: list[str] = []
        last = 0
        for pos, _, mark in sorted(inserts):
            out.append(self.text[last:pos])
            out.append(mark)
            last = pos
        out.append(self.text[last:])
        return "".join(out)
