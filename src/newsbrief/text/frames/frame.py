"""A number's frame and the one way it becomes a label."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsbrief.text.frames import lexicon as lx
from newsbrief.text.numbers import NumberMatch


@dataclass(frozen=True)
class Frame:
    """What the article's sentence says of one number (see the module docstring)."""

    number: NumberMatch
    head: str = ""
    subject: str = ""
    measure: str = ""
    role: str = ""
    direction: str = ""
    period: str = ""
    per_share: bool = False
    whole: str = ""
    options: tuple[str, ...] = ()
    said_as: str = ""  # for a target: guidance, forecast, expected or target

    @property
    def what(self) -> str:
        """The thing measured: the head phrase, led by its subject name when the head omits
        it or says only "the index"."""
        head = "" if self.head.lower() in lx.GENERIC else self.head
        if self.subject and self.subject.lower() not in head.lower():
            head = f"{self.subject} {head}".strip()
        if self.per_share and not re.search(r"share|eps", head, re.I):
            head = f"{head} per share".strip()
        return head

    @property
    def complete(self) -> bool:
        """Whether our code can name the number alone: a role and a named thing (a subject,
        or a head that states a known measure), with no open choice of subject."""
        if not self.role or not self.what:
            return False
        if self.options:
            return False
        return bool(self.subject) or bool(self.measure and self.measure != "level")

    def label(self) -> str | None:
        """The label composed from a complete frame, None otherwise."""
        return compose(self, self.what) if self.complete else None

    def label_with(self, subject: str) -> str:
        """The label with `subject` chosen for it (one of ``options``)."""
        head = "" if self.head.lower() in lx.GENERIC else self.head
        what = head if subject.lower() in head.lower() else f"{subject} {head}".strip()
        return compose(self, what)


def compose(frame: Frame, what: str) -> str:
    """'<what> <role word>, <period>': the one way a frame becomes a label."""
    role, direction = frame.role, frame.direction
    market = frame.measure == "exchange rate" or (
        frame.measure in ("", "level", "price", "valuation") and bool(lx.MARKET_RE.search(what))
    )
    words = what
    if role == "change":
        if frame.number.unit in ("bp", "pp") and "margin" in what.lower():
            move = {"up": "expansion", "down": "contraction"}.get(direction, "change")
        elif market:
            move = {"up": "gain", "down": "fall"}.get(direction, "change")
        else:
            move = {"up": "increase", "down": "decrease"}.get(direction, "change")
        words = f"{what} {move}"
    elif role == "prior":
        return f"{what}, {frame.period or 'earlier value'}"
    elif role == "target":
        move = {"up": "increase", "down": "decrease"}.get(direction, "")
        word = frame.said_as
        if word in ("expected", "proposed"):
            words = f"{' '.join(w for w in (what, move) if w)}, {word}"
        else:
            named = re.search(r"goal|target|guidance|outlook|forecast|plan", what, re.I)
            noun = "" if named else (word or "target")
            words = " ".join(w for w in (what, move, noun) if w)
    elif role == "share":
        words = f"{what} share of {frame.whole}" if frame.whole else f"{what} share"
    elif role == "multiple":
        words = what if re.search(r"multiple|p/e", what, re.I) else f"{what} multiple"
    elif role == "level":
        if frame.measure == "close":
            words = f"{what} close"
        elif (
            market
            and frame.number.unit not in ("", "%", "points")
            and re.search(r"\b(?:shares|stock)$", what, re.I)
        ):
            words = re.sub(r"\b(?:shares|stock)$", "share price", what)  # "$41.50": a price
        elif market and frame.measure in ("", "level", "exchange rate"):
            markers = ("level", "mark", "milestone", "threshold", "line", "barrier", "high", "low")
            words = what if what.lower().endswith(markers) else f"{what} level"
    words = " ".join(words.split())
    period = frame.period
    if period and period.lower() not in words.lower():
        return f"{words}, {period}"
    return words


def measure_of(phrase: str) -> str:
    """The canonical measure a phrase states ("adjusted diluted earnings per share": EPS)."""
    found = _measure_in(phrase)
    return found[0] if found else ""


def _measure_in(phrase: str, last: bool = False) -> tuple[str, str] | None:
    """(canonical measure, the words stating it): the most specific measure the phrase
    states, or with `last` the one stated nearest its end."""
    hits = [(name, m) for name, pattern in lx.MEASURE_RE if (m := pattern.search(phrase))]
    if not hits:
        return None
    if last:
        best = max(hits, key=lambda h: (h[1].end(), h[1].end() - h[1].start()))
        return best[0], best[1].group(0)
    return hits[0][0], hits[0][1].group(0)


def _direction(words: str) -> str:
    """up or down, as the first move word of `words` says; "" when none does."""
    down, up = lx.DOWN_RE.search(words), lx.UP_RE.search(words)
    if down and (not up or down.start() <= up.start()):
        return "down"
    return "up" if up else ""
