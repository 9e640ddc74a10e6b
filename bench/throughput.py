"""Section 2 of the overhead benchmark: batch throughput against a stub that answers every
request after a fixed latency. abuild_digest beside a bare AsyncOpenAI loop under a
semaphore, each contender in its own subprocess so CPU time and peak RSS are its own."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import API_KEY, MODEL, Sizes, articles, child_result, draft_for, sampling
from bench.stub import StubProcess


def peak_rss_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


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
    return child_result(kind, timeout, "--batch-child", kind, "--base-url", base_url,
                        "--articles", str(n), "--concurrency", str(concurrency))  # fmt: skip


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
