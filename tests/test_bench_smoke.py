"""python -m bench (bench/run.py) runs end to end at tiny sizes and reports every section
with numeric ratios.

No timing is asserted: this only proves the benchmark still works, not how fast anything is.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from support import ROOT

SMOKE_ARTICLES = 20  # bench/run.py's SMOKE sizes


def _ratio(report: str, label: str, unit: str = "x") -> float:
    found = re.search(rf"^\| {re.escape(label)} \| ([+-]?[0-9]+\.[0-9]+) ?{unit} \|$", report, re.M)
    assert found, f"no numeric row {label!r} in the report:\n{report}"
    return float(found.group(1))


def test_bench_run_smoke(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    cmd = [sys.executable, "-m", "bench", "--quick", "--smoke", "-o", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    assert report.strip() == done.stdout.strip()

    assert report.startswith("# newsbrief overhead benchmark")
    command = re.search(r"^Command: `(.+)`", report, re.M)
    assert command and "--smoke" in command.group(1) and "-m bench" in command.group(1)
    for heading in (
        "## Machine",
        "## 1. Per-call overhead (zero-latency stub)",
        "## 2. Batch throughput (200 ms stub, concurrency 32)",
    ):
        assert f"\n{heading}\n" in report
    for row in ("CPUs (os.cpu_count / usable)", "CPU model", "Python", "Load average at start"):
        assert f"| {row}" in report

    # Section 1: four contenders, each with numeric timings, and the ratios between them.
    for label in ("newsbrief.summarize", "newsbrief.asummarize", "instructor.from_openai"):
        row = next(line for line in report.splitlines() if label in line and "|" in line)
        assert len(re.findall(r"\| [0-9]+\.[0-9]+ ", row)) == 4, row
    for label in ("newsbrief sync / bare openai", "newsbrief async / bare openai"):
        assert _ratio(report, label) > 0
    _ratio(report, "newsbrief sync - instructor", "ms")
    _ratio(report, "newsbrief async - instructor", "ms")
    seen = re.search(r"Requests seen by the stub: ([0-9]+) \(expected ([0-9]+)", report)
    assert seen and seen.group(1) == seen.group(2)

    # Section 2: both contenders made every request and lost no article; ratios are numbers.
    for label in ("`newsbrief.abuild_digest`", "bare `openai.AsyncOpenAI`"):
        row = next(line for line in report.splitlines() if line.startswith(f"| {label}"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        requests, in_flight, failed = (int(c) for c in cells[-3:])
        assert requests == SMOKE_ARTICLES + 1, row
        assert 1 <= in_flight <= 32, row
        assert failed == 0, row
    for label in ("newsbrief / bare openai", "newsbrief / ideal", "bare openai / ideal"):
        assert _ratio(report, label) > 0


def test_bench_scale_smoke(tmp_path: Path) -> None:
    """bench/scale.py at a tiny size: every stage runs in its own process, the digest is all
    from the cache, and the table has a row per stage."""
    out = tmp_path / "scale.md"
    cmd = [sys.executable, "-m", "bench.scale", "40", "--workdir", str(tmp_path), "-o", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.split("|")[2].strip() for line in out.read_text().splitlines()[2:]]
    assert rows == ["export", "import", "import", "digest", "**all (2 engine rounds)**"]
    assert (tmp_path / "40" / "digest.html").stat().st_size > 0
