"""A digest killed with SIGKILL part way resumes without asking the model again."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from support import popen_cli, run_cli

from tests.fakes.digests import brief_answer, brief_requests, router, write_reports
from tests.fakes.server import Reply, completion, serve

HANG_GUARD_S = 120  # only ever reached when something is broken: not a measurement


def _rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM answers WHERE kind='brief'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _poll(condition: Any, proc: subprocess.Popen[str]) -> None:
    """Until condition() holds, while the child still runs; a hang guard, not a timer."""
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():
        assert proc.poll() is None, "digest ended before it could be killed"
        assert time.monotonic() < deadline, "the digest never got there"
        time.sleep(0.05)


def test_killed_digest_resumes_with_only_the_remaining_articles(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_reports(folder, 5)
    cache_dir = tmp_path / "cache"
    db = cache_dir / "briefs.sqlite"
    args = [
        "digest",
        str(folder),
        "-o",
        str(tmp_path / "d.md"),
        "--cache-dir",
        str(cache_dir),
        "--concurrency",
        "1",
    ]
    env = {"PYTHONUNBUFFERED": "1"}
    third_asked = threading.Event()

    def answer_two_then_hold(body: dict[str, Any]) -> Reply:
        """Articles 1 and 2 are answered at once; article 3 is held (a minute, or until the
        server stops), so the digest is stuck on it when it is killed."""
        text = body["messages"][-1]["content"]
        reply = Reply(body=completion(json.dumps(brief_answer(text))))
        if "day 1," not in text and "day 2," not in text:
            third_asked.set()
            reply.delay_s = 60
        return reply

    with serve(answer_two_then_hold) as slow:
        proc = popen_cli(
            [*args, "--base-url", slow.base_url],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _poll(third_asked.is_set, proc)  # article 3's request has reached the server
            _poll(lambda: _rows(db) >= 2, proc)  # articles 1 and 2 are committed
            # With --concurrency 1 nothing more can happen while article 3 is held.
            assert _rows(db) == 2
            assert len(slow.requests) == 3
            assert "day 3," in slow.requests[-1]["messages"][-1]["content"]
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        assert len(slow.requests) == 3  # and nothing more was asked before it died
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with serve(router()) as fake:
        done = run_cli([*args, "--base-url", fake.base_url], env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        asked = [b["messages"][-1]["content"] for b in brief_requests(fake.requests)]
    assert len(asked) == 3
    days = sorted(next(d for d in range(1, 6) if f"day {d}," in text) for text in asked)
    assert days == [3, 4, 5]
    assert (
        "3 model calls" not in done.stderr and "4 model calls" in done.stderr
    )  # 3 briefs + synthesis
    assert _rows(db) == 5
