"""Per-brief scores: grounding re-checked, figure recall, label accuracy, duplicates, cost.

Every function here is pure: a Brief (and gold or reference data) in, numbers out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from newsbrief.contract import Brief
from newsbrief.evaluate.tables import pct
from newsbrief.text.numbers import (
    NumberMatch,
    find_numbers,
    parse_number,
    quantity_key,
    same_quantity,
)
from newsbrief.text.words import restates

MIN_EVIDENCE_WORDS = 3  # a single word ("the") is not evidence
_WORDS = re.compile(r"[a-z0-9]+")
_SCALE_WORDS = {"trillion": 12, "tn": 12, "trn": 12, "billion": 9, "bn": 9, "million": 6,
                "mn": 6, "mln": 6, "thousand": 3, "k": 3}  # fmt: skip


@dataclass
class Grounding:
    """Items checked against the article text by offsets and parsing, none trusted."""

    figures: int = 0
    figures_ok: int = 0
    evidence: int = 0
    evidence_ok: int = 0
    stated_numbers: int = 0  # numbers in the summary and implication statements
    stated_ok: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        total = self.figures + self.evidence + self.stated_numbers
        ok = self.figures_ok + self.evidence_ok + self.stated_ok
        return ok / total if total else None


def check_grounding(brief: Brief) -> Grounding:
    text = brief.source.text
    numbers = find_numbers(text)
    g = Grounding()
    for f in brief.key_figures:
        g.figures += 1
        exact = text[f.start : f.end] == f.quote
        here = [
            n for n in numbers
            if f.start <= n.start and n.end <= f.end and n.text == f.number_text
            and (n.value, n.unit) == (f.value, f.unit)
        ]  # fmt: skip
        if exact and here:
            g.figures_ok += 1
        else:
            g.failures.append(f"figure {f.label!r} {f.number_text!r} at [{f.start}:{f.end}]")
    for p in brief.policy_implications:
        g.evidence += 1
        e = p.evidence
        words = len(_WORDS.findall(e.quote.lower()))
        if text[e.start : e.end] == e.quote and words >= MIN_EVIDENCE_WORDS:
            g.evidence_ok += 1
        else:
            g.failures.append(f"evidence {e.quote!r} for {p.statement!r}")
    statements = [brief.summary] + [p.statement for p in brief.policy_implications]
    for statement in statements:
        for n in find_numbers(statement):
            g.stated_numbers += 1
            if any(same_quantity(t, n.value, n.unit) for t in numbers):
                g.stated_ok += 1
            else:
                g.failures.append(f"stated number {n.text!r} is not in the article")
    return g


# --- figure recall against reference bullets ----------------------------------------------


def _precision(n: NumberMatch) -> float:
    """Half a unit in the last written place, scaled: "$452.2 million" -> 50,000."""
    digits = re.search(r"\d[\d,]*(?:\.(\d+))?", n.text)
    decimals = len(digits.group(1)) if digits and digits.group(1) else 0
    scale = 0
    for word in _WORDS.findall(n.text.lower()):
        scale = max(scale, _SCALE_WORDS.get(word, 0))
    return float(Decimal(5) * Decimal(10) ** (scale - decimals - 1))


def _percentish(unit: str) -> bool:
    return unit in ("%", "pp")


def matches_reference(figure: NumberMatch, reference: NumberMatch) -> bool:
    """The same figure as written in a reference bullet, allowing for rounding as written
    on either side ("$452.2 million" matches "$452 million"; "2.5%" matches "2.5 percent")
    and for a stated fall written without its sign."""
    if _percentish(figure.unit) != _percentish(reference.unit):
        return False
    tolerance = max(_precision(figure), _precision(reference))
    return any(abs(abs(figure.value) - abs(v)) <= tolerance for v in (reference.value,))


def reference_figures(bullets: list[str]) -> list[NumberMatch]:
    """Distinct figures stated in reference bullets: years and small bare counts left out."""
    out: list[NumberMatch] = []
    seen: set[tuple[float, str]] = set()
    for bullet in bullets:
        for n in find_numbers(bullet):
            bare = not n.unit and float(n.value).is_integer()
            if bare and (1900 <= n.value <= 2100 or abs(n.value) < 10):
                continue
            if quantity_key(n.value, n.unit) not in seen:
                seen.add(quantity_key(n.value, n.unit))
                out.append(n)
    return out


def figure_recall(brief: Brief, bullets: list[str]) -> tuple[int, int]:
    """(reference figures found among the brief's figures, reference figures)."""
    got = []
    for f in brief.key_figures:
        try:
            value, unit = parse_number(f.number_text)
        except ValueError:
            continue
        got.append(NumberMatch(0, len(f.number_text), f.number_text, value, unit))
    return recall_of(got, bullets)


def recall_of(got: list[NumberMatch], bullets: list[str]) -> tuple[int, int]:
    """(reference figures found among `got`, reference figures): any extractor's figures."""
    wanted = reference_figures(bullets)
    found = sum(any(matches_reference(g, r) for g in got) for r in wanted)
    return found, len(wanted)


# --- labels against gold ------------------------------------------------------------------


@dataclass
class GoldItem:
    number: str
    key: bool
    subject: list[str]
    measure: list[str]
    wrong: list[str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GoldItem:
        return cls(
            number=str(data["number"]),
            key=bool(data.get("key", False)),
            subject=[str(t).lower() for t in data.get("subject", [])],
            measure=[str(t).lower() for t in data.get("measure", [])],
            wrong=[str(t).lower() for t in data.get("wrong", [])],
        )

    def value(self) -> tuple[float, str]:
        return parse_number(self.number)

    def verdict(self, label: str) -> str:
        """right, vague or wrong, by the gold README's rule."""
        low = label.lower()
        if any(t in low for t in self.wrong):
            return "wrong"
        if any(t in low for t in self.subject) and any(t in low for t in self.measure):
            return "right"
        return "vague"


@dataclass
class Labels:
    right: int = 0
    vague: int = 0
    wrong: int = 0
    unlisted: int = 0
    key_items: int = 0
    key_right: int = 0
    verdicts: list[tuple[str, str, str]] = field(default_factory=list)  # number, label, verdict

    @property
    def accuracy(self) -> float | None:
        judged = self.right + self.vague + self.wrong
        return self.right / judged if judged else None

    @property
    def coverage(self) -> float | None:
        return self.key_right / self.key_items if self.key_items else None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "accuracy": self.accuracy, "coverage": self.coverage}


def score_cells(recall: tuple[int, int] | None, labels: Labels | None) -> tuple[str, str, str]:
    """The recall, label-accuracy and coverage cells of one report row (newsbrief or peer)."""
    found = "-" if recall is None else f"{recall[0]}/{recall[1]}"
    return found, pct(labels.accuracy if labels else None), pct(labels.coverage if labels else None)


def _gold_match(value: float, unit: str, gold: list[GoldItem]) -> GoldItem | None:
    for item in gold:
        g_value, g_unit = item.value()
        if g_value == value and (g_unit == unit or _percentish(g_unit) == _percentish(unit)):
            return item
    return None


class LabelledFigure(Protocol):
    """A figure as gold scoring reads it: newsbrief's KeyFigure, or a peer's figure."""

    @property
    def number_text(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def label(self) -> str: ...


def score_labels(brief: Brief, gold: list[GoldItem]) -> Labels:
    return score_figure_labels(brief.key_figures, gold)


def score_figure_labels(figures: Iterable[LabelledFigure], gold: list[GoldItem]) -> Labels:
    out = Labels(key_items=sum(item.key for item in gold))
    right_keys: set[str] = set()
    for f in figures:
        item = _gold_match(f.value, f.unit, gold)
        if item is None:
            out.unlisted += 1
            continue
        verdict = item.verdict(f.label)
        setattr(out, verdict, getattr(out, verdict) + 1)
        out.verdicts.append((f.number_text, f.label, verdict))
        if verdict == "right" and item.key:
            right_keys.add(item.number)
    out.key_right = len(right_keys)
    return out


# --- duplicates ------------------------------------------------------------------------------


def duplicate_figures(brief: Brief) -> int:
    keys = [quantity_key(f.value, f.unit) for f in brief.key_figures]
    return len(keys) - len(set(keys))


def _sentences(summary: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", summary.strip()) if s]


def duplicate_sentences(summary: str, threshold: float = 0.8) -> int:
    """Summary sentences that say what an earlier one said (word overlap >= threshold)."""
    seen: list[set[str]] = []
    dupes = 0
    for sentence in _sentences(summary):
        words = set(_WORDS.findall(sentence.lower()))
        if any(words and len(words & w) / len(words | w) >= threshold for w in seen):
            dupes += 1
        seen.append(words)
    return dupes


@dataclass
class DocScore:
    name: str
    figures: int
    implications: int
    summary_sentences: int
    grounding: Grounding
    recall: tuple[int, int] | None
    labels: Labels | None
    duplicate_figures: int
    duplicate_sentences: int
    prompt_tokens: int
    completion_tokens: int
    attempts: int
    wall_s: float
    error: str | None = None
    # Summary sentences kept as the model wrote them, taken from their source sentence, and
    # dropped (None for a version-1 brief, which records no origins).
    summary_origins: tuple[int, int, int] | None = None
    copied_implications: int = 0  # implications that only restate their evidence
    policy_angle: bool | None = None  # from the policy-angle file, when given

    @classmethod
    def failed(cls, name: str, error: str) -> DocScore:
        return cls(name, 0, 0, 0, Grounding(), None, None, 0, 0, 0, 0, 0, 0.0, error=error)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["grounding"]["precision"] = self.grounding.precision
        data["labels"] = self.labels.to_json() if self.labels is not None else None
        return data


def summary_origins(brief: Brief) -> tuple[int, int, int] | None:
    """(written, from source, dropped) summary sentences of a brief: what the model's wording
    kept, what our code replaced by the source sentence, what was dropped outright."""
    if not brief.summary_sentences:
        return None
    written = sum(s.origin == "written" for s in brief.summary_sentences)
    dropped = sum(
        w.startswith(("dropped: summary sentence", "dropped a summary sentence"))
        for w in brief.warnings
    )
    return written, len(brief.summary_sentences) - written, dropped


def copied_implications(brief: Brief) -> int:
    """Implications whose statement only restates its evidence: not implications."""
    return sum(restates(p.statement, p.evidence.quote, p.actor) for p in brief.policy_implications)


def score(
    name: str,
    brief: Brief,
    *,
    bullets: list[str] | None = None,
    gold: list[GoldItem] | None = None,
    wall_s: float = 0.0,
    policy_angle: bool | None = None,
) -> DocScore:
    usage = brief.provenance.usage
    return DocScore(
        name=name,
        figures=len(brief.key_figures),
        implications=len(brief.policy_implications),
        summary_sentences=len(brief.summary_sentences) or len(_sentences(brief.summary)),
        grounding=check_grounding(brief),
        recall=figure_recall(brief, bullets) if bullets else None,
        labels=score_labels(brief, gold) if gold else None,
        duplicate_figures=duplicate_figures(brief),
        duplicate_sentences=duplicate_sentences(brief.summary),
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        attempts=brief.provenance.attempts,
        wall_s=round(wall_s, 1),
        summary_origins=summary_origins(brief),
        copied_implications=copied_implications(brief),
        policy_angle=policy_angle,
    )
