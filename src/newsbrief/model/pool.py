"""One client per endpoint for the life of an event loop, shared by every call made on it.

A client costs about a millisecond to build and a connection to open; a request to a local
server costs a few. So clients live as long as the loop: every summarize on one loop (and
every blocking summarize, since aio keeps one loop per thread) reuses them. They are closed
when the loop shuts down its async generators, as asyncio.run and asyncio.Runner do.

Kept apart from client.py so a digest can reach the pool without importing openai and
instructor: a fully cached run never builds a client, and never pays for the import.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from newsbrief.model.endpoint import Endpoint
from newsbrief.model.transport import RetryPolicy

if TYPE_CHECKING:
    import openai


class ClientPool:
    """One openai client (one connection pool, one transport) per endpoint and retry policy."""

    def __init__(self) -> None:
        self._clients: dict[tuple[Endpoint, RetryPolicy], tuple[openai.AsyncOpenAI, Any]] = {}
        self.built = 0  # clients built over the pool's life, for tests and benchmarks
        self._closer: AsyncIterator[None] | None = None

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
            self.built += 1
        return self._clients[key][1]

    @property
    def open(self) -> int:
        return len(self._clients)

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for raw, _ in clients:
            await raw.close()


_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ClientPool] = (
    weakref.WeakKeyDictionary()
)


async def _close_at_shutdown(pool: ClientPool) -> AsyncIterator[None]:
    # A suspended async generator is what loop.shutdown_asyncgens() closes: the one hook
    # asyncio gives for "this loop is ending", and asyncio.run always calls it.
    try:
        yield
    finally:
        await pool.aclose()


async def client_pool() -> ClientPool:
    """The running loop's client pool, made on first use."""
    loop = asyncio.get_running_loop()
    pool = _POOLS.get(loop)
    if pool is None:
        pool = _POOLS[loop] = ClientPool()
        pool._closer = _close_at_shutdown(pool)
        await anext(pool._closer)
    return pool
