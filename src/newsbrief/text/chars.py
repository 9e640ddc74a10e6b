"""Characters no output can carry: lone UTF-16 surrogates.

They arrive from a mis-declared charset, a UTF-7 page, a Python string built by hand or a
model's JSON escape ("\\ud83d"); no encoder can write them, so one would sink whatever JSON,
HTML or cache row it reached. Each becomes U+FFFD, one character for one, so every offset
into the text stays valid.
"""

from __future__ import annotations

import re

_SURROGATES = re.compile("[\ud800-\udfff]")

CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 controls except tab and newline, DEL, and C1 controls: what can drive a terminal.
The one definition, for Markdown (render.escape) and the terminal (cli.terminal) alike."""


def without_surrogates(text: str) -> str:
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text
