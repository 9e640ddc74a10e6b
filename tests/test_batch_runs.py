"""digest/batch_runs.py: a batch run's row holds ids only, each article a row of its own; a
run exported before that layout still imports (moved on first read); a missing article is
one line, the others go on; the requests file is written whole or not at all."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from test_batch_api import endpoint, engine

from newsbrief import BriefCache, build_digest
from newsbrief.digest import batch_api, batch_runs
from newsbrief.errors import NewsbriefError
from tests.fakes.digests import write_reports

MARK = "Exporters gained"  # in every article's text


def _rows(path: Path, kind: str) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        return list(db.execute("SELECT key, json FROM answers WHERE kind = ?", (kind,)))


def _rounds(requests: Path, ep: object, cache: BriefCache, tmp_path: Path) -> list[int]:
    """Engine and import until nothing is due; the lines of each round."""
    rounds: list[int] = []
    while requests.stat().st_size:
        results = tmp_path / f"results{len(rounds) + 1}.jsonl"
        rounds.append(len(engine(requests, results)))
        requests = tmp_path / f"round{len(rounds) + 1}.jsonl"
        report = batch_api.import_results(results, ep, cache, requests)  # type: ignore[arg-type]
        assert not report.failed and len(rounds) < 6
    return rounds


def test_the_run_row_holds_ids_and_each_article_has_its_own_row(tmp_path: Path) -> None:
    reports = write_reports(tmp_path / "in", 4)
    cache = BriefCache(tmp_path / "cache.sqlite")
    ep = endpoint("http://127.0.0.1:9/v1")
    batch_api.export_requests(reports, ep, cache, tmp_path / "round1.jsonl")
    [(_, run_json)] = _rows(tmp_path / "cache.sqlite", "batch-run")
    articles = _rows(tmp_path / "cache.sqlite", "batch-article")
    assert MARK not in run_json
    run = json.loads(run_json)
    assert run["articles"] == sorted(run["articles"], key=run["articles"].index)
    assert sorted(run["articles"]) == sorted(key for key, _ in articles) and len(articles) == 4
    assert all(MARK in value for _, value in articles)
    # Exported again: the same rows, not copies.
    batch_api.export_requests(reports, ep, cache, tmp_path / "again.jsonl")
    assert len(_rows(tmp_path / "cache.sqlite", "batch-article")) == 4


def _old_layout(path: Path) -> str:
    """Rewrite the one run of this cache as a version before per-article rows wrote it."""
    with sqlite3.connect(path) as db:
        query = "SELECT key, json FROM answers WHERE kind = 'batch-run'"
        key, value = db.execute(query).fetchone()
        run = json.loads(value)
        articles = []
        for n, row in enumerate(run["articles"], 1):
            (text,) = db.execute("SELECT json FROM answers WHERE key = ?", (row,)).fetchone()
            articles.append({"article_id": f"A{n}", **json.loads(text)})
        db.execute("DELETE FROM answers WHERE kind = 'batch-article'")
        old = {**run, "articles": articles}
        db.execute("UPDATE answers SET json = ? WHERE key = ?", (json.dumps(old), key))
    return str(key)


def test_a_run_exported_before_article_rows_imports_and_is_moved(tmp_path: Path) -> None:
    reports = write_reports(tmp_path / "in", 3)
    cache_path = tmp_path / "cache.sqlite"
    ep = endpoint("http://127.0.0.1:9/v1")
    batch_api.export_requests(reports, ep, BriefCache(cache_path), tmp_path / "round1.jsonl")
    key = _old_layout(cache_path)
    assert not _rows(cache_path, "batch-article")
    cache = BriefCache(cache_path)
    assert _rounds(tmp_path / "round1.jsonl", ep, cache, tmp_path) == [
        3,
        1,
        1,
    ]  # briefs, a re-ask, the synthesis (frames name every figure)
    run = dict(_rows(cache_path, "batch-run"))[key]
    assert MARK not in run and len(_rows(cache_path, "batch-article")) == 3
    digest = build_digest(reports, endpoint=ep, cache=cache)
    assert digest.stats.model_calls == 0 and digest.stats.summarized == 3


def test_a_missing_article_is_one_line_and_the_others_go_on(tmp_path: Path) -> None:
    reports = write_reports(tmp_path / "in", 3)
    cache_path = tmp_path / "cache.sqlite"
    cache = BriefCache(cache_path)
    ep = endpoint("http://127.0.0.1:9/v1")
    batch_api.export_requests(reports, ep, cache, tmp_path / "round1.jsonl")
    run = json.loads(_rows(cache_path, "batch-run")[0][1])
    with sqlite3.connect(cache_path) as db:
        db.execute("DELETE FROM answers WHERE key = ?", (run["articles"][1],))
    engine(tmp_path / "round1.jsonl", tmp_path / "results1.jsonl")
    report = batch_api.import_results(
        tmp_path / "results1.jsonl", ep, cache, tmp_path / "round2.jsonl"
    )
    assert report.failed == ["A2: its article is missing from the cache (export the run again)"]
    assert (report.articles, report.done) == (3, 2)
    assert report.synthesis is False and report.written == 1  # the synthesis of A1 and A3
    body = json.loads((tmp_path / "round2.jsonl").read_text())["body"]
    assert "[A1]" in body["messages"][0]["content"] and "[A2]" not in json.dumps(body)


def test_a_damaged_article_row_is_missing_too(tmp_path: Path) -> None:
    cache = BriefCache(tmp_path / "cache.sqlite")
    run = batch_runs.Run(run_id="r" * 64, articles=["batch-article:x", "batch-article:y"])
    cache.put("batch-article:x", "batch-article", '{"origin": 3}')
    cache.put("batch-article:y", "batch-article", "not json")
    assert [(a, item) for a, item in batch_runs.articles_of(cache, run)] == [
        ("A1", None),
        ("A2", None),
    ]


def test_articles_that_cannot_be_written_are_one_error(tmp_path: Path) -> None:
    cache = BriefCache(tmp_path / "cache.sqlite")
    cache.close()
    article = batch_runs.RunArticle(origin="o", key="k", text="t")
    with pytest.raises(NewsbriefError, match="cannot record the batch run's articles"):
        batch_runs.store_articles(cache, [article])


def test_a_failed_export_leaves_no_requests_file(tmp_path: Path) -> None:
    reports = write_reports(tmp_path / "in", 2)
    (tmp_path / "in" / "03.txt").write_bytes(b"\x00\x01 binary")
    out = tmp_path / "round1.jsonl"
    ep = endpoint("http://127.0.0.1:9/v1")
    with pytest.raises(NewsbriefError):
        batch_api.export_requests(
            [*reports, tmp_path / "in" / "03.txt"], ep, BriefCache(tmp_path / "c"), out
        )
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
