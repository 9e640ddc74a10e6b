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

State lives in the brief cache: the run (its articles, in order, and every request written
for it) and every answer, keyed by its request body. custom_id = "nb-" + run id + "-" + brief
cache key (or "synthesis") + "-" + request fingerprint, each shortened: unique, and enough to
find the run again.

A results file is untrusted input. Each line is checked before anything is stored: its size
(the live answer cap), its custom_id (a request of ours, written for that run, answered once
in the file) and its answer's shape (model.replay.Completion); a line that fails is named in
one redacted line and its request is asked again. Stored answers are checked again when read,
so a bad one kept by an older version is asked again instead of failing every import.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from newsbrief.aio import run_sync
from newsbrief.contract import Brief
from newsbrief.digest.batch import expand
from newsbrief.digest.batch_files import ResultLine, completion_of, result_lines
from newsbrief.digest.build import cross_view
from newsbrief.digest.contract import ArticleResult
from newsbrief.digest.stories import story_index
from newsbrief.errors import ConfigError, InputError, NewsbriefError
from newsbrief.files import write_whole
from newsbrief.ingest.read import Article, Unreadable, read_path
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.replay import (
    BATCH_URL,
    BadAnswer,
    Completion,
    Pending,
    Replay,
    fingerprint,
    require_json_schema,
)
from newsbrief.redact import remote_text
from newsbrief.store.briefs import brief_key, brief_through
from newsbrief.store.table import BriefCache, cache_key

SYNTHESIS = "synthesis"
# nb-<run id, 12 hex>-<brief cache key, 24 hex, or "synthesis">-<request fingerprint, 24 hex>
CUSTOM_ID = re.compile(r"nb-([0-9a-f]{12})-(?:[0-9a-f]{24}|synthesis)-([0-9a-f]{24})")


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
    # custom_ids of every request written for this run: an answer to anything else is
    # refused. None for a run exported by an older version (no record: not checked).
    asked: list[str] | None = None
    # the model the requests name: answers are keyed by it, so an import for another model
    # would store them where nothing reads them. None for a run exported before 0.3.
    model: str | None = None


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
    if not endpoint.profile.batch_files:
        raise ConfigError(
            "batch files are for a remote model (OpenAI Batch, Azure OpenAI batch, vllm "
            "run-batch): set NEWSBRIEF_MODEL, and OPENAI_API_KEY or NEWSBRIEF_BASE_URL"
        )
    require_json_schema(endpoint)


def _answer_key(fp: str) -> str:
    return f"batch-answer:{fp}"


def _answer(cache: BriefCache) -> Callable[[str], Completion | None]:
    """Imported completions, read from the cache by request fingerprint and checked again:
    one stored by an older version without the checks is deleted, and so asked again."""

    def answer(fp: str) -> Completion | None:
        hit = cache.get(_answer_key(fp))
        if hit is None:
            return None
        try:
            return Completion.parse(json.loads(hit))
        except (ValueError, RecursionError):  # BadAnswer and JSONDecodeError are ValueErrors
            cache.delete(_answer_key(fp))
            return None

    return answer


def _run_key(run_id: str) -> str:
    return f"batch-run:{run_id}"


def _custom_id(run_id: str, key: str, body: Mapping[str, Any]) -> str:
    return f"nb-{run_id[:12]}-{key[:24]}-{fingerprint(body)}"


def _line(custom_id: str, body: Mapping[str, Any]) -> str:
    request = {"custom_id": custom_id, "method": "POST", "url": BATCH_URL, "body": body}
    return json.dumps(request, ensure_ascii=False)


async def _advance(
    run: Run, endpoint: Endpoint, cache: BriefCache, report: Round
) -> dict[str, str]:
    """Replay every article of the run on the answers so far; the request lines still due,
    by custom_id."""
    replay = Replay(_answer(cache))
    lines: dict[str, str] = {}
    briefs: dict[str, Brief] = {}
    failed = 0
    for item in run.articles:
        report.articles += 1
        article = Article(
            item.text, item.title, item.origin, list(item.warnings), item.published, item.source
        )
        try:
            got = await brief_through(cache, article, endpoint, ask=replay)
        except Pending as waiting:
            for body in waiting.bodies:
                custom_id = _custom_id(run.run_id, item.key, body)
                lines.setdefault(custom_id, _line(custom_id, body))
            continue
        except NewsbriefError as exc:
            report.failed.append(f"{item.origin}: {remote_text(str(exc), endpoint.api_key)}")
            failed += 1
            continue
        if not got.cached:
            report.briefed += 1
        briefs[item.article_id] = got.brief
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
            view = (await cross_view(briefs, endpoint, cache, story_index(results), ask=replay))[0]
            report.synthesis = view is not None
        except Pending as waiting:
            for body in waiting.bodies:
                custom_id = _custom_id(run.run_id, SYNTHESIS, body)
                lines.setdefault(custom_id, _line(custom_id, body))
    return lines


def _write(lines: dict[str, str], out: Path) -> None:
    write_whole(out, "".join(line + "\n" for line in lines.values()))


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
        key = brief_key(article.text, endpoint)
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
    old = _find_run(cache, run_id[:12])
    run = Run(
        run_id=run_id,
        articles=articles,
        asked=old.asked if old is not None else [],
        model=endpoint.model,
    )
    report = Round()
    lines = run_sync(_advance(run, endpoint, cache, report))
    _record(run, lines, cache)
    _write(lines, out)
    report.written = len(lines)
    return report


def _record(run: Run, lines: dict[str, str], cache: BriefCache) -> None:
    """Remember the requests about to be written, before the file is: their answers are
    the only ones an import of this run accepts."""
    if run.asked is not None:
        run.asked = list(dict.fromkeys([*run.asked, *lines]))
    if not cache.put(_run_key(run.run_id), "batch-run", run.model_dump_json()):
        raise NewsbriefError(f"cannot record the batch run: {cache.last_error}")


def import_results(results: Path, endpoint: Endpoint, cache: BriefCache, out: Path) -> Round:
    """Store a batch engine's answers, finish what they complete, and write what is still
    due (re-asks, label questions, failed lines, the synthesis) to `out`.

    Args:
        results: the engine's output JSONL (OpenAI Batch output format).
        endpoint: the same model settings as the export (they are part of the cache keys);
            its answer size cap (NEWSBRIEF_MAX_RESPONSE_BYTES) bounds each result line.
        cache: the brief cache the export used.
        out: the next requests file (written even when empty, so scripts can test its size).
    """
    _require_batchable(endpoint)
    report = Round()
    runs: dict[str, Run | None] = {}
    asked: dict[str, set[str] | None] = {}  # by run: the custom_ids written for it
    answers: dict[str, ResultLine] = {}  # by custom_id, the lines that may be stored
    counts: Counter[str] = Counter()
    ours = 0  # lines that name a newsbrief request
    for line in result_lines(results, endpoint.max_response_bytes):
        data = line.data or {}
        raw_id = data.get("custom_id", line.custom_id)
        custom_id = raw_id if isinstance(raw_id, str) else None
        match = CUSTOM_ID.fullmatch(custom_id) if custom_id is not None else None
        if custom_id is None or match is None:
            what = line.problem or (
                "no custom_id" if raw_id is None else f"not a newsbrief request ({raw_id!r})"
            )
            report.failed.append(f"line {line.number}: {remote_text(what)}")
            continue
        ours += 1
        short = match.group(1)
        if short not in runs:
            run = runs[short] = _find_run(cache, short)
            asked[short] = set(run.asked) if run is not None and run.asked is not None else None
            if run is None:
                report.failed.append(f"run {short}: unknown here (exported with another cache?)")
            _require_model(run, endpoint)
        if runs[short] is None:
            continue
        written = asked[short]
        if written is not None and custom_id not in written:
            report.failed.append(f"{custom_id}: no such request was written (not stored)")
            continue
        counts[custom_id] += 1
        if line.problem is not None:
            report.failed.append(f"{custom_id}: {line.problem} (sent again)")
            continue
        answers[custom_id] = line
    if not ours:
        raise InputError(
            f"{results} holds no newsbrief batch results"
            + (f" ({report.failed[0]})" if report.failed else " (it is empty)")
        )
    if not any(runs.values()):
        unknown = ", ".join(runs)
        raise InputError(f"{results}: run {unknown} unknown here (exported with another cache?)")
    for custom_id, line in answers.items():
        if counts[custom_id] > 1:
            continue
        try:
            completion = completion_of(line.data or {})
        except BadAnswer as exc:
            report.failed.append(f"{custom_id}: {remote_text(str(exc))} (sent again)")
            continue
        fp = custom_id.rsplit("-", 1)[1]
        cache.put(_answer_key(fp), "batch-answer", json.dumps(completion.body()))
        report.answers += 1
    for custom_id, n in counts.items():
        if n > 1:
            report.failed.append(f"{custom_id}: {n} result lines, none stored (sent again)")
    lines: dict[str, str] = {}
    for run in runs.values():
        if run is not None:
            due = run_sync(_advance(run, endpoint, cache, report))
            _record(run, due, cache)
            lines.update(due)
    _write(lines, out)
    report.written = len(lines)
    return report


def _require_model(run: Run | None, endpoint: Endpoint) -> None:
    """Refuse, before anything is stored, answers to requests written for another model."""
    if run is not None and run.model is not None and run.model != endpoint.model:
        raise InputError(
            f"run {run.run_id[:12]} was exported for model {run.model!r}, not "
            f"{endpoint.model!r}: import with --model {run.model}"
        )


def _find_run(cache: BriefCache, short: str) -> Run | None:
    """The run whose id starts with `short`; None when there is none or its row is damaged."""
    hit = cache.find(_run_key(short), kind="batch-run")
    try:
        return Run.model_validate_json(hit) if hit is not None else None
    except ValueError:  # pydantic's ValidationError included
        return None
