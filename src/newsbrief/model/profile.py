"""What differs between the endpoints we talk to, decided once, here.

The embedded llama.cpp model and a remote OpenAI-compatible API want different defaults:
retries (a local server's errors repeat, a network's pass), concurrency (one slot, or many),
timeouts, the context window and tokenizer, batch files, price, the words a progress line
uses, and a step before each brief request (the embedded server restores its saved prompt
prefix). Code above model/ asks the endpoint's profile (`endpoint.profile.concurrency`),
never whether it is the embedded model: a third kind of endpoint is one more profile, not
a change in eight modules. pydantic-ai's ModelProfile is the pattern.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from newsbrief import settings
from newsbrief.model import embedded as llama
from newsbrief.model.transport import RetryPolicy

if TYPE_CHECKING:
    from newsbrief.model.endpoint import Endpoint

Messages = list[dict[str, str]]
# Called before a brief request with the endpoint and the request's fixed part (made only
# when a profile needs it): a cache the server keeps can be readied for it.
Prime = Callable[["Endpoint", Callable[[], Messages]], Awaitable[None]]

# Requests a profile makes for itself (the embedded server's prefix warm-up) carry this
# header: they are never part of an answer, and cassettes leave them out.
HOUSEKEEPING_HEADER = llama.WARMUP_HEADER
REMOTE_TIMEOUT_S = 300.0
# The embedded model on 2 cores can take minutes for one long answer: a timeout there would
# only restart the same generation.
EMBEDDED_TIMEOUT_S = 1800.0
REMOTE_CONTEXT = 16000  # remote context windows vary; NEWSBRIEF_CONTEXT overrides


async def _nothing(endpoint: Endpoint, fixed: Callable[[], Messages]) -> None:
    return None


async def _restore_prefix(endpoint: Endpoint, fixed: Callable[[], Messages]) -> None:
    """The embedded server: have its slot hold the fixed prefix (restored from disk, or read
    and saved the first time). Before every brief request, since any other request in
    between (a label question, a combining call) replaced the slot's cached prefix."""
    from newsbrief.model.prompts import prompt_version  # templates: only when a brief is due

    if endpoint.base_url:
        await asyncio.to_thread(llama.warm_prefix, endpoint.base_url, fixed(), prompt_version())


def _embedded_tokens(base_url: str, text: str) -> int:
    return llama.count_tokens(base_url, text)


@dataclass(frozen=True)
class EndpointProfile:
    """The defaults and behaviours of one kind of endpoint.

    Args:
        kind: recorded in each Brief's provenance.
        retry: transport retries per request when the caller gives none.
        concurrency: articles in flight in a digest when the caller gives none.
        timeout_s: seconds per request when neither the caller nor NEWSBRIEF_TIMEOUT says.
        context_tokens: the context window; None: NEWSBRIEF_CONTEXT, else REMOTE_CONTEXT.
        tokenizer: exact token count (base_url, text); None: 1 token per 3 characters.
        local: starting it and counting tokens block (callers use a thread).
        batch_files: answers OpenAI Batch request files.
        free: costs nothing (no price lookup).
        waiting: what a progress line says while it works; None: the model's name.
        prime: the step before each brief request (see Prime).
    """

    kind: Literal["embedded", "openai-compatible"]
    retry: RetryPolicy
    concurrency: int
    timeout_s: float
    context_tokens: int | None = None
    tokenizer: Callable[[str, str], int] | None = None
    local: bool = False
    batch_files: bool = True
    free: bool = False
    waiting: str | None = None
    prime: Prime = _nothing

    def context_window(self) -> int:
        return self.context_tokens or settings.CONTEXT.get() or REMOTE_CONTEXT


REMOTE = EndpointProfile(
    kind="openai-compatible", retry=RetryPolicy(), concurrency=4, timeout_s=REMOTE_TIMEOUT_S
)
EMBEDDED = EndpointProfile(
    kind="embedded",
    # In-process llama.cpp has no flaky network; its errors repeat, so one attempt.
    retry=RetryPolicy(max_attempts=1),
    concurrency=1,  # one slot: a second article would only wait, and evict the prefix
    timeout_s=EMBEDDED_TIMEOUT_S,
    context_tokens=llama.DEFAULT_CONTEXT,
    tokenizer=_embedded_tokens,
    local=True,
    batch_files=False,
    free=True,
    waiting="the embedded model (about a minute on 2 cores)",
    prime=_restore_prefix,
)
