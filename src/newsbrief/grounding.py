"""Turn the model's proposed quotes into grounded figures and evidence, or name the problem.

The model only ever proposes: a quote, a label, the number as it thinks it is written.
Offsets come from align.locate, values from numbers.find_numbers; problems are phrased
so they can go straight back to the model as a re-ask and, if still unsolved, into the
Brief's warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import align
from .draft import BriefDraft, FigureDraft, ImplicationDraft
from .injection import injected_sentences, overlaps_injection
from .models import Evidence, KeyFigure, PolicyImplication
from .numbers import NumberMatch, find_numbers, parse_number

MIN_FIGURES = 4
MAX_KEPT_FIGURES = 10  # the schema asks for 8; a little more that grounds is still welcome
MAX_IMPLICATIONS = 4
MAX_SUMMARY_SENTENCES = 4
LABEL_CONTEXT = 300  # chars before the sentence where the label's subject may be named
_WORD = re.compile(r"[A-Za-z][A-Za-z&'-]+")
_LABEL_STOP = {
    "The", "A", "An", "Of", "In", "On", "And", "For", "To", "Year", "YTD", "Index", "Close",
    "Closing", "Level", "Gain", "Rise", "Fall", "Change", "Growth", "Rate", "Total", "Value",
    "Price", "Stock", "Market", "Share", "Shares", "Percent", "Daily", "Annual", "Quarterly",
}  # fmt: skip


def asserted_numbers(text: str) -> list[NumberMatch]:
    """The article's numbers, less those inside sentences addressed to the model."""
    injected = injected_sentences(text)
    return [n for n in find_numbers(text) if not overlaps_injection(n.start, n.end, injected)]


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


def _same_number(a: NumberMatch, value: float, unit: str) -> bool:
    return a.value == value and (a.unit == unit or not a.unit or not unit)


def _pick_number(draft: FigureDraft, numbers: list[NumberMatch]) -> NumberMatch | None:
    wanted = draft.number_text.strip()
    for n in numbers:
        if n.text == wanted:
            return n
    try:
        value, unit = parse_number(wanted)
    except ValueError:
        return None
    matches = [n for n in numbers if _same_number(n, value, unit)]
    return matches[0] if matches else None


def _anchor_number(draft: FigureDraft, text: str) -> tuple[align.Span, NumberMatch] | None:
    """Where the article states draft.number_text; with several occurrences, the one the
    label and quote point at, else the first."""
    try:
        value, unit = parse_number(draft.number_text)
    except ValueError:
        return None
    hits = [n for n in find_numbers(text) if _same_number(n, value, unit)]
    if not hits:
        return None
    chosen = hits[0]
    if len(hits) > 1:
        context = align.locate(f"{draft.label}: {draft.number_text}. {draft.quote}", text)
        inside = [n for n in hits if context and context.start <= n.start < context.end]
        chosen = inside[0] if inside else chosen
    return align.span_around(text, chosen), chosen


def _label_mismatch(label: str, text: str, start: int, end: int) -> str | None:
    """Names in the label that its sentence never mentions: a figure copied onto the wrong
    subject (a weak model put one index's level on three indices)."""
    s_start, s_end = align.sentence_bounds(text, start)
    context = text[max(0, min(s_start, start) - LABEL_CONTEXT) : max(s_end, end)].lower()
    names = [w for w in _WORD.findall(label) if w[0].isupper() and w not in _LABEL_STOP]
    if names and not any(name.lower() in context for name in names):
        return ", ".join(names)
    return None


def ground_figure(
    i: int, draft: FigureDraft, text: str, injected: list[tuple[int, int]] | None = None
) -> KeyFigure | str:
    where = f"key_figures[{i}] ({draft.label!r})"
    span = align.locate(draft.quote, text)
    numbers = find_numbers(text[span.start : span.end]) if span else []
    number = _pick_number(draft, numbers)
    if number is None:
        # The quote is wrong but the number may be real: anchor number_text where the article
        # states it (never if it is not in the text).
        anchored = _anchor_number(draft, text)
        if anchored is not None:
            span, number = anchored
            numbers = [number]
    if span is None:
        return f"{where}: quote {draft.quote!r} is not in the article; copy the words verbatim"
    quote = text[span.start : span.end]
    if overlaps_injection(
        span.start, span.end, injected if injected is not None else injected_sentences(text)
    ):
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
    i: int, draft: ImplicationDraft, text: str, injected: list[tuple[int, int]] | None = None
) -> PolicyImplication | str:
    span = align.locate(draft.evidence, text)
    if span is None:
        return (
            f"policy_implications[{i}] ({draft.statement!r}): evidence {draft.evidence!r} "
            "is not in the article; copy the words verbatim"
        )
    quote = text[span.start : span.end]
    if overlaps_injection(
        span.start, span.end, injected if injected is not None else injected_sentences(text)
    ):
        return f"policy_implications[{i}] ({draft.statement!r}): evidence {quote!r} {_INJECTED}"
    return PolicyImplication(
        statement=draft.statement.strip(),
        actor=draft.actor.strip(),
        evidence=Evidence(quote=quote, start=span.start, end=span.end),
    )


def ungrounded_numbers(sentence: str, in_text: list[NumberMatch]) -> list[str]:
    """Numbers a sentence states that the article never does."""
    return [
        n.text
        for n in find_numbers(sentence)
        if not any(_same_number(t, n.value, n.unit) for t in in_text)
    ]


def candidate_numbers(text: str, limit: int = 40) -> list[NumberMatch]:
    """Distinct numbers worth offering the model as figures, in article order: bare years and
    small bare integers (ordinals, counts, index names) are left out."""
    out: list[NumberMatch] = []
    seen: set[tuple[float, str]] = set()
    for n in asserted_numbers(text):
        bare = not n.unit and n.value.is_integer()
        if bare and (1900 <= n.value <= 2100 or abs(n.value) < 1000):
            continue
        if (n.value, n.unit) not in seen:
            seen.add((n.value, n.unit))
            out.append(n)
        if len(out) >= limit:
            break
    return out


def figures_wanted(text: str) -> int:
    """How many figures to demand: articles with numbers to spare get MIN_FIGURES; index
    names ("Nikkei 225") and years count as numbers too, so half the distinct ones is fair."""
    return min(MIN_FIGURES, len({(n.value, n.unit) for n in find_numbers(text)}) // 2)


def ground(draft: BriefDraft, text: str, wanted: int | None = None) -> Grounded:
    result = Grounded()
    injected = injected_sentences(text)
    seen: set[tuple[float, str]] = set()
    for i, fig in enumerate(draft.key_figures):
        figure = ground_figure(i, fig, text, injected)
        if isinstance(figure, str):
            result.dropped.append(figure)
            continue
        key = (figure.value, figure.unit)
        if key in seen:
            result.dropped.append(
                f"key_figures[{i}] ({figure.label!r}) repeats {figure.number_text}, already given; "
                "each figure must be a different number"
            )
            continue
        seen.add(key)
        names = _label_mismatch(figure.label, text, figure.start, figure.end)
        if names:
            result.notes.append(
                f"figure {figure.label!r}: its quote does not mention {names}; check the label"
            )
        result.figures.append(figure)
    for i, imp in enumerate(draft.policy_implications):
        implication = ground_implication(i, imp, text, injected)
        if isinstance(implication, str):
            result.dropped.append(implication)
        else:
            result.implications.append(implication)
    wanted = figures_wanted(text) if wanted is None else wanted
    if len(result.figures) < wanted:
        unused = [c for c in candidate_numbers(text) if (c.value, c.unit) not in seen]
        hint = ", ".join(c.text for c in unused[:12])
        result.shortfall = (
            f"only {len(result.figures)} key figures could be grounded; give at least {wanted}, "
            "each with a quote copied verbatim from the article"
            + (f"; numbers the article states that you have not used: {hint}" if hint else "")
        )
    in_text = asserted_numbers(text)
    kept = []
    for sentence in draft.summary[:MAX_SUMMARY_SENTENCES]:
        invented = ungrounded_numbers(sentence, in_text)
        if invented:
            result.dropped.append(
                f"summary sentence {sentence.strip()!r} states {', '.join(invented)}, "
                "which the article never states; use only numbers from the article"
            )
        elif sentence.strip():
            kept.append(" ".join(sentence.split()))
    if len(draft.summary) > MAX_SUMMARY_SENTENCES:
        result.notes.append(f"summary cut to its first {MAX_SUMMARY_SENTENCES} sentences")
    result.summary = " ".join(kept)
    for name, limit in (("figures", MAX_KEPT_FIGURES), ("implications", MAX_IMPLICATIONS)):
        items = getattr(result, name)
        if len(items) > limit:
            result.notes.append(f"kept the first {limit} of {len(items)} grounded {name}")
            setattr(result, name, items[:limit])
    return result
