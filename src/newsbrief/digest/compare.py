"""Group figures about the same thing across articles, and keep conflicts visible.

Done by our code, not the model: two sources giving the Nikkei at 57,890 and at 50,367.38
must be shown side by side, never averaged or merged away.
"""

from __future__ import annotations

import re
from collections import defaultdict

from newsbrief.contract import Brief
from newsbrief.digest.contract import FigureEntry, FigureGroup, StoryIndex

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
# Values further apart than this are not one fact reported two ways but two facts (another
# session's level, another period's change): shown side by side, never as a disagreement.
CONFLICT_MAX = 0.10


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


def group_figures(briefs: dict[str, Brief], index: StoryIndex | None = None) -> list[FigureGroup]:
    """Figures with the same label key, within one story, from two or more articles.

    Values differ as a conflict only between two articles published the same day, by more
    than rounding and less than CONFLICT_MAX: two values of one article, or of two days, are
    a sequence (a level, then a later level); without dates the day is unknown, so no
    disagreement is claimed; values far apart are two facts, and figures of different
    stories are different facts. Linear in the number of figures, but for the check between
    the articles of one group (a story's few sources).

    Args:
        briefs: by article id, in digest order.
        index: each article's story and day (digest.stories.story_index); None: no story
            and no day known, so nothing is a conflict.
    """
    index = index or StoryIndex()
    buckets: dict[tuple[str, str], list[FigureEntry]] = defaultdict(list)
    for article_id, brief in briefs.items():
        for at, f in enumerate(brief.key_figures):
            entry = FigureEntry(article_id=article_id, index=at, **f.model_dump())
            buckets[(index.story_of(article_id) or "", label_key(f.label, f.unit))].append(entry)
    groups = []
    for (_, key), entries in buckets.items():
        if len({e.article_id for e in entries}) < 2:
            continue
        groups.append(
            FigureGroup(
                key=key,
                label=entries[0].label,
                unit=entries[0].unit,
                entries=entries,
                conflicting=_conflict(entries, index),
            )
        )
    return sorted(groups, key=lambda g: (not g.conflicting, g.label.lower()))


def _conflict(entries: list[FigureEntry], index: StoryIndex) -> bool:
    """Two articles published the same day whose values differ."""
    spans: dict[tuple[object, str], tuple[float, float]] = {}
    for e in entries:
        k = (index.day_of(e.article_id), e.article_id)
        low, high = spans.get(k, (e.value, e.value))
        spans[k] = (min(low, e.value), max(high, e.value))
    items = list(spans.items())
    for i, ((day_a, a), (lo_a, hi_a)) in enumerate(items):
        for (day_b, b), (lo_b, hi_b) in items[i + 1 :]:
            same_day = day_a is not None and day_a == day_b
            if (
                a != b
                and same_day
                and any(
                    _differs(x, y) and not _far(x, y) for x in (lo_a, hi_a) for y in (lo_b, hi_b)
                )
            ):
                return True
    return False


def _far(a: float, b: float) -> bool:
    scale = max(abs(a), abs(b))
    return scale > 0 and abs(a - b) / scale > CONFLICT_MAX
