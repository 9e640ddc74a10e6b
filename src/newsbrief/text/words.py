"""Content words: what "says the same thing" and "speaks of it" are judged by.

A summary sentence that repeats another, an implication that copies its evidence, a
citation that does not speak of what it cites, and a check of what a brief is about all
compare sentences by their content words; one definition serves them all.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
RESTATE_SHARE = 0.8  # a statement with this share of its words from one passage copies it

_STOP = frozenset({
    "that", "this", "with", "from", "have", "will", "would", "could", "their", "there", "they",
    "which", "what", "when", "while", "into", "more", "than", "been", "were", "also", "after",
    "about", "over", "such", "some", "these", "those", "its", "it's", "may", "might", "should",
})  # fmt: skip


def content_words(sentence: str) -> set[str]:
    """Words that carry meaning: what repeats and what supports are judged by."""
    words = (w.lower() for w in _WORD.findall(sentence))
    # A crude stem ("rates" and "rate", "buffers" and "buffer") is enough to compare.
    return {w.rstrip("s")[:6] for w in words if (len(w) > 3 or w[0].isdigit()) and w not in _STOP}


def restates(statement: str, quote: str) -> bool:
    """A statement that copies its evidence is not an implication: most of its words are
    the sentence's own."""
    words = content_words(statement)
    return bool(words) and len(words & content_words(quote)) >= RESTATE_SHARE * len(words)
