"""Text in, Brief out: the public summarize / asummarize entry points.

Short articles take one model call; articles over the endpoint's context budget are split
into overlapping chunks and briefed by map/reduce. Either way the result is one Brief whose
spans index the full text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from newsbrief.aio import blocking
from newsbrief.brief.chunking import article_budget, split
from newsbrief.brief.extract import aextract
from newsbrief.brief.mapreduce import Reduced, abrief_chunks
from newsbrief.brief.policy import POLICY, BriefPolicy
from newsbrief.contract import Brief, Note, Provenance, Source
from newsbrief.docs import ENDPOINT_ARGS, fill
from newsbrief.errors import InputError
from newsbrief.ingest.read import Article
from newsbrief.model.call import Ask
from newsbrief.model.client import acall
from newsbrief.model.endpoint import Endpoint, endpoint_from, ready
from newsbrief.model.prompts import prompt_version
from newsbrief.model.transport import RetryPolicy
from newsbrief.text.article import ArticleText
from newsbrief.text.chars import without_surrogates


def check_text(text: object) -> str:
    if not isinstance(text, str):
        raise InputError(f"article must be text, got {type(text).__name__}")
    if not text.strip():
        raise InputError("article is empty or whitespace only")
    if "\x00" in text:
        raise InputError("article contains NUL bytes; it looks like binary content")
    return text


async def brief_text(
    article: ArticleText,
    title: str | None,
    endpoint: Endpoint,
    retry: RetryPolicy | None,
    on_progress: Callable[[str], None] | None,
    policy: BriefPolicy = POLICY,
    ask: Ask = acall,
) -> Brief:
    """One Brief for text, on an endpoint that is ready (see model.endpoint.ready)."""
    text = article.text
    budget = article_budget(endpoint, policy)
    if endpoint.profile.local:  # a request to the local server's tokenizer
        tokens = await asyncio.to_thread(endpoint.count_tokens, text)
    else:
        tokens = endpoint.count_tokens(text)
    if tokens <= budget:
        one = await aextract(article, endpoint, retry, policy=policy, ask=ask)
        g = one.grounded
        result = Reduced(g.summary_sentences, g.figures, g.implications, one.notes, one.spent)
    else:
        chars_per_token = len(text) / tokens
        chunks = split(text, max_chars=int(budget * chars_per_token * 0.9))
        result = await abrief_chunks(article, chunks, endpoint, retry, on_progress, policy, ask)
    if not result.figures:
        result.notes.append(
            Note(kind="reader", text="no key figure could be grounded in the article")
        )
    return Brief(
        source=Source.from_text(text, title),
        summary=" ".join(s.text for s in result.summary),
        summary_sentences=result.summary,
        key_figures=result.figures,
        policy_implications=result.implications,
        warnings=[n.text for n in result.notes],
        notes=result.notes,
        provenance=Provenance(
            model=endpoint.model,
            endpoint=endpoint.profile.kind,
            mode=endpoint.mode,
            prompt_version=prompt_version(),
            usage=result.spent.usage,
            attempts=result.spent.attempts,
            latency_s=result.spent.latency_s,
        ),
    )


@fill(endpoint_args=ENDPOINT_ARGS)
async def asummarize(
    article: Article | str,
    *,
    title: str | None = None,
    endpoint: Endpoint | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: str | None = None,
    retry: RetryPolicy | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Brief:
    """Brief one article (awaitable). With no endpoint configured, runs the embedded model.

    Args:
        article: the article's plain text, or an Article from newsbrief's readers (its title
            and reading warnings are carried into the Brief).
        title: the title to show; default the Article's title, else the first line.
        {endpoint_args}
        retry: transport retries per request (RetryPolicy); default the endpoint profile's:
            4 attempts remote, 1 for the embedded model.
        on_progress: called with a short status line (chunks of a long article).

    Returns:
        A Brief whose every quote and figure is checked against the article text.

    Raises:
        InputError: the text is empty, binary or not text.
        ConfigError: conflicting or unusable settings.
        EndpointError: the model could not be reached or refused the request (the message
            names the host tried).
        ModelOutputError: the model never produced an answer that validates.
    """
    chosen = endpoint_from(endpoint, model, base_url, api_key, mode)
    return await brief_article(article, title, chosen, retry, on_progress)


async def brief_article(
    article: Article | str,
    title: str | None,
    endpoint: Endpoint,
    retry: RetryPolicy | None,
    on_progress: Callable[[str], None] | None = None,
    ask: Ask | None = None,
) -> Brief:
    """asummarize on a resolved endpoint, with the way calls are made: live (ask None: the
    embedded server is started if need be), or from batch files (model.replay), where it
    raises Pending for calls not answered yet."""
    if ask is None:
        # Starting the embedded server, or asking it for a token count, blocks: a thread.
        endpoint = await asyncio.to_thread(ready, endpoint) if endpoint.profile.local else endpoint
        ask = acall
    warnings: list[str] = []  # what reading the article found: the reader's to know
    if isinstance(article, Article):
        title = title or article.title
        warnings = list(article.warnings)
        text = article.text
    else:
        text = article
    check_text(text)
    cleaned = without_surrogates(text)
    if cleaned is not text:
        warnings.append("the article has invalid characters; replaced them with U+FFFD")
        text = cleaned
    brief = await brief_text(ArticleText(text), title, endpoint, retry, on_progress, ask=ask)
    brief.warnings[:0] = warnings
    brief.notes[:0] = [Note(kind="reader", text=w) for w in warnings]
    return brief


summarize = blocking(
    asummarize,
    "summarize",
    "Brief one article and wait for it. With no endpoint configured, runs the embedded model.\n"
    "Usable inside a running event loop too (it runs on a helper thread then).",
)
