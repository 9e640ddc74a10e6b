"""newsbrief: grounded, verifiable briefs from news and financial articles.

The public API, loaded lazily: `import newsbrief` is cheap and changes no process-wide
state, and the model-calling stack (openai, instructor) loads only when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsbrief.brief.summarize import asummarize, summarize
    from newsbrief.contract import (
        Brief,
        Evidence,
        KeyFigure,
        PolicyImplication,
        Provenance,
        Source,
        Span,
        SummarySentence,
        Usage,
    )
    from newsbrief.digest.batch import DigestOptions
    from newsbrief.digest.build import abuild_digest, build_digest
    from newsbrief.digest.contract import (
        ArticleResult,
        CrossImplication,
        Digest,
        DigestStats,
        Discrepancy,
        FigureEntry,
        FigureGroup,
        Story,
        Theme,
    )
    from newsbrief.errors import (
        AuthenticationError,
        ConfigError,
        EmbeddedModelError,
        EndpointError,
        InputError,
        ModelOutputError,
        NewsbriefError,
    )
    from newsbrief.ingest.read import Article, read_path
    from newsbrief.model.endpoint import Endpoint, embedded, resolve_endpoint
    from newsbrief.model.transport import RetryPolicy
    from newsbrief.redact import install_log_redaction
    from newsbrief.render import to_html, to_markdown
    from newsbrief.store.table import BriefCache

__version__ = "0.1.0"

_WHERE = {
    "summarize": "newsbrief.brief.summarize",
    "asummarize": "newsbrief.brief.summarize",
    # The Brief and the types it is made of.
    **{
        name: "newsbrief.contract"
        for name in (
            "Brief",
            "Source",
            "Span",
            "KeyFigure",
            "Evidence",
            "SummarySentence",
            "PolicyImplication",
            "Provenance",
            "Usage",
        )
    },
    # The Digest and the types it is made of: the digest's contract.
    **{
        name: "newsbrief.digest.contract"
        for name in (
            "Digest",
            "Theme",
            "CrossImplication",
            "Discrepancy",
            "DigestStats",
            "ArticleResult",
            "Story",
            "FigureGroup",
            "FigureEntry",
        )
    },
    "build_digest": "newsbrief.digest.build",
    "abuild_digest": "newsbrief.digest.build",
    "DigestOptions": "newsbrief.digest.batch",
    "BriefCache": "newsbrief.store.table",
    "Article": "newsbrief.ingest.read",
    "read_path": "newsbrief.ingest.read",
    "Endpoint": "newsbrief.model.endpoint",
    "resolve_endpoint": "newsbrief.model.endpoint",
    "embedded": "newsbrief.model.endpoint",
    "RetryPolicy": "newsbrief.model.transport",
    "install_log_redaction": "newsbrief.redact",
    "to_markdown": "newsbrief.render",
    "to_html": "newsbrief.render",
    **{
        name: "newsbrief.errors"
        for name in (
            "NewsbriefError",
            "ConfigError",
            "InputError",
            "EndpointError",
            "AuthenticationError",
            "ModelOutputError",
            "EmbeddedModelError",
        )
    },
}
__all__ = [
    "Article",
    "ArticleResult",
    "AuthenticationError",
    "Brief",
    "BriefCache",
    "ConfigError",
    "CrossImplication",
    "Digest",
    "DigestOptions",
    "DigestStats",
    "Discrepancy",
    "EmbeddedModelError",
    "Endpoint",
    "EndpointError",
    "Evidence",
    "FigureEntry",
    "FigureGroup",
    "InputError",
    "KeyFigure",
    "ModelOutputError",
    "NewsbriefError",
    "PolicyImplication",
    "Provenance",
    "RetryPolicy",
    "Source",
    "Span",
    "Story",
    "SummarySentence",
    "Theme",
    "Usage",
    "abuild_digest",
    "asummarize",
    "build_digest",
    "embedded",
    "install_log_redaction",
    "read_path",
    "resolve_endpoint",
    "summarize",
    "to_html",
    "to_markdown",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'newsbrief' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
