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
from newsbrief.text.frames import Frame, frame_of, in_period, reporting_period
from newsbrief.text.injection import injected_sentences, overlaps_injection
from newsbrief.text.numbers import (
    NumberMatch,
    find_numbers,
    overlong_numbers,
    quantity_key,
    same_quantity,
    worth_a_figure,
)
from newsbrief.text.salience import LEAD_CHARS, figure_score, policy_angle, policy_words


@dataclass(frozen=True)
class Ref:
    """A numbered part of the article the model may point at: a candidate figure (C07,
    its number at start..end) or a sentence (S12). Ids are fixed-width within one text."""

    id: str
    start: int
    end: int
    number: NumberMatch | None = None


def _ids(prefix: str, count: int) -> list[str]:
    width = max(2, len(str(count)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]


MIN_POLICY_WORDS = 6  # a policy sentence offered for an implication: a sentence, not a title
_SENTENCE_END = (".", "!", "?", '"', "\u201d", ")")


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

    def frame(self, n: NumberMatch) -> Frame:
        """What the article's sentence says of n (text.frames), read once per number."""
        found = self._frames.get(n.start)
        if found is None or found.number != n:
            found = in_period(frame_of(self.text, n, self.numbers), self.reporting_period)
            self._frames[n.start] = found
        return found

    @cached_property
    def reporting_period(self) -> str:
        """The quarter an earnings report is about, or "" (text.frames.reporting_period)."""
        return reporting_period(self.text)

    @cached_property
    def _frames(self) -> dict[int, Frame]:
        return {}

    @cached_property
    def policy_angle(self) -> bool:
        """Whether the article bears on policy (text.salience.policy_angle)."""
        return policy_angle(self.text)

    def policy_sentences(self, limit: int) -> list[Ref]:
        """The `limit` sentences that say most about policy (most different policy words,
        the earlier on a tie), in article order: what an implication is asked to follow
        from when the brief's own did not hold."""
        scored = [
            (len(policy_words(self.text[r.start : r.end])), -r.start, r)
            for r in self.sentence_refs
            if len(self.text[r.start : r.end].split()) >= MIN_POLICY_WORDS
            and self.text[r.start : r.end].rstrip().endswith(_SENTENCE_END)  # not a title
        ]
        best = sorted((t for t in scored if t[0] > 0), key=lambda t: (t[0], t[1]), reverse=True)
        return sorted((t[2] for t in best[:limit]), key=lambda r: r.start)

    def candidates(self, limit: int) -> list[NumberMatch]:
        """The distinct numbers worth offering as figures, the `limit` most salient of them
        (text.salience), in article order: bare years and small bare integers (ordinals,
        counts, index names) are left out. A number stated in a headline and again in a
        sentence is offered where the sentence states it: its quote then says what the
        number is."""
        chosen: dict[tuple[float, str], NumberMatch] = {}
        for n in self.asserted:
            if not worth_a_figure(n):
                continue
            key = quantity_key(n.value, n.unit)
            first = chosen.get(key)
            if first is None or (self._in_heading(first) and not self._in_heading(n)):
                chosen[key] = n
        if len(chosen) > limit:
            ranked = sorted(chosen.values(), key=lambda n: (-self.salience(n), n.start))
            chosen = {quantity_key(n.value, n.unit): n for n in ranked[:limit]}
        return sorted(chosen.values(), key=lambda n: n.start)

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

    @cached_property
    def _repeats(self) -> dict[tuple[float, str], int]:
        counts: dict[tuple[float, str], int] = {}
        for n in self.asserted:
            key = quantity_key(n.value, n.unit)
            counts[key] = counts.get(key, 0) + 1
        return counts

    def salience(self, n: NumberMatch) -> float:
        """How much a reader needs n (text.salience.figure_score), its position counted
        from the end of the lead: our ranking of candidates and of figures."""
        size = max(len(self.text), 1)
        position = max(0.0, n.start / size - min(LEAD_CHARS / size, 1.0))
        repeats = self._repeats.get(quantity_key(n.value, n.unit), 1)
        return figure_score(self.frame(n), position, repeats)

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
