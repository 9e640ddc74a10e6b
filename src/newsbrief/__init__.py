"""newsbrief: grounded, verifiable briefs from news and financial articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .digest import Digest, abuild_digest, build_digest
from .models import Brief

if TYPE_CHECKING:
    from .pipeline import asummarize, summarize

__all__ = ["Brief", "Digest", "abuild_digest", "asummarize", "build_digest", "summarize"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The model-calling stack (openai, instructor) takes a second to import; a fully
    # cached digest or `newsbrief --help` should not pay for it.
    if name in ("summarize", "asummarize"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'newsbrief' has no attribute {name!r}")
