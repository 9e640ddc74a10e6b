"""The role of a number (level, change, prior, share, multiple) from the words right around
it: the first thing frame_of reads."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from newsbrief.text.frames import lexicon as lx
from newsbrief.text.frames.frame import Frame, _direction
from newsbrief.text.frames.phrases import _attributive, _noun_phrase_before
from newsbrief.text.numbers import NumberMatch


@dataclass(frozen=True)
class Reading:
    """What the words right around a number say of it, before its head is read."""

    role: str
    direction: str
    whole: str  # of what a share is
    measure_hint: str  # "close" when a close is said
    per_share: bool
    attributive: str  # the noun phrase the number qualifies directly
    by_object: re.Match[str] | None  # "reduced <object> by N"
    gapped: Frame | None  # "A rose 0.6% and B 0.5%": the frame whose verb B's clause shares
    gapped_np: str  # B


def role_of(
    n: NumberMatch,
    nb: str,
    na: str,
    clause: str,
    clause_before: str,
    before_numbers: list[NumberMatch],
    read: Callable[[NumberMatch], Frame],
) -> Reading:
    """The role of n from the words right around it.

    Args:
        n: the number.
        nb: the words between the clause's previous number (or its start) and n.
        na: the words between n and the clause's next number (or its end).
        clause: n's whole clause; clause_before: the clause up to n.
        before_numbers: the clause's numbers before n.
        read: the frame of another number of the text (for a clause that shares a verb).
    """
    role, direction, whole, measure_hint = "", "", "", ""
    per_share = bool(lx.PER_SHARE_AFTER.match(na)) or bool(
        re.search(r"\bper (?:diluted |basic )?share\b", nb, re.I)
    )
    attributive = _attributive(na)
    move_after = lx.MOVE_NOUN_AFTER.match(na)
    by_object = lx.BY_OBJECT.search(nb)
    if n.unit == "x" or re.match(r"^\s*times\b", na, re.I):
        role = "multiple"
    elif (
        lx.FROM_END.search(nb)
        or lx.COMPARE_END.search(nb)
        or (lx.COMPARE_START.match(clause) and not before_numbers)
    ):
        role = "prior"
    elif n.unit == "%" and (lx.SHARE_BEFORE.search(nb) or lx.SHARE_AFTER.match(na)):
        role = "share"
        m = lx.SHARE_AFTER.match(na)
        whole = _noun_phrase_before(m.group("whole")) if m and m.group("whole") else ""
    elif (move_after or lx.COMPARATIVE_AFTER.match(na)) and not re.search(r"\b(?:to|at)\s*$", nb):
        role = "change"
        direction = _direction(move_after.group("noun") if move_after else na[:12])
    elif lx.MOVE_NOUN_END.search(nb):
        role = "change"
        noun = lx.MOVE_NOUN_END.search(nb)
        assert noun is not None
        direction = _direction(noun.group(0))
    elif lx.CLOSE_END.search(nb) or (before_numbers and lx.CLOSE_ANY.search(clause_before)):
        role, measure_hint = "level", "close"  # "finished up 0.8% at 58,215"
    elif (to_end := lx.TO_END.search(nb)) and (
        lx.MOVE_VERB_END.search(nb[: to_end.start()]) or before_numbers
    ):
        role = "level"  # "rose to 5,100", "jumped 1.72% to 3,325.82"
    elif lx.MOVE_VERB_END.search(nb):
        role = "change"
        verb = lx.MOVE_VERB_END.search(nb)
        assert verb is not None
        direction = _direction(verb.group(0))
    elif n.unit in ("bp", "pp"):
        role = "change"
    elif lx.LEVEL_END.search(nb) or attributive or not nb.strip():
        role = "level"
    if by_object and role in ("", "level", "change", "prior"):
        # "reduced our receivables financing program by nearly $7 million"
        role = "change"
        direction = _direction(by_object.group(1))
    gapped: Frame | None = None  # "A rose 0.6% and B 0.5%": the verb gapped from B's clause
    gapped_np = ""
    if (
        before_numbers
        and re.fullmatch(
            r"[\s,]*(?:or|and|[-\u2013\u2014])?[\s,]*(?:about|approximately|roughly)?\s*", nb
        )
        and role in ("", "level")
    ):
        prev = read(before_numbers[-1])
        role, direction = prev.role or role, prev.direction
    elif (
        before_numbers
        and role in ("", "level")
        and not lx.TO_END.search(nb)
        and (gap := lx.GAPPED.fullmatch(nb))
    ):
        prev = read(before_numbers[-1])
        if prev.role == "level" and len(before_numbers) > 1:
            prev = read(before_numbers[-2])  # "rose 5% to $3 billion and"
        if prev.role == "change" and not lx.VERB_RE.search(gap.group("np")):
            role, direction, gapped, gapped_np = "change", prev.direction, prev, gap.group("np")
    if role == "change" and n.text.lstrip()[:1] in "-\u2212":
        direction = "down"
    if role == "change" and not direction:
        direction = _direction(nb)

    return Reading(
        role, direction, whole, measure_hint, per_share, attributive, by_object, gapped, gapped_np
    )
