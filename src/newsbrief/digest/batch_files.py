"""Reading a batch engine's result file: untrusted input, one line at a time.

Each line is bounded (the live answer cap: a 100 MB line is skipped unread, only its start
kept to name it), parsed, and its answer checked for the shape a chat completion has
(model.replay.Completion); an engine's error is kept in its own words, redacted. What the
lines mean for a batch run is digest.batch_api's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsbrief.errors import InputError
from newsbrief.model.replay import BadAnswer, Completion
from newsbrief.redact import remote_text

# The custom_id of a line too large to parse, read from its start (engines write it first).
_CUSTOM_ID_NEAR_START = re.compile(rb'"custom_id"\s*:\s*"([^"\\]{1,80})"')


@dataclass
class ResultLine:
    """One line of a results file: its parsed object, or why it has none."""

    number: int
    data: dict[str, Any] | None = None
    custom_id: str | None = None  # of a line too large to parse, when its start names it
    problem: str | None = None


def result_lines(path: Path, cap: int) -> Iterator[ResultLine]:
    """The file's non-blank lines; one over `cap` bytes is skipped unread (only its start
    is kept, to name it), so a 100 MB line never sits in memory."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        number = 0
        while raw := handle.readline(cap + 1):
            number += 1
            if len(raw) > cap and not raw.endswith(b"\n"):
                found = _CUSTOM_ID_NEAR_START.search(raw[:4096])
                while raw and not raw.endswith(b"\n"):  # the rest of the line, dropped
                    raw = handle.readline(1 << 20)
                custom_id = found.group(1).decode("utf-8", "replace") if found else None
                problem = f"over the {cap}-byte answer limit (NEWSBRIEF_MAX_RESPONSE_BYTES)"
                yield ResultLine(number, custom_id=custom_id, problem=problem)
                continue
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError):  # not UTF-8 or not JSON; nested too deep
                data = None
            if isinstance(data, dict):
                yield ResultLine(number, data=data)
            else:
                yield ResultLine(number, problem="not a JSON object")


def _error_text(line: dict[str, Any], response: object) -> str:
    """Why the engine gave no answer, in its own words, redacted: the line's error object,
    else the response body's, else the HTTP status."""
    body = response.get("body") if isinstance(response, dict) else None
    status = response.get("status_code") if isinstance(response, dict) else None
    error = line.get("error") or (body.get("error") if isinstance(body, dict) else None)
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        code = error.get("code")
        text = f"{code}: {error['message']}" if isinstance(code, str) else error["message"]
    elif error:
        text = error if isinstance(error, str) else json.dumps(error)[:4096]
    else:
        text = f"HTTP {status}" if isinstance(status, int) else "no response"
    return remote_text(text)


def completion_of(line: dict[str, Any]) -> Completion:
    """The line's answer, checked; BadAnswer (the engine's error text) when it has none."""
    response = line.get("response")
    if isinstance(response, dict) and response.get("status_code") == 200:
        return Completion.parse(response.get("body"))
    raise BadAnswer(_error_text(line, response))
