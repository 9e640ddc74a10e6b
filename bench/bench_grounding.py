"""Grounding cost on long inputs: number parsing and figure spans over a 58 KB transcript.

Run: python -m bench.bench_grounding [PATH]
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
    print(f"input: {len(text):,} chars, {len(numbers)} numbers")

    def spans() -> None:
        align._index.cache_clear()  # from cold, as for a new article
        for n in numbers:
            align.span_around(text, n)

    parse_ms = timed(lambda: find_numbers(text)) * 1e3
    sentences_ms = timed(lambda: (align._index.cache_clear(), align.sentence_spans(text))) * 1e3
    spans_ms = timed(spans) * 1e3
    print(f"find_numbers (whole text): {parse_ms:.2f} ms")
    print(f"sentence_spans (whole text): {sentences_ms:.2f} ms")
    print(f"span_around x{len(numbers)}: {spans_ms:.2f} ms")


if __name__ == "__main__":
    main()
