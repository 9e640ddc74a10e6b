"""A digest killed with SIGKILL part way resumes without asking the model again."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from digest_support import article, brief_answer, brief_requests, router
from fake_openai import Reply, completion, serve


def _slow_after_two(body: dict[str, Any]) -> Reply:
    text = body["messages"][-1]["content"]
    fast = "day 1," in text or "day 2," in text
    return Reply(body=completion(json.dumps(brief_answer(text))), delay_s=0 if fast else 60)


def _rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM answers WHERE kind='brief'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_killed_digest_resumes_with_only_the_remaining_articles(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(1, 6):
        (folder / f"{i:02d}.txt").write_text(article(i))
    cache_dir = tmp_path / "cache"
    db = cache_dir / "briefs.sqlite"
    cmd = [
        sys.executable,
        "-m",
        "newsbrief",
        "digest",
        str(folder),
        "-o",
        str(tmp_path / "d.md"),
        "--cache-dir",
        str(cache_dir),
        "--concurrency",
        "1",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with serve(_slow_after_two) as slow:
        proc = subprocess.Popen(
            [*cmd, "--base-url", slow.base_url],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while _rows(db) < 2 and time.monotonic() < deadline:
                assert proc.poll() is None, "digest ended before it could be killed"
                time.sleep(0.1)
            assert _rows(db) == 2
            time.sleep(0.3)  # now waiting on article 3
            assert len(slow.requests) == 3
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with serve(router()) as fake:
        done = subprocess.run(
            [*cmd, "--base-url", fake.base_url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        asked = [b["messages"][-1]["content"] for b in brief_requests(fake.requests)]
    assert len(asked) == 3
    days = sorted(next(d for d in range(1, 6) if f"day {d}," in text) for text in asked)
    assert days == [3, 4, 5]
    assert (
        "3 model calls" not in done.stderr and "4 model calls" in done.stderr
    )  # 3 briefs + synthesis
    assert _rows(db) == 5
