"""frame_of: the reading of one number in its sentence (see the package docstring)."""

from __future__ import annotations

import bisect
import re

from newsbrief.text import align
from newsbrief.text.frames import lexicon as lx
from newsbrief.text.frames.context import (
    _OUTLOOK_WORDS,
    _WHOLE_COMPANY,
    _agent,
    _antecedent,
    _inherit,
    _scope,
    _section,
    _target_measure,
)
from newsbrief.text.frames.frame import Frame, _measure_in, measure_of
from newsbrief.text.frames.names import name_runs
from newsbrief.text.frames.periods import _PERIODS, _period, _period_named
from newsbrief.text.frames.phrases import (
    _COMPARED_PERIOD,
    _FLOW_INTO,
    _OPENER_RE,
    _attributive,
    _clauses,
    _noun_phrase_before,
    _possessive_owner,
    _predicate_head,
    _trim_head,
)
from newsbrief.text.frames.roles import role_of
from newsbrief.text.numbers import NumberMatch, find_numbers, worth_a_figure


def frames_of(text: str, numbers: list[NumberMatch] | None = None) -> list[Frame]:
    """A frame for each number of text, in find_numbers' order."""
    found = find_numbers(text) if numbers is None else numbers
    return [frame_of(text, n, found) for n in found]


_EXTREME_END = re.compile(r"\b(?:as (high|low) as|(?:all-time|record) (high|low) of)\s*$", re.I)


def frame_of(text: str, n: NumberMatch, numbers: list[NumberMatch] | None = None) -> Frame:
    """The frame of number n, a match of find_numbers on text.

    Args:
        text: the whole article (or chunk); n's offsets index it.
        n: the number to read.
        numbers: find_numbers(text), when the caller has it (saves re-parsing).
    """
    s0, s1 = align.sentence_bounds(text, n.start)
    # A "sentence" past these reaches is a table or a run-on transcript line: only the words
    # near the number are read, so a frame costs the same wherever it sits (linear overall).
    s0, s1 = (
        max(min(s0, n.start), n.start - lx.REACH_BEFORE),
        min(max(s1, n.end), n.end + lx.REACH_AFTER),
    )
    all_numbers = numbers if numbers is not None else find_numbers(text)
    # The sentence's numbers by bisection: linear in the sentence, not in the article.
    lo = bisect.bisect_left(all_numbers, s0, key=lambda m: m.start)
    hi = bisect.bisect_right(all_numbers, s1, key=lambda m: m.start)
    in_sentence = [m for m in all_numbers[lo:hi] if m.end <= s1 and worth_a_figure(m)]
    clauses = _clauses(text, s0, s1)
    k = next(i for i, (a, b) in enumerate(clauses) if a <= n.start < b or b >= n.end)
    c0, c1 = clauses[k]
    before_numbers = [m for m in in_sentence if m.end <= n.start and m.start >= c0]
    after_numbers = [m for m in in_sentence if m.start >= n.end and m.end <= c1]
    w0 = before_numbers[-1].end if before_numbers else c0
    w1 = after_numbers[0].start if after_numbers else c1
    nb = text[w0 : n.start].replace("\u2019", "'")
    na = text[n.end : w1].replace("\u2019", "'")
    clause_before = text[c0 : n.start]

    reading = role_of(
        n, nb, na, text[c0:c1], clause_before, before_numbers,
        lambda m: frame_of(text, m, all_numbers),
    )  # fmt: skip
    role, direction, whole, measure_hint = (
        reading.role, reading.direction, reading.whole, reading.measure_hint,
    )  # fmt: skip
    per_share, attributive, by_object = reading.per_share, reading.attributive, reading.by_object
    gapped, gapped_np = reading.gapped, reading.gapped_np

    # What the number is said of.
    owner = _possessive_owner(nb)
    head, tail = "", ""
    marker = ""
    when = next((m for _, _, m in (t for t in _PERIODS) if m.search(attributive)), None)
    if attributive and when is not None:
        attributive = attributive[: when.search(attributive).start()].strip()  # type: ignore[union-attr]
        attributive = re.sub(r"(?:\s+(?:on|in|of|for|a|an|the))+$", "", attributive)
    if attributive and lx.UNIT_WORDS.match(attributive):
        attributive = ""  # "43.2 million barrels per day": a unit, not what is measured
    if attributive and role in ("level", "share", "") and not per_share:
        head = attributive
        if re.fullmatch(r"(?:level|mark|line|barrier|threshold|milestone)s?", head, re.I):
            marker, head = head.lower(), ""  # "the 58,000 level": the level of the clause's subject
    if by_object:
        head = _noun_phrase_before(by_object.group(2))
    comparative = lx.COMPARATIVE_NOUN.match(na)
    if role == "change" and comparative and not head:
        head = _attributive(na[comparative.end() :])  # "17% higher revenues": revenues
    if not head and before_numbers and role == "level" and lx.TO_ONLY.fullmatch(nb):
        moved = frame_of(text, before_numbers[-1], all_numbers)  # "net income 7% to $300m"
        if moved.role == "change" and re.search(r"[A-Za-z]{3}", moved.head):
            head, owner = moved.head, owner or moved.subject
    if gapped is not None and not head:
        np = _noun_phrase_before(gapped_np)
        head = np if np and not _period_named(np)[1] else gapped.head
        if head == gapped.head and not owner:
            owner = gapped.subject
    moved_what = lx.MOVE_OF.match(na)
    if not head and role == "change" and moved_what:
        head = _noun_phrase_before(moved_what.group(1))  # "a 15% jump in loan-loss provisions"
    if not head and before_numbers:
        # "unrestricted cash of $110 million and availability of $390 million"
        local = re.sub(r"^[\s,;]*(?:and|or|while|but|with|plus)?\s*", "", nb)
        local = re.sub(
            r"\s+(?:of|at|was|were|is|are|totaled|totaling|reached)(?:\s+" + lx.ADJ + r")*\s*$",
            " was ",
            local,
            flags=re.I,
        )
        found = _predicate_head(local) if local.strip() else ""
        if found and found.lower() not in lx.GENERIC and not lx.PERIOD_ONLY.fullmatch(found):
            head = found
    if not head:
        zone = text[c0 : before_numbers[0].start] if before_numbers else clause_before
        head = _predicate_head(zone) if zone.strip() else ""
        move_end = lx.MOVE_NOUN_END.search(zone)
        if role == "change" and move_end and not head:
            head = _noun_phrase_before(zone[: move_end.start()])
        if not head and zone.strip() and not lx.VERB_RE.search(zone):
            head = _noun_phrase_before(re.sub(r"\b(?:of|at)\s*$", "", zone.rstrip()))
    if not head:
        # "generated $28 million from operating activities": the measure follows
        m_after = re.match(r"^\s+(?:in|of|from)\s+((?:[\w&-]+\s*){1,5})", na)
        if m_after and measure_of(m_after.group(1)):
            head = _noun_phrase_before(m_after.group(1))
    head = lx.PERIOD_TAIL.sub("", head).strip()
    if head and _period_named(head)[1].lower() == head.lower():
        head = ""  # "year-to-date gains": the period is no subject
    head, tail = _trim_head(head)
    head = re.sub(rf"\s*\b(?:{lx.MOVE_NOUNS})$", "", head, flags=re.I) if role == "change" else head
    names = name_runs(owner) if owner else name_runs(head) or name_runs(tail)
    subject = names[-1] if names else ""
    if not subject and head and measure_of(head):
        # "Aviation reported revenue of $143 million": revenue is Aviation's
        subject = (
            _agent(text[c0 : n.start])
            or _antecedent(text, clauses[:k], s0, c0)
            # "Aviation reported revenue of $143 million with operating profit of $3.2
            # million": a clause with no verb of its own is the sentence's agent's
            or (
                _agent(text[s0 : clauses[0][1]])
                if k > 0 and not lx.VERB_RE.search(text[c0 : n.start])
                else ""
            )
        )
    options: tuple[str, ...] = ()
    generic = head.lower() in lx.GENERIC or head.lower().startswith(("that", "it "))
    if not subject and (generic or not measure_of(head)):
        inherited = _inherit(text, clauses[:k], c0, s0)
        if inherited:
            if isinstance(inherited, tuple):
                # The sentence before names the subject only of "the index", "it", "that":
                # a head of its own ("Overseas investors") is not another sentence's.
                options = inherited if generic or not head else ()
                if len(options) == 1:
                    subject, options = options[0], ()
            else:
                head = inherited if generic else head or inherited
                names = name_runs(head)
                subject = names[-1] if names else ""
    if not subject and head and k > 0 and not owner and not options:
        subject = _scope(text[clauses[0][0] : clauses[0][1]])  # "In the cable segment, ..."
    if not subject and not options and measure_of(head) and not _WHOLE_COMPANY.search(head):
        subject = _section(text, s0)  # "Turning to Aflac Japan. ... Revenue rose 3%"
    if generic and subject and head.lower() in lx.GENERIC and head.lower() not in ("level", "mark"):
        head = ""
    extreme = _EXTREME_END.search(nb)
    if extreme and role == "level" and not marker:
        marker = (extreme.group(1) or extreme.group(2)).lower()  # "rose as high as": its high
    if marker and not head.lower().endswith(marker):
        head = f"{head} {marker}".strip()
    measure = measure_hint or measure_of(head)
    if not measure and _FLOW_INTO.search(nb) and re.match(r"^\s+into\b", na) and head:
        head, measure = f"inflows from {head}", "inflows"  # "investors poured $60 billion into"
    if not measure and role != "multiple":
        # "the Fed held its target range at 3.50%": the clause states the measure
        near = clause_before[-lx.NEAR_CHARS :]
        stated = _measure_in(lx.TARGET_NOUNS.sub(lambda m: m.group(0).split()[-1], near), last=True)
        if stated and stated[0] != "level":
            measure = stated[0]
            if head.lower() in lx.GENERIC or not head:
                head = stated[1]
    if role == "multiple":
        mm = lx.MULTIPLE_AFTER.match(na)
        if mm and mm.group("what").strip().lower() not in head.lower():
            head = f"{head} {mm.group('what').strip()}".strip()
        measure = "valuation"
    if per_share and measure not in ("dividend", "buyback", "price", "cash flow", "free cash flow"):
        measure = "EPS"  # per-share earnings, however the head words them

    # The period: the number's own words first, then its clause, then an opening "For the
    # quarter," that frames the whole sentence.
    period = ""
    if gapped is not None:  # its own words, else the first clause's unless said before "and"
        said_before = bool(gapped.period) and gapped.period.lower() in nb.lower()
        period = _period(f"{gapped_np} {na[: lx.NEAR_CHARS]}") or (
            "" if said_before else gapped.period
        )
    else:
        period = _period(nb[-lx.NEAR_CHARS :] + " " + na[: lx.NEAR_CHARS]) or _period(
            text[max(c0, n.start - lx.NEAR_CHARS) : min(c1, n.end + lx.NEAR_CHARS)]
        )
    for a, b in clauses[:k] if not period else ():
        opener = text[a:b]  # "For the quarter, ...", "With that, turning to the quarter, ..."
        if _OPENER_RE.match(opener) and not find_numbers(opener):
            period = _period(opener)
            if period:
                break
    if role == "prior" and period not in ("prior year", "year-over-year", "sequential"):
        kind, later = _period_named(text[n.end : s1][:90])
        if kind in ("prior year", "decade ago"):
            period = later
        elif _period_named(period)[0] not in ("quarter", "full year", "half", "decade ago"):
            period = ""
    if not period and role == "change":
        later_kind, _ = _period_named(text[n.end : s1][:120])
        if later_kind in ("prior year", "year-over-year", "sequential"):
            period = {"prior year": "year-over-year"}.get(later_kind, later_kind)
    if not period and k > 0 and role in ("change", "level", "target"):
        main_kind, main = _period_named(text[clauses[0][0] : clauses[0][1]])
        if main_kind in ("day", "month", "week", "quarter", "half", "full year"):
            period = main  # "Stocks tumbled on Friday, with the Topix down 2.7%"
    kind = _period_named(period)[0] if period else ""
    if role == "level" and (
        kind in ("year-over-year", "sequential")
        or (kind == "prior year" and _COMPARED_PERIOD.search(text[s0:s1]))
    ):
        period = ""  # "rose 38% from a year earlier to $14.2 billion": the comparison's
    elif role == "prior" and kind == "year-over-year":
        period = "prior year"
    elif role == "prior" and kind == "sequential":
        period = "previous quarter"
    elif role == "change" and kind == "prior year":
        period = "year-over-year"
    # A target: said so in the number's own clause, or in the sentence's main clause when
    # this clause only continues it ("We expect revenue of $X, up 5%"); an expected value
    # named right at the number ("consensus of 52 cents", "$3.3 billion analysts expected").
    governing = lx.TARGET_NOUNS.sub("", clause_before)
    own = text[c0 : n.start]
    if (
        k > 0
        and lx.CONNECTIVE_START.match(own)
        and not lx.VERB_RE.search(lx.CONNECTIVE_START.sub("", own))
    ):
        governing = lx.TARGET_NOUNS.sub("", text[s0 : n.start])
    expected_here = bool(lx.EXPECTED_BEFORE.search(nb) or lx.EXPECTED_AFTER.match(na))
    if (
        role in ("level", "change", "")
        and lx.TARGET_RE.search(governing)
        and not re.search(
            r"\b(?:was|were|reported|posted|generated|delivered|achieved|came in)\b",
            clause_before,
            re.I,
        )
        and not by_object
    ) or (expected_here and role in ("level", "change", "prior", "")):
        role = "target"
    base = (
        _compared_with(text, n, in_sentence, all_numbers) if role in ("prior", "target") else None
    )
    if (
        base is not None
        and not measure_of(head)
        and (not head or head.lower() in lx.GENERIC or lx.COMPARISON_HEAD.search(head))
    ):
        # "$3.1 billion, short of the $3.3 billion analysts had expected": what the
        # sentence compares it with is what it measures
        head, subject, measure = base.head, subject or base.subject, base.measure
        per_share = per_share or base.per_share
    elif base is not None and base.per_share and not per_share and measure in ("", "earnings"):
        per_share, measure = True, base.measure  # "41 cents a share, down from 68 cents"
    if role == "target" and measure in ("", "guidance") and not per_share:
        # "guidance of earnings per share of $3.10", "forecast $1 billion of sales": what
        # the outlook is of
        of_what = _target_measure(text, n, c0)
        if of_what:
            measure = of_what[0]
            outlook = _OUTLOOK_WORDS.search(head) if measure_of(head) == "guidance" else None
            if outlook is not None:
                head = f"{of_what[1]} {outlook.group(0)}"  # "EPS guidance"
            elif not measure_of(head):
                head = of_what[1]
    said_as = ""
    if role == "target":
        said = (governing + " " + nb + " " + na[:40]).lower()
        said_as = (
            "guidance" if re.search(r"guid|outlook", said)
            else "forecast" if re.search(r"forecast|project|estimat|predict", said)
            else "expected" if re.search(r"expect|anticipat|\bsees?\b", said)
            else "proposed" if re.search(r"propos", said)
            else "target"
        )  # fmt: skip
    if owner and role == "multiple":
        head = owner
    return Frame(
        number=n, head=head, subject=subject, measure=measure, role=role, direction=direction,
        period=period, per_share=per_share, whole=whole, options=options, said_as=said_as,
    )  # fmt: skip


def _compared_with(
    text: str, n: NumberMatch, in_sentence: list[NumberMatch], numbers: list[NumberMatch]
) -> Frame | None:
    """The frame of the nearest earlier number of the sentence, in n's unit, that states a
    measure: what a prior or expected value is compared with."""
    earlier = [m for m in in_sentence if m.end <= n.start and m.unit == n.unit]
    for m in reversed(earlier[-2:]):
        base = frame_of(text, m, numbers)
        if base.measure and base.role not in ("share", "multiple") and base.head:
            return base
    return None
