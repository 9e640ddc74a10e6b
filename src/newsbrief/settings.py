"""Every NEWSBRIEF_* environment variable, in one place, parsed when it is used.

Nothing here runs at import time: a bad value must not break `import newsbrief` (nor every
pytest session on the machine, which loads our plugin). A bad value is one ConfigError that
names the variable and what it accepts; the CLI prints it as one line with exit 1. The
same parsers check command-line flags, so a flag and its variable accept the same values.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from newsbrief.errors import ConfigError

T = TypeVar("T")

MODES = ("json_schema", "tools", "json", "md_json")
# pytest-recording's record mode names: "rewrite" (delete, then record) is no vcrpy mode;
# the pytest plugin implements it, as pytest-recording does.
RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")


def positive_float(raw: str) -> float:
    """A finite number above zero (seconds, for timeouts)."""
    value = float(raw)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(raw)
    return value


def positive_int(raw: str) -> int:
    """A whole number above zero (bytes, tokens, counts)."""
    value = int(raw)
    if value <= 0:
        raise ValueError(raw)
    return value


def non_empty(raw: str) -> str:
    if not raw:
        raise ValueError(raw)
    return raw


def one_of(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError(raw)
        return raw

    return parse


@dataclass(frozen=True)
class Variable(Generic[T]):
    """One environment variable: its name, what it accepts, and its meaning (for --help)."""

    name: str
    parse: Callable[[str], T]
    accepts: str
    help: str

    def get(self) -> T | None:
        """The parsed value, None when unset or empty; ConfigError when it is unusable."""
        raw = os.environ.get(self.name, "").strip()
        if not raw:
            return None
        try:
            return self.parse(raw)
        except (ValueError, TypeError):
            shown = raw if len(raw) <= 40 else raw[:37] + "..."
            raise ConfigError(f"{self.name} must be {self.accepts}, not {shown!r}") from None


BASE_URL = Variable("NEWSBRIEF_BASE_URL", non_empty, "a URL", "OpenAI-compatible base URL")
MODEL = Variable("NEWSBRIEF_MODEL", non_empty, "a model name", "model name")
API_KEY = Variable("OPENAI_API_KEY", non_empty, "a key", "API key for the endpoint")
OPENAI_BASE_URL = Variable(
    "OPENAI_BASE_URL",
    non_empty,
    "a URL",
    "API root for a key without NEWSBRIEF_BASE_URL (default https://api.openai.com/v1)",
)
MODE = Variable("NEWSBRIEF_MODE", one_of(*MODES), f"one of {', '.join(MODES)}", "instructor mode")
TIMEOUT = Variable(
    "NEWSBRIEF_TIMEOUT",
    positive_float,
    "a positive number of seconds",
    "seconds per model request (default 1800 embedded, 300 remote)",
)
CONTEXT = Variable(
    "NEWSBRIEF_CONTEXT",
    positive_int,
    "a positive whole number of tokens",
    "context window of a remote model, in tokens (default 16000)",
)
MAX_BYTES = Variable(
    "NEWSBRIEF_MAX_BYTES",
    positive_int,
    "a positive whole number of bytes (e.g. 2097152)",
    "largest article read, in bytes (default 2097152)",
)
DEADLINE = Variable(
    "NEWSBRIEF_DEADLINE",
    positive_float,
    "a positive number of seconds",
    "seconds for one model request, first byte sent to last byte read (default 2x timeout)",
)
MAX_RESPONSE_BYTES = Variable(
    "NEWSBRIEF_MAX_RESPONSE_BYTES",
    positive_int,
    "a positive whole number of bytes",
    "largest model answer accepted, decompressed (default 8388608)",
)
FETCH_TIMEOUT = Variable(
    "NEWSBRIEF_FETCH_TIMEOUT",
    positive_float,
    "a positive number of seconds",
    "seconds allowed to fetch one URL (default 20)",
)
MAX_FEEDS = Variable(
    "NEWSBRIEF_MAX_FEEDS",
    positive_int,
    "a positive whole number of feeds",
    "feeds read from OPML listings per digest (default 200)",
)
CACHE_DIR = Variable(
    "NEWSBRIEF_CACHE_DIR", Path, "a folder", "brief cache and model file (default: user cache)"
)
PROMPTS_DIR = Variable(
    "NEWSBRIEF_PROMPTS_DIR", Path, "a folder", "prompt templates to use instead of the packaged"
)
PRICES = Variable(
    "NEWSBRIEF_PRICES", Path, "a JSON file", "JSON price table overriding the built-in one"
)
RECORD_MODE = Variable(
    "NEWSBRIEF_RECORD_MODE",
    one_of(*RECORD_MODES),
    f"one of {', '.join(RECORD_MODES)}",
    "pytest plugin: cassette record mode (default none)",
)
DEBUG = Variable("NEWSBRIEF_DEBUG", non_empty, "any value", "print tracebacks for internal errors")

ALL: tuple[Variable[Any], ...] = (
    BASE_URL, API_KEY, OPENAI_BASE_URL, MODEL, MODE, TIMEOUT, DEADLINE, MAX_RESPONSE_BYTES, CONTEXT,
    MAX_BYTES, FETCH_TIMEOUT, MAX_FEEDS, CACHE_DIR, PROMPTS_DIR, PRICES, RECORD_MODE, DEBUG,
)  # fmt: skip

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_FETCH_TIMEOUT_S = 20.0
# An OPML file can list thousands of feeds, or copies of itself: the fan-out is bounded.
DEFAULT_MAX_FEEDS = 200
# Answers are a few KB; a fast endless body, or a batch result line, must not be held whole.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024


def max_bytes() -> int:
    return MAX_BYTES.get() or DEFAULT_MAX_BYTES


def max_response_bytes() -> int:
    """The largest model answer accepted, live or from a batch result file."""
    return MAX_RESPONSE_BYTES.get() or DEFAULT_MAX_RESPONSE_BYTES


def fetch_timeout_s() -> float:
    return FETCH_TIMEOUT.get() or DEFAULT_FETCH_TIMEOUT_S


def max_feeds() -> int:
    return MAX_FEEDS.get() or DEFAULT_MAX_FEEDS


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return CACHE_DIR.get() or Path(user_cache_dir("newsbrief"))


def environment_help() -> str:
    """The variables for a --help epilog."""
    width = max(len(v.name) for v in ALL)
    lines = [f"  {v.name:<{width}}  {v.help}" for v in ALL]
    return "environment variables:\n" + "\n".join(lines)
