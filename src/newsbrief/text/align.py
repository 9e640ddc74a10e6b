"""Sentence and clause bounds at exact character offsets: what a figure is quoted by.

Why: the brief is grounded. What we show is always ``text[start:end]`` for offsets found
here, never the model's own words: a figure's quote is the sentence stating its number (or,
when the sentence is long, the clauses around it); label checks read the clause holding a
number; the article's sentences are listed for the model by id.

Sentences end at . ! ? (plus closing quotes and brackets) before whitespace, at the CJK full
stops, and at newlines; not at decimal points, initialisms, known abbreviations, short
ordinals or before a lowercase word. (The quote aligner that once undid a model's garbled
quotes, ``locate``, went when the model stopped quoting: git keeps it.)
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from newsbrief.text.numbers import NumberMatch

MAX_ANCHOR_SPAN = 240  # longer sentences are cut down to the clauses around the number
_CLAUSE_RE = re.compile(r"[,;:](?=\s)|[\u3001\uff0c\uff1b]")


@dataclass(frozen=True)
class Located:
    """A span of the text: text[start:end], trimmed of whitespace."""

    start: int
    end: int


# --- sentences ---------------------------------------------------------------------------

_TERM_RE = re.compile(r"""[.!?\u3002\uff01\uff1f]+["'\u201d\u2019\u00bb)\]\u300d\u300f\uff09]*""")
_TOKEN_BEFORE_RE = re.compile(r"[\w.]+$")
_INITIALISM_RE = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")
_ABBREV = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "corp", "co", "ltd", "plc",
    "vs", "etc", "eg", "ie", "approx", "gov", "sen", "rep", "gen", "lt", "col", "sgt",
    "capt", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "dept", "est", "fig", "univ", "mt", "ft", "al", "mio", "mrd", "nr", "bzw", "ca",
    "tsd", "usw", "vgl", "zb", "dh", "ua", "abs"
})  # fmt: skip


def _is_boundary(text: str, m: re.Match[str]) -> bool:
    term = m.group()
    if term[0] in "\u3002\uff01\uff1f":
        return True
    end = m.end()
    if end < len(text) and not text[end].isspace():
        return False  # "1.5", "U.S.A", "Yahoo!Inc"
    rest = text[end : end + 40].lstrip()
    if rest[:1].islower():
        return False  # "approx. ten", "U.S. for"
    if term[0] != "." or term.startswith(".."):
        return True
    tok_m = _TOKEN_BEFORE_RE.search(text, max(0, m.start() - 24), m.start())
    tok = tok_m.group() if tok_m else ""
    if not tok:
        return True
    if tok.replace(".", "").lower() in _ABBREV or tok == "No":
        return False
    if _INITIALISM_RE.fullmatch(tok):
        return False  # "U.S.", "John F. Kennedy"
    return not (tok.isdigit() and len(tok) <= 2)  # German ordinals: "1. Januar"


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


class _Index:
    """One text's sentence breaks, line by line, computed once (cached per text)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_breaks: dict[int, list[int]] = {}

    def sentence(self, pos: int) -> tuple[int, int]:
        text = self.text
        pos = min(max(pos, 0), len(text))
        a = text.rfind("\n", 0, pos) + 1
        b = text.find("\n", pos)
        b = len(text) if b == -1 else b
        br = self._breaks(a, b)
        k = min(bisect_right(br, pos), len(br) - 1) - 1
        while k >= 0:
            s, e = _trim(text, br[k], br[k + 1])
            if s < e:
                return s, e
            k -= 1
        # pos sits in blank space after its line's last sentence: the one before it
        q = pos - 1
        while q >= 0 and text[q].isspace():
            q -= 1
        if q >= 0:
            return self.sentence(q)
        q = pos
        while q < len(text) and text[q].isspace():
            q += 1
        return self.sentence(q) if q < len(text) else (pos, pos)

    def _breaks(self, a: int, b: int) -> list[int]:
        """Sentence breaks within the line text[a:b], a and b included."""
        if a not in self._line_breaks:
            text = self.text
            br = [a]
            br += (m.end() for m in _TERM_RE.finditer(text, a, b) if _is_boundary(text, m))
            if br[-1] != b:
                br.append(b)
            self._line_breaks[a] = br
        return self._line_breaks[a]


@lru_cache(maxsize=8)
def _index(text: str) -> _Index:
    return _Index(text)


def _anchor_span(index: _Index, n: NumberMatch) -> tuple[int, int]:
    """The sentence holding n; if too long, the clauses around n (split at , ; :)."""
    text = index.text
    a, b = index.sentence(n.start)
    if b - a <= MAX_ANCHOR_SPAN:
        return a, b
    cuts = [a, *(m.end() for m in _CLAUSE_RE.finditer(text, a, b)), b]
    k = bisect_right(cuts, n.start) - 1
    lo, hi = k, k + 1  # clause cuts[lo]..cuts[hi] holds the number
    while True:
        grown = False
        if lo > 0 and cuts[hi] - cuts[lo - 1] <= MAX_ANCHOR_SPAN:
            lo, grown = lo - 1, True
        if hi < len(cuts) - 1 and cuts[hi + 1] - cuts[lo] <= MAX_ANCHOR_SPAN:
            hi, grown = hi + 1, True
        if not grown:
            break
    s, e = cuts[lo], cuts[hi]
    if e - s > MAX_ANCHOR_SPAN:  # one huge clause: a window snapped to spaces
        half = MAX_ANCHOR_SPAN // 2
        s = max(s, n.start - half)
        e = min(e, n.end + half)
        if s > cuts[lo]:
            sp = text.find(" ", s, n.start)
            s = sp + 1 if sp != -1 else s
        if e < cuts[hi]:
            sp = text.rfind(" ", n.end, e)
            e = sp if sp != -1 else e
    return _trim(text, s, e)


# --- public API --------------------------------------------------------------------------


def span_around(text: str, n: NumberMatch) -> Located:
    """The sentence (or, if long, the clauses) stating n: how a figure is quoted when the
    model's own quote failed but its number is in the article."""
    start, end = _anchor_span(_index(text), n)
    return Located(start, end)


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start/end of the sentence containing pos, trimmed of whitespace.

    Sentences end at . ! ? (plus closing quotes/brackets) followed by whitespace, at
    the CJK full stops, and at newlines. Not at decimal points (1.5), initialisms (U.S.), known
    abbreviations (Mr., Inc., Mrd.), 1-2 digit ordinals (1. Januar) or before a lowercase
    word. A pos in whitespace between sentences belongs to the next sentence; past the
    end, to the last. ``(pos, pos)`` for an all-whitespace text.
    """
    return _index(text).sentence(pos)


_CLAUSE_CUT_RE = re.compile(
    r"[,;:\u2013\u2014](?=\s)|\s(?:while|whereas|but|and|after|as|with)\s|[\u3001\uff0c\uff1b]"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Every sentence of the text, in order, trimmed (sentence_bounds, applied line by line)."""
    index = _index(text)
    spans: list[tuple[int, int]] = []
    a = 0
    while a < len(text):
        b = text.find("\n", a)
        b = len(text) if b == -1 else b
        br = index._breaks(a, b)
        for k in range(len(br) - 1):
            s, e = _trim(text, br[k], br[k + 1])
            if s < e:
                spans.append((s, e))
        a = b + 1
    return spans


def clause_cuts(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Where the clauses of text[a:b] break ((start, end) of each cut): computed once per
    sentence, then clause_within finds any number's clause without scanning again."""
    return [(m.start(), m.end()) for m in _CLAUSE_CUT_RE.finditer(text, a, b)]


def clause_within(
    text: str, cuts: list[tuple[int, int]], a: int, b: int, start: int, end: int
) -> tuple[int, int]:
    """The clause of the sentence text[a:b] (its cuts from clause_cuts) holding start..end:
    from the last cut ending before it to the first cut starting after it."""
    ends = [c1 for _, c1 in cuts]
    starts = [c0 for c0, _ in cuts]
    i = bisect_right(ends, start)
    lo = ends[i - 1] if i else a
    k = bisect_left(starts, end)
    hi = starts[k] if k < len(starts) else b
    return _trim(text, lo, hi)


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of its sentence that holds text[start:end]: cut at , ; : dashes and at
    while/whereas/but/and/after/as/with. What a label is checked against: in "Kospi rose 1.2%,
    while the Taiex gained 0.8%", 0.8% belongs to the Taiex, not to the Kospi."""
    a, b = sentence_bounds(text, start)
    b = max(b, end)
    return clause_within(text, clause_cuts(text, a, b), a, b, start, end)
