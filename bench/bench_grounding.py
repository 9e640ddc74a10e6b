"""Grounding cost on long inputs: number parsing and quote location over a 58 KB transcript.

Run: python bench/bench_grounding.py [PATH]
Prints the median of repeated timings; no model involved.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from newsbrief.text import align
from newsbrief.text.numbers import find_numbers

DEFAULT = Path(__file__).resolve().parents[2] / "shared/eval/ectsum/ects/ABM_q4_2021.txt"


def timed(fn: object, repeat: int = 20) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    text = Path(sys.argv[1] if len(sys.argv) > 1 else DEFAULT).read_text(encoding="utf-8")
    numbers = find_numbers(text)
    sentences = [text[slice(*align.sentence_bounds(text, n.start))] for n in numbers[:20]]
    garbled = [" ".join(s.upper().split()) for s in sentences]
    print(f"input: {len(text):,} chars, {len(numbers)} numbers")
    parse_ms = timed(lambda: find_numbers(text)) * 1e3
    exact_ms = timed(lambda: [align.locate(s, text) for s in sentences]) * 1e3
    garbled_ms = timed(lambda: [align.locate(s, text) for s in garbled]) * 1e3
    print(f"find_numbers (whole text): {parse_ms:.2f} ms")
    print(f"locate x20 exact: {exact_ms:.2f} ms")
    print(f"locate x20 garbled: {garbled_ms:.2f} ms")


if __name__ == "__main__":
    main()
