"""Which model we talk to, resolved once from arguments, then environment, then defaults.

No endpoint configured means the embedded model: a new user with no key gets real output.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import instructor

from .local import MODEL_NAME

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
REMOTE_TIMEOUT_S = 300.0
EMBEDDED_TIMEOUT_S = 1800.0
_LOOPBACK = re.compile(r"(https?://)(127\.0\.0\.1|localhost|\[::1\]):\d+")
NORMAL_LOOPBACK = r"\g<1>127.0.0.1:8080"


def normalise_loopback(uri: str) -> str:
    """Local servers get random ports; who answers is the same either way."""
    return _LOOPBACK.sub(NORMAL_LOOPBACK, uri)


# Our names for instructor's modes (imported lazily: a fully cached digest never loads it).
MODES = {"json_schema": "JSON_SCHEMA", "tools": "TOOLS", "json": "JSON", "md_json": "MD_JSON"}


@dataclass(frozen=True)
class Endpoint:
    model: str
    base_url: str | None  # None with embedded=True: started on demand
    api_key: str | None = field(default=None, repr=False)
    mode: str = "json_schema"
    embedded: bool = False
    timeout_s: float = 300.0

    @property
    def kind(self) -> str:
        return "embedded" if self.embedded else "openai-compatible"

    @property
    def identity(self) -> str:
        """What answers, for cache keys: never the key, never a random loopback port."""
        return "embedded" if self.embedded else normalise_loopback(self.base_url or "openai")

    @property
    def instructor_mode(self) -> instructor.Mode:
        import instructor

        return instructor.Mode[MODES[self.mode]]

    def with_base_url(self, base_url: str) -> Endpoint:
        return replace(self, base_url=base_url)


def resolve_endpoint(
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: str | None = None,
    timeout_s: float | None = None,
) -> Endpoint:
    base_url = base_url or os.environ.get("NEWSBRIEF_BASE_URL") or None
    api_key = api_key or os.environ.get("OPENAI_API_KEY") or None
    model = model or os.environ.get("NEWSBRIEF_MODEL") or None
    mode = mode or os.environ.get("NEWSBRIEF_MODE") or "json_schema"
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    embedded = base_url is None and api_key is None
    # The embedded model on 2 cores can take minutes for one long answer: a timeout there
    # would only restart the same generation.
    default_timeout = EMBEDDED_TIMEOUT_S if embedded else REMOTE_TIMEOUT_S
    timeout = timeout_s or float(os.environ.get("NEWSBRIEF_TIMEOUT", default_timeout))
    if embedded:
        return Endpoint(
            model=model or MODEL_NAME, base_url=None, mode=mode, embedded=True, timeout_s=timeout
        )
    return Endpoint(
        model=model or DEFAULT_OPENAI_MODEL,
        base_url=base_url,
        api_key=api_key,
        mode=mode,
        timeout_s=timeout,
    )
