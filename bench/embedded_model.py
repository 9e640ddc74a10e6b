"""Sections 3 and 4 of the overhead benchmark (--embedded, --tuning): the embedded model,
wall time beside the server's own time, cold and warm prompt prefix; then llama.cpp
settings newsbrief does not use by default (parallel slots, n-gram speculation)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, child_result

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
    return child_result(f"embedded {kind}", 1800, "--embedded-child", kind, "--seed", str(seed),
                        "--parallel", str(parallel), "--spec", spec)  # fmt: skip


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
