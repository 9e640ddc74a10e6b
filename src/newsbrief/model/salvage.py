"""Recover the complete part of a JSON answer cut off by max_tokens.

A small model under greedy decoding sometimes repeats one figure until the token limit; the
figures before the loop are complete and worth grounding. We keep the longest prefix that
closes into valid JSON, at a boundary after a complete value, and never invent content.
"""

from __future__ import annotations

import json
from typing import Any

_CLOSERS = {"{": "}", "[": "]"}


def complete_prefix(text: str) -> Any | None:
    """The longest prefix of text ending after a complete object, list or list-item string,
    closed and parsed."""
    stack: list[str] = []
    in_string = escaped = False
    cuts: list[tuple[int, str]] = []  # (end position, closers needed)
    start = text.find("{")
    if start < 0:
        return None
    for i in range(start, len(text)):
        c = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
                if stack and stack[-1] == "]":  # a complete string item of a list
                    cuts.append((i + 1, "".join(reversed(stack))))
            continue
        if c == '"':
            in_string = True
        elif c in _CLOSERS:
            stack.append(_CLOSERS[c])
        elif c in "}]":
            if not stack:
                break
            stack.pop()
            cuts.append((i + 1, "".join(reversed(stack))))
            if not stack:
                break
    for end, closers in reversed(cuts):
        try:
            return json.loads(text[start:end] + closers)
        except ValueError:
            continue
    return None
