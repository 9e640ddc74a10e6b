"""Argument documentation written once and shown whole by help().

The blocking and awaitable forms of one call (summarize / asummarize, build_digest /
abuild_digest) take the same arguments, and every entry point takes the same endpoint
settings: their docstrings name a shared part, `{part}`, and `fill` puts its text in place
at import, indented to match, so help() never says "same arguments as ...".
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

ENDPOINT_ARGS = """\
endpoint: where to send the requests (see resolve_endpoint); exclusive with model,
    base_url, api_key and mode, which it already carries.
model: model name (else NEWSBRIEF_MODEL; default gpt-4o-mini remote, the embedded
    model's own name otherwise).
base_url: an OpenAI-compatible API root, e.g. "http://localhost:8000/v1" (else
    NEWSBRIEF_BASE_URL). With neither base_url nor api_key: the embedded model.
api_key: the API key (else OPENAI_API_KEY); never printed, logged or recorded.
mode: instructor's structured-output mode: json_schema (default), tools, json or
    md_json (else NEWSBRIEF_MODE)."""


def fill(**parts: str) -> Callable[[F], F]:
    """Replace each line that is only `{name}` in the docstring with that part, indented
    like the line it replaces.

    Args:
        parts: the texts by name; continuation lines indented relative to their first line.
    """

    def apply(function: F) -> F:
        doc = function.__doc__ or ""
        for name, text in parts.items():
            place = re.search(rf"^([ \t]*)\{{{name}\}}$", doc, flags=re.MULTILINE)
            if place is None:
                raise ValueError(f"{function.__qualname__}'s docstring has no {{{name}}} line")
            indented = textwrap.indent(text.rstrip("\n"), place.group(1))
            doc = doc[: place.start()] + indented + doc[place.end() :]
        function.__doc__ = doc
        return function

    return apply
