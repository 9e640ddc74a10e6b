"""Section 1 of the overhead benchmark: per-call overhead against a zero-latency stub,
newsbrief (sync and async) beside a reused instructor client and a reused bare openai
client, interleaved in rounds so they share the machine's noise."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.common import API_KEY, MODEL, Sizes, draft_for, sampling
from bench.stub import StubProcess
from tests.fakes.server import TINY_ARTICLE


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
