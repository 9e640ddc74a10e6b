"""Brief many articles: bounded concurrency, rate limits, cache hits, one result per input.

Every input ends as exactly one ArticleResult, summarized or failed with its reason, in input
order. Each brief is written to the cache the moment it completes, so a killed run resumes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiolimiter import AsyncLimiter
from pydantic import BaseModel, ValidationError

from .cache import BriefCache, cache_key
from .endpoint import Endpoint
from .errors import InputError, NewsbriefError
from .ingest import Article, read_path
from .models import Brief, text_id
from .pipeline import asummarize, ready
from .redact import redact
from .retry import RetryPolicy

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


class ArticleResult(BaseModel):
    article_id: str
    origin: str
    brief: Brief | None = None
    error: str | None = None
    cached: bool = False


@dataclass
class BatchOptions:
    concurrency: int | None = None  # default: 1 for the embedded model, 4 otherwise
    rpm: int | None = None
    tpm: int | None = None
    use_cache: bool = True
    refresh: bool = False
    retry: RetryPolicy | None = None
    prices: dict[str, tuple[float, float]] | None = None
    on_start: Callable[[int], None] | None = None
    on_done: Callable[[ArticleResult], None] | None = field(default=None, repr=False)


def expand(inputs: Sequence[Article | str | Path]) -> list[Article | str]:
    """Folders become their article files (sorted); everything else stays as given."""
    out: list[Article | str] = []
    for item in inputs:
        if isinstance(item, Article):
            out.append(item)
            continue
        path = Path(item)
        is_url = str(item).startswith(("http://", "https://"))
        if not is_url and path.is_dir():
            out.extend(
                str(p) for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
            )  # fmt: skip
            continue
        out.append(str(item))
    return out


def _estimated_tokens(text: str) -> int:
    return len(text) // 3 + 1500  # prompt plus answer, deliberately generous


async def run_batch(
    inputs: Sequence[Article | str | Path],
    endpoint: Endpoint,
    options: BatchOptions,
    cache: BriefCache | None,
) -> list[ArticleResult]:
    items = expand(inputs)
    if options.on_start:
        options.on_start(len(items))
    concurrency = options.concurrency or (1 if endpoint.embedded else 4)
    gate = asyncio.Semaphore(max(1, concurrency))
    rpm = AsyncLimiter(options.rpm, 60) if options.rpm else None
    tpm = AsyncLimiter(options.tpm, 60) if options.tpm else None
    cache = cache if options.use_cache else None

    async def one(index: int, item: Article | str) -> ArticleResult:
        article_id = f"A{index + 1}"
        origin = item.origin if isinstance(item, Article) else item
        try:
            article = (
                item if isinstance(item, Article) else await asyncio.to_thread(read_path, item)
            )
        except InputError as exc:
            return ArticleResult(article_id=article_id, origin=origin, error=str(exc))
        key = cache_key("brief", text_id(article.text), endpoint)
        if cache is not None and not options.refresh:
            hit = cache.get(key)
            if hit is not None:
                try:
                    brief = Brief.model_validate_json(hit)
                    return ArticleResult(
                        article_id=article_id, origin=origin, brief=brief, cached=True
                    )
                except ValidationError:
                    cache.delete(key)  # a damaged row is recomputed, never trusted
        async with gate:
            try:
                live = await asyncio.to_thread(ready, endpoint)
                if rpm is not None:
                    await rpm.acquire()
                if tpm is not None:
                    await tpm.acquire(min(_estimated_tokens(article.text), options.tpm or 1))
                brief = await asummarize(
                    article.text, title=article.title, endpoint=live, retry=options.retry
                )
            except NewsbriefError as exc:
                return ArticleResult(article_id=article_id, origin=origin, error=str(exc))
            except Exception as exc:  # one article's bug must not sink the others
                message = redact(f"internal error: {type(exc).__name__}: {exc}", endpoint.api_key)
                return ArticleResult(article_id=article_id, origin=origin, error=message)
        brief.warnings[:0] = article.warnings
        if cache is not None:
            cache.put(key, "brief", brief.model_dump_json())
        return ArticleResult(article_id=article_id, origin=origin, brief=brief)

    async def reported(index: int, item: Article | str) -> ArticleResult:
        result = await one(index, item)
        if options.on_done:
            options.on_done(result)
        return result

    return list(await asyncio.gather(*(reported(i, item) for i, item in enumerate(items))))
