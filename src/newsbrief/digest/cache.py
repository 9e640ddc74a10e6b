"""Moved to newsbrief.store.table (the store sits below the digest now); these names stay
importable from here while other branches still import them from the digest."""

from newsbrief.store.table import KINDS, BriefCache, Kind, cache_key, default_path

__all__ = ["KINDS", "BriefCache", "Kind", "cache_key", "default_path"]
