"""Text in, Brief out: the public summarize / asummarize entry points."""

from __future__ import annotations

import asyncio

from .endpoint import Endpoint, resolve_endpoint
from .errors import InputError
from .extract import Extraction, aextract, extract
from .local import shared_server
from .models import Brief, Provenance, Source
from .prompts import prompt_version
from .retry import RetryPolicy


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


def _brief(text: str, title: str | None, endpoint: Endpoint, result: Extraction) -> Brief:
    if not result.grounded.figures:
        result.warnings.append("no key figure could be grounded in the article")
    return Brief(
        source=Source.from_text(text, title),
        summary=result.grounded.summary,
        key_figures=result.grounded.figures,
        policy_implications=result.grounded.implications,
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
) -> Brief:
    """Brief one article. With no endpoint configured, runs the embedded model."""
    check_text(text)
    endpoint = ready(endpoint or resolve_endpoint(model, base_url, api_key, mode))
    return _brief(text, title, endpoint, extract(text, endpoint, retry))


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
) -> Brief:
    check_text(text)
    endpoint = endpoint or resolve_endpoint(model, base_url, api_key, mode)
    endpoint = await asyncio.to_thread(ready, endpoint)
    return _brief(text, title, endpoint, await aextract(text, endpoint, retry))
