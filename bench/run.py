"""newsbrief's own cost, measured side by side with plain openai and instructor in one run.

Run (from the repository root): python -m bench [--quick] [-o BENCHMARKS-run.md]

1. Per-call overhead against a zero-latency stub (a separate process, raw asyncio HTTP/1.1
   with keep-alive, one canned brief answer): newsbrief.summarize (sync, as a user calls it
   in a loop), newsbrief.asummarize (one event loop), a reused instructor client and a reused
   bare openai client, interleaved in rounds so they share the machine's noise.
2. Batch throughput against a stub that answers every request after 200 ms: abuild_digest
   at concurrency 32 vs a bare AsyncOpenAI loop under a Semaphore(32) making the same number
   of requests, vs the ideal N x 0.2 s / 32. Each contender runs in its own subprocess, so
   CPU time and peak RSS are its own.

Prints a Markdown report (and writes it to -o): the exact command, the machine, the numbers
and the ratios, all from this one run. Importable: main(argv) returns the report.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.digests import DIGEST_MARKER as _DIGEST_MARKER
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, completion

ROOT = Path(__file__).resolve().parents[1]
DIGEST_MARKER = _DIGEST_MARKER.encode()
MODEL = "bench-model"
API_KEY = "bench-key"


def sampling() -> dict[str, Any]:
    """The sampling settings and answer bound newsbrief sends with a brief (model.call,
    BriefPolicy), so every contender sends the same request. Read, never copied."""
    from newsbrief.brief.policy import POLICY
    from newsbrief.model.call import SAMPLING

    return {**SAMPLING, "max_tokens": POLICY.brief_tokens}


def _child(*args: str) -> list[str]:
    """A command running this module again, from the repository root (tests.fakes)."""
    return [sys.executable, "-m", "bench.run", *args]


@dataclass(frozen=True)
class Sizes:
    calls: int
    articles: int
    rounds: int  # batch repetitions per contender, alternating which goes first
    warmup: int  # untimed per-call rounds before the timed ones


FULL = Sizes(calls=150, articles=500, rounds=3, warmup=5)
QUICK = Sizes(calls=20, articles=50, rounds=1, warmup=2)
SMOKE = Sizes(calls=5, articles=20, rounds=1, warmup=1)


# --- the stub server (runs in its own process) ---------------------------------------------


class Stub:
    """A chat-completions endpoint that does as little as possible: reads the request,
    waits `latency_s`, answers. "fixed" answers TINY_DRAFT without parsing the request;
    "route" answers brief and synthesis requests for synthetic articles by their content."""

    def __init__(self, latency_s: float, mode: str) -> None:
        self.latency_s = latency_s
        self.mode = mode
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.fixed = self._response(json.dumps(completion(json.dumps(TINY_DRAFT))).encode())
        if mode == "route":  # imported now, not inside the first contender's run
            from tests.fakes.digests import brief_answer, synthesis_answer

            self.brief_answer, self.synthesis_answer = brief_answer, synthesis_answer

    @staticmethod
    def _response(payload: bytes) -> bytes:
        head = (
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            f"content-length: {len(payload)}\r\nconnection: keep-alive\r\n\r\n"
        )
        return head.encode() + payload

    def answer(self, body: bytes) -> bytes:
        if self.mode == "fixed":
            return self.fixed
        request = json.loads(body)
        messages = request.get("messages", [])
        last = messages[-1]["content"] if messages else ""
        if DIGEST_MARKER in body:
            ids = sorted(set(re.findall(r"^\[(A[0-9]+)\]", last, flags=re.M)))
            draft = self.synthesis_answer(ids)
        else:
            draft = self.brief_answer(last)
        return self._response(json.dumps(completion(json.dumps(draft))).encode())

    def stats(self) -> bytes:
        data = {
            "requests": self.requests,
            "max_in_flight": self.max_in_flight,
            "cpu_s": time.process_time(),
        }
        self.max_in_flight = self.in_flight  # each read starts a new window
        return self._response(json.dumps(data).encode())

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                method = lines[0].split(b" ", 1)[0]
                length, close = 0, False
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"connection" and value.strip().lower() == b"close":
                        close = True
                body = await reader.readexactly(length) if length else b""
                if method == b"GET":
                    writer.write(self.stats())
                else:
                    self.requests += 1
                    self.in_flight += 1
                    self.max_in_flight = max(self.max_in_flight, self.in_flight)
                    try:
                        if self.latency_s:
                            await asyncio.sleep(self.latency_s)
                        writer.write(self.answer(body))
                    finally:
                        self.in_flight -= 1
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


async def _serve_stub(latency_s: float, mode: str) -> None:
    stub = Stub(latency_s, mode)
    server = await asyncio.start_server(stub.handle, "127.0.0.1", 0, backlog=512)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with server:
        await server.serve_forever()


def serve_stub(latency_s: float, mode: str) -> None:
    """Serve until standard input closes (the parent ended or let go of us)."""

    def watch_stdin() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    asyncio.run(_serve_stub(latency_s, mode))


class StubProcess:
    """The stub in a child process, so its CPU is never the contenders' CPU."""

    def __init__(self, latency_s: float, mode: str) -> None:
        cmd = _child("--serve-stub", "--latency", str(latency_s), "--stub-mode", mode)
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"stub did not start: {line!r}")
        self.port = int(line.split()[1])
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=30) as r:
            return dict(json.loads(r.read()))

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()  # the stub exits on EOF
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> StubProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- the machine ----------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unavailable"


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("newsbrief", "openai", "instructor", "pydantic", "httpx2"):
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} (not installed)")
    return ", ".join(out)


def machine(load_at_start: str) -> list[str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    rows = [
        ("CPUs (os.cpu_count / usable)", f"{os.cpu_count()} / {usable}"),
        ("CPU model (/proc/cpuinfo)", cpu_model()),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("Platform", platform.platform()),
        ("Load average at start (1 / 5 / 15 min)", load_at_start),
        ("Packages", versions()),
    ]
    return ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]


# --- 1. per-call overhead ---------------------------------------------------------------------


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def p90(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f}"


def per_call(base_url: str, calls: int, warmup: int) -> tuple[dict[str, Samples], int]:
    """Samples per contender, and the number of timed+warmup calls made (for the request
    count check: each contender must cost exactly one request per call)."""
    import instructor
    import openai

    import newsbrief
    from newsbrief.brief.extract import messages
    from newsbrief.brief.policy import POLICY
    from newsbrief.text.article import ArticleText

    endpoint = newsbrief.Endpoint(model=MODEL, base_url=base_url, api_key=API_KEY)
    msgs = messages(ArticleText(TINY_ARTICLE))
    draft = draft_for(TINY_ARTICLE)
    # The same request newsbrief sends: sampling settings, max_tokens, json_schema mode.
    same = sampling()
    structured = instructor.from_openai(
        openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0),
        mode=endpoint.instructor_mode,
    )
    bare = openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    schema = {"name": "BriefDraft", "schema": draft.model_json_schema()}
    response_format: Any = {"type": "json_schema", "json_schema": schema}
    loop = asyncio.new_event_loop()

    def sync_call() -> object:
        return newsbrief.summarize(TINY_ARTICLE, endpoint=endpoint)

    def async_call() -> object:
        return loop.run_until_complete(newsbrief.asummarize(TINY_ARTICLE, endpoint=endpoint))

    def instructor_call() -> object:
        return structured.chat.completions.create(
            model=MODEL,
            messages=msgs,  # type: ignore[arg-type]
            response_model=draft,
            max_retries=POLICY.max_reasks,
            **same,
        )

    def bare_call() -> object:
        reply = bare.chat.completions.create(
            model=MODEL,
            messages=msgs,  # type: ignore[arg-type]
            response_format=response_format,
            **same,
        )
        return draft.model_validate_json(reply.choices[0].message.content or "")

    contenders: dict[str, Callable[[], object]] = {
        "sync": sync_call,
        "async": async_call,
        "instructor": instructor_call,
        "bare": bare_call,
    }
    # Every contender must return a correct answer before its time counts.
    brief = sync_call()
    assert len(brief.key_figures) == 2, brief  # type: ignore[attr-defined]
    assert len(async_call().key_figures) == 2  # type: ignore[attr-defined]
    assert len(instructor_call().key_figures) == 2  # type: ignore[attr-defined]
    assert len(bare_call().key_figures) == 2  # type: ignore[attr-defined]
    made = 1
    samples = {name: Samples() for name in contenders}
    names = list(contenders)
    try:
        for r in range(warmup + calls):
            # Rounds A B C D, B C D A, ...: each contender takes every place in turn.
            for name in names[r % len(names) :] + names[: r % len(names)]:
                c0, t0 = time.process_time(), time.perf_counter()
                contenders[name]()
                t1, c1 = time.perf_counter(), time.process_time()
                if r >= warmup:
                    samples[name].wall.append(t1 - t0)
                    samples[name].cpu.append(c1 - c0)
            made += 1
    finally:
        loop.close()
        structured.client.close()  # type: ignore[union-attr]
        bare.close()
    return samples, made


LABELS = {
    "sync": "`newsbrief.summarize` (blocking: one loop per thread, reused)",
    "async": "`newsbrief.asummarize` (one event loop)",
    "instructor": "reused `instructor.from_openai(openai.OpenAI())`",
    "bare": "reused bare `openai.OpenAI` + `model_validate_json`",
}


def per_call_section(sizes: Sizes) -> list[str]:
    with StubProcess(0.0, "fixed") as stub:
        before = stub.stats()
        samples, made = per_call(stub.base_url, sizes.calls, sizes.warmup)
        after = stub.stats()
    seen = after["requests"]
    stub_ms = (after["cpu_s"] - before["cpu_s"]) / max(1, seen - before["requests"]) * 1e3
    med = {k: statistics.median(s.wall) for k, s in samples.items()}
    cpu = {k: statistics.median(s.cpu) for k, s in samples.items()}
    out = [
        "## 1. Per-call overhead (zero-latency stub)",
        "",
        f"{sizes.calls} timed calls per contender after {sizes.warmup} untimed rounds, "
        "interleaved in rounds (A B C D, B C D A, ...) so all four share the same noise. "
        "The stub is a separate process (raw asyncio HTTP/1.1, keep-alive) answering a "
        "canned correct brief for `TINY_ARTICLE` without parsing the request. Wall time per "
        "call includes the stub's answer; CPU time is this process's only.",
        "",
        "| contender | median ms | p90 ms | min ms | median CPU ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, s in samples.items():
        out.append(
            f"| {LABELS[name]} | {ms(med[name])} | {ms(p90(s.wall))} | {ms(min(s.wall))} "
            f"| {ms(cpu[name])} |"
        )
    out += [
        "",
        "| comparison (medians) | value |",
        "|---|---:|",
        f"| newsbrief sync / bare openai | {med['sync'] / med['bare']:.2f}x |",
        f"| newsbrief async / bare openai | {med['async'] / med['bare']:.2f}x |",
        f"| instructor / bare openai | {med['instructor'] / med['bare']:.2f}x |",
        f"| newsbrief sync - instructor | {(med['sync'] - med['instructor']) * 1e3:+.2f} ms |",
        f"| newsbrief async - instructor | {(med['async'] - med['instructor']) * 1e3:+.2f} ms |",
        f"| newsbrief sync - bare openai | {(med['sync'] - med['bare']) * 1e3:+.2f} ms |",
        "",
        f"Requests seen by the stub: {seen} (expected {made * len(samples)}: one per call, "
        f"no re-asks or retries). Stub CPU: {stub_ms:.2f} ms per request.",
        "",
    ]
    return out


# --- 2. batch throughput ----------------------------------------------------------------------


def peak_rss_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def draft_for(text: str) -> Any:
    """The response model newsbrief sends for this text: ids of its candidates and sentences."""
    from newsbrief.brief.drafts import draft_model
    from newsbrief.brief.policy import POLICY
    from newsbrief.text.article import ArticleText

    article = ArticleText(text)
    refs = article.figure_refs(POLICY.candidate_numbers)
    return draft_model(
        POLICY.figures_wanted(len(refs)),
        tuple(r.id for r in refs),
        tuple(r.id for r in article.sentence_refs),
        policy=POLICY,
    )


def articles(n: int) -> list[str]:
    """n distinct synthetic reports. The report number cycles (1..400): past that, "day
    1999" would read as a year, change the candidates and cost the stub's fixed answers a
    re-ask, which the bare loop never makes. A desk name in letters keeps each text unique."""
    from tests.fakes.digests import article

    def desk(i: int) -> str:
        return "".join("abcdefghijklmnopqrstuvwxyz"[int(d)] for d in str(i))

    return [f"{article(1 + i % 400)}Filed by desk {desk(i)}.\n" for i in range(n)]


async def _newsbrief_batch(base_url: str, texts: list[str], concurrency: int) -> dict[str, Any]:
    import newsbrief
    from newsbrief.ingest.read import Article

    endpoint = newsbrief.Endpoint(model=MODEL, base_url=base_url, api_key=API_KEY)
    inputs = [Article(text=t, title=None, origin=f"synthetic-{i}") for i, t in enumerate(texts)]
    options = newsbrief.DigestOptions(concurrency=concurrency, use_cache=False)
    digest = await newsbrief.abuild_digest(inputs, endpoint=endpoint, options=options)
    return {
        "ok": digest.stats.summarized,
        "failed": digest.stats.failed,
        "synthesis_ok": not any("synthesis" in w for w in digest.warnings),
    }


async def _newsbrief_warm(base_url: str, text: str) -> None:
    import newsbrief

    endpoint = newsbrief.Endpoint(model=MODEL, base_url=base_url, api_key=API_KEY)
    await newsbrief.asummarize(text, endpoint=endpoint)


class _Bare:
    """What a user of the plain openai client writes: one AsyncOpenAI, the same prompt and
    sampling as newsbrief, the answer parsed with pydantic."""

    def __init__(self, base_url: str) -> None:
        import openai

        # Every synthetic article has the same shape, so one schema serves them all.
        self.draft = draft_for(articles(1)[0])
        schema = {"name": "BriefDraft", "schema": self.draft.model_json_schema()}
        self.response_format: Any = {"type": "json_schema", "json_schema": schema}
        self.client = openai.AsyncOpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)

    async def brief(self, text: str) -> Any:
        from newsbrief.brief.extract import messages
        from newsbrief.text.article import ArticleText

        reply = await self.client.chat.completions.create(
            model=MODEL,
            messages=messages(ArticleText(text)),  # type: ignore[arg-type]
            response_format=self.response_format,
            **sampling(),
        )
        return self.draft.model_validate_json(reply.choices[0].message.content or "")


async def _bare_batch(base_url: str, texts: list[str], concurrency: int) -> dict[str, Any]:
    bare = _Bare(base_url)
    gate = asyncio.Semaphore(concurrency)

    async def one(text: str) -> Any:
        async with gate:
            return await bare.brief(text)

    try:
        parsed = await asyncio.gather(*(one(t) for t in texts), return_exceptions=True)
        # The digest's synthesis is one more request after every brief: so is this one.
        await bare.brief(texts[0])
    finally:
        await bare.client.close()
    ok = sum(1 for p in parsed if not isinstance(p, BaseException))
    return {"ok": ok, "failed": len(texts) - ok, "synthesis_ok": True}


async def _bare_warm(base_url: str, text: str) -> None:
    bare = _Bare(base_url)
    try:
        await bare.brief(text)
    finally:
        await bare.client.close()


def batch_child(kind: str, base_url: str, n: int, concurrency: int) -> None:
    """One contender in this (fresh) process; prints one JSON line."""
    t0 = time.perf_counter()
    # Each contender's stack is loaded and used once (one request, own client) before the
    # clock starts: newsbrief imports openai and instructor on its first call, openai builds
    # its request and response types on first use (over a second of CPU here). Set-up time
    # is reported on its own; the timed run still builds its own client and connections.
    if kind == "newsbrief":
        run, warm = _newsbrief_batch, _newsbrief_warm
    else:
        run, warm = _bare_batch, _bare_warm
    texts = articles(n)
    asyncio.run(warm(base_url, texts[0]))
    setup_s = time.perf_counter() - t0
    c0, w0 = time.process_time(), time.perf_counter()
    result = asyncio.run(run(base_url, texts, concurrency))
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    result.update(
        wall_s=wall, cpu_s=cpu, setup_s=setup_s, setup_requests=1, peak_rss_kib=peak_rss_kib()
    )
    print(json.dumps(result), flush=True)


def run_child(kind: str, base_url: str, n: int, concurrency: int, timeout: float) -> dict[str, Any]:
    cmd = _child("--batch-child", kind, "--base-url", base_url, "--articles", str(n),
                 "--concurrency", str(concurrency))  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def batch_section(sizes: Sizes, latency_s: float, concurrency: int) -> list[str]:
    n = sizes.articles
    ideal = n * latency_s / concurrency
    timeout = 120 + 20 * ideal
    runs: dict[str, list[dict[str, Any]]] = {"newsbrief": [], "bare": []}
    with StubProcess(latency_s, "route") as stub:
        for r in range(sizes.rounds):
            order = ["newsbrief", "bare"] if r % 2 == 0 else ["bare", "newsbrief"]
            for kind in order:
                before = stub.stats()
                result = run_child(kind, stub.base_url, n, concurrency, timeout)
                after = stub.stats()
                requests = after["requests"] - before["requests"]
                result["requests"] = requests - result["setup_requests"]
                result["max_in_flight"] = after["max_in_flight"]
                result["stub_cpu_s"] = after["cpu_s"] - before["cpu_s"]
                runs[kind].append(result)

    def median(kind: str, key: str) -> float:
        return float(statistics.median(float(x[key]) for x in runs[kind]))

    wall = {k: median(k, "wall_s") for k in runs}
    stub_ms = {
        k: median(k, "stub_cpu_s") / (median(k, "requests") + median(k, "setup_requests")) * 1e3
        for k in runs
    }
    floor = -(-n // concurrency) * latency_s + latency_s
    rate = {k: n / wall[k] for k in runs}
    ideal_rate = n / ideal
    labels = {
        "newsbrief": "`newsbrief.abuild_digest` (+1 synthesis call)",
        "bare": "bare `openai.AsyncOpenAI` + Semaphore + pydantic (+1 final call)",
    }
    out = [
        f"## 2. Batch throughput ({latency_s * 1e3:.0f} ms stub, concurrency {concurrency})",
        "",
        f"{n} synthetic articles (tests/fakes/digests.py), each contender in its own "
        f"subprocess, {sizes.rounds} round(s) alternating which goes first; medians over "
        "rounds. The stub (separate asyncio process) answers every request after "
        f"{latency_s * 1e3:.0f} ms. Wall and CPU time exclude set-up (imports and one "
        "untimed warm-up request on a client of its own, shown apart); "
        "`DigestOptions(concurrency=32, use_cache=False)`. Peak RSS is the child's VmHWM.",
        "",
        "| contender | wall s | articles/s | CPU ms/article | set-up s | peak RSS MiB "
        "| requests | max in flight | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in runs:
        walls = ", ".join(f"{x['wall_s']:.2f}" for x in runs[kind])
        out.append(
            f"| {labels[kind]} | {wall[kind]:.2f} ({walls}) | {rate[kind]:.1f} "
            f"| {median(kind, 'cpu_s') / n * 1e3:.2f} | {median(kind, 'setup_s'):.2f} "
            f"| {median(kind, 'peak_rss_kib') / 1024:.0f} | {runs[kind][-1]['requests']} "
            f"| {runs[kind][-1]['max_in_flight']} | {int(median(kind, 'failed'))} |"
        )
    out += [
        f"| ideal ({n} x {latency_s:g} s / {concurrency}) | {ideal:.2f} | {ideal_rate:.1f} "
        "| - | - | - | - | - | - |",
        "",
        "| throughput ratio (medians) | value |",
        "|---|---:|",
        f"| newsbrief / bare openai | {rate['newsbrief'] / rate['bare']:.2f}x |",
        f"| newsbrief / ideal | {rate['newsbrief'] / ideal_rate:.2f}x |",
        f"| bare openai / ideal | {rate['bare'] / ideal_rate:.2f}x |",
        "",
        f"Both contenders make {n + 1} requests: {n} briefs, then one final request after "
        f"all of them (newsbrief's synthesis), which alone adds {latency_s:g} s to any "
        f"contender's wall time beyond the ideal; with {concurrency} requests in flight at "
        f"best, the shortest possible wall time for this pattern is {floor:.2f} s. The timed "
        "run builds its own client and opens its connections, a cost that weighs more at "
        "small N. Request counts exclude the warm-up. Stub CPU per request: "
        + ", ".join(f"{k} {stub_ms[k]:.2f} ms" for k in runs)
        + ".",
        "",
    ]
    if not all(x["synthesis_ok"] for x in runs["newsbrief"]):
        out += ["**Warning: the digest's synthesis call failed in at least one round.**", ""]
    return out


# --- the report -------------------------------------------------------------------------------


# --- the embedded model: wall time vs the server's own time, cold vs warm prefix -------------

SEED = ROOT / "seeds" / "000_8fdb093730accb2d.txt"


def embedded_child(kind: str, seed: Path, parallel: int, spec: str) -> None:
    """One `newsbrief summarize` as a new process would run it; prints one JSON line.

    kind "cold" deletes the saved prompt prefix first; "warm" uses the one saved before.
    The server's own timings (llama.cpp's prompt_ms and predicted_ms for every call) are
    read from each response as it passes newsbrief's metering hook.
    """
    import xllamacpp

    from newsbrief import summarize
    from newsbrief.model import call, embedded
    from newsbrief.model.prompts import prompt_version

    real_server = xllamacpp.Server

    def tuned(params: Any) -> Any:  # measured settings, not newsbrief's defaults
        params.n_parallel = parallel
        if spec != "none":
            kind = f"COMMON_SPECULATIVE_TYPE_{spec.upper()}"  # ngram_simple, ngram_mod...
            params.speculative.types = [xllamacpp.common_speculative_type.__members__[kind]]
        return real_server(params)

    if parallel != 1 or spec != "none":
        xllamacpp.Server = tuned
    timings: list[dict[str, Any]] = []
    hook = call.Meter.on_response

    def seen(self: Any, response: Any) -> None:
        timings.append(dict((getattr(response, "model_extra", None) or {}).get("timings") or {}))
        hook(self, response)

    call.Meter.on_response = seen  # type: ignore[method-assign]
    t0 = time.perf_counter()
    server = embedded.shared_server()
    load_s = time.perf_counter() - t0
    if kind == "cold":
        embedded.PrefixCache(server, prompt_version()).forget()
    t1 = time.perf_counter()
    if kind == "digest":  # every seed, `parallel` in flight
        import newsbrief

        options = newsbrief.DigestOptions(concurrency=parallel, use_cache=False)
        digest = newsbrief.build_digest(sorted(seed.parent.glob("*.txt")), options=options)
        briefs = [r.brief for r in digest.articles if r.brief is not None]
    else:
        briefs = [summarize(seed.read_text(encoding="utf-8"))]
    wall = time.perf_counter() - t1
    embedded.stop_shared_server()
    server_ms = sum(t.get("prompt_ms", 0) + t.get("predicted_ms", 0) for t in timings)
    result = {
        "load_s": load_s,
        "wall_s": wall,
        "server_s": server_ms / 1000,
        "calls": len(timings),
        "prompt_read": sum(int(t.get("prompt_n", 0)) for t in timings),
        "prompt_cached": sum(int(t.get("cache_n", 0)) for t in timings),
        "first_read": int(timings[0].get("prompt_n", 0)) if timings else 0,
        "first_cached": int(timings[0].get("cache_n", 0)) if timings else 0,
        "generated": sum(int(t.get("predicted_n", 0)) for t in timings),
        "prompt_tokens": sum(b.provenance.usage.prompt_tokens for b in briefs),
        "figures": sum(len(b.key_figures) for b in briefs),
    }
    print(json.dumps(result), flush=True)


def run_embedded(kind: str, seed: Path, parallel: int = 1, spec: str = "none") -> dict[str, Any]:
    cmd = _child("--embedded-child", kind, "--seed", str(seed), "--parallel", str(parallel),
                 "--spec", spec)  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"embedded {kind} child failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def embedded_section(seed: Path) -> list[str]:
    cold = run_embedded("cold", seed)
    warm = run_embedded("warm", seed)
    rows = []
    for name, r in (("cold (no saved prefix)", cold), ("warm (prefix restored)", warm)):
        rows.append(
            f"| {name} | {r['load_s']:.1f} | {r['wall_s']:.1f} | {r['server_s']:.1f} | "
            f"{r['wall_s'] / r['server_s']:.3f} | {r['calls']} | {r['first_cached']} | "
            f"{r['first_read']} | {r['prompt_read']} | {r['generated']} | {r['figures']} |"
        )
    return [
        "",
        f"## 3. Embedded model: one `summarize` per process ({seed.name})",
        "",
        "Each row is a fresh process, as a new `newsbrief summarize` would be: model load, then "
        "one brief with its label questions. Server s is llama.cpp's own prompt + generation "
        "time summed over the calls (its `timings`); wall / server is newsbrief's whole cost "
        'around it. "First call" is the brief request: tokens taken from the KV cache, and '
        "tokens read. Sampling is seeded, but the answers of the two runs may still differ "
        "(a restored cache is not bit-identical to a computed one).",
        "",
        "| process | load s | wall s | server s | wall / server | calls | first call cached "
        "| first call read | prompt tokens read | generated | figures |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Warm / cold wall: {warm['wall_s'] / cold['wall_s']:.2f}x. Prompt tokens of the brief "
        f"request: {cold['first_cached'] + cold['first_read']} cold, "
        f"{warm['first_cached'] + warm['first_read']} warm.",
    ]


def tuning_section(seed: Path) -> list[str]:
    """Settings newsbrief does not use by default, measured against the default in one run."""
    runs = [
        ("digest of the seeds, 1 slot, 1 in flight (default)", run_embedded("digest", seed)),
        ("digest of the seeds, 2 slots, 2 in flight", run_embedded("digest", seed, parallel=2)),
        ("one seed, warm, no speculation (default)", run_embedded("warm", seed)),
        ("one seed, warm, n-gram speculation (ngram_simple)",
         run_embedded("warm", seed, spec="ngram_simple")),
        ("one seed, warm, n-gram speculation (ngram_mod)",
         run_embedded("warm", seed, spec="ngram_mod")),
    ]  # fmt: skip
    rows = [
        f"| {name} | {r['wall_s']:.1f} | {r['server_s']:.1f} | {r['calls']} | "
        f"{r['prompt_read']} | {r['generated']} | {r['generated'] / r['wall_s']:.2f} | "
        f"{r['figures']} |"
        for name, r in runs
    ]
    return [
        "",
        "## 4. Embedded model: parallel slots and n-gram speculation",
        "",
        "| run | wall s | server s | calls | prompt tokens read | generated | generated/s "
        "| figures |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]


def dense_text(size: int, one_line: bool) -> str:
    """Number-dense text of about `size` characters: table rows of ten percentages and an
    amount, as lines or run together into one sentence (a table with no line breaks)."""
    rows, n = [], 0
    while sum(map(len, rows)) < size:
        n += 1
        cells = " | ".join(f"{(n * 7 + i) % 997}.{(n + i) % 90 + 10}%" for i in range(10))
        rows.append(f"{cells} revenue ${n % 97 + 1}.{n % 9} billion")
    return (" " if one_line else "\n").join(rows)


def dense_section() -> list[str]:
    """CPU our code spends on one number-dense article, without the model: reading it
    (candidates, frames, the marked prompt) and grounding an answer that chooses ten figures
    and writes labels our checks must read. Must grow linearly with the text."""
    from newsbrief.brief.drafts import BriefDraft
    from newsbrief.brief.grounding import ground
    from newsbrief.brief.policy import POLICY
    from newsbrief.text.article import ArticleText

    lines = [
        "## Dense text: CPU per article, no model",
        "",
        "| text | characters | numbers | CPU s |",
        "|---|---:|---:|---:|",
    ]
    for one_line in (False, True):
        for size in (25_000, 50_000, 100_000):
            text = dense_text(size, one_line)
            t0 = time.process_time()
            article = ArticleText(text)
            refs = article.figure_refs(POLICY.candidate_numbers)
            article.marked(POLICY.candidate_numbers)
            answer = {
                "key_figures": [{"id": r.id, "label": "segment revenue growth"} for r in refs[:10]]
            }
            ground(BriefDraft.model_validate(answer), article, 10)
            cpu = time.process_time() - t0
            shape = "one line" if one_line else "table rows"
            lines.append(f"| {shape} | {len(text):,} | {len(article.numbers):,} | {cpu:.1f} |")
    return [*lines, ""]


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="20 calls, 50 articles, 1 round")
    p.add_argument("--dense", action="store_true", help="only the dense-text CPU section")
    p.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("-o", "--output", type=Path, help="also write the report here")
    p.add_argument("--calls", type=int, help="timed calls per contender (default 150)")
    p.add_argument("--articles", type=int, help="articles in the batch (default 500)")
    p.add_argument("--rounds", type=int, help="batch runs per contender (default 3)")
    p.add_argument("--latency", type=float, default=0.2, help="batch stub latency, seconds")
    p.add_argument("--concurrency", type=int, default=32)
    # Internal: the stub process and the batch contenders re-run this file.
    p.add_argument("--serve-stub", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--stub-mode", default="fixed", help=argparse.SUPPRESS)
    p.add_argument("--batch-child", choices=["newsbrief", "bare"], help=argparse.SUPPRESS)
    p.add_argument("--base-url", help=argparse.SUPPRESS)
    p.add_argument(
        "--embedded",
        action="store_true",
        help="also the embedded model, cold and warm process (several minutes)",
    )
    p.add_argument(
        "--tuning",
        action="store_true",
        help="also llama.cpp parallel slots and n-gram speculation (long)",
    )
    p.add_argument("--embedded-child", choices=["cold", "warm", "digest"], help=argparse.SUPPRESS)
    p.add_argument("--seed", type=Path, default=SEED, help=argparse.SUPPRESS)
    p.add_argument("--parallel", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--spec", default="none", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def sizes_from(args: argparse.Namespace) -> Sizes:
    base = SMOKE if args.smoke else QUICK if args.quick else FULL
    return Sizes(
        calls=args.calls or base.calls,
        articles=args.articles or base.articles,
        rounds=args.rounds or base.rounds,
        warmup=base.warmup,
    )


def report(args: argparse.Namespace, command: str) -> str:
    if args.dense:
        return "\n".join(["# newsbrief dense-text benchmark", "", f"Command: `{command}`", "",
                          *dense_section()])  # fmt: skip
    sizes = sizes_from(args)
    load_at_start = load_average()
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    t0 = time.perf_counter()
    calls = per_call_section(sizes)
    batch = batch_section(sizes, args.latency, args.concurrency)
    model = embedded_section(args.seed) if args.embedded else []
    model += tuning_section(args.seed) if args.tuning else []
    lines = [
        "# newsbrief overhead benchmark",
        "",
        f"Command: `{command}` (in `{os.getcwd()}`)",
        "",
        f"Started {started}; took {time.perf_counter() - t0:.0f} s. Every ratio below "
        "compares numbers measured in this run, on this machine.",
        "",
        "## Machine",
        "",
        *machine(load_at_start),
        f"| Load average at end | {load_average()} |",
        "",
        *calls,
        *batch,
        *model,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    args = parse(argv)
    if args.serve_stub:
        serve_stub(args.latency, args.stub_mode)
        return ""
    if args.embedded_child:
        embedded_child(args.embedded_child, args.seed, args.parallel, args.spec)
        return ""
    if args.batch_child:
        batch_child(args.batch_child, args.base_url, args.articles, args.concurrency)
        return ""
    command = shlex.join(sys.orig_argv) if argv is None else f"bench.run.main({argv!r})"
    text = report(args, command)
    print(text, flush=True)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    return text


if __name__ == "__main__":
    main()
