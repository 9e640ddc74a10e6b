"""What is new since the previous digest of the same inputs.

Each digest delivered with a cache leaves a small record of itself (when, which article
texts, which figures by label and value), keyed by its inputs. The next digest of the same
inputs marks a story "new" when none of its article texts was in that digest and "changed"
when some were not or one of its figures is new or has another value; a figure "new" when
its label was not there and "changed" when its value was another. With --since last-run a
feed offers only entries not seen before, so everything in the digest is new or changed, and
a run with no entry at all is "nothing new since <time>".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newsbrief.contract import Brief
from newsbrief.digest.contract import Changes, Mark, Story
from newsbrief.store.table import BriefCache
from newsbrief.text.numbers import quantity_key

MAX_RECORDED = 5000  # article ids and figures a record keeps: a bound on the row, not a rule


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunRecord(_Strict):
    """A delivered digest, as the next run compares against it."""

    at: str = Field(description="the delivered digest's generated_at")
    articles: list[str] = Field(
        default_factory=list, max_length=MAX_RECORDED, description="its articles' source ids"
    )
    # One source may report one label in two articles: a list of values.
    figures: dict[str, list[str]] = Field(
        default_factory=dict,
        max_length=MAX_RECORDED,
        description='"source|label" -> the values it had',
    )


def run_key(inputs: Sequence[str]) -> str:
    """The record's key: the inputs as given, in order (another set of feeds is another
    briefing, with its own "previous digest")."""
    return "run:" + hashlib.sha256(json.dumps(list(inputs)).encode()).hexdigest()


def _figure_key(source: str, label: str) -> str:
    return f"{' '.join(source.lower().split())}|{' '.join(label.lower().split())}"


def _value(value: float, unit: str) -> str:
    amount, unit = quantity_key(value, unit)
    return f"{amount:g}{unit}"


def load_record(cache: BriefCache | None, key: str) -> RunRecord | None:
    """The previous digest's record, or None (none yet, no cache, or a row that cannot be
    read: it is deleted, and this run counts as the first)."""
    hit = cache.get(key) if cache is not None else None
    if hit is None:
        return None
    try:
        return RunRecord.model_validate_json(hit)
    except (ValidationError, ValueError, RecursionError):
        assert cache is not None
        cache.delete(key)
        return None


def record_of(at: str, briefs: dict[str, Brief], sources: dict[str, str]) -> RunRecord:
    """The record of a delivered digest. `sources`: each article's source name, by id."""
    figures: dict[str, list[str]] = {}
    for aid, brief in briefs.items():
        for f in brief.key_figures:
            values = figures.setdefault(_figure_key(sources.get(aid, ""), f.label), [])
            if _value(f.value, f.unit) not in values:
                values.append(_value(f.value, f.unit))
    return RunRecord(
        at=at,
        articles=[b.source.id for b in briefs.values()][:MAX_RECORDED],
        figures=dict(list(figures.items())[:MAX_RECORDED]),
    )


def save_record(cache: BriefCache | None, key: str, record: RunRecord) -> None:
    if cache is not None:
        cache.put(key, "run", record.model_dump_json())


def changes(
    previous: RunRecord | None,
    stories: Sequence[Story],
    briefs: dict[str, Brief],
    sources: dict[str, str],
) -> Changes:
    """Marks against the previous digest; with none, no marks (nothing to be new against).
    An article the previous digest had marks none of its figures; another article's figure
    is new when its source never gave its label, changed when it gave another value.

    Args:
        previous: the previous digest's record (load_record).
        stories, briefs: this digest's.
        sources: each article's source name, by article id.
    """
    if previous is None:
        return Changes()
    seen = set(previous.articles)
    before = previous.figures
    figures: dict[str, Mark] = {}
    for aid, brief in briefs.items():
        if brief.source.id in seen:
            continue
        for i, f in enumerate(brief.key_figures):
            was = before.get(_figure_key(sources.get(aid, ""), f.label))
            if was is None:
                figures[f"{aid}-f{i}"] = "new"
            elif _value(f.value, f.unit) not in was:
                figures[f"{aid}-f{i}"] = "changed"
    marked = {k.rsplit("-f", 1)[0] for k in figures}  # articles with a marked figure
    marks: dict[str, Mark] = {}
    for story in stories:
        ids = [a for a in story.article_ids if a in briefs]
        known = [a for a in ids if briefs[a].source.id in seen]
        moved = any(a in marked for a in ids)
        if not known:
            marks[story.id] = "new"
        elif len(known) < len(ids) or moved:
            marks[story.id] = "changed"
    return Changes(previous_at=previous.at, stories=marks, figures=figures)
