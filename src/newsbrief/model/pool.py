"""One client per endpoint for a whole run, shared by every call made inside it.

Kept apart from client.py so a digest can open the run's pool without importing openai and
instructor: a fully cached run never builds a client, and never pays for the import.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from newsbrief.model.endpoint import Endpoint
from newsbrief.model.transport import RetryPolicy

if TYPE_CHECKING:
    import openai


class ClientPool:
    """One openai client (one connection pool, one transport) per endpoint and retry policy
    for a whole run: a client costs tens of milliseconds to build, a request a few."""

    def __init__(self) -> None:
        self._clients: dict[tuple[Endpoint, RetryPolicy], tuple[openai.AsyncOpenAI, Any]] = {}

    def get(self, endpoint: Endpoint, policy: RetryPolicy) -> Any:
        key = (endpoint, policy)
        if key not in self._clients:
            import instructor

            from newsbrief.model.client import on_kwargs, on_response, openai_async

            raw = openai_async(endpoint, policy)
            client = instructor.from_openai(raw, mode=endpoint.instructor_mode)
            client.on("completion:kwargs", on_kwargs)
            client.on("completion:response", on_response)
            self._clients[key] = (raw, client)
        return self._clients[key][1]

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for raw, _ in clients:
            await raw.close()


_POOL: ContextVar[ClientPool | None] = ContextVar("newsbrief_client_pool", default=None)


@asynccontextmanager
async def client_pool() -> AsyncIterator[ClientPool]:
    """The run's client pool: the one already open in this task, else a new one, closed
    when the block ends. A digest opens one for all its articles."""
    current = _POOL.get()
    if current is not None:
        yield current
        return
    pool = ClientPool()
    token = _POOL.set(pool)
    try:
        yield pool
    finally:
        _POOL.reset(token)
        await pool.aclose()
