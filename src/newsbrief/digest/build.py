"""Many articles in, one briefing out: build_digest (the Digest itself is digest.contract's).

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

from newsbrief.aio import blocking
from newsbrief.contract import Brief, Note, Usage, text_id
from newsbrief.digest.batch import DigestOptions, expand, run_batch, source_name
from newsbrief.digest.boilerplate import own_texts
from newsbrief.digest.compare import group_figures
from newsbrief.digest.contract import (
    CrossImplication,
    Digest,
    DigestStats,
    Discrepancy,
    OwnTexts,
    StoryIndex,
    Theme,
)
from newsbrief.digest.feeds import Resolver
from newsbrief.digest.pricing import estimate_cost
from newsbrief.digest.since import changes, load_record, record_of, run_key, save_record
from newsbrief.digest.stories import story_index
from newsbrief.docs import ENDPOINT_ARGS, fill
from newsbrief.errors import NewsbriefError
from newsbrief.ingest.read import Article
from newsbrief.model.endpoint import Endpoint, endpoint_from, ready
from newsbrief.store.table import BriefCache, cache_key

if TYPE_CHECKING:
    from newsbrief.model.call import Ask
    from newsbrief.model.transport import RetryPolicy


def acall_default() -> Ask:
    from newsbrief.model.client import acall  # the model stack: only when a call is due

    return acall


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    index: StoryIndex,
    *,
    own: OwnTexts | None = None,
    ask: Ask | None = None,
    refresh: bool = False,
    retry: RetryPolicy | None = None,
) -> tuple[CrossView | None, Usage, int, list[Note]]:
    """(view, usage, model calls, notes); cached like briefs, so a repeat run calls nothing.

    Args:
        briefs: by article id, in digest order.
        endpoint: the model; cache: where views are kept (None: none).
        index: each article's story and day (digest.stories.story_index).
        own: the articles' own texts (digest.boilerplate.own_texts): they rank the stories
            when not every brief fits the synthesis prompt.
        ask: answers from batch files (digest.batch_api); default: the endpoint, live.
        refresh: ignore a cached view and overwrite it.
        retry: transport retries for the live call.
    """
    if not briefs:
        return None, Usage(), 0, []
    # The checks depend on each article's story and day: a change there is another view.
    ident = json.dumps(
        sorted((k, b.source.id, index.story_of(k), str(index.day_of(k))) for k, b in briefs.items())
    )
    key = cache_key("synthesis", ident, endpoint)
    if cache is not None and not refresh:
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
        result = await synthesize(briefs, live, retry, ask or acall_default(), index, own=own)
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


@fill(endpoint_args=ENDPOINT_ARGS)
async def abuild_digest(
    inputs: Sequence[Article | str | Path],
    *,
    endpoint: Endpoint | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: str | None = None,
    options: DigestOptions | None = None,
    cache: BriefCache | None = None,
    deliver: Callable[[Digest], None] | None = None,
) -> Digest:
    """Brief every input and add the cross-article view (awaitable). One bad input never
    sinks the rest: it is listed in Digest.articles with its reason.

    Feed entries count as seen (for since="last-run") only once the digest has reached its
    reader: after `deliver` returns, or, without it, when the digest is returned. A run that
    dies or raises before that (a kill during the synthesis, an output that cannot be
    written) leaves every entry to the next run.

    Args:
        inputs: file paths, folders (their .txt/.md/.html articles and .rss/.xml/.atom/.rdf
            feeds), http(s) URLs, RSS, Atom or OPML feeds (files or URLs; each entry becomes
            an article), or Article objects, in the order they should appear.
        {endpoint_args}
        options: concurrency, rate limits, cache use, retries, prices, feed dates, progress
            callbacks (see DigestOptions); default DigestOptions().
        cache: the brief cache to read and write (BriefCache); None, or use_cache=False in
            the options, means no cache.
        deliver: called with the finished digest, e.g. to write it out (atomically); if it
            raises, no feed entry is marked seen and the exception propagates.

    Returns:
        The Digest: every input's result in order, plus the cross-article view.

    Raises:
        ConfigError: conflicting or unusable settings.
        EmbeddedModelError: the embedded model could not be started.
        Failures of single articles (unreadable, unreachable, invalid answers) are not
        raised: they are listed in Digest.articles with their reason.
    """
    endpoint = endpoint_from(endpoint, model, base_url, api_key, mode)
    options = options or DigestOptions()
    cache = cache if options.use_cache else None
    # Feeds become their entries, dated, each once.
    resolver = Resolver(cache, options.since, options.allow_private)
    record_key = run_key(
        [f"text:{text_id(i.text)}" if isinstance(i, Article) else str(i) for i in inputs]
    )
    previous = await asyncio.to_thread(load_record, cache, record_key)
    items = await resolver.resolve(expand(inputs, feed_files=True, warnings=resolver.warnings))
    results = await run_batch(items, endpoint, options, cache)
    briefs = {r.article_id: r.brief for r in results if r.brief is not None}
    own = own_texts(results)  # once: the stories cluster on them, the lead reads them
    index = story_index(results, own)
    stories = list(index.stories)
    names = {r.article_id: source_name(r) for r in results}
    view, usage, calls, synthesis_notes = await cross_view(
        briefs, endpoint, cache, index, own=own, refresh=options.refresh, retry=options.retry
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
        figure_groups=group_figures(briefs, index),
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
    digest._own_texts = own
    if deliver is not None:
        deliver(digest)
    resolver.commit(results)  # only now: the reader has the digest
    if briefs and not digest.nothing_new:  # else "the previous digest" stays as it was
        save_record(cache, record_key, record_of(digest.generated_at, briefs, names))
    return digest


build_digest = blocking(
    abuild_digest,
    "build_digest",
    "Brief every input, add the cross-article view, and wait for it. One bad input never\n"
    "sinks the rest: it is listed in Digest.articles with its reason. Usable inside a\n"
    "running event loop too (it runs on a helper thread then).",
)
