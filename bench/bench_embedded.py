"""End-to-end latency and tokens of the embedded model on the seed articles.

Run: python -m bench.bench_embedded  (several minutes on 2 cores; nothing cached)
"""

from __future__ import annotations

import time
from pathlib import Path

from newsbrief import summarize
from newsbrief.model.embedded import shared_server, stop_shared_server

SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))


def main() -> None:
    t = time.perf_counter()
    shared_server()
    print(f"model load: {time.perf_counter() - t:.1f} s")
    try:
        for seed in SEEDS:
            text = seed.read_text(encoding="utf-8")
            t = time.perf_counter()
            brief = summarize(text)
            usage = brief.provenance.usage
            print(
                f"{seed.name}: {len(text):,} chars, {time.perf_counter() - t:.1f} s, "
                f"{brief.provenance.attempts} attempt(s), {usage.prompt_tokens} prompt + "
                f"{usage.completion_tokens} completion tokens, {len(brief.key_figures)} figures, "
                f"{len(brief.warnings)} warnings"
            )
    finally:
        stop_shared_server()


if __name__ == "__main__":
    main()
