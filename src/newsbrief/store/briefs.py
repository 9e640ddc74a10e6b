"""One way to brief an article through the store: key, lookup, brief, reload, write.

The CLI's summarize, a digest's articles, batch-file rounds and the evaluator all come here,
so each gets the same rules: a cached brief is served only if it is of exactly this text
and still validates; a new brief must survive being written and read back (reloadable)
before it is kept; and it is committed before the caller reports it done, so a kill after
that loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsbrief.contract import Brief, reloadable, text_id
from newsbrief.ingest.read import Article
from newsbrief.model.endpoint import Endpoint
from newsbrief.store.table import BriefCache, cache_key

if TYPE_CHECKING:
    from newsbrief.model.call import Ask
    from newsbrief.model.transport import RetryPolicy


def brief_key(text: str, endpoint: Endpoint) -> str:
    """The store key of this text's brief as this endpoint would write it."""
    return cache_key("brief", text_id(text), endpoint)


@dataclass(frozen=True)
class Briefed:
    """A brief and where it came from: the store (cached) or the model."""

    brief: Brief
    cached: bool


def _no_wrapper(article: Article) -> AbstractAsyncContextManager[None]:
    return contextlib.nullcontext()


async def brief_through(
    store: BriefCache | None,
    article: Article,
    endpoint: Endpoint,
    *,
    refresh: bool = False,
    retry: RetryPolicy | None = None,
    ask: Ask | None = None,
    around_call: Callable[[Article], AbstractAsyncContextManager[None]] = _no_wrapper,
) -> Briefed:
    """The article's brief from the store, or from the model and then stored.

    Args:
        store: the store to read and write; None: always ask, keep nothing.
        article: what to brief.
        endpoint: who answers (started here when live and need be).
        refresh: ask even when a brief is stored, and overwrite it.
        retry: transport retries per request; None: the endpoint profile's.
        ask: how calls are made; None: live. A batch run's Replay raises Pending for the
            calls not answered yet (nothing is stored then).
        around_call: entered around the model call only (rate limits, a progress line).

    Raises:
        The errors of summarize, and ModelOutputError for a brief that could not be
        written and read back. A store that cannot be read is a miss; one that cannot be
        written adds a warning to the brief.
    """
    key = brief_key(article.text, endpoint)
    if store is not None and not refresh:
        hit = await asyncio.to_thread(store.load_brief, key, article.text)
        if hit is not None:
            return Briefed(hit, cached=True)
    # The model-calling stack loads only when a call is due: a cached run never pays.
    from newsbrief.brief.summarize import brief_article

    async with around_call(article):
        brief = reloadable(await brief_article(article, None, endpoint, retry, ask=ask))
    if store is not None:
        # Committed before the caller reports the article done.
        await asyncio.to_thread(store.store_brief, key, brief)
    return Briefed(brief, cached=False)
