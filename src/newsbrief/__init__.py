"""newsbrief: grounded, verifiable briefs from news and financial articles."""

from .digest import Digest, abuild_digest, build_digest
from .models import Brief
from .pipeline import asummarize, summarize

__all__ = ["Brief", "Digest", "abuild_digest", "asummarize", "build_digest", "summarize"]
__version__ = "0.1.0"
