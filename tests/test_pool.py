"""One client per endpoint for a loop's life: calls reuse it, and the loop's end closes it."""

from __future__ import annotations

import asyncio

import newsbrief
from newsbrief import aio
from newsbrief.model import pool
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, draft_reply, serve


def endpoint(base_url: str) -> newsbrief.Endpoint:
    return newsbrief.Endpoint(model="test-model", base_url=base_url, api_key="sk-test")


def test_calls_on_one_loop_share_one_client() -> None:
    async def three(ep: newsbrief.Endpoint) -> pool.ClientPool:
        for _ in range(3):
            brief = await newsbrief.asummarize(TINY_ARTICLE, endpoint=ep)
            assert len(brief.key_figures) == 2
        return await pool.client_pool()

    with serve([draft_reply(TINY_DRAFT)] * 3) as fake:
        used = asyncio.run(three(endpoint(fake.base_url)))
        assert fake.count == 3
    assert used.built == 1
    # asyncio.run shut the loop's async generators down, and with them the clients.
    assert used.open == 0


def test_blocking_calls_share_one_loop_and_one_client() -> None:
    with serve([draft_reply(TINY_DRAFT)] * 3) as fake:
        ep = endpoint(fake.base_url)
        for _ in range(3):
            assert len(newsbrief.summarize(TINY_ARTICLE, endpoint=ep).key_figures) == 2
        used = pool._POOLS[aio._runner().get_loop()]
        assert [key[0] for key in used._clients].count(ep) == 1


def test_a_blocking_call_inside_a_running_loop_still_works() -> None:
    async def inside(ep: newsbrief.Endpoint) -> int:
        return len(newsbrief.summarize(TINY_ARTICLE, endpoint=ep).key_figures)

    with serve([draft_reply(TINY_DRAFT)]) as fake:
        assert asyncio.run(inside(endpoint(fake.base_url))) == 2
