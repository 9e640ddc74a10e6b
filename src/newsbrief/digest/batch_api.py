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

State lives in the brief cache: the run (digest.batch_runs: a row of ids, its articles in
rows of their own) and every answer, keyed by its request body; the next requests file is
written line by line as requests fall due. custom_id = "nb-" + run id + "-" + brief
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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbrief.aio import run_sync
from newsbrief.contract import Brief
from newsbrief.digest.batch import expand
from newsbrief.digest.batch_files import completion_of, result_lines
from newsbrief.digest.batch_runs import (
    WRITE_ROWS,
    Run,
    RunArticle,
    articles_of,
    find_run,
    save_run,
    store_articles,
)
from newsbrief.digest.boilerplate import own_texts
from newsbrief.digest.build import cross_view
from newsbrief.digest.contract import ArticleResult
from newsbrief.digest.stories import story_index
from newsbrief.errors import ConfigError, InputError, NewsbriefError
from newsbrief.files import Writer, whole_file
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
from newsbrief.store.table import BriefCache, Kind, cache_key

SYNTHESIS = "synthesis"
# nb-<run id, 12 hex>-<brief cache key, 24 hex, or "synthesis">-<request fingerprint, 24 hex>
CUSTOM_ID = re.compile(r"nb-([0-9a-f]{12})-(?:[0-9a-f]{24}|synthesis)-([0-9a-f]{24})")


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


def _custom_id(run_id: str, key: str, body: Mapping[str, Any]) -> str:
    return f"nb-{run_id[:12]}-{key[:24]}-{fingerprint(body)}"


def _line(custom_id: str, body: Mapping[str, Any]) -> str:
    request = {"custom_id": custom_id, "method": "POST", "url": BATCH_URL, "body": body}
    return json.dumps(request, ensure_ascii=False)


class _Due:
    """The next requests file, written line by line as requests fall due (a run of 100,000
    articles is never one string), each custom_id once."""

    def __init__(self, out: Writer) -> None:
        self.out = out
        self.ids: dict[str, None] = {}  # in order

    def add(self, run_id: str, key: str, body: Mapping[str, Any]) -> str:
        custom_id = _custom_id(run_id, key, body)
        if custom_id not in self.ids:
            self.ids[custom_id] = None
            self.out.write(_line(custom_id, body) + "\n")
        return custom_id


async def _advance(
    run: Run, endpoint: Endpoint, cache: BriefCache, report: Round, due: _Due
) -> list[str]:
    """Replay every article of the run on the answers so far; the custom_ids of the
    requests still due (written to `due`)."""
    replay = Replay(_answer(cache))
    lines: dict[str, None] = {}
    briefs: dict[str, Brief] = {}
    known: dict[str, tuple[str, dt.datetime | None, str | None]] = {}  # origin, date, source
    failed = 0
    for article_id, item in articles_of(cache, run):
        report.articles += 1
        if item is None:
            report.failed.append(
                f"{article_id}: its article is missing from the cache (export the run again)"
            )
            failed += 1
            continue
        article = Article(
            item.text, item.title, item.origin, list(item.warnings), item.published, item.source
        )
        try:
            got = await brief_through(cache, article, endpoint, ask=replay)
        except Pending as waiting:
            lines.update(dict.fromkeys(due.add(run.run_id, item.key, b) for b in waiting.bodies))
            continue
        except NewsbriefError as exc:
            report.failed.append(f"{item.origin}: {remote_text(str(exc), endpoint.api_key)}")
            failed += 1
            continue
        if not got.cached:
            report.briefed += 1
        briefs[article_id] = got.brief
        known[article_id] = (item.origin, item.published, item.source)
    report.done += len(briefs)
    if briefs and len(briefs) + failed == len(run.articles):
        try:
            # The stories and days a digest of these articles will see: the same checks.
            results = [
                ArticleResult(
                    article_id=aid, origin=origin, brief=brief, published=when, source=source
                )
                for aid, brief in briefs.items()
                for origin, when, source in [known[aid]]
            ]
            own = own_texts(results)
            index = story_index(results, own)
            view = (await cross_view(briefs, endpoint, cache, index, own=own, ask=replay))[0]
            report.synthesis = view is not None
        except Pending as waiting:
            lines.update(dict.fromkeys(due.add(run.run_id, SYNTHESIS, b) for b in waiting.bodies))
    return list(lines)


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
    brief_keys: list[str] = []

    def articles() -> Iterator[RunArticle]:
        for item in expand(inputs):
            if isinstance(item, Unreadable):
                raise InputError(item.error)
            article = (
                item if isinstance(item, Article) else read_path(item, allow_private=allow_private)
            )
            brief_keys.append(brief_key(article.text, endpoint))
            yield RunArticle(
                origin=article.origin,
                key=brief_keys[-1],
                text=article.text,
                title=article.title,
                warnings=list(article.warnings),
                published=article.published,
                source=article.source,
            )

    rows = store_articles(cache, articles())  # one at a time: no run holds every text
    if not rows:
        raise InputError("no articles to export")
    run_id = cache_key("batch-run", json.dumps(brief_keys), endpoint)
    old = find_run(cache, run_id[:12])
    run = Run(
        run_id=run_id,
        articles=rows,
        asked=old.asked if old is not None else [],
        model=endpoint.model,
    )
    report = Round()
    with whole_file(out) as writer:
        due = _Due(writer)
        _record(run, run_sync(_advance(run, endpoint, cache, report, due)), cache)
    report.written = len(due.ids)
    return report


def _record(run: Run, lines: list[str], cache: BriefCache) -> None:
    """Remember the requests about to be written (their custom_ids), before the file is:
    their answers are the only ones an import of this run accepts."""
    if run.asked is not None:
        run.asked = list(dict.fromkeys([*run.asked, *lines]))
    save_run(cache, run)


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
    # By custom_id, what may be stored: the answer as stored (a compact string, not the
    # parsed line: 100,000 of them are held until the whole file is read), or why not.
    answers: dict[str, str | BadAnswer] = {}
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
            run = runs[short] = find_run(cache, short)
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
        try:
            answers[custom_id] = json.dumps(completion_of(line.data or {}).body())
        except BadAnswer as exc:
            answers[custom_id] = exc
    if not ours:
        raise InputError(
            f"{results} holds no newsbrief batch results"
            + (f" ({report.failed[0]})" if report.failed else " (it is empty)")
        )
    if not any(runs.values()):
        unknown = ", ".join(runs)
        raise InputError(f"{results}: run {unknown} unknown here (exported with another cache?)")
    rows: list[tuple[str, Kind, str]] = []
    for custom_id, answer in answers.items():
        if counts[custom_id] > 1:
            continue
        if isinstance(answer, BadAnswer):
            report.failed.append(f"{custom_id}: {remote_text(str(answer))} (sent again)")
            continue
        fp = custom_id.rsplit("-", 1)[1]
        rows.append((_answer_key(fp), "batch-answer", answer))
        if len(rows) == WRITE_ROWS:
            report.answers += len(rows) if cache.put_many(rows) else 0
            rows = []
    report.answers += len(rows) if rows and cache.put_many(rows) else 0
    for custom_id, n in counts.items():
        if n > 1:
            report.failed.append(f"{custom_id}: {n} result lines, none stored (sent again)")
    with whole_file(out) as writer:
        due = _Due(writer)
        for run in runs.values():
            if run is not None:
                _record(run, run_sync(_advance(run, endpoint, cache, report, due)), cache)
    report.written = len(due.ids)
    return report


def _require_model(run: Run | None, endpoint: Endpoint) -> None:
    """Refuse, before anything is stored, answers to requests written for another model."""
    if run is not None and run.model is not None and run.model != endpoint.model:
        raise InputError(
            f"run {run.run_id[:12]} was exported for model {run.model!r}, not "
            f"{endpoint.model!r}: import with --model {run.model}"
        )
