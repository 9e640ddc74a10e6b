"""A batch run as the store keeps it: one row for the run, one row per article.

The run's row holds ids only: its id, its model, the custom_ids of every request written for
it, and its articles' row keys in digest order (the first is A1). Each article's row holds its
text and what a digest shows of it (origin, title, date, source), keyed by its content, so a
run exported twice, or two runs sharing articles, store each article once.

Why: a run of 100,000 articles kept every text inside its one row, which every import round
read whole and wrote back whole. Now an import reads the articles one at a time, and the run's
row grows by a request id per article, not by a text.

A run exported before this layout (its articles inside its row) is moved to it the first time
it is read: its articles are written as rows, then its row is rewritten; nothing is asked
again and nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from itertools import islice

from pydantic import BaseModel, ConfigDict

from newsbrief.errors import NewsbriefError
from newsbrief.store.table import BriefCache, Kind

WRITE_ROWS = 1000  # article rows per transaction when a run is stored


class RunArticle(BaseModel):
    """One article of a run: what replaying it needs and what the digest shows of it."""

    model_config = ConfigDict(extra="forbid")

    origin: str
    key: str  # the brief cache key
    text: str
    title: str | None = None
    warnings: list[str] = []
    published: dt.datetime | None = None
    source: str | None = None


class Run(BaseModel):
    """A run's row: ids only."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    articles: list[str]  # article row keys, in digest order: the first is A1
    # custom_ids of every request written for this run: an answer to anything else is
    # refused. None for a run exported by an older version (no record: not checked).
    asked: list[str] | None = None
    # the model the requests name: answers are keyed by it, so an import for another model
    # would store them where nothing reads them. None for a run exported before 0.3.
    model: str | None = None


class _OldArticle(BaseModel):
    article_id: str
    origin: str
    key: str
    text: str
    title: str | None = None
    warnings: list[str] = []
    published: dt.datetime | None = None
    source: str | None = None


class _OldRun(BaseModel):
    """A run's row before the articles had rows of their own."""

    run_id: str
    articles: list[_OldArticle]
    asked: list[str] | None = None
    model: str | None = None


def run_key(run_id: str) -> str:
    return f"batch-run:{run_id}"


def _article_key(value: str) -> str:
    return "batch-article:" + hashlib.sha256(value.encode()).hexdigest()


def store_articles(cache: BriefCache, articles: Iterable[RunArticle]) -> list[str]:
    """Write the articles' rows (WRITE_ROWS per transaction); their keys, in order.

    Raises:
        NewsbriefError: the cache cannot be written (the run would have no articles).
    """
    keys: list[str] = []
    items = iter(articles)
    while chunk := list(islice(items, WRITE_ROWS)):
        rows: list[tuple[str, Kind, str]] = []
        for article in chunk:
            value = article.model_dump_json()
            keys.append(_article_key(value))
            rows.append((keys[-1], "batch-article", value))
        if not cache.put_many(rows):
            raise NewsbriefError(f"cannot record the batch run's articles: {cache.last_error}")
    return keys


def articles_of(cache: BriefCache, run: Run) -> Iterator[tuple[str, RunArticle | None]]:
    """(article id, its row) in digest order, one row read at a time; None for a row that
    is missing or damaged."""
    for n, key in enumerate(run.articles, 1):
        hit = cache.get(key)
        try:
            article = RunArticle.model_validate_json(hit) if hit is not None else None
        except ValueError:  # pydantic's ValidationError included
            article = None
        yield f"A{n}", article


def save_run(cache: BriefCache, run: Run) -> None:
    """Write the run's row.

    Raises:
        NewsbriefError: the cache cannot be written.
    """
    if not cache.put(run_key(run.run_id), "batch-run", run.model_dump_json()):
        raise NewsbriefError(f"cannot record the batch run: {cache.last_error}")


def find_run(cache: BriefCache, short: str) -> Run | None:
    """The run whose id starts with `short` (one exported before this layout is moved to it
    first); None when there is none or its row is damaged."""
    hit = cache.find(run_key(short), kind="batch-run")
    if hit is None:
        return None
    try:
        return Run.model_validate_json(hit)
    except ValueError:  # pydantic's ValidationError included
        pass
    try:
        old = _OldRun.model_validate_json(hit)
    except ValueError:
        return None
    articles = (RunArticle(**a.model_dump(exclude={"article_id"})) for a in old.articles)
    run = Run(
        run_id=old.run_id,
        articles=store_articles(cache, articles),
        asked=old.asked,
        model=old.model,
    )
    save_run(cache, run)
    return run
