"""Many articles in, one briefing out: the Digest model and build_digest.

Articles are briefed (cached, resumable, bounded concurrency) by batch.py; this module adds
the cross-article view: figures grouped by our code, then one synthesis call over the briefs.
One bad article becomes a "not summarized" entry; it never sinks the digest.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from newsbrief.aio import run_sync
from newsbrief.contract import Brief, Note, Usage, text_id
from newsbrief.digest.batch import ArticleResult, DigestOptions, expand, run_batch, source_name
from newsbrief.digest.cache import BriefCache, cache_key
from newsbrief.digest.compare import FigureGroup, group_figures
from newsbrief.digest.feeds import Resolver
from newsbrief.digest.pricing import estimate_cost
from newsbrief.digest.since import Changes, changes, load_record, record_of, run_key, save_record
from newsbrief.digest.stories import Story, stories_of
from newsbrief.errors import NewsbriefError
from newsbrief.ingest.read import Article
from newsbrief.model.endpoint import Endpoint, ready, resolve_endpoint

if TYPE_CHECKING:
    from newsbrief.model.client import Ask

DIGEST_SCHEMA_VERSION = "3"  # 2: stories; articles carry published and source; 3: notes, changes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Theme(_Strict):
    title: str
    summary: str
    article_ids: list[str]


class CrossImplication(_Strict):
    statement: str
    actor: str = ""
    article_ids: list[str]


class Discrepancy(_Strict):
    description: str
    article_ids: list[str]


class DigestStats(_Strict):
    articles: int
    summarized: int
    failed: int
    model_calls: int
    cached: int
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0


class Digest(_Strict):
    """The briefing: cross-article view, every article's result, and what it cost.

    Strict (unknown fields are refused) and versioned like Brief: `schema_version` changes
    whenever the JSON shape does. Render it with newsbrief.to_markdown / to_html.
    """

    schema_version: str = DIGEST_SCHEMA_VERSION
    headline: str
    themes: list[Theme] = Field(default_factory=list)
    implications: list[CrossImplication] = Field(default_factory=list)
    discrepancies: list[Discrepancy] = Field(default_factory=list)
    stories: list[Story] = Field(default_factory=list)
    figure_groups: list[FigureGroup] = Field(default_factory=list)
    articles: list[ArticleResult] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)  # every note's text, in order
    notes: list[Note] = Field(default_factory=list)  # the same, typed (absent before)
    stats: DigestStats
    model: str
    generated_at: str
    # Marks against the previous digest of the same inputs (None without a cache).
    changes: Changes | None = None

    @property
    def nothing_new(self) -> bool:
        """No article at all (every feed entry seen before), or nothing the previous digest
        of these inputs did not already have, and no failure to report."""
        if self.failures:
            return False
        if not self.articles:
            return True
        return (
            self.changes is not None
            and self.changes.previous_at is not None
            and not (self.changes.anything)
        )

    @property
    def briefs(self) -> dict[str, Brief]:
        return {a.article_id: a.brief for a in self.articles if a.brief is not None}

    @property
    def failures(self) -> list[ArticleResult]:
        return [a for a in self.articles if a.brief is None]

    @property
    def partial(self) -> bool:
        return bool(self.failures)


def story_maps(
    results: Sequence[ArticleResult],
) -> tuple[list[Story], dict[str, str], dict[str, dt.date | None]]:
    """The stories, each article's story id and its publication day (None: unknown): what
    figure comparisons and synthesis checks go by, for a digest and a batch run alike."""
    stories = stories_of(results)
    story_of = {aid: s.id for s in stories for aid in s.article_ids}
    day_of = {r.article_id: r.published.date() if r.published else None for r in results}
    return stories, story_of, day_of


def acall_default() -> Ask:
    from newsbrief.model.client import acall  # the model stack: only when a call is due

    return acall


def _fallback_headline(briefs: dict[str, Brief], total: int) -> str:
    if len(briefs) == 1:
        return next(iter(briefs.values())).source.title
    return f"Briefing: {len(briefs)} of {total} articles summarized"


class CrossView(_Strict):
    """The synthesis as stored in the cache: what a repeat run shows without a model call."""

    headline: str
    themes: list[Theme]
    implications: list[CrossImplication]
    discrepancies: list[Discrepancy]
    warnings: list[str] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)


async def cross_view(
    briefs: dict[str, Brief],
    endpoint: Endpoint,
    cache: BriefCache | None,
    options: DigestOptions,
    ask: Ask | None = None,
    story_of: dict[str, str] | None = None,
    day_of: dict[str, dt.date | None] | None = None,
) -> tuple[CrossView | None, Usage, int, list[Note]]:
    """(view, usage, model calls, notes); cached like briefs, so a repeat run calls nothing.
    `ask` answers from batch files (digest.batch_api); default: the endpoint, live."""
    if not briefs:
        return None, Usage(), 0, []
    story_of, day_of = story_of or {}, day_of or {}
    # The checks depend on each article's story and day: a change there is another view.
    ident = json.dumps(
        sorted((k, b.source.id, story_of.get(k), str(day_of.get(k))) for k, b in briefs.items())
    )
    key = cache_key("synthesis", ident, endpoint)
    if cache is not None and not options.refresh:
        hit = cache.get(key)
        if hit is not None:
            try:
                view = CrossView.model_validate_json(hit)
                return view, Usage(), 0, view.notes
            except ValueError:
                cache.delete(key)
    from newsbrief.digest.synthesis import synthesize  # loads the model stack: only when due

    try:
        live = await asyncio.to_thread(ready, endpoint) if ask is None else endpoint
        result = await synthesize(
            briefs, live, options.retry, ask or acall_default(), story_of, day_of
        )
    except NewsbriefError as exc:
        said = "The overview across articles could not be written; each article's brief follows."
        return (
            None,
            Usage(),
            0,
            [
                Note(kind="reader", text=said),
                Note(kind="process", text=f"cross-article synthesis failed: {exc}"),
            ],
        )
    d = result.draft
    view = CrossView(
        headline=d.headline,
        themes=[Theme(**t.model_dump()) for t in d.themes],
        implications=[CrossImplication(**i.model_dump()) for i in d.implications],
        discrepancies=[Discrepancy(**x.model_dump()) for x in d.discrepancies],
        warnings=result.warnings,
        notes=result.notes,
    )
    if cache is not None:
        cache.put(key, "synthesis", view.model_dump_json())
    return view, result.spent.usage, 1, view.notes


async def abuild_digest(
    inputs: Sequence[Article | str | Path],
    *,
    endpoint: Endpoint | None = None,
    options: DigestOptions | None = None,
    cache: BriefCache | None = None,
    deliver: Callable[[Digest], None] | None = None,
) -> Digest:
    """Brief every input and add the cross-article view. One bad input never sinks the rest:
    it is listed in Digest.articles with its reason.

    Feed entries count as seen (for since="last-run") only once the digest has reached its
    reader: after `deliver` returns, or, without it, when the digest is returned. A run that
    dies or raises before that (a kill during the synthesis, an output that cannot be
    written) leaves every entry to the next run.

    Args:
        inputs: file paths, folders (their .txt/.md/.html articles), http(s) URLs, RSS, Atom
            or OPML feeds (files or URLs; each entry becomes an article), or Article objects,
            in the order they should appear.
        endpoint: where to send requests (default: resolve_endpoint(), the environment).
        options: concurrency, rate limits, cache use, retries, prices (see DigestOptions).
        cache: the brief cache to read and write; None with use_cache means no cache.
        deliver: called with the finished digest, e.g. to write it out (atomically); if it
            raises, no entry is marked seen and the exception propagates.
    """
    endpoint = endpoint or resolve_endpoint()
    options = options or DigestOptions()
    cache = cache if options.use_cache else None
    # Feeds become their entries, dated, each once.
    resolver = Resolver(cache, options.since, options.allow_private)
    record_key = run_key(
        [f"text:{text_id(i.text)}" if isinstance(i, Article) else str(i) for i in inputs]
    )
    previous = await asyncio.to_thread(load_record, cache, record_key)
    items = await resolver.resolve(expand(inputs))
    results = await run_batch(items, endpoint, options, cache)
    briefs = {r.article_id: r.brief for r in results if r.brief is not None}
    stories, story_of, day_of = story_maps(results)
    names = {r.article_id: source_name(r) for r in results}
    view, usage, calls, synthesis_notes = await cross_view(
        briefs, endpoint, cache, options, None, story_of, day_of
    )
    # What reading the feeds found is the reader's to know (a malformed feed, a skipped one).
    notes = [*(Note(kind="reader", text=w) for w in resolver.warnings), *synthesis_notes]
    usage = sum((r.brief.provenance.usage for r in results if r.brief and not r.cached), usage)
    calls += sum(1 for r in results if r.brief is not None and not r.cached)
    digest = Digest(
        headline=view.headline
        if view and view.headline
        else _fallback_headline(briefs, len(results)),
        themes=view.themes if view else [],
        implications=view.implications if view else [],
        discrepancies=view.discrepancies if view else [],
        stories=stories,
        figure_groups=group_figures(briefs, story_of, day_of),
        articles=results,
        warnings=[n.text for n in notes],
        notes=notes,
        stats=DigestStats(
            articles=len(results),
            summarized=len(briefs),
            failed=len(results) - len(briefs),
            model_calls=calls,
            cached=sum(1 for r in results if r.cached),
            usage=usage,
            cost_usd=estimate_cost(endpoint, usage, options.prices),
        ),
        model=endpoint.model,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        changes=changes(previous, stories, briefs, names) if cache is not None else None,
    )
    if deliver is not None:
        deliver(digest)
    resolver.commit(results)  # only now: the reader has the digest
    if briefs and not digest.nothing_new:  # else "the previous digest" stays as it was
        save_record(cache, record_key, record_of(digest.generated_at, briefs, names))
    return digest


def build_digest(
    inputs: Sequence[Article | str | Path],
    *,
    endpoint: Endpoint | None = None,
    options: DigestOptions | None = None,
    cache: BriefCache | None = None,
    deliver: Callable[[Digest], None] | None = None,
) -> Digest:
    """Blocking form of abuild_digest (same arguments), usable inside a running event loop."""
    return run_sync(
        abuild_digest(inputs, endpoint=endpoint, options=options, cache=cache, deliver=deliver)
    )
