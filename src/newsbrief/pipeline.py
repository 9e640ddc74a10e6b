"""Text in, Brief out: the public summarize / asummarize entry points.

Short articles take one model call; articles over the endpoint's context budget are split
into overlapping chunks and briefed by map/reduce. Either way the result is one Brief whose
spans index the full text.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from .chunking import article_budget, count_tokens, split
from .endpoint import Endpoint, resolve_endpoint
from .errors import EndpointError, InputError
from .extract import aextract
from .local import shared_server
from .mapreduce import Reduced, abrief_chunks
from .models import Brief, Provenance, Source
from .prompts import prompt_version
from .retry import RetryPolicy

T = TypeVar("T")


def check_text(text: str) -> str:
    if not isinstance(text, str):
        raise InputError(f"article must be text, got {type(text).__name__}")
    if not text.strip():
        raise InputError("article is empty or whitespace only")
    if "\x00" in text:
        raise InputError("article contains NUL bytes; it looks like binary content")
    return text


def ready(endpoint: Endpoint) -> Endpoint:
    """The endpoint with a base URL: starts the embedded server on first need."""
    if endpoint.embedded and endpoint.base_url is None:
        return endpoint.with_base_url(shared_server().base_url)
    return endpoint


def _tokens(text: str, endpoint: Endpoint) -> int:
    try:
        return count_tokens(text, endpoint)
    except OSError as exc:
        raise EndpointError(f"cannot reach the embedded model's tokenizer: {exc}") from None


async def _brief(
    text: str,
    title: str | None,
    endpoint: Endpoint,
    retry: RetryPolicy | None,
    on_progress: Callable[[str], None] | None,
) -> Brief:
    budget = article_budget(endpoint)
    tokens = await asyncio.to_thread(_tokens, text, endpoint)
    if tokens <= budget:
        one = await aextract(text, endpoint, retry)
        result = Reduced(
            summary=one.grounded.summary,
            figures=one.grounded.figures,
            implications=one.grounded.implications,
            warnings=one.warnings,
            usage=one.usage,
            attempts=one.attempts,
            latency_s=one.latency_s,
        )
    else:
        chars_per_token = len(text) / tokens
        chunks = split(text, max_chars=int(budget * chars_per_token * 0.9))
        result = await abrief_chunks(text, chunks, endpoint, retry, on_progress)
    if not result.figures:
        result.warnings.append("no key figure could be grounded in the article")
    return Brief(
        source=Source.from_text(text, title),
        summary=result.summary,
        key_figures=result.figures,
        policy_implications=result.implications,
        warnings=result.warnings,
        provenance=Provenance(
            model=endpoint.model,
            endpoint="embedded" if endpoint.embedded else "openai-compatible",
            mode=endpoint.mode,
            prompt_version=prompt_version(),
            usage=result.usage,
            attempts=result.attempts,
            latency_s=result.latency_s,
        ),
    )


async def asummarize(
    text: str,
    *,
    title: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: str | None = None,
    endpoint: Endpoint | None = None,
    retry: RetryPolicy | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Brief:
    """Brief one article. With no endpoint configured, runs the embedded model."""
    check_text(text)
    endpoint = endpoint or resolve_endpoint(model, base_url, api_key, mode)
    endpoint = await asyncio.to_thread(ready, endpoint)
    return await _brief(text, title, endpoint, retry, on_progress)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, also from inside a running loop (Jupyter): then in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def summarize(
    text: str,
    *,
    title: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: str | None = None,
    endpoint: Endpoint | None = None,
    retry: RetryPolicy | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Brief:
    """Brief one article. With no endpoint configured, runs the embedded model."""
    return _run(
        asummarize(
            text,
            title=title,
            model=model,
            base_url=base_url,
            api_key=api_key,
            mode=mode,
            endpoint=endpoint,
            retry=retry,
            on_progress=on_progress,
        )
    )
