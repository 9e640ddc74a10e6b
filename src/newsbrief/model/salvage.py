"""Recover the complete part of a JSON answer cut off by max_tokens.

A small model under greedy decoding sometimes repeats one figure until the token limit; the
figures before the loop are complete and worth grounding. We keep the longest prefix that
closes into valid JSON, at a boundary after a complete value, and never invent content.

Linear in the answer's length: the open brackets are a linked stack, so recording a cut
point costs O(1), and only a few cut points are ever tried. Answers nested deeper than any
schema of ours are not salvaged at all (a hostile 100,000-level answer would otherwise
exhaust the parser's recursion).
"""

from __future__ import annotations

import json
from typing import Any

_CLOSERS = {"{": "}", "[": "]"}
MAX_DEPTH = 32  # our schemas nest 4 deep
MAX_TRIES = 8  # cut points tried, latest first


class _Open:
    """One open bracket on a linked stack: (closer, the stack beneath)."""

    __slots__ = ("below", "closer", "depth")

    def __init__(self, closer: str, below: _Open | None) -> None:
        self.closer = closer
        self.below = below
        self.depth: int = 1 if below is None else below.depth + 1

    def closers(self) -> str:
        out = []
        node: _Open | None = self
        while node is not None:
            out.append(node.closer)
            node = node.below
        return "".join(out)


def complete_prefix(text: str) -> Any | None:
    """The longest prefix of text ending after a complete object, list or list-item string,
    closed and parsed."""
    stack: _Open | None = None
    in_string = escaped = False
    cuts: list[tuple[int, _Open | None]] = []  # (end position, what is still open there)
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
                if stack is not None and stack.closer == "]":  # a complete string list item
                    cuts.append((i + 1, stack))
            continue
        if c == '"':
            in_string = True
        elif c in _CLOSERS:
            stack = _Open(_CLOSERS[c], stack)
            if stack.depth > MAX_DEPTH:
                return None
        elif c in "}]":
            if stack is None:
                break
            stack = stack.below
            cuts.append((i + 1, stack))
            if stack is None:
                break
    for end, still_open in reversed(cuts[-MAX_TRIES:]):
        try:
            return json.loads(text[start:end] + (still_open.closers() if still_open else ""))
        except (ValueError, RecursionError):
            continue
    return None
