"""Which numbers and sentences a reader of this kind of article expects first: our ranking.

A 60 KB transcript states hundreds of numbers; the prompt can list forty. Ranking them by
position alone offered a call's first forty (greetings, slide numbers, last year's figures).
Ranking by what the frame says a number is (revenue, EPS, guidance, a close, a rate) and
where it stands (headline, lead) offers what a brief must carry, whatever its position.
"""

from __future__ import annotations

import re

from newsbrief.text.frames import Frame

# Measures a brief of an earnings call or of markets and economics news must carry.
KEY_MEASURES = frozenset({
    "EPS", "net income", "net loss", "revenue", "sales", "guidance", "operating income",
    "pre-tax profit", "free cash flow", "dividend", "buyback", "gross margin",
    "operating margin", "EBITDA", "close", "interest rate", "yield", "inflation", "GDP",
    "stimulus", "tariff", "investment", "unemployment", "orders",
})  # fmt: skip
CHOSEN_BONUS = 1.0  # a figure the model chose, against one our ranking added
LEAD_CHARS = 600  # the headline and lead: what the writer put first
# Words that name a policy actor or instrument on their own: one is enough for a policy angle.
_ACTOR_WORDS = (
    r"central bank|federal reserve|the fed|fomc|ecb|bank of (?:japan|england|canada)|boj|boe|"
    r"pboc|government|ministry|minister|tariffs?|stimulus|sanctions?|subsid(?:y|ies)|"
    r"legislation|congress|parliament|policymakers|rate (?:hike|cut)s?"
)
# Those, and words as often a company's business words ("interest rates", "regulatory").
_POLICY_RE = re.compile(
    rf"\b(?:{_ACTOR_WORDS}|regulators?|regulation|regulatory|treasury|"
    r"fiscal (?:policy|stimulus|support|spending|deficit|package|rules?)|monetary|"
    r"interest rates?|tax (?:cut|credit|policy)|intervention|policy)\b",
    re.I,
)
_POLICY_ACTOR_RE = re.compile(_ACTOR_WORDS, re.I)


def figure_score(frame: Frame, position: float, repeats: int) -> float:
    """How much a reader needs this number: higher first.

    Args:
        frame: what its sentence says of it.
        position: its offset as a share of the article's length (0 at the start).
        repeats: how many times the article states the same quantity.
    """
    score = 0.0
    if frame.measure in KEY_MEASURES:
        score += 2.0
    elif frame.measure:
        score += 1.0
    if frame.subject and not frame.measure:  # an index, a currency pair, a company's shares
        score += 1.5
    score += {"change": 1.0, "level": 1.0, "target": 1.5, "share": 0.5, "multiple": 0.5}.get(
        frame.role, -0.5 if frame.role == "prior" else 0.0
    )
    if frame.label() is not None:
        score += 1.0
    score += 0.5 * min(repeats - 1, 2)
    return score - 2.0 * position


def policy_words(text: str) -> set[str]:
    """The different policy words a text uses (a central bank, tariffs, a rate cut...)."""
    return {m.group(0).lower() for m in _POLICY_RE.finditer(text)}


def policy_angle(text: str) -> bool:
    """Whether the article bears on what a central bank, government or regulator does: one
    word naming a policy actor or instrument (a ministry, tariffs, the Fed), or two
    different policy words. Such a brief is asked for at least one implication."""
    words = policy_words(text)
    return len(words) >= 2 or any(_POLICY_ACTOR_RE.fullmatch(w) for w in words)
