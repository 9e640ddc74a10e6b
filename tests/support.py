"""Helpers shared by the test files: paths, waits, articles on disk, subprocess runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
ECTSUM = ROOT.parent / "shared" / "eval" / "ectsum" / "ects"


async def no_wait(seconds: float) -> None:
    """Stands in for transport._asleep: retry waits are skipped."""


class RecordedWaits(list[float]):
    """Stands in for transport._asleep: each wait is recorded, none is slept."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def write_articles(folder: Path, texts: Sequence[str], suffix: str = ".txt") -> list[Path]:
    """One file per text, named a1.txt, a2.txt... in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(texts, 1):
        path = folder / f"a{i}{suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _default_sigint() -> None:
    # A run started in the background inherits SIGINT ignored; a child we will interrupt
    # must start with the default handler, or Ctrl-C would never reach it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def popen_cli(
    args: Sequence[str], env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.Popen[str]:
    """`python -m newsbrief ARGS` in a child whose SIGINT is at its default."""
    return subprocess.Popen(
        [sys.executable, "-m", "newsbrief", *args],
        env={**os.environ, **(env or {})},
        text=True,
        preexec_fn=_default_sigint,
        **kwargs,  # type: ignore[arg-type]
    )


def run_cli(
    args: Sequence[str],
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """`python -m newsbrief ARGS` to completion, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "newsbrief", *args],
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_default_sigint,
    )
