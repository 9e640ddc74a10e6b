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

This module reads the command line and puts the report together; each section is a module
of its own: per_call.py (1), throughput.py (2), embedded_model.py (--embedded, --tuning),
dense.py (--dense), beside stub.py (the stub server), machine.py and common.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
import time
from pathlib import Path

from bench.common import FULL, QUICK, SMOKE, Sizes
from bench.dense import dense_section
from bench.embedded_model import SEED, embedded_child, embedded_section, tuning_section
from bench.machine import load_average, machine
from bench.per_call import per_call_section
from bench.stub import serve_stub
from bench.throughput import batch_child, batch_section


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
