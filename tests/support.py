"""Helpers shared by the test files: paths, waits, articles on disk, subprocess runs."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
ECTSUM = ROOT.parent / "shared" / "eval" / "ectsum" / "ects"
CORPUS = ROOT / "tests" / "corpus"


async def no_wait(seconds: float) -> None:
    """Stands in for transport._asleep: retry waits are skipped."""


class RecordedWaits(list[float]):
    """Stands in for transport._asleep: each wait is recorded, none is slept."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


class Sleeps:
    """Every asyncio.sleep and time.sleep made while `spy_on_sleeps` is in force, by the
    seconds asked for: what the code under test waited, read from its arguments rather
    than from a wall clock."""

    def __init__(self) -> None:
        self.asyncio: list[float] = []
        self.blocking: list[float] = []


def spy_on_sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    """Record every asyncio.sleep and time.sleep, and still sleep for real."""
    sleeps = Sleeps()
    real_async, real_blocking = asyncio.sleep, time.sleep

    async def async_sleep(delay: float, result: Any = None) -> Any:
        sleeps.asyncio.append(delay)
        return await real_async(delay, result)

    def blocking_sleep(seconds: float) -> None:
        sleeps.blocking.append(seconds)
        real_blocking(seconds)

    monkeypatch.setattr(asyncio, "sleep", async_sleep)
    monkeypatch.setattr(time, "sleep", blocking_sleep)
    return sleeps


def _default_sigint() -> None:
    # A run started in the background inherits SIGINT ignored; a child we will interrupt
    # must start with the default handler, or Ctrl-C would never reach it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cli_env(env: dict[str, str] | None = None, unset: Iterable[str] = ()) -> dict[str, str]:
    """This process's environment minus every variable whose name starts with one of
    `unset` (whole names or prefixes such as "OPENAI_"), plus `env`."""
    drop = tuple(unset)
    kept = {k: v for k, v in os.environ.items() if not (drop and k.startswith(drop))}
    return {**kept, **(env or {})}


def popen_cli(
    args: Sequence[str],
    env: dict[str, str] | None = None,
    unset: Iterable[str] = (),
    **kwargs: object,
) -> subprocess.Popen[str]:
    """`python -m newsbrief ARGS` in a child whose SIGINT is at its default."""
    return subprocess.Popen(
        [sys.executable, "-m", "newsbrief", *args],
        env=cli_env(env, unset),
        text=True,
        preexec_fn=_default_sigint,
        **kwargs,  # type: ignore[arg-type]
    )


def run_cli(
    args: Sequence[str],
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 600,
    unset: Iterable[str] = (),
) -> subprocess.CompletedProcess[str]:
    """`python -m newsbrief ARGS` to completion, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "newsbrief", *args],
        env=cli_env(env, unset),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_default_sigint,
    )


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """A threaded HTTP server on a free 127.0.0.1 port, for as long as the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]  # fmt: skip


def find_chromium() -> str:
    """Headless Chromium for the page checks: skipped on a machine without it, a failure in
    CI (.ci/run installs Debian's chromium package)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("chromium not installed on this machine (CI installs it)")
    return found
