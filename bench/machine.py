"""The machine a benchmark ran on, as the report's first table."""

from __future__ import annotations

import os
import platform
from pathlib import Path


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
