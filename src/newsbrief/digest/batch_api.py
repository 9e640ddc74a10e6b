"""Bulk runs on batch engines: OpenAI Batch API request files out, result files in.

`export` writes one request line per model call due ({"custom_id", "method", "url", "body"}),
the body being exactly what a live call sends; OpenAI's Batch API, Azure OpenAI batch and
`vllm run-batch` all read this format and write result lines ({"custom_id", "response":
{"status_code", "body"}, "error"}). `import_results` stores the answers, then replays every
article of the run on them (model.replay): a brief whose calls are all answered is grounded,
checked and stored in the brief cache exactly as a live run would store it; calls still due
(re-asks, label questions, the chunks' combining call, failed lines) go into the next
requests file. When every brief of a run is in, the cross-article synthesis is the last
round, so `newsbrief digest` on the same articles builds from the cache with no model call.

State lives in the brief cache: the run (its articles, in order) and every answer, keyed by
its request body. custom_id = "nb-" + run id + "-" + brief cache key (or "synthesis") + "-" +
request fingerprint, each shortened: unique, and enough to find the run again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from newsbrief.aio import run_sync
from newsbrief.contract import Brief, reloadable, text_id
from newsbrief.digest.batch import ArticleResult, DigestOptions, expand
from newsbrief.digest.build import cross_view, story_maps
from newsbrief.digest.cache import BriefCache, cache_key
from newsbrief.errors import ConfigError, InputError, NewsbriefError
from newsbrief.ingest.read import Article, Unreadable, read_path
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.replay import (
    BATCH_URL,
    Pending,
    Replay,
    fingerprint,
    require_json_schema,
)

SYNTHESIS = "synthesis"


class RunArticle(BaseModel):
    article_id: str
    origin: str
    key: str  # the brief cache key
    text: str
    title: str | None = None
    warnings: list[str] = []
    published: dt.datetime | None = None
    source: str | None = None


class Run(BaseModel):
    run_id: str
    articles: list[RunArticle]


@dataclass
class Round:
    """What one export or import did, for the CLI to report."""

    written: int = 0  # requests in the new file
    briefed: int = 0  # briefs stored by this round
    done: int = 0  # briefs of the run(s) now in the cache
    articles: int = 0
    synthesis: bool = False  # the run's synthesis is in the cache
    failed: list[str] = field(default_factory=list)  # one line each: articles, result lines
    answers: int = 0  # result lines stored


def _require_batchable(endpoint: Endpoint) -> None:
    if endpoint.embedded:
        raise ConfigError(
            "batch files are for a remote model (OpenAI Batch, Azure OpenAI batch, vllm "
            "run-batch): set NEWSBRIEF_MODEL, and OPENAI_API_KEY or NEWSBRIEF_BASE_URL"
        )
    require_json_schema(endpoint)


def _answer(cache: BriefCache) -> Callable[[str], dict[str, Any] | None]:
    """Imported completions, read from the cache by request fingerprint."""

    def answer(fp: str) -> dict[str, Any] | None:
        hit = cache.get(f"batch-answer:{fp}")
        return None if hit is None else dict(json.loads(hit))

    return answer


def _run_key(run_id: str) -> str:
    return f"batch-run:{run_id}"


def _custom_id(run_id: str, key: str, body: Mapping[str, Any]) -> str:
    return f"nb-{run_id[:12]}-{key[:24]}-{fingerprint(body)}"


def _line(custom_id: str, body: Mapping[str, Any]) -> str:
    request = {"custom_id": custom_id, "method": "POST", "url": BATCH_URL, "body": body}
    return json.dumps(request, ensure_ascii=False)


async def _advance(run: Run, endpoint: Endpoint, cache: BriefCache, report: Round) -> list[str]:
    """Replay every article of the run on the answers so far; the request lines still due."""
    replay = Replay(_answer(cache))
    lines: dict[str, str] = {}
    briefs: dict[str, Brief] = {}
    failed = 0
    from newsbrief.brief.summarize import brief_article

    for item in run.articles:
        report.articles += 1
        hit = cache.load_brief(item.key, item.text)
        if hit is not None:
            briefs[item.article_id] = hit
            continue
        article = Article(
            item.text, item.title, item.origin, list(item.warnings), item.published, item.source
        )
        try:
            brief = reloadable(await brief_article(article, None, endpoint, None, ask=replay))
        except Pending as waiting:
            for body in waiting.bodies:
                custom_id = _custom_id(run.run_id, item.key, body)
                lines.setdefault(custom_id, _line(custom_id, body))
            continue
        except NewsbriefError as exc:
            report.failed.append(f"{item.origin}: {' '.join(str(exc).split())}")
            failed += 1
            continue
        cache.store_brief(item.key, brief)
        report.briefed += 1
        briefs[item.article_id] = brief
    report.done += len(briefs)
    if briefs and len(briefs) + failed == len(run.articles):
        try:
            # The stories and days a digest of these articles will see: the same checks.
            results = [
                ArticleResult(
                    article_id=a.article_id,
                    origin=a.origin,
                    brief=briefs[a.article_id],
                    published=a.published,
                    source=a.source,
                )
                for a in run.articles
                if a.article_id in briefs
            ]
            _, story_of, day_of = story_maps(results)
            options = DigestOptions()
            view = (await cross_view(briefs, endpoint, cache, options, replay, story_of, day_of))[0]
            report.synthesis = view is not None
        except Pending as waiting:
            for body in waiting.bodies:
                custom_id = _custom_id(run.run_id, SYNTHESIS, body)
                lines.setdefault(custom_id, _line(custom_id, body))
    return list(lines.values())


def _write(lines: list[str], out: Path) -> None:
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    tmp.replace(out)


def export_requests(
    inputs: Sequence[Article | str | Path],
    endpoint: Endpoint,
    cache: BriefCache,
    out: Path,
    allow_private: bool = False,
) -> Round:
    """Write the first round of requests for these articles (in digest order) to `out`.

    Args:
        inputs: files, folders, URLs or Articles, as for build_digest (same order: the
            digest's cross-article synthesis is keyed by it).
        endpoint: the model the batch engine will run (its name goes into every body).
        cache: where the run, the answers and the finished briefs are kept.
        out: the JSONL requests file to write.
        allow_private: URLs may reach loopback and private addresses (fetch.py's policy).
    """
    _require_batchable(endpoint)
    articles: list[RunArticle] = []
    for index, item in enumerate(expand(inputs)):
        if isinstance(item, Unreadable):
            raise InputError(item.error)
        if isinstance(item, Article):
            article = item
        else:
            article = read_path(item, allow_private=allow_private)
        key = cache_key("brief", text_id(article.text), endpoint)
        articles.append(
            RunArticle(
                article_id=f"A{index + 1}",
                origin=article.origin,
                key=key,
                text=article.text,
                title=article.title,
                warnings=list(article.warnings),
                published=article.published,
                source=article.source,
            )
        )
    if not articles:
        raise InputError("no articles to export")
    run_id = cache_key("batch-run", json.dumps([a.key for a in articles]), endpoint)
    run = Run(run_id=run_id, articles=articles)
    if not cache.put(_run_key(run_id), "batch-run", run.model_dump_json()):
        raise NewsbriefError(f"cannot record the batch run: {cache.last_error}")
    report = Round()
    lines = run_sync(_advance(run, endpoint, cache, report))
    _write(lines, out)
    report.written = len(lines)
    return report


def _results(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(handle, 1):
            if raw.strip():
                try:
                    line = json.loads(raw)
                except ValueError:
                    line = None
                yield number, line if isinstance(line, dict) else {}


def import_results(results: Path, endpoint: Endpoint, cache: BriefCache, out: Path) -> Round:
    """Store a batch engine's answers, finish what they complete, and write what is still
    due (re-asks, label questions, failed lines, the synthesis) to `out`.

    Args:
        results: the engine's output JSONL (OpenAI Batch output format).
        endpoint: the same model settings as the export (they are part of the cache keys).
        cache: the brief cache the export used.
        out: the next requests file (written even when empty, so scripts can test its size).
    """
    _require_batchable(endpoint)
    report = Round()
    runs: dict[str, None] = {}
    for number, line in _results(results):
        custom_id = str(line.get("custom_id") or "")
        parts = custom_id.split("-")
        if len(parts) != 4 or parts[0] != "nb":
            report.failed.append(f"line {number}: not a newsbrief result (custom_id {custom_id!r})")
            continue
        runs.setdefault(parts[1])
        response = line.get("response") or {}
        body = response.get("body") if isinstance(response, dict) else None
        status = response.get("status_code") if isinstance(response, dict) else None
        if status == 200 and isinstance(body, dict) and body.get("choices"):
            cache.put(f"batch-answer:{parts[3]}", "batch-answer", json.dumps(body))
            report.answers += 1
        else:
            error = line.get("error") or (body or {}).get("error") or f"HTTP {status}"
            report.failed.append(f"{custom_id}: {' '.join(str(error).split())[:300]} (sent again)")
    lines: list[str] = []
    for short in runs:
        run = _find_run(cache, short)
        if run is None:
            report.failed.append(f"run {short}: unknown here (exported with another cache?)")
            continue
        lines += run_sync(_advance(run, endpoint, cache, report))
    _write(lines, out)
    report.written = len(lines)
    return report


def _find_run(cache: BriefCache, short: str) -> Run | None:
    hit = cache.find(f"batch-run:{short}", kind="batch-run")
    return Run.model_validate_json(hit) if hit is not None else None
