"""Keep secrets out of everything we write: messages, cassettes, caches, logs.

Two nets. Exact values: the API key in use (OPENAI_API_KEY, and any key handed to
`remember`) is replaced wherever it appears, whatever its shape. Shapes: anything that
looks like a provider key or a bearer token is replaced too, for keys we were never told.

Logs need a net of their own. At DEBUG, openai logs every response's headers (a server
that reflects the key in a header or cookie puts it there), httpcore logs raw header
bytes, and instructor logs each failed attempt with the server's error body ("Incorrect
API key provided: sk-..."). A user who turns on OPENAI_LOG=debug to see why a run failed,
then pastes the output into a bug report, must not paste the key. Filters on a logger do
not see records of its child loggers and handlers belong to the application, so the net is
a log-record factory: every record from the libraries that carry our traffic is redacted
the moment it is created, before any filter, handler or pytest's caplog sees it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import traceback
from collections.abc import Callable
from typing import Any

REDACTED = "REDACTED"
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "api-key",
        "x-api-key",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "openai-organization",
        "openai-project",
        "x-goog-api-key",
    }
)
# Bearer tokens and the usual provider key shapes (OpenAI, Anthropic, Google, generic "key-").
SECRET_PATTERN = re.compile(
    r"(Bearer\s+[A-Za-z0-9._~+/=-]{8,}|\b(?:sk|pk|rk|key|org|proj)-[A-Za-z0-9_-]{12,}|AIza[0-9A-Za-z_-]{20,})"
)
# Environment variables whose values are keys: always redacted by value, whatever their shape.
SECRET_ENV = ("OPENAI_API_KEY",)
# Shorter values are not treated as secrets: replacing "abc" everywhere would garble text,
# and no real key is that short.
MIN_SECRET_LEN = 8
# Loggers (by top-level package) whose records can carry headers, bodies or error texts.
REDACTED_LOGGERS = frozenset(
    {"openai", "httpx", "httpx2", "httpcore", "httpcore2", "instructor", "vcr", "newsbrief"}
)

_remembered: set[str] = set()
_lock = threading.Lock()


def remember(*secrets: str | None) -> None:
    """Redact these exact values from now on, everywhere (e.g. a key from --api-key)."""
    with _lock:
        _remembered.update(s for s in secrets if s and len(s) >= MIN_SECRET_LEN)


def known_secrets() -> tuple[str, ...]:
    """Remembered keys plus the keys in the environment right now (read live: tests and
    long-running hosts change them)."""
    env = (os.environ.get(name) for name in SECRET_ENV)
    with _lock:
        values = {*_remembered, *(v for v in env if v and len(v) >= MIN_SECRET_LEN)}
    return tuple(sorted(values, key=len, reverse=True))  # longest first: no partial leftovers


def redact(text: str, *secrets: str | None) -> str:
    """Replace the given secrets, the known ones, and anything shaped like a key."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for secret in known_secrets():
        text = text.replace(secret, REDACTED)
    return SECRET_PATTERN.sub(REDACTED, text)


def looks_secret(text: str) -> bool:
    return bool(SECRET_PATTERN.search(text))


# --- logs -----------------------------------------------------------------------------------


def _covered(name: str) -> bool:
    return name.split(".", 1)[0] in REDACTED_LOGGERS


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact one record in place: its message (args merged in), traceback and stack.

    Only a record that actually held a secret is rewritten, so ordinary records keep their
    msg/args structure for handlers that group by message template.
    """
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: logging reports it itself, at emit time
        return record
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        text = record.exc_text or "".join(traceback.format_exception(*record.exc_info)).rstrip()
        clean_text = redact(text)
        if clean_text != text:
            # The formatted, redacted traceback replaces the live exception object: a
            # handler formatting exc_info itself would print the secret again.
            record.exc_text, record.exc_info = clean_text, None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


_installed = False


def install_log_redaction() -> None:
    """Chain a redacting step onto the current log-record factory (once per process).

    The CLI and the pytest plugin install it; a library user who logs openai, httpx or
    instructor at DEBUG calls it once. Importing newsbrief changes no process-wide state.
    """
    global _installed
    with _lock:
        if _installed:
            return
        previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            return redact_record(record) if _covered(record.name) else record

        logging.setLogRecordFactory(factory)
        _installed = True
