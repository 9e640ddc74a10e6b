"""Prompt templates live in files, so a prompt edit is a diff and its hash is a version.

The version is part of provenance, the cache key and every cassette's match, so an edited
prompt can never be served a stale recorded answer silently.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2

from newsbrief import settings

_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False)


def prompts_dir() -> Path:
    """NEWSBRIEF_PROMPTS_DIR, else the copy inside the wheel, else the checkout's prompts/."""
    override = settings.PROMPTS_DIR.get()
    return override if override is not None else _shipped()


@lru_cache(maxsize=1)
def _shipped() -> Path:
    # Looked up once: importlib.resources and the stat cost ~1 ms, and every call asked.
    packaged = Path(str(resources.files("newsbrief"))) / "prompts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "prompts"


@lru_cache(maxsize=8)
def _load(directory: Path) -> dict[str, str]:
    files = sorted(directory.glob("*.md"))
    if not files:
        raise FileNotFoundError(f"no prompt templates in {directory}")
    return {f.stem: f.read_text(encoding="utf-8") for f in files}


def reload() -> None:
    """Forget the templates read so far: for tools and tests that edit them in place."""
    _load.cache_clear()
    _version.cache_clear()


def templates() -> dict[str, str]:
    return _load(prompts_dir())


def prompt_version() -> str:
    """Hash of every template's name and content: any edit changes it."""
    return _version(prompts_dir())


@lru_cache(maxsize=8)
def _version(directory: Path) -> str:
    digest = hashlib.sha256()
    for name, body in sorted(_load(directory).items()):
        digest.update(name.encode() + b"\0" + body.encode() + b"\0")
    return digest.hexdigest()[:12]


@lru_cache(maxsize=32)
def _compiled(source: str) -> jinja2.Template:
    return _ENV.from_string(source)  # keyed on the text: an edited template recompiles


def render(name: str, **values: object) -> str:
    """Our own template with our values; article text is a value, never a template."""
    return _compiled(templates()[name]).render(**values).strip()
