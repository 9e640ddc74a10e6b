"""One client per endpoint for the life of an event loop, shared by every call made on it.

A client costs about a millisecond to build and a connection to open; a request to a local
server costs a few. So clients live as long as the loop: every summarize on one loop (and
every blocking summarize, since aio keeps one loop per thread) reuses them. They are closed
when the loop shuts down its async generators, as asyncio.run and asyncio.Runner do.

How a client is built is model.connect's; the call that uses one is model.client's.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import Any

import openai

from newsbrief.model.connect import connect
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.transport import RetryPolicy


class ClientPool:
    """One openai client (one connection pool, one transport) per endpoint and retry policy."""

    def __init__(self) -> None:
        self._clients: dict[tuple[Endpoint, RetryPolicy], tuple[openai.AsyncOpenAI, Any]] = {}
        self.built = 0  # clients built over the pool's life, for tests and benchmarks
        self._closer: AsyncIterator[None] | None = None

    def get(self, endpoint: Endpoint, retry: RetryPolicy) -> Any:
        """The instructor client for this endpoint and retry policy, built on first use."""
        key = (endpoint, retry)
        if key not in self._clients:
            self._clients[key] = connect(endpoint, retry)
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
