"""Group figures about the same thing across articles, and keep conflicts visible.

Done by our code, not the model: two sources giving the Nikkei at 57,890 and at 50,367.38
must be shown side by side, never averaged or merged away.
"""

from __future__ import annotations

import re
from collections import defaultdict

from pydantic import BaseModel, ConfigDict

from newsbrief.contract import Brief, KeyFigure

_TOKEN = re.compile(r"[A-Za-z0-9&]+")
# Words that say what kind of measure a label is; everything else generic is ignored.
_KINDS = {
    "ytd": "ytd", "year": "ytd", "annual": "ytd",
    "close": "level", "closing": "level", "level": "level", "record": "level", "high": "level",
    "trading": "level", "price": "level", "rate": "level", "value": "level",
    "gain": "change", "rise": "change", "jump": "change", "up": "change", "climb": "change",
    "fall": "change", "drop": "change", "change": "change", "down": "change", "decline": "change",
    "growth": "change", "daily": "change",
}  # fmt: skip
_GENERIC = {
    "the", "of", "in", "on", "for", "a", "an", "and", "to", "at", "by", "index", "stock",
    "stocks", "market", "markets", "s", "date", "session", "monday", "tuesday",
    "wednesday", "thursday", "friday", "new", "all", "time", "fresh",
}  # fmt: skip
CONFLICT_TOLERANCE = 0.005  # values within 0.5% are the same figure, rounded differently


class FigureEntry(KeyFigure):
    """A brief's figure, with where it came from."""

    article_id: str
    index: int  # position in that brief's key_figures, for links to its quote


class FigureGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    label: str
    unit: str
    entries: list[FigureEntry]
    conflicting: bool


def label_key(label: str, unit: str) -> str:
    """Subject words + measure kind + unit: "Nikkei 225 close" and "Nikkei 225 trading level"
    share a key, "Nikkei 225 year-to-date gain" does not."""
    words = [w.lower() for w in _TOKEN.findall(label)]
    kinds = sorted({_KINDS[w] for w in words if w in _KINDS})
    subject = sorted({w for w in words if w not in _KINDS and w not in _GENERIC})
    return "|".join([" ".join(subject), "+".join(kinds), unit])


def _differs(a: float, b: float) -> bool:
    scale = max(abs(a), abs(b))
    return scale > 0 and abs(a - b) / scale > CONFLICT_TOLERANCE


def group_figures(briefs: dict[str, Brief]) -> list[FigureGroup]:
    """Only groups that span two or more articles: the cross-article view."""
    buckets: dict[str, list[FigureEntry]] = defaultdict(list)
    for article_id, brief in briefs.items():
        for index, f in enumerate(brief.key_figures):
            entry = FigureEntry(article_id=article_id, index=index, **f.model_dump())
            buckets[label_key(f.label, f.unit)].append(entry)
    groups = []
    for key, entries in buckets.items():
        if len({e.article_id for e in entries}) < 2:
            continue
        values = [e.value for e in entries]
        conflicting = _differs(min(values), max(values))  # linear: the extremes decide
        groups.append(
            FigureGroup(
                key=key,
                label=entries[0].label,
                unit=entries[0].unit,
                entries=entries,
                conflicting=conflicting,
            )
        )
    return sorted(groups, key=lambda g: (not g.conflicting, g.label.lower()))
