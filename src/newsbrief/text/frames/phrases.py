"""Noun phrases, clauses and heads: the pieces of a sentence a frame is read from."""

from __future__ import annotations

import itertools
import re

from newsbrief.text.frames import lexicon as lx
from newsbrief.text.frames.names import NOT_NAMES
from newsbrief.text.frames.periods import _QUARTERS
from newsbrief.text.numbers import find_numbers, worth_a_figure

_CONNECT_END = re.compile(
    rf"\s+(?:of|at|to|was|were|is|are|totaled|totaling|totalled|reached|came in at|stood at|"
    rf"amounted to|equal to)(?:\s+{lx.ADJ})*\s*$",
    re.I,
)
_AUX = frozenset({
    "was", "were", "is", "are", "be", "been", "being", "has", "have", "had", "will", "would",
    "could", "should", "may", "might", "to", "also", "still", "just", "now", "further",
    "already", "then", "reportedly", "currently", "again",
})  # fmt: skip


def _predicate_head(zone: str) -> str:
    """The noun phrase before the verb that governs what follows: "a stimulus package
    expected to top" gives "stimulus package"; "The benchmark index was trading at" gives
    "benchmark index"; no verb gives ""."""
    verbs = list(lx.VERB_RE.finditer(zone))
    if not verbs:
        return ""
    # "we reported adjusted net income ... of": the object before "of" is the head.
    tail = _CONNECT_END.sub("", zone[verbs[-1].end() :])
    if tail.strip() and tail != zone[verbs[-1].end() :]:
        found = _noun_phrase_before(tail)
        if found and found.lower() not in lx.GENERIC:
            return found
    start = verbs[-1].start()
    # Back over auxiliaries, "to" and chained verbs ("expected to top", "have poured").
    while True:
        m = re.search(r"([\w']+)\s*$", zone[:start])
        if not m:
            break
        word = m.group(1).lower()
        if word in _AUX or (lx.VERB_RE.fullmatch(word) and word not in ("growth", "gains")):
            start = m.start()
            continue
        break
    return _noun_phrase_before(zone[:start])


_OPENER_RE = re.compile(
    r"^[\s,]*(?:for|in|during|on|(?:turning|looking|moving|coming)(?: back)? to|looking at)\b",
    re.I,
)
_AT_TIME_END = re.compile(
    r"\s+(?:at|as of|by)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?"
    rf"(?:(?:{_QUARTERS})\s+)?(?:quarter|year|period|month|q[1-4])(?:[- ]end)?\s*$",
    re.I,
)
_COMPARED_PERIOD = re.compile(
    r"\b(?:from|than|compared (?:to|with)|versus|vs\.?|over)\s+(?:the\s+)?"
    r"(?:a year (?:ago|earlier)|(?:the )?(?:prior|previous|same)[- ](?:year|period|quarter)|"
    r"last year|year-ago)",
    re.I,
)
_QUALIFIER_END = re.compile(
    r"(?:\s+of)?\s+(?:more|less|fewer|greater|higher|lower)\s+than\s*$|\s+of\s+"
    r"(?:about|nearly|over|around|roughly|approximately|almost|some|up to)\s*$",
    re.I,
)

# Money poured into something: what the number measures is a flow, whoever poured it.
_FLOW_INTO = re.compile(
    r"\b(?:poured|pumped|plowed|ploughed|funnell?ed|put)\b(?:\s+\w+){0,3}\s*$", re.I
)


def _noun_phrase_before(text: str) -> str:
    """The noun phrase ending text, scanning back over its words until a determiner,
    pronoun or verb ("our sales to government customers" gives "sales to government
    customers"); prepositions inside it are kept ("earnings per share")."""
    text = _AT_TIME_END.sub("", text)  # "net debt at quarter end": the debt
    text = _QUALIFIER_END.sub("", text)  # "net purchases of more than": the purchases
    words = re.findall(r"[\w&'./()$%-]+", text.replace("\u2019", "'"))
    kept: list[str] = []
    while words and (words[-1].lower() in _AUX or lx.ADJ_RE.fullmatch(words[-1].lower())):
        words = words[:-1]
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        low = w.lower()
        if lx.VERB_RE.fullmatch(low) and not (kept and low in ("growth", "gains")):
            break
        if low in lx.DET_WORDS and low not in lx.PREPS_IN_NP:
            # A determiner inside a prepositional phrase ("return on equity for the TOPIX")
            if i > 0 and words[i - 1].lower() in lx.PREPS_IN_NP and kept:
                kept.append(w)
                continue
            break
        kept.append(w)
        if len(kept) > 12:
            break
    kept.reverse()
    while kept and kept[-1].lower() in lx.STATE_WORDS:
        kept = kept[:-1]  # "left its deposit rate unchanged at": the rate, not "unchanged"
    while kept and kept[0].lower() in lx.LEAD_DROP | lx.PREPS_IN_NP:
        kept = kept[1:]
    while kept and kept[-1].lower() in lx.PREPS_IN_NP | lx.LEAD_DROP:
        kept = kept[:-1]
    return " ".join(kept)


def _trim_head(head: str) -> tuple[str, str]:
    """(head, tail): a head over lx.MAX_HEAD_WORDS cut at its first preposition after two
    words; the tail may still name the subject ("ROE for the TOPIX index")."""
    words = head.split()
    if len(words) <= lx.MAX_HEAD_WORDS:
        return head, ""
    for i in range(2, len(words)):
        if words[i].lower() in ("from", "for", "in", "at", "during", "excluding", "on", "of", "to"):
            if words[i].lower() in ("of", "to", "on") and i < 3:
                continue
            return " ".join(words[:i]), " ".join(words[i:])
    return " ".join(words[: lx.MAX_HEAD_WORDS]), " ".join(words[lx.MAX_HEAD_WORDS :])


def _clauses(text: str, s0: int, s1: int) -> list[tuple[int, int]]:
    cuts = [s0]
    for m in lx.CLAUSE_CUT.finditer(text, s0, s1):
        cuts.append(m.end() if m.group(0).strip() else m.start())
    cuts.append(s1)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _clause_head(clause: str) -> str:
    """The noun phrase a clause speaks of: the words before its first verb (or, with no
    verb before a number, nothing: "up 2.17%" borrows its sentence's subject)."""
    first_number = next((m for m in find_numbers(clause) if worth_a_figure(m)), None)
    stop = first_number.start if first_number else len(clause)
    return _predicate_head(clause[:stop])


def _possessive_owner(before: str) -> str:
    """ "Japan's $4.9 trillion": Japan; "the S&P 500's 20x": S&P 500."""
    m = re.search(r"([A-Z][\w&./-]*(?:\s+(?:[A-Z][\w&./-]*|\d{2,4}))*)['\u2019]s\s*$", before)
    return m.group(1) if m and m.group(1) not in NOT_NAMES else ""


def _attributive(after: str) -> str:
    """The noun phrase a number qualifies directly ("$4.9 trillion economy", "the 58,000
    level", "100% tariffs on Chinese imports"), or ""."""
    m = re.match(
        r"^\s+((?:[a-z][\w-]*|[A-Z][\w&-]*)(?:\s+(?:[a-z][\w-]*|[A-Z][\w&-]*)){0,4})", after
    )
    if not m:
        return ""
    words = m.group(1).split()
    if lx.VERB_RE.fullmatch(words[0].lower()) or words[0].lower() in lx.DET_WORDS | {
        "or",
        "than",
        "per",
        "times",
        "a",
        "in",
        "year-over-year",
        "year-on-year",
        "yoy",
        "sequentially",
        "higher",
        "lower",
        "more",
        "less",
        "of",
        "versus",
        "compared",
    }:
        return ""
    kept: list[str] = []
    for w in words:
        low = w.lower()
        if lx.VERB_RE.fullmatch(low) or low in (
            "and",
            "or",
            "that",
            "which",
            "while",
            "than",
            "as",
            "by",
            "year-over-year",
            "year-on-year",
            "yoy",
            "sequentially",
        ):
            break
        stops = ("in", "on", "for", "to", "into", "from", "of", "at", "during", "ahead")
        if low in stops and (low not in ("on", "in", "into", "of") or not kept):
            break
        kept.append(w)
    while kept and kept[-1].lower() in lx.PREPS_IN_NP | {"into"}:
        kept.pop()
    return " ".join(kept[:5])
