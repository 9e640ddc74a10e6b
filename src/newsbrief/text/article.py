"""ArticleText: one article (or chunk) analysed once, then passed on.

Prompt building, grounding and the figure demand all need the same facts about the text:
its numbers, which of them sit in sentences addressed to the model, and which are worth
offering as figures. Each is computed here, at most once per text.
"""

from __future__ import annotations

from functools import cached_property

from newsbrief.text.injection import injected_sentences, overlaps_injection
from newsbrief.text.numbers import NumberMatch, find_numbers, quantity_key, same_quantity


class ArticleText:
    """The text plus its lazily computed, memoised analysis. Immutable by convention."""

    def __init__(self, text: str) -> None:
        self.text = text

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
        small bare integers (ordinals, counts, index names) are left out."""
        out: list[NumberMatch] = []
        seen: set[tuple[float, str]] = set()
        for n in self.asserted:
            bare = not n.unit and n.value.is_integer()
            if bare and (1900 <= n.value <= 2100 or abs(n.value) < 1000):
                continue
            key = quantity_key(n.value, n.unit)
            if key not in seen:
                seen.add(key)
                out.append(n)
            if len(out) >= limit:
                break
        return out

    def states(self, value: float, unit: str) -> bool:
        """Whether the article asserts this quantity somewhere."""
        return any(same_quantity(n, value, unit) for n in self.asserted)

    def unstated(self, sentence: str) -> list[str]:
        """Numbers a sentence of ours states that the article never does."""
        return [n.text for n in find_numbers(sentence) if not self.states(n.value, n.unit)]
