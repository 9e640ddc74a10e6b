"""The summary: sentences the model chose, kept in its wording only when they hold, else the
source sentence; never a heading or a quotation; at least the policy's minimum, filled from
our ranking. Also the word checks the summary and the implications share (which numbers a
text invents, how many words it shares with a passage, when two sentences repeat).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsbrief.brief.labels import mention_problem
from newsbrief.brief.policy import BriefPolicy
from newsbrief.contract import (
    KeyFigure,
    Note,
    Span,
    SummarySentence,
)
from newsbrief.text import align
from newsbrief.text.article import ArticleText, Ref
from newsbrief.text.numbers import (
    NumberMatch,
    find_numbers,
    overlong_numbers,
    same_quantity,
    worth_a_figure,
)
from newsbrief.text.words import content_words

ID_MARK = re.compile(r" ?\[[CS]\d{2,4}\]")  # our prompt's ids, copied into prose by the model
REPEAT_OVERLAP = 0.6  # summary sentences sharing this share of their words say one thing
HEADING_WORDS = 16  # a line this short without closing punctuation is a heading
_SENTENCE_ENDS = (".", "!", "?", '"', "\u201d", "'", ")")
MIN_SHARED_WORDS = 2  # an implication and its evidence share at least these content words


def invented_numbers(statement: str, quote: str) -> list[str]:
    """Numbers a statement of ours states that the passage does not (same value and unit)."""
    stated = find_numbers(quote)
    found = [
        n.text
        for n in find_numbers(statement)
        if worth_a_figure(n) and not any(same_stated(m, n) for m in stated)
    ]
    return found + overlong_numbers(statement)


def shared_words(statement: str, quote: str) -> int:
    """How many content words a statement shares with a passage (0 when the statement
    states a number the passage does not)."""
    if invented_numbers(statement, quote):
        return 0
    return len(content_words(statement) & content_words(quote))


def same_stated(source: NumberMatch, said: NumberMatch) -> bool:
    """A number we write states the source's number: the same value, and the same unit
    (an index level is never "$57,890"); an unstated unit only where the source has none
    or the source's unit is spelled out elsewhere in our sentence."""
    return same_quantity(source, said.value, said.unit) and (
        source.unit == said.unit or (not said.unit and source.unit in ("", "points"))
    )


def _written_problem(written: str, source: Span, article: ArticleText) -> str | None:
    """Why the model's wording of a source sentence cannot stand: a number the source does
    not state with the same unit, words around a number that contradict its frame, or a
    sentence about something else."""
    quote = source.quote
    stated = [m for m in article.numbers_within(source.start, source.end)]
    for n in find_numbers(written):
        match = next((m for m in stated if same_stated(m, n)), None)
        if match is None:
            if not worth_a_figure(n) and article.states(n.value, n.unit):
                continue  # a year, a count, an index's name
            return f"states {n.text}, which its sentence does not (with that unit)"
        c0, c1 = align.clause_bounds(written, n.start, n.end)
        found = mention_problem(written[c0:c1], article, match)
        if found:
            return f"says of {n.text}: {found}"
    if overlong_numbers(written):
        return "states a number too long to read"
    words = content_words(written)
    if not words or len(words & content_words(quote)) < min(MIN_SHARED_WORDS, len(words)):
        return "is not about the sentence it names"
    if len(written) > len(quote) + 40:
        return "is longer than the sentence it shortens"
    return None


def _source_text(article: ArticleText, ref: Ref, limit: int) -> Span:
    """The source sentence as a summary sentence: whole, or cut at its last clause break
    within `limit` characters when long."""
    start, end = ref.start, ref.end
    if end - start > limit:
        text = article.text
        cut = max(
            (m.start() for m in re.finditer(r"[,;:](?=\s)", text[start : start + limit])),
            default=None,
        )
        if cut is not None and cut > limit // 3:
            end = start + cut
    quote = article.text[start:end].rstrip(",;: ")
    return Span(quote=quote, start=start, end=start + len(quote))


def _end_sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(_SENTENCE_ENDS) else text + "."


@dataclass
class SummaryChoices:
    """What a summary may be built from: the chosen sentences (refs, in the model's order)
    with the model's wording of each ("" when it gave none)."""

    refs: list[Ref]
    written: list[str]


def build_summary(
    choices: SummaryChoices,
    article: ArticleText,
    fallback: list[Ref],
    policy: BriefPolicy,
    notes: list[Note],
) -> list[SummarySentence]:
    """The summary, grounded by construction: each chosen sentence as the model wrote it
    when its every number is the source's (same value, same unit) and its words agree with
    the numbers' frames, else the source sentence itself. Repeats are dropped; at least
    `policy.min_summary_sentences` when the article has that many sentences, filled from
    `fallback` (our ranking)."""
    out: list[SummarySentence] = []
    said: list[set[str]] = []
    used: set[int] = set()

    def add(ref: Ref, written: str) -> None:
        if len(out) >= policy.max_summary_sentences:
            return
        text = " ".join(ID_MARK.sub("", written).split())
        source = _source_text(article, ref, policy.max_summary_chars)
        problem = _written_problem(text, source, article) if text else None
        if problem is not None:
            # The id is a hint: a small model often names the sentence next to the one it
            # rewrote. The sentence that bears the wording out is its source.
            other = best_sentence(text, article.sentence_refs, article)
            if other is not None and other.start != ref.start:
                moved = _source_text(article, other, policy.max_summary_chars)
                if _written_problem(text, moved, article) is None:
                    ref, source, problem = other, moved, None
        if ref.start in used:
            if written:  # the same source sentence chosen twice
                notes.append(
                    Note(
                        kind="summary_dropped",
                        text=f"dropped a summary sentence that repeats another: {written!r}",
                    )
                )
            return
        if is_heading(source.quote) or is_quotation(source.quote):
            what = "a heading" if is_heading(source.quote) else "a quotation, not a fact"
            notes.append(
                Note(
                    kind="summary_dropped",
                    text=f"summary sentence {source.quote!r} is {what}; left out",
                )
            )
            return
        origin = "source"
        if text:
            if problem is None:
                origin = "written"
            else:
                notes.append(
                    Note(
                        kind="summary_fixed",
                        text=f"summary sentence {text!r} {problem}; used its source sentence",
                    )
                )
        final = _end_sentence(text) if origin == "written" else source.quote
        words = content_words(final)
        if repeats(words, said):
            notes.append(
                Note(
                    kind="summary_dropped",
                    text=f"dropped a summary sentence that repeats another: {final!r}",
                )
            )
            return
        used.add(ref.start)
        said.append(words)
        out.append(SummarySentence(text=final, origin=origin, spans=[source]))  # type: ignore[arg-type]

    for ref, written in zip(choices.refs, choices.written, strict=True):
        add(ref, written)
    wanted = min(policy.min_summary_sentences, len(article.sentence_refs))
    if len(out) < wanted:
        before = len(out)
        for ref in fallback:
            if len(out) >= wanted:
                break
            add(ref, "")
        if len(out) > before:
            notes.append(
                Note(
                    kind="summary_fixed",
                    text=f"summary: added {len(out) - before} lead sentence(s) our code "
                    "ranks first",
                )
            )
    return out


def repeats(words: set[str], said: list[set[str]]) -> bool:
    return any(len(words & w) >= REPEAT_OVERLAP * min(len(words), len(w)) > 0 for w in said)


def is_heading(sentence: str) -> bool:
    """A title or section heading, not a sentence: short, with no closing punctuation."""
    words = sentence.split()
    return len(words) < HEADING_WORDS and not sentence.rstrip().endswith(_SENTENCE_ENDS)


_QUOTED = re.compile(
    r"[\"\u201c\u201d\u00ab\u00bb][^\"\u201c\u201d\u00ab\u00bb]*[\"\u201c\u201d\u00ab\u00bb]"
)


QUOTED_SHARE = 0.5  # a sentence this much in quotation marks is somebody's words


def is_quotation(sentence: str) -> bool:
    """Somebody's words rather than the article's report: half the sentence or more inside
    quotation marks, or opening with one. A summary states facts; a quote only colours them."""
    text = sentence.strip()
    if not text:
        return False
    if text[0] in '"\u201c\u00ab':
        return True
    inside = sum(len(m.group(0)) for m in _QUOTED.finditer(text))
    return inside >= QUOTED_SHARE * len(text)


def lead_sentences(article: ArticleText, figures: list[KeyFigure]) -> list[Ref]:
    """Sentences our code would lead a summary with: those stating the brief's first
    figures, then the article's first sentences of some length (headings left out)."""
    refs = [
        r
        for r in article.sentence_refs
        if len(content_words(article.text[r.start : r.end])) >= 5
        and not is_heading(article.text[r.start : r.end])
        and not is_quotation(article.text[r.start : r.end])
    ]
    stating = [r for f in figures for r in refs if r.start <= f.start < r.end]
    return list(dict.fromkeys(stating[:2] + refs[:3]))


def best_sentence(written: str, refs: list[Ref], article: ArticleText) -> Ref | None:
    """The sentence a bare summary sentence (no id) rests on: the one sharing most words."""
    best = max(
        refs, key=lambda r: shared_words(written, article.text[r.start : r.end]), default=None
    )
    if (
        best is None
        or shared_words(written, article.text[best.start : best.end]) < MIN_SHARED_WORDS
    ):
        return None
    return best
