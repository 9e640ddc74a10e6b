"""Brief many articles: bounded concurrency, rate limits, cache hits, one result per input.

Every input ends as exactly one ArticleResult, summarized or failed with its reason, in input
order. Each brief is written to the cache the moment it completes, so a killed run resumes.
A fixed pool of `concurrency` workers takes the inputs in order, so runs are reproducible
(with concurrency 1, strictly one article after the other) and resumes pick up in order.
Nothing about one article (unreadable input, endpoint failure, a bug, a cache that cannot
be read or written) may sink the others: the cache is an optimisation, so its failures cost
a model call or a warning, never an article. Cache calls run in worker threads: SQLite may
wait up to its busy timeout for another process, and the event loop must not wait with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Literal
from urllib.parse import urlsplit

from aiolimiter import AsyncLimiter

from newsbrief.digest.contract import ArticleResult
from newsbrief.errors import ConfigError, InputError, NewsbriefError
from newsbrief.ingest.feeds import FOLDER_FEED_SUFFIXES, looks_like_feed
from newsbrief.ingest.read import ARTICLE_SUFFIXES, Article, Unreadable, read_path
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.transport import RetryPolicy
from newsbrief.redact import redact, remember, remember_url, remote_text
from newsbrief.store.briefs import brief_through
from newsbrief.store.table import BriefCache

log = logging.getLogger(__name__)


def source_name(result: ArticleResult) -> str:
    """What a reader calls an article's source: the feed's or site's name, else the URL's
    host, else the file's name (never the A-code, which stays in the JSON)."""
    if result.source and result.source.strip():
        return " ".join(result.source.split())
    origin = result.origin
    if origin.lower().startswith(("http://", "https://")):
        try:
            host = urlsplit(origin).hostname
        except ValueError:
            host = None
        if host:
            return host.removeprefix("www.")
    return PurePath(origin.split("#", 1)[0]).name or origin


def original_link(result: ArticleResult) -> str | None:
    """The article's own address, when it has one a browser may follow: an http(s) URL with
    a host and no whitespace or control character. Anything else is no link."""
    origin = result.origin
    if any(c.isspace() or not c.isprintable() for c in origin):
        return None
    try:
        parts = urlsplit(origin)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return origin


@dataclass
class DigestOptions:
    """How a digest runs its articles.

    Args:
        concurrency: articles in flight (default the endpoint profile's: 1 for the
            embedded model, 4 otherwise).
        rpm: at most this many requests per minute.
        tpm: at most this many (estimated) tokens per minute.
        use_cache: read and write the brief cache.
        refresh: ignore cached answers and overwrite them.
        retry: transport retry policy for every request.
        prices: USD per million tokens (input, output) by model name, for the cost estimate.
        on_start: called once with the number of articles.
        on_done: called with each article's result as it finishes.
        since: keep feed entries published at or after this time (aware), or "last-run":
            only entries the previous run of the same feed did not see (needs the cache).
        allow_private: URLs, feeds, their pages and redirects may reach loopback and
            private addresses (default: refused; link-local and metadata addresses always
            are). The CLI's --allow-private.
    """

    concurrency: int | None = None
    rpm: int | None = None
    tpm: int | None = None
    use_cache: bool = True
    refresh: bool = False
    retry: RetryPolicy | None = None
    prices: dict[str, tuple[float, float]] | None = None
    on_start: Callable[[int], None] | None = None
    on_done: Callable[[ArticleResult], None] | None = field(default=None, repr=False)
    since: dt.datetime | Literal["last-run"] | None = None
    allow_private: bool = False

    def __post_init__(self) -> None:
        for name in ("concurrency", "rpm", "tpm"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(f"{name} must be a positive whole number, not {value}")


def expand(
    inputs: Sequence[Article | Unreadable | str | Path],
    *,
    feed_files: bool = False,
    warnings: list[str] | None = None,
) -> list[Article | Unreadable | str]:
    """Folders become their article files (sorted); everything else stays as given.

    Args:
        inputs: paths, folders, URLs or Articles.
        feed_files: a folder's feed files (.rss .xml .atom .rdf) are taken too; one whose
            first 2 KB is not a feed (a sitemap, a config file) is skipped with a warning.
        warnings: where skipped files are reported; a file that is a link to somewhere
            outside its folder is never read from a folder (name it to read it).
    """
    suffixes = {*ARTICLE_SUFFIXES, *(FOLDER_FEED_SUFFIXES if feed_files else ())}
    out: list[Article | Unreadable | str] = []
    for item in inputs:
        if isinstance(item, Article | Unreadable):
            out.append(item)
            continue
        path = Path(item)
        is_url = str(item).startswith(("http://", "https://"))
        if not is_url and path.is_dir():
            root = path.resolve()
            for p in sorted(path.rglob("*")):
                if p.suffix.lower() not in suffixes or not p.is_file():
                    continue
                why = _skipped(p, root)
                if why is not None:
                    if warnings is not None:
                        warnings.append(f"{p}: skipped, {why}")
                    continue
                out.append(str(p))
            continue
        out.append(str(item))
    return out


def _skipped(p: Path, root: Path) -> str | None:
    """Why a folder's file is not read, if it is not."""
    if not p.resolve().is_relative_to(root):
        return "it links to a file outside the folder"
    if p.suffix.lower() in FOLDER_FEED_SUFFIXES:
        try:
            with p.open("rb") as handle:
                head = handle.read(2048)
        except OSError:
            return None  # reading it again gives the one-line reason in the digest
        if not looks_like_feed(head):
            return "not an RSS, Atom or RDF feed"
    return None


def _estimated_tokens(text: str) -> int:
    return len(text) // 3 + 1500  # prompt plus answer, deliberately generous


async def run_batch(
    inputs: Sequence[Article | Unreadable | str | Path],
    endpoint: Endpoint,
    options: DigestOptions,
    cache: BriefCache | None,
) -> list[ArticleResult]:
    items = expand(inputs)
    if options.on_start:
        options.on_start(len(items))
    concurrency = max(1, options.concurrency or endpoint.profile.concurrency)
    rpm = AsyncLimiter(options.rpm, 60) if options.rpm else None
    tpm = AsyncLimiter(options.tpm, 60) if options.tpm else None
    cache = cache if options.use_cache else None

    remember(endpoint.api_key)  # redacted from every message and log line from now on
    remember_url(endpoint.api_url)

    @contextlib.asynccontextmanager
    async def within_limits(article: Article) -> AsyncIterator[None]:
        if rpm is not None:
            await rpm.acquire()
        if tpm is not None:
            await tpm.acquire(min(_estimated_tokens(article.text), options.tpm or 1))
        yield

    async def brief_one(
        article_id: str, origin: str, item: Article | Unreadable | str
    ) -> ArticleResult:
        if isinstance(item, Unreadable):
            raise InputError(item.error)
        article = (
            item
            if isinstance(item, Article)
            else await asyncio.to_thread(read_path, item, allow_private=options.allow_private)
        )
        known: dict[str, Any] = {"published": article.published, "source": article.source}
        # Stored before this article is reported done: a kill after this line loses
        # nothing, a kill before it costs one model call on the next run.
        got = await brief_through(
            cache,
            article,
            endpoint,
            refresh=options.refresh,
            retry=options.retry,
            around_call=within_limits,
        )
        return ArticleResult(
            article_id=article_id, origin=origin, brief=got.brief, cached=got.cached, **known
        )

    async def one(index: int, item: Article | Unreadable | str) -> ArticleResult:
        """Exactly one result per input, whatever happens inside (cancellation aside)."""
        article_id = f"A{index + 1}"
        origin = item if isinstance(item, str) else item.origin
        try:
            return await brief_one(article_id, origin, item)
        except NewsbriefError as exc:
            error = redact(" ".join(str(exc).split()), endpoint.api_key)
        except Exception as exc:  # one article's bug must not sink the others
            detail = f"internal error: {type(exc).__name__}: {exc}"
            error = remote_text(detail, endpoint.api_key, limit=500)
        if isinstance(item, Article):
            return ArticleResult(
                article_id=article_id,
                origin=origin,
                error=error,
                published=item.published,
                source=item.source,
            )
        return ArticleResult(article_id=article_id, origin=origin, error=error)

    results: list[ArticleResult | None] = [None] * len(items)
    pending = iter(enumerate(items))

    async def worker() -> None:
        # A shared iterator, not a semaphore race: each input is taken exactly once, and
        # in input order, so with --concurrency 1 article n+1 starts only after article n.
        for index, item in pending:
            result = await one(index, item)
            results[index] = result
            if options.on_done:
                try:
                    options.on_done(result)
                except Exception:  # a progress display must not sink the digest
                    log.exception("on_done callback failed for %s", result.article_id)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(items)))))
    return [r if r is not None else _unprocessed(i, items[i]) for i, r in enumerate(results)]


def _unprocessed(index: int, item: Article | Unreadable | str) -> ArticleResult:
    """Unreachable unless a worker itself died: even then, the input is listed, not lost."""
    origin = item if isinstance(item, str) else item.origin
    return ArticleResult(
        article_id=f"A{index + 1}", origin=origin, error="internal error: not processed"
    )
