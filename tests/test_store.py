"""store/: one table of answers by kind, and the one path every caller briefs through (the
CLI, a digest, batch files, the evaluator): key, lookup, brief, reload, write."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from newsbrief.evaluate.run import discover, evaluate
from newsbrief.ingest.read import Article
from newsbrief.model.endpoint import Endpoint, resolve_endpoint
from newsbrief.model.replay import Pending, Replay
from newsbrief.store.briefs import Briefed, brief_key, brief_through
from newsbrief.store.table import KINDS, BriefCache, cache_key
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, draft_reply, serve


def tiny() -> Article:
    return Article(text=TINY_ARTICLE, title="Tokyo close", origin="tiny.txt")


def through(store: BriefCache | None, endpoint: Endpoint, **kwargs: object) -> Briefed:
    return asyncio.run(brief_through(store, tiny(), endpoint, **kwargs))  # type: ignore[arg-type]


def test_a_miss_asks_once_and_stores_a_hit_asks_nothing(tmp_path: Path) -> None:
    store = BriefCache(tmp_path / "store.sqlite")
    with serve([draft_reply(TINY_DRAFT)] * 3) as fake:
        endpoint = resolve_endpoint(base_url=fake.base_url)
        first = through(store, endpoint)
        second = through(store, endpoint)
        assert fake.count == 1
        again = through(store, endpoint, refresh=True)
        assert fake.count == 2
    assert (first.cached, second.cached, again.cached) == (False, True, False)
    assert second.brief == first.brief
    assert store.get(brief_key(TINY_ARTICLE, endpoint)) == again.brief.model_dump_json()


def test_without_a_store_every_call_asks(tmp_path: Path) -> None:
    with serve([draft_reply(TINY_DRAFT)] * 2) as fake:
        endpoint = resolve_endpoint(base_url=fake.base_url)
        assert not through(None, endpoint).cached
        assert not through(None, endpoint).cached
        assert fake.count == 2


def test_the_wrapper_is_entered_around_the_model_call_only(tmp_path: Path) -> None:
    entered: list[str] = []

    @contextlib.asynccontextmanager
    async def around(article: Article) -> AsyncIterator[None]:
        entered.append(article.origin)
        yield

    store = BriefCache(tmp_path / "store.sqlite")
    with serve([draft_reply(TINY_DRAFT)]) as fake:
        endpoint = resolve_endpoint(base_url=fake.base_url)
        through(store, endpoint, around_call=around)
        through(store, endpoint, around_call=around)
    assert entered == ["tiny.txt"]


def test_a_pending_replay_stores_nothing(tmp_path: Path) -> None:
    store = BriefCache(tmp_path / "store.sqlite")
    endpoint = resolve_endpoint(base_url="http://127.0.0.1:9/v1")
    with pytest.raises(Pending) as waiting:
        through(store, endpoint, ask=Replay(lambda fingerprint: None))
    assert len(waiting.value.bodies) == 1
    assert store.get(brief_key(TINY_ARTICLE, endpoint)) is None


def test_a_stored_row_that_does_not_validate_is_asked_again_and_replaced(tmp_path: Path) -> None:
    store = BriefCache(tmp_path / "store.sqlite")
    with serve([draft_reply(TINY_DRAFT)] * 2) as fake:
        endpoint = resolve_endpoint(base_url=fake.base_url)
        brief = through(store, endpoint).brief
        torn = brief.model_dump_json()[:-5]
        store.put(brief_key(TINY_ARTICLE, endpoint), "brief", torn)
        again = through(store, endpoint)
        assert fake.count == 2
    assert not again.cached and again.brief.summary == brief.summary


def test_the_evaluator_briefs_through_the_store(tmp_path: Path) -> None:
    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "tiny.txt").write_text(TINY_ARTICLE, encoding="utf-8")
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not an article suffix
    store = BriefCache(tmp_path / "store.sqlite")
    docs = discover(folder)
    assert [d.name for d in docs] == ["tiny.txt"]
    with serve([draft_reply(TINY_DRAFT)] * 2) as fake:
        endpoint = resolve_endpoint(base_url=fake.base_url)
        first = evaluate(docs, endpoint, {}, cache=store)
        second = evaluate(docs, endpoint, {}, cache=store)
        assert fake.count == 1
    assert [d.error for d in first.docs + second.docs] == [None, None]
    assert store.get(brief_key(TINY_ARTICLE, endpoint)) is not None


def test_every_kind_has_its_rows(tmp_path: Path) -> None:
    store = BriefCache(tmp_path / "store.sqlite")
    endpoint = resolve_endpoint(base_url="http://127.0.0.1:9/v1")
    for kind in KINDS:
        assert store.put(cache_key(kind, "content", endpoint), kind, f'"{kind}"')
    store.close()
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        kinds = [row[0] for row in db.execute("SELECT kind FROM answers ORDER BY kind")]
    assert kinds == sorted(KINDS)
    assert len({cache_key(kind, "content", endpoint) for kind in KINDS}) == len(KINDS)


def test_many_rows_are_written_in_one_transaction_or_none(tmp_path: Path) -> None:
    store = BriefCache(tmp_path / "store.sqlite")
    rows = [(f"batch-article:{n}", "batch-article", f'"{n}"') for n in range(2500)]
    assert store.put_many(rows)  # type: ignore[arg-type]
    assert store.get("batch-article:2499") == '"2499"'
    store.close()
    assert not store.put_many([("k", "brief", "{}")])
    assert store.last_error is not None and "cannot write" in store.last_error
