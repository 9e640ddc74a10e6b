"""Words: stopwords and stems, in one place, for every comparison of wording.

Content words are what "says the same thing" and "speaks of it" are judged by: a summary
sentence that repeats another, an implication that copies its evidence, a citation that
does not speak of what it cites, and a check of what a brief is about all compare sentences
by them; one definition serves them all.

Three stems live side by side, each tuned with the threshold of its own user, so none
replaces another without retuning it: `content_words` cuts to six letters after a plural
"s"; label checks (brief.labels) compare `prefix_stem`s, five letters; the story clusterer
(digest.stories) counts `suffix_stem`s of the words that are not FUNCTION_WORDS, and its
similarity threshold was measured with exactly those.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
RESTATE_SHARE = 0.8  # a statement with this share of its words from one passage copies it

# Common words of four letters or more that carry no content (shorter ones never count).
_STOP = frozenset({
    "that", "this", "with", "from", "have", "will", "would", "could", "their", "there", "they",
    "which", "what", "when", "while", "into", "more", "than", "been", "were", "also", "after",
    "about", "over", "such", "some", "these", "those", "its", "it's", "may", "might", "should",
})  # fmt: skip


# English function words: what the story clusterer leaves out of an article's word counts.
FUNCTION_WORDS = frozenset({
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "cent", "could", "day", "did", "do", "does", "doing", "down",
    "during", "each", "few", "for", "friday", "from", "further", "had", "has", "have",
    "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "itself", "just", "monday", "month", "more", "most", "much", "my", "no",
    "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "out",
    "over", "own", "per", "percent", "said", "same", "saturday", "says", "she", "should", "so",
    "some", "such", "sunday", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "through", "thursday", "to", "today", "too", "tuesday", "under",
    "until", "up", "very", "was", "we", "wednesday", "week", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "year", "years",
    "yesterday", "you", "your",
})  # fmt: skip


def prefix_stem(word: str) -> str:
    """The first five letters, lower case: how a label's words are found near its number
    ("investments" and "investment" agree, and so do "tariff" and "tariffs")."""
    return word.lower()[:5]


def suffix_stem(word: str) -> str:
    """The word less one common English suffix (-ies, -es, -s, -ed, -ing) when at least
    four letters remain: the story clusterer's stem."""
    w = word.lower().strip("'-")
    for suffix in ("ies", "es", "s", "ed", "ing"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def content_words(sentence: str) -> set[str]:
    """Words that carry meaning: what repeats and what supports are judged by."""
    words = (w.lower() for w in _WORD.findall(sentence))
    # A crude stem ("rates" and "rate", "buffers" and "buffer") is enough to compare.
    return {w.rstrip("s")[:6] for w in words if (len(w) > 3 or w[0].isdigit()) and w not in _STOP}


def restates(statement: str, quote: str, actor: str = "") -> bool:
    """A statement that copies its evidence is not an implication: most of its words are
    the sentence's own. The actor's words do not count where the evidence names the actor:
    "the Bank of Japan could raise its rate" from "the Bank of Japan kept its rate" says
    something new. An actor the evidence does not name is part of what the statement adds."""
    quoted = content_words(quote)
    words = content_words(statement) - (content_words(actor) & quoted)
    return bool(words) and len(words & quoted) >= RESTATE_SHARE * len(words)
