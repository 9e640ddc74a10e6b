"""newsbrief: grounded, verifiable briefs from news and financial articles."""

from .models import Brief
from .pipeline import asummarize, summarize

__all__ = ["Brief", "asummarize", "summarize"]
__version__ = "0.1.0"
