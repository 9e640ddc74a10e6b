"""What a sentence borrows from around it: its agent, an earlier clause, a scope, a
transcript's section, an outlook's measure."""

from __future__ import annotations

import re

from newsbrief.text import align
from newsbrief.text.frames import lexicon as lx
from newsbrief.text.frames.frame import _measure_in
from newsbrief.text.frames.names import name_runs
from newsbrief.text.frames.periods import _period_named
from newsbrief.text.frames.phrases import _clause_head, _noun_phrase_before, _trim_head
from newsbrief.text.numbers import NumberMatch, find_numbers

_RANGE_END = (
    r"(?:\s*(?:to|-|\u2013|and|or)\s*[$\u20ac\u00a3\u00a5]?[\d.,]+\s*(?:%|[mb]illion|trillion)?)?"
)
_OUTLOOK_WORDS = re.compile(r"\b(?:guidance|outlook|forecasts?|range)\b", re.I)


def _target_measure(text: str, n: NumberMatch, since: int) -> tuple[str, str] | None:
    """(measure, words) an outlook states, other than "guidance": after the number ("$1
    billion to $1.4 billion of sales"), else the last one stated before it."""
    m = re.match(_RANGE_END + r"\s+of\s+([^,.;]{1,60})", text[n.end : n.end + 120])
    if m:
        found = _measure_in(m.group(1))
        if found and found[0] not in ("guidance", "level"):
            return found[0], _noun_phrase_before(
                m.group(1)[: m.group(1).lower().find(found[1].lower()) + len(found[1])]
            ) or found[1]
    before = _OUTLOOK_WORDS.sub(" ", text[since : n.start])
    found = _measure_in(before, last=True)
    if found and found[0] not in ("guidance", "level"):
        return found[0], found[1]
    return None


_SCOPE = re.compile(
    r"^\s*(?:and\s+)?(?:in|for|at|within|across)\s+(?:the\s+|our\s+|its\s+)?"
    r"(?P<np>[A-Za-z][\w&' .-]{1,48}?)"
    r"(?:\s+(?P<kind>segments?|business(?:es)?|divisions?|units?|regions?|operations))?"
    r"\s*,?\s*$",
    re.I,
)
_SECTION_INTRO = re.compile(
    r"\b(?i:turning|moving(?: on)?|move|turn|switching|shifting|starting|start|now)\s+"
    r"(?i:to|with)\s+(?i:the\s+|our\s+|its\s+)?(?P<np>[A-Z][\w&'.-]*(?:\s+[A-Z&][\w&'.-]*){0,4})"
    r"(?:\s+(?:segment|business|division|unit|group|operations|region))?\s*[.,;:]",
)
_WHOLE_COMPANY = re.compile(r"\b(?:total|consolidated|company|overall|group|corporate)\b", re.I)
SECTION_SENTENCES = 5  # sentences a "Turning to X." intro names the subject of


def _section(text: str, s0: int) -> str:
    """The business a transcript's last "Turning to X." / "Moving to X," put the talk in,
    when it came at most SECTION_SENTENCES sentences before s0; else ""."""
    window = text[max(0, s0 - 200 * SECTION_SENTENCES) : s0]
    found = list(_SECTION_INTRO.finditer(window))
    if not found:
        return ""
    last = found[-1]
    if len(re.findall(r"[.!?](?:\s|$)", window[last.end() :])) >= SECTION_SENTENCES:
        return ""
    names = [r for r in name_runs(last.group("np")) if not re.match(r"(?i)slide|page", r)]
    return names[-1] if names else ""


_NOT_SCOPE = re.compile(
    r"\b(?:basis|addition|summary|short|particular|contrast|total|general|fact|terms|light|"
    r"line)\b",
    re.I,
)


def _scope(opener: str) -> str:
    """The business or region an opening "In the cable segment," / "In the Americas,"
    puts the sentence in, or ""."""
    m = _SCOPE.match(opener)
    if m is None or find_numbers(opener) or _period_named(opener)[0]:
        return ""
    np = m.group("np").strip()
    if lx.VERB_RE.search(np) or _NOT_SCOPE.search(np):
        return ""
    names = name_runs(np)
    if names:
        return names[-1]
    return np if m.group("kind") else ""


def _agent(clause: str) -> str:
    """The name doing the clause's first verb ("Aviation reported revenue of ..."), or ""."""
    m = lx.VERB_RE.search(clause)
    if m is None:
        return ""
    names = name_runs(_noun_phrase_before(clause[: m.start()]))
    return names[-1] if names else ""


def _antecedent(text: str, earlier: list[tuple[int, int]], s0: int, c0: int) -> str:
    """The name a "where"/"which" clause refers back to ("I'll cover Medical Devices, where
    sales grew 13%"), or ""."""
    relative = bool(earlier) and bool(lx.RELATIVE_START.match(text[c0 : c0 + 12]))
    if not relative and not re.search(r"\b(?:where|which)\s*$", text[s0:c0], re.I):
        return ""
    names = name_runs(text[earlier[-1][0] : earlier[-1][1]]) if earlier else []
    return names[-1] if names else ""


def _inherit(
    text: str, earlier: list[tuple[int, int]], c0: int, s0: int
) -> str | tuple[str, ...] | None:
    """The head an earlier clause of the sentence states ("The benchmark index was trading
    at A, up B%": B% is the index's), else the names of the sentence before that may be the
    subject (options)."""
    if earlier and re.search(r"(?:,\s*|\b)(?:which|who)\s*$", text[s0:c0], re.I):
        antecedent = _noun_phrase_before(text[earlier[-1][0] : earlier[-1][1]].rstrip(" ,"))
        if antecedent:
            return _trim_head(antecedent)[0]
    for a, b in reversed(earlier):
        clause = text[a:b]
        if lx.RELATIVE_START.match(clause):
            continue  # "Gold, which tends to suffer when yields rise, fell 1.2%": Gold's
        head = _clause_head(clause + " 0")
        if not head and a == s0 and not lx.VERB_RE.search(clause) and not find_numbers(clause):
            head = _noun_phrase_before(clause.rstrip(" ,"))
        head, _ = _trim_head(head)
        if head and head.lower() not in lx.GENERIC:
            return head
    names = name_runs(text[s0:c0])
    if names:
        return names[-1]
    if s0 > 0:
        p0 = align.sentence_bounds(text, max(0, s0 - 2))[0]
        prev = [r for r in name_runs(text[p0:s0]) if lx.MARKET_RE.search(r) or " " in r]
        if prev:
            return tuple(dict.fromkeys(reversed(prev)))[:3]
    return None
