"""Connection set-up: the openai client over our retrying transport, wrapped by instructor
with hooks that report to the call in progress (model.call).

Apart from client.py (the call and its errors) and pool.py (how long a client lives), so
the pool builds clients without importing the call, and the call gets clients without
knowing how they are built.
"""

from __future__ import annotations

import logging
import ssl
from functools import lru_cache
from typing import Any

import httpx2
import instructor
import openai

from newsbrief import settings
from newsbrief.contract import SCHEMA_VERSION
from newsbrief.model.call import current_call
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.prompts import prompt_version
from newsbrief.model.transport import AsyncRetryingTransport, RetryPolicy
from newsbrief.redact import remember_url

# instructor logs each failed attempt at ERROR ("API call failed on attempt 1", a validation
# error's whole text), openai and httpx at WARNING: beside the one error we raise, which
# says it better, that is noise on a library user's stderr.
QUIET_LIBRARIES = ("instructor", "openai", "httpx", "httpx2", "httpcore")


@lru_cache(maxsize=1)
def quiet_libraries() -> None:
    """Keep the model libraries' log lines off stderr, unless NEWSBRIEF_DEBUG is set.

    With no logging set up, Python prints WARNING and above through its last-resort handler
    to stderr. A NullHandler on each library's logger ends that fallback and nothing else:
    logging the user asked for (logging.basicConfig, OPENAI_LOG=debug) still gets every
    record.
    """
    if settings.DEBUG.get():
        return
    for name in QUIET_LIBRARIES:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _headers() -> dict[str, str]:
    # Recorded into cassettes, so a stale cassette can say which prompt it was made with.
    return {"X-Newsbrief-Prompt-Version": prompt_version(), "X-Newsbrief-Schema": SCHEMA_VERSION}


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One SSL context per process: loading the CA bundle costs ~20 ms of CPU (measured 70 ms
    on a loaded machine), and every client used to load it again, even for http:// URLs."""
    return httpx2.create_ssl_context()


def openai_async(endpoint: Endpoint, retry: RetryPolicy) -> openai.AsyncOpenAI:
    remember_url(endpoint.api_url)  # before openai appends a path to its query
    transport = AsyncRetryingTransport(
        httpx2.AsyncHTTPTransport(verify=_ssl_context()),
        retry,
        deadline_s=endpoint.request_deadline_s,
        max_bytes=endpoint.max_response_bytes,
    )
    return openai.AsyncOpenAI(
        http_client=openai.DefaultAsyncHttpxClient(transport=transport),
        base_url=endpoint.api_url,
        api_key=endpoint.api_key or "not-needed",
        max_retries=0,  # retry.py owns transport retries; never multiply them
        timeout=endpoint.timeout_s,
        default_headers=_headers(),
    )


def on_kwargs(*args: Any, **kwargs: Any) -> None:
    """instructor hook: one more attempt for the call in progress."""
    meter = current_call()
    if meter is not None:
        meter.on_kwargs()


def on_response(response: Any) -> None:
    """instructor hook: the usage of the call in progress."""
    meter = current_call()
    if meter is not None:
        meter.on_response(response)


def connect(endpoint: Endpoint, retry: RetryPolicy) -> tuple[openai.AsyncOpenAI, Any]:
    """A new raw openai client (to close) and the instructor client over it (to call)."""
    quiet_libraries()
    raw = openai_async(endpoint, retry)
    client = instructor.from_openai(raw, mode=endpoint.instructor_mode)
    client.on("completion:kwargs", on_kwargs)
    client.on("completion:response", on_response)
    return raw, client
