"""Turn the model's proposed quotes into grounded figures and evidence, or name the problem.

The model only ever proposes: a quote, a label, the number as it thinks it is written.
Offsets come from align.locate, values from the article's own numbers (ArticleText);
problems are phrased so they can go straight back to the model as a re-ask and, if still
unsolved, into the Brief's warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsbrief.brief.drafts import BriefDraft, FigureDraft, ImplicationDraft
from newsbrief.brief.policy import POLICY, BriefPolicy
from newsbrief.contract import Evidence, KeyFigure, PolicyImplication
from newsbrief.text import align
from newsbrief.text.article import ArticleText
from newsbrief.text.numbers import (
    NumberMatch,
    find_numbers,
    parse_number,
    quantity_key,
    same_quantity,
)

_WORD = re.compile(r"[A-Za-z][A-Za-z&'-]+")
_LABEL_STOP = {
    "The", "A", "An", "Of", "In", "On", "And", "For", "To", "Year", "YTD", "Index", "Close",
    "Closing", "Level", "Gain", "Rise", "Fall", "Change", "Growth", "Rate", "Total", "Value",
    "Price", "Stock", "Market", "Share", "Shares", "Percent", "Daily", "Annual", "Quarterly",
}  # fmt: skip
_INJECTED = "comes from a sentence that gives instructions to the model (possible prompt injection)"


@dataclass
class Grounded:
    summary: str = ""  # the draft's sentences that state no number the article lacks
    figures: list[KeyFigure] = field(default_factory=list)
    implications: list[PolicyImplication] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # proposals that did not ground
    shortfall: str | None = None  # fewer figures than the article can support
    notes: list[str] = field(default_factory=list)  # kept, but worth a warning

    @property
    def problems(self) -> list[str]:
        """Everything worth a re-ask, phrased for the model."""
        return self.dropped + ([self.shortfall] if self.shortfall else [])

    @property
    def warnings(self) -> list[str]:
        """What the Brief must say about what did not survive (after the last attempt)."""
        found = [f"dropped: {d}" for d in self.dropped]
        return found + ([self.shortfall] if self.shortfall else []) + self.notes

    @property
    def score(self) -> int:
        """How much of an answer grounded: the best attempt is the one with most."""
        return len(self.figures) + len(self.implications)


def _pick_number(draft: FigureDraft, numbers: list[NumberMatch]) -> NumberMatch | None:
    wanted = draft.number_text.strip()
    for n in numbers:
        if n.text == wanted:
            return n
    try:
        value, unit = parse_number(wanted)
    except ValueError:
        return None
    matches = [n for n in numbers if same_quantity(n, value, unit)]
    return matches[0] if matches else None


def _anchor_number(
    draft: FigureDraft, article: ArticleText
) -> tuple[align.Located, NumberMatch] | None:
    """Where the article states draft.number_text; with several occurrences, the one the
    label and quote point at, else the first."""
    try:
        value, unit = parse_number(draft.number_text)
    except ValueError:
        return None
    hits = [n for n in article.numbers if same_quantity(n, value, unit)]
    if not hits:
        return None
    chosen = hits[0]
    text = article.text
    if len(hits) > 1:
        context = align.locate(f"{draft.label}: {draft.number_text}. {draft.quote}", text)
        inside = [n for n in hits if context and context.start <= n.start < context.end]
        chosen = inside[0] if inside else chosen
    return align.span_around(text, chosen), chosen


def _label_mismatch(
    label: str, text: str, start: int, end: int, policy: BriefPolicy = POLICY
) -> str | None:
    """Names in the label that its sentence never mentions: a figure copied onto the wrong
    subject (a weak model put one index's level on three indices)."""
    s_start, s_end = align.sentence_bounds(text, start)
    before = max(0, min(s_start, start) - policy.label_context_chars)
    context = text[before : max(s_end, end)].lower()
    names = [w for w in _WORD.findall(label) if w[0].isupper() and w not in _LABEL_STOP]
    if names and not any(name.lower() in context for name in names):
        return ", ".join(names)
    return None


def ground_figure(i: int, draft: FigureDraft, article: ArticleText) -> KeyFigure | str:
    text = article.text
    where = f"key_figures[{i}] ({draft.label!r})"
    span = align.locate(draft.quote, text)
    numbers = find_numbers(text[span.start : span.end]) if span else []
    number = _pick_number(draft, numbers)
    if number is None:
        # The quote is wrong but the number may be real: anchor number_text where the article
        # states it (never if it is not in the text).
        anchored = _anchor_number(draft, article)
        if anchored is not None:
            span, number = anchored
            numbers = [number]
    if span is None:
        return f"{where}: quote {draft.quote!r} is not in the article; copy the words verbatim"
    quote = text[span.start : span.end]
    if article.is_injected(span.start, span.end):
        return f"{where}: quote {quote!r} {_INJECTED}"
    if not numbers:
        return f"{where}: quote {quote!r} contains no number, so it is not a figure"
    if number is None:
        listed = ", ".join(repr(n.text) for n in numbers)
        return (
            f"{where}: number_text {draft.number_text!r} does not occur in its quote; "
            f"the quote contains {listed}"
        )
    return KeyFigure(
        label=draft.label.strip(),
        quote=quote,
        start=span.start,
        end=span.end,
        number_text=number.text,
        value=number.value,
        unit=number.unit,
        grounding=span.method,
    )


def ground_implication(
    i: int, draft: ImplicationDraft, article: ArticleText
) -> PolicyImplication | str:
    span = align.locate(draft.evidence, article.text)
    if span is None:
        return (
            f"policy_implications[{i}] ({draft.statement!r}): evidence {draft.evidence!r} "
            "is not in the article; copy the words verbatim"
        )
    quote = article.text[span.start : span.end]
    if article.is_injected(span.start, span.end):
        return f"policy_implications[{i}] ({draft.statement!r}): evidence {quote!r} {_INJECTED}"
    return PolicyImplication(
        statement=draft.statement.strip(),
        actor=draft.actor.strip(),
        evidence=Evidence(quote=quote, start=span.start, end=span.end),
    )


def summary_sentences(
    sentences: Iterable[str], article: ArticleText, limit: int
) -> tuple[list[str], list[str]]:
    """(kept, problems): the one summary filter. A sentence stating a number the article
    never states is dropped and named; at most `limit` sentences are read."""
    kept: list[str] = []
    problems: list[str] = []
    for sentence in list(sentences)[:limit]:
        invented = article.unstated(sentence)
        if invented:
            problems.append(
                f"summary sentence {sentence.strip()!r} states {', '.join(invented)}, "
                "which the article never states; use only numbers from the article"
            )
        elif sentence.strip():
            kept.append(" ".join(sentence.split()))
    return kept, problems


def distinct_figures(figures: Iterable[KeyFigure]) -> tuple[list[KeyFigure], list[KeyFigure]]:
    """(first of each quantity, repeats): the one dedupe, by (value, unit)."""
    seen: set[tuple[float, str]] = set()
    kept: list[KeyFigure] = []
    repeats: list[KeyFigure] = []
    for f in figures:
        key = quantity_key(f.value, f.unit)
        (repeats if key in seen else kept).append(f)
        seen.add(key)
    return kept, repeats


def ground(
    draft: BriefDraft, article: ArticleText, wanted: int, policy: BriefPolicy = POLICY
) -> Grounded:
    result = Grounded()
    proposed: list[KeyFigure] = []
    positions: dict[int, int] = {}  # id(figure) -> index in the draft, for messages
    for i, fig in enumerate(draft.key_figures):
        figure = ground_figure(i, fig, article)
        if isinstance(figure, str):
            result.dropped.append(figure)
        else:
            positions[id(figure)] = i
            proposed.append(figure)
    kept, repeats = distinct_figures(proposed)
    for figure in repeats:
        result.dropped.append(
            f"key_figures[{positions[id(figure)]}] ({figure.label!r}) repeats "
            f"{figure.number_text}, already given; each figure must be a different number"
        )
    for figure in kept:
        names = _label_mismatch(figure.label, article.text, figure.start, figure.end, policy)
        if names:
            result.notes.append(
                f"figure {figure.label!r}: its quote does not mention {names}; check the label"
            )
    result.figures = kept
    for i, imp in enumerate(draft.policy_implications):
        implication = ground_implication(i, imp, article)
        if isinstance(implication, str):
            result.dropped.append(implication)
        else:
            result.implications.append(implication)
    if len(result.figures) < wanted:
        used = {quantity_key(f.value, f.unit) for f in result.figures}
        unused = [
            c for c in article.candidates(policy.candidate_numbers)
            if quantity_key(c.value, c.unit) not in used
        ]  # fmt: skip
        hint = ", ".join(c.text for c in unused[: policy.shortfall_hint])
        result.shortfall = (
            f"only {len(result.figures)} key figures could be grounded; give at least {wanted}, "
            "each with a quote copied verbatim from the article"
            + (f"; numbers the article states that you have not used: {hint}" if hint else "")
        )
    limit = policy.max_summary_sentences
    sentences, problems = summary_sentences(draft.summary, article, limit)
    result.dropped += problems
    if len(draft.summary) > limit:
        result.notes.append(f"summary cut to its first {limit} sentences")
    result.summary = " ".join(sentences)
    for name, most in (("figures", policy.max_figures), ("implications", policy.max_implications)):
        items = getattr(result, name)
        if len(items) > most:
            result.notes.append(f"kept the first {most} of {len(items)} grounded {name}")
            setattr(result, name, items[:most])
    return result
