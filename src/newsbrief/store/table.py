"""The store: one content-addressed SQLite table, safe for concurrent runs.

Each row is one kind of thing (KINDS): a brief, a digest's synthesis, a feed's state, a
fetched page, a batch run, one article of a batch run, a batch answer, a digest run's record
(digest.since). Keyed by
everything that could change it (content, model, endpoint, prompt and schema versions,
mode), and written one row at a time, so a killed digest resumes without asking the model
again for what it finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, get_args

import tenacity

from newsbrief.contract import SCHEMA_VERSION, Brief, Note, text_id
from newsbrief.errors import NewsbriefError
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.prompts import prompt_version
from newsbrief.settings import cache_dir

log = logging.getLogger(__name__)
SETUP_WAIT_S = 30.0  # as long as the busy timeout: another process's setup is brief

Kind = Literal[
    "brief", "synthesis", "feed", "page", "batch-run", "batch-article", "batch-answer", "run"
]
KINDS: tuple[Kind, ...] = get_args(Kind)


def default_path() -> Path:
    return cache_dir() / "briefs.sqlite"


def cache_key(kind: Kind, content_id: str, endpoint: Endpoint) -> str:
    """The key of a row of this kind about this content, as this endpoint would answer."""
    parts = [
        kind,
        content_id,
        endpoint.model,
        endpoint.identity,
        endpoint.mode,
        prompt_version(),
        SCHEMA_VERSION,
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class BriefCache:
    """One row per answer; WAL mode and a busy timeout let several processes share it.

    Each write is its own committed transaction (INSERT OR REPLACE of a whole row), so a
    reader in another process sees a row whole or not at all, and two processes briefing
    the same article both write the same answer: last writer wins, nothing is torn.

    The cache is an optimisation: once open, its failures are logged and reported through
    return values (get -> None, put -> False), never raised into a digest.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self._lock = threading.Lock()
        self.last_error: str | None = None  # why the last failed read or write failed
        db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db = db
            self._setup()
        except (OSError, sqlite3.Error) as exc:
            if db is not None:
                db.close()
            # A damaged file, a folder we cannot write, a disk that is full: one line the
            # user can act on, instead of a traceback from the middle of a digest.
            raise NewsbriefError(
                f"the brief cache at {self.path} is unusable ({exc}); "
                "delete it, choose another --cache-dir, or run with --no-cache"
            ) from None

    @tenacity.retry(
        retry=tenacity.retry_if_exception(lambda e: "locked" in str(e)),
        wait=tenacity.wait_random(0.05, 0.5),
        stop=tenacity.stop_after_delay(SETUP_WAIT_S),
        reraise=True,
    )
    def _setup(self) -> None:
        # Switching a new file to WAL takes an exclusive lock that SQLite's busy timeout
        # does not wait for: two processes opening one new cache at once see "database is
        # locked" here, so setup waits and tries again.
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY,"
                " kind TEXT NOT NULL, json TEXT NOT NULL, created REAL NOT NULL)"
            )
            self._db.commit()

    def _failed(self, what: str, exc: sqlite3.Error) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.rollback()  # an open write transaction would keep other processes out
        self.last_error = f"cannot {what} the brief cache at {self.path}: {exc}"
        log.warning("%s", self.last_error)

    def get(self, key: str) -> str | None:
        """The cached answer, or None: also when the cache cannot be read, since a miss is
        always safe (it costs a model call, never a result)."""
        try:
            with self._lock:
                row = self._db.execute("SELECT json FROM answers WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            with self._lock:
                self._failed("read", exc)
            return None
        return None if row is None else str(row[0])

    def find(self, prefix: str, kind: Kind) -> str | None:
        """The first answer of this kind whose key starts with prefix (hex keys: no LIKE
        wildcards in them), or None, also when unreadable."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT json FROM answers WHERE kind = ? AND substr(key, 1, ?) = ? LIMIT 1",
                    (kind, len(prefix), prefix),
                ).fetchone()
        except sqlite3.Error as exc:
            with self._lock:
                self._failed("read", exc)
            return None
        return None if row is None else str(row[0])

    def put(self, key: str, kind: Kind, value: str) -> bool:
        """Store and commit one answer; False (see last_error) if the cache cannot be written.

        Committed immediately: this row survives a SIGKILL one instruction later. A failed
        write (locked past the busy timeout, disk full, read-only file) never raises: the
        answer in hand is still good, only the next run pays for it again.
        """
        with self._lock:
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO answers (key, kind, json, created) VALUES (?, ?, ?, ?)",
                    (key, kind, value, time.time()),
                )
                self._db.commit()
            except sqlite3.Error as exc:
                self._failed("write", exc)
                return False
        return True

    def put_many(self, rows: Iterable[tuple[str, Kind, str]]) -> bool:
        """Store (key, kind, value) rows in one transaction: all of them or none; False (see
        last_error) if the cache cannot be written. For many rows at once (a batch run's
        articles, a results file's answers), where a commit per row would cost more than
        the rows."""
        with self._lock:
            try:
                now = time.time()
                self._db.executemany(
                    "INSERT OR REPLACE INTO answers (key, kind, json, created) VALUES (?, ?, ?, ?)",
                    ((key, kind, value, now) for key, kind, value in rows),
                )
                self._db.commit()
            except sqlite3.Error as exc:
                self._failed("write", exc)
                return False
        return True

    def load_brief(self, key: str, text: str) -> Brief | None:
        """The cached brief of exactly this text, or None: a row that does not validate, or
        whose source is another text, is deleted (recomputed, never served)."""
        try:
            hit = self.get(key)  # None also when unreadable
            if hit is None:
                return None
            brief = Brief.model_validate_json(hit)
            if brief.source.id != text_id(text):
                raise ValueError("cached brief is of another text")
            return brief
        except ValueError:  # pydantic's ValidationError included
            self.delete(key)
        except sqlite3.Error:
            pass  # a subclass that raises: still only a miss
        return None

    def store_brief(self, key: str, brief: Brief) -> None:
        """Store the brief; when it cannot be stored, say so in its warnings (the next run
        asks the model again), never raise: the brief in hand is still good."""
        try:
            stored = self.put(key, "brief", brief.model_dump_json())
            reason = None if stored else self.last_error
        except (sqlite3.Error, ValueError, UnicodeError) as exc:
            reason = str(exc)
        if reason is not None:
            text = f"not cached ({reason}); a later run will ask the model again"
            brief.warnings.append(text)
            brief.notes.append(Note(kind="process", text=text))

    def delete(self, key: str) -> None:
        with self._lock:
            try:
                self._db.execute("DELETE FROM answers WHERE key = ?", (key,))
                self._db.commit()
            except sqlite3.Error as exc:
                self._failed("write", exc)

    def close(self) -> None:
        with self._lock:
            self._db.close()
