"""Periods as written ("second quarter", "year-to-date"), and an earnings report's own."""

from __future__ import annotations

import re
from dataclasses import replace

from newsbrief.text.frames.frame import Frame

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_QUARTERS = "first|second|third|fourth"

# (kind, said as written, pattern), most specific first: the first that matches is the period.
_PERIOD_PATTERNS: tuple[tuple[str, bool, str], ...] = (
    ("year-to-date", False, r"year-to-date|year to date|ytd|so far this year"),
    (
        "prior year",
        False,
        r"(?:(?:in |for |during )?the same (?:quarter|period|month) (?:of |a )?"
        r"(?:last|a|the prior|the previous) year)|(?:in |for |during )?the (?:prior|previous)"
        r"[- ]year(?: (?:quarter|period))?|a year (?:ago|earlier)|last year|prior year|"
        r"year-ago(?: (?:quarter|period))?",
    ),
    (
        "year-over-year",
        False,
        r"year-over-year|year-on-year|year over year|yoy|y/y|over the prior year|on the year|"
        r"versus the prior year",
    ),
    (
        "sequential",
        False,
        r"sequentially|quarter-over-quarter|quarter-on-quarter|q/q|"
        rf"from (?:the|our) (?:{_QUARTERS}|previous|prior|last) quarter",
    ),
    (
        "quarter",
        True,
        rf"(?:{_QUARTERS})[- ]quarter(?: (?:of )?(?:fiscal )?(?:year )?'?\d{{2,4}})?|"
        r"(?:the|this) quarter|q[1-4](?: (?:fiscal )?'?\d{2,4})?|quarterly|"
        r"quarter[- ]end|(?:the )?end of the quarter",
    ),
    ("half", True, r"(?:first|second)[- ]half(?: of (?:fiscal )?\d{4})?|h[12]"),
    (
        "full year",
        True,
        r"full[- ]year(?: (?:fiscal )?\d{4})?|(?:the )?full year|fiscal (?:year )?'?\d{2,4}|"
        r"fy ?'?\d{2,4}|(?:in|for|by) (?:the end of )?(?:fiscal )?'?(?:20\d\d|\d\d)\b"
        r"(?![%.,]?\d|%)|"
        r"this year|next year|annual(?:ly)?",
    ),
    (
        "month",
        True,
        rf"(?:(?:three|six|nine|twelve|12|3|6) months|year) (?:to|through|ended|ending) "
        rf"(?:the end of )?(?:{_MONTHS})|(?:in|for|from|since|through) (?:{_MONTHS})|"
        r"(?:last|this|the) month|monthly|month-on-month|month-over-month",
    ),
    ("week", True, r"(?:this|last|the) week|weekly"),
    (
        "day",
        True,
        r"(?:monday|tuesday|wednesday|thursday|friday)(?:'s session)?|"
        r"(?:today's |the )session|today|intraday|overnight|on the day|daily",
    ),
    ("decade ago", True, r"a decade ago|ten years ago|\d+ years ago"),
)
_PERIODS: tuple[tuple[str, bool, re.Pattern[str]], ...] = tuple(
    (name, as_written, re.compile(rf"\b(?:{pattern})\b", re.I))
    for name, as_written, pattern in _PERIOD_PATTERNS
)


def _period(text: str) -> str:
    return _period_named(text)[1]


def _period_named(text: str) -> tuple[str, str]:
    """(kind, as the label says it) of the first period the text names, or ("", "")."""
    for name, as_written, pattern in _PERIODS:
        m = pattern.search(text)
        if m:
            if not as_written:
                return name, name
            said = " ".join(m.group(0).split())
            return name, re.sub(r"^(?:in|for|during|on|by)\s+", "", said, flags=re.I)
    return "", ""


_QUARTER_REPORTED = re.compile(
    rf"\b(?:({_QUARTERS})[- ]quarter|q([1-4]))"
    r"(?:\s+(?:of\s+)?(?:fiscal\s+)?(?:year\s+)?'?\d{2,4})?"
    r"(?:\s+(?:fiscal|financial|operating))?\s+(?:earnings|results|conference call|call)\b"
    r"(?!\s+season)"
    rf"|\b(?:had|delivered|reported|posted)\s+an?\s+(?:\w+\s+){{0,2}}?({_QUARTERS})[- ]quarter\b",
    re.I,
)
_ORDINALS = tuple(_QUARTERS.split("|"))  # "q3" names the third
OPENING_CHARS = 4000  # where an earnings report says which quarter it reports

# What an earnings report states of its quarter unless a sentence says another period.
REPORTED_MEASURES = frozenset({
    "revenue", "sales", "EPS", "net income", "net loss", "operating income", "operating margin",
    "gross margin", "gross profit", "EBITDA", "EBITDA margin", "pre-tax profit", "cash flow",
    "free cash flow", "orders", "earnings", "margin",
})  # fmt: skip


def reporting_period(text: str) -> str:
    """The quarter an earnings report is about ("third quarter"): the first its opening
    names as its results or call ("our second quarter fiscal 2021 results"); "" for an
    article that names none."""
    m = _QUARTER_REPORTED.search(text[:OPENING_CHARS])
    if m is None:
        return ""
    named = m.group(1) or m.group(3)
    return f"{named.lower() if named else _ORDINALS[int(m.group(2)) - 1]} quarter"


def in_period(frame: Frame, period: str) -> Frame:
    """The frame with the report's period when its sentence names none: "sales were $404
    million" in a second-quarter call are the quarter's sales."""
    if (
        not period
        or frame.period
        or frame.role not in ("level", "change")
        or frame.measure not in REPORTED_MEASURES
    ):
        return frame
    return replace(frame, period=period)
