"""Find a model's quote in the article at exact character offsets.

Why: the brief is grounded. A weak model proposes quotes, but what we show is always
``text[start:end]`` for offsets found here, never the model's own words, so nothing
ungrounded survives. The model garbles quotes (spacing, curly quotes, dashes, case,
punctuation, ellipses, light paraphrase around a number); ``locate`` undoes that and
returns None rather than a guess.

Stages of ``locate`` (first hit wins):

1. exact substring;
2. normalised match: first "strict" (whitespace runs, quotes/apostrophes, dashes/minus,
   case, full-width forms, zero-width characters), then "loose" (also ignores punctuation
   that is not part of a number); an ellipsis in the quote matches any gap of up to
   ``MAX_ELLIPSIS_GAP`` characters;
3. paraphrase anchoring: the sentence (or, if long, the clauses) holding a number of the
   same value and a compatible unit, if it shares enough content words with the quote
   and every number of the quote occurs in the text (rule and threshold: ``_anchor``).

Every stage rejects matches that cut a word or a number in two ("5" is not in "15",
"57" is not in "57,890", "5%" is not in "-5%").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Literal

from newsbrief.text.numbers import NumberMatch, find_numbers, same_quantity

Method = Literal["exact", "aligned"]

MAX_ELLIPSIS_GAP = 300  # normalised chars allowed between the pieces of "a ... b"
MAX_ANCHOR_SPAN = 240  # longer sentences are cut down to the clauses around the number


@dataclass(frozen=True)
class Located:
    start: int
    end: int
    method: Method  # "exact" when text[start:end] == quote; "aligned" otherwise


# --- character normalisation (length-preserving, so offsets survive) -----------------

_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u02bc"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u301d\u301e"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

_TABLE: dict[int, str] = {ord(c): " " for c in _SPACES}
_TABLE.update({ord(c): "'" for c in _SINGLE_QUOTES})
_TABLE.update({ord(c): '"' for c in _DOUBLE_QUOTES})
_TABLE.update({ord(c): "-" for c in _DASHES})
_TABLE.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)})  # full-width ASCII
_TABLE[0x0130] = "i"  # the only char whose lower() is not one char
_MAP_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TABLE)) + "]")

# Runs the collapse step rewrites: 2+ spaces/zero-width, or any zero-width char (one
# branch starting with a class is fast); the common case has no zero-width chars.
_COLLAPSE_RE = re.compile(f"[ {_ZERO_WIDTH}](?:[ {_ZERO_WIDTH}]+|(?<=[{_ZERO_WIDTH}]))")
_SPACES_RE = re.compile("  +")
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH}]")
# Punctuation the loose form blanks, unless it is part of a number (57,890 1.5 -5 .5);
# the escapes are angle quotes and CJK brackets/stops.
_PUNCT = (
    r"""!"'(),:;?\[\]{}/\\*_~|<>"""
    r"\u2039\u203a\u300c\u300d\u300e\u300f\u3010\u3011\u3001\u3002\u30fb"
)
# One branch starting with a class (fast): blank unless next is a digit and, for all but
# - and ., the previous char is a digit too.
_LOOSE_RE = re.compile(rf"[-.{_PUNCT}](?:(?!\d)|(?<!\d.)(?<![-.]))")
_ELLIPSIS_RE = re.compile(r"…|\.(?:\s?\.)+")
# Stripped from both ends of a quote; - and . survive before a digit ("-5%", ".5").
_EDGE = r"""\s"'()\[\]{}*\u2022\u00b7,;:!?\u300c\u300d\u300e\u300f\u3001\u3002"""
_EDGE_START_RE = re.compile(rf"^(?:[{_EDGE}]|[-.](?!\d))+")
_EDGE_END_RE = re.compile(rf"[{_EDGE}.\-]+$")


def _map_char(m: re.Match[str]) -> str:
    return _TABLE[ord(m.group())]


def _chars(s: str) -> str:
    """Per-character folding: same length as ``s`` (regex, not str.translate: faster when
    few characters change)."""
    t = _MAP_RE.sub(_map_char, s)
    low = t.lower()
    if len(low) == len(t):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in t)  # pragma: no cover


def _unspaced(c: str) -> bool:
    """A letter of a script written without spaces between words (CJK, Thai, Lao,
    Myanmar, Khmer): any letter boundary may be a word boundary."""
    o = ord(c)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xAC00 <= o <= 0xD7AF
        or 0xF900 <= o <= 0xFAFF
        or 0x0E00 <= o <= 0x0EFF
        or 0x1000 <= o <= 0x109F
        or 0x1780 <= o <= 0x17FF
    )


def _is_word(c: str) -> bool:
    """A char that continues a word or number, for the no-cutting rule."""
    return c.isalnum() and (c.isdigit() or not _unspaced(c))


@dataclass(frozen=True)
class _Folded:
    """A normalised string plus a piecewise-linear map back to original offsets."""

    s: str
    seg_norm: list[int]
    seg_orig: list[int]

    @classmethod
    def build(cls, same_len: str) -> _Folded:
        parts: list[str] = []
        seg_norm, seg_orig = [0], [0]
        pos = npos = 0
        runs = _COLLAPSE_RE if _ZERO_WIDTH_RE.search(same_len) else _SPACES_RE
        for m in runs.finditer(same_len):
            a, b = m.span()
            repl = " " if " " in m.group() else ""
            parts.append(same_len[pos:a])
            parts.append(repl)
            npos += a - pos + len(repl)
            pos = b
            seg_norm.append(npos)
            seg_orig.append(b)
        parts.append(same_len[pos:])
        return cls("".join(parts), seg_norm, seg_orig)

    def orig(self, i: int) -> int:
        k = bisect_right(self.seg_norm, i) - 1
        return self.seg_orig[k] + (i - self.seg_norm[k])


def _fold_quote(s: str, loose: bool) -> str:
    t = _chars(s)
    if loose:
        t = _LOOSE_RE.sub(" ", t)
    t = _COLLAPSE_RE.sub(lambda m: " " if " " in m.group() else "", t)
    return _strip_edges(t)


def _strip_edges(s: str) -> str:
    return _EDGE_END_RE.sub("", _EDGE_START_RE.sub("", s))


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


# --- per-text index (cached: locate is called ~20 times per article) ---------------------


class _Index:
    def __init__(self, text: str) -> None:
        self.text = text
        self._line_breaks: dict[int, list[int]] = {}
        self._line_nums: dict[int, list[NumberMatch]] = {}

    @cached_property
    def chars(self) -> str:
        return _chars(self.text)

    @cached_property
    def strict(self) -> _Folded:
        return _Folded.build(self.chars)

    @cached_property
    def loose(self) -> _Folded:
        return _Folded.build(_LOOSE_RE.sub(" ", self.chars))

    @cached_property
    def numbers(self) -> list[NumberMatch]:
        return find_numbers(self.text)

    def numbers_like(self, qnums: list[NumberMatch]) -> list[NumberMatch]:
        """Numbers of the text that may equal one of qnums: find_numbers on just the lines
        holding their significant digits (expressions never cross a newline)."""
        sigs = {_sig_digits(q.text) for q in qnums}
        if "" in sigs:
            return self.numbers
        text, chars, lines = self.text, self.chars, set[tuple[int, int]]()
        for sig in sigs:
            for m in _digits_re(sig).finditer(chars):
                if not _starts_run(chars, m.start()):
                    continue
                a = text.rfind("\n", 0, m.start()) + 1
                b = text.find("\n", m.end())
                lines.add((a, len(text) if b == -1 else b))
                if len(lines) > _MAX_NUMBER_LINES:
                    return self.numbers
        found: list[NumberMatch] = []
        for a, b in sorted(lines):
            found += (
                replace(n, start=n.start + a, end=n.end + a) for n in self._line_numbers(a, b)
            )
        return found

    def _line_numbers(self, a: int, b: int) -> list[NumberMatch]:
        if a not in self._line_nums:
            self._line_nums[a] = find_numbers(self.text[a:b])
        return self._line_nums[a]

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


# --- matching ----------------------------------------------------------------------------

_DIGIT_SEP = ".,"
_MINUS = "-\u2212\u2013\u2014\ufe63\uff0d"


def _cuts_token(s: str, a: int, b: int) -> bool:
    """True if s[a:b] starts or ends inside a word or a number."""
    if a > 0 and _is_word(s[a]) and _is_word(s[a - 1]):
        return True
    if b < len(s) and _is_word(s[b - 1]) and _is_word(s[b]):
        return True
    if s[a].isdigit() and a >= 2 and s[a - 1] in _DIGIT_SEP and s[a - 2].isdigit():
        return True  # "890" inside "57,890"
    if s[a].isdigit() and a >= 1 and s[a - 1] in _MINUS and (a < 2 or not _is_word(s[a - 2])):
        return True  # drops a minus sign
    return (
        s[b - 1].isdigit() and b + 1 < len(s) and s[b] in _DIGIT_SEP and s[b + 1].isdigit()
    )  # "57" inside "57,890"


def _occurrences(hay: str, needle: str, start: int = 0, stop: int | None = None) -> Iterator[int]:
    end = len(hay) if stop is None else min(stop, len(hay))
    i = hay.find(needle, start, end)
    while i != -1:
        if not _cuts_token(hay, i, i + len(needle)):
            yield i
        i = hay.find(needle, i + 1, end)


def _distance(a: int, b: int, near: int | None) -> int:
    if near is None:
        return 0
    return 0 if a <= near < b else min(abs(near - a), abs(near - (b - 1)))


def _best(cands: list[tuple[int, int]], near: int | None) -> tuple[int, int] | None:
    if not cands:
        return None
    return min(cands, key=lambda c: (_distance(c[0], c[1], near), c[0]))


def _match_pieces(hay: str, pieces: list[str]) -> list[tuple[int, int]]:
    """All (start, end) in hay where pieces occur in order, gaps <= MAX_ELLIPSIS_GAP."""
    found: list[tuple[int, int]] = []
    first, rest = pieces[0], pieces[1:]
    for i in _occurrences(hay, first):
        end = i + len(first)
        for piece in rest:
            nxt = next(_occurrences(hay, piece, end, end + MAX_ELLIPSIS_GAP + len(piece)), -1)
            if nxt == -1:
                break
            end = nxt + len(piece)
        else:
            found.append((i, end))
    return found


def _exact(quote: str, text: str, near: int | None) -> tuple[int, int] | None:
    if quote != quote.strip():
        return None
    return _best([(i, i + len(quote)) for i in _occurrences(text, quote)], near)


def _normalised(quote: str, index: _Index, near: int | None) -> tuple[int, int] | None:
    raw_pieces = _ELLIPSIS_RE.split(quote)
    for loose in (False, True):
        pieces = [p for p in (_fold_quote(r, loose) for r in raw_pieces) if p]
        if not pieces or not any(c.isalnum() for c in "".join(pieces)):
            continue
        folded = index.loose if loose else index.strict
        spans = [
            (folded.orig(a), folded.orig(b - 1) + 1) for a, b in _match_pieces(folded.s, pieces)
        ]
        best = _best(spans, near)
        if best is not None:
            return best
    return None


# --- paraphrase anchoring ----------------------------------------------------------------

_LETTERS = r"[^\W\d_\u2e80-\u9fff\uf900-\ufaff]+"
_WORD_RE = re.compile(rf"{_LETTERS}(?:'{_LETTERS})*")
_STOP = frozenset({
    "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by",
    "with", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this",
    "that", "these", "those", "has", "have", "had", "will", "would", "can", "could", "may",
    "might", "should", "than", "then", "there", "their", "they", "them", "he", "she", "his",
    "her", "we", "our", "you", "your", "i", "not", "no", "so", "if", "into", "over",
    "under", "about", "after", "before", "while", "also", "up", "down", "out", "per", "via",
    "who", "which", "what", "when", "where", "said", "says", "say", "according", "reported",
    "report", "reports", "figure", "figures", "number", "total", "amount", "approximately",
    "approx", "around", "roughly", "nearly", "almost", "some", "just", "more", "less",
    "least", "most", "stood", "came", "come", "level", "levels", "der", "die", "das", "den",
    "dem", "des", "ein", "eine", "einer", "eines", "einem", "und", "oder", "ist", "sind",
    "war", "waren", "im", "von", "vom", "zu", "zum", "zur", "mit", "auf", "für", "bei",
    "als", "auch", "sich", "nicht", "es", "um", "wie", "nach", "über", "am", "aus", "bis",
    "rund", "etwa", "knapp", "mehr", "weniger", "percent", "cent", "pct", "percentage",
    "points", "point", "basis", "bps", "bp", "pp", "million", "millions", "billion",
    "billions", "trillion", "trillions", "thousand", "thousands", "hundred", "hundreds",
    "mn", "bn", "tn", "mln", "bln", "k", "prozent", "prozentpunkte", "millionen",
    "milliarden", "billionen", "tausend", "mio", "mrd"
})  # fmt: skip
_CJK_RUN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_YEAR_MIN, _YEAR_MAX = 1900, 2100
_SEPS_OPT = "[., ]?"  # between the digits of one number (text already folded)
_MAX_NUMBER_LINES = 40  # more lines than this: run find_numbers on the whole text
_LABEL_RE = re.compile(r"(?<!\S)[^\W\d_][\w&.'-]*[ \u00a0]$")
_FRACTION_RE = re.compile(r"\d[.,]\d(?!\d\d)")
_CLAUSE_RE = re.compile(r"[,;:](?=\s)|[\u3001\uff0c\uff1b]")


def _stem(w: str) -> str:
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("s"):
        w = w[:-1]
    return w[:6]


def _content_words(s: str) -> set[str]:
    """Stemmed non-stopword words, plus CJK bigrams that are not all hiragana."""
    s = _chars(s)
    words = {_stem(w) for w in _WORD_RE.findall(s) if len(w) >= 2 and w not in _STOP}
    for run in _CJK_RUN_RE.findall(s):
        for i in range(len(run) - 1):
            bg = run[i : i + 2]
            if not all("\u3040" <= c <= "\u309f" for c in bg):
                words.add(bg)
    return words


def _blank(s: str, offset: int, numbers: list[NumberMatch]) -> str:
    """s (which starts at ``offset``) with the given number expressions blanked out."""
    chars = list(s)
    for n in numbers:
        for i in range(max(n.start - offset, 0), min(n.end - offset, len(s))):
            chars[i] = " "
    return "".join(chars)


def _sig_digits(number_text: str) -> str:
    """Digits without leading/trailing zeros, ASCII: "$57,890" -> "5789"."""
    return "".join(str(int(c)) for c in number_text if c.isdecimal()).strip("0")


def _digits_re(sig: str) -> re.Pattern[str]:
    """Significant digits ending a digit run, give or take trailing zeros and separators
    ("5", "5,000", "57 890"). Starts with a literal, so the scan is fast."""
    sep = _SEPS_OPT
    body = sig[0] + "".join(sep + d for d in sig[1:])
    return re.compile(rf"{body}(?:{sep}0)*(?!\d|\.\d|,\d{{3}}(?!\d))")


def _starts_run(s: str, i: int) -> bool:
    """Whether s[i] starts a digit run, give or take leading zeros ("0.5", "005")."""
    while True:
        before = s[max(i - 2, 0) : i]  # no digit, nor digit + ".", just before
        if not before[-1:].isdigit() and not (before[-1:] == "." and before[:1].isdigit()):
            return True
        if before[-1:] == "0":
            i -= 1
        elif before[-1:] in (".", ",", " ") and before[:1] == "0":
            i -= 2
        else:
            return False


def _is_specific(n: NumberMatch) -> bool:
    """A number unlikely to recur by chance: 3+ significant digits or a decimal fraction,
    and not a bare year."""
    sig = _sig_digits(n.text)
    fraction = bool(_FRACTION_RE.search(n.text))
    if not fraction and not n.unit and _YEAR_MIN <= n.value <= _YEAR_MAX:
        return False  # a bare year
    return len(sig) >= 3 or (fraction and len(sig) >= 2)


def _label_start(quote: str, n: NumberMatch) -> int | None:
    """Start of the name a bare integer belongs to ("Nikkei 225", "S&P 500", "March 15")."""
    if n.unit or not n.text.isdecimal():
        return None
    m = _LABEL_RE.search(quote, 0, n.start)
    return m.start() if m and m.group()[0].isupper() else None


def _same_number(a: NumberMatch, b: NumberMatch) -> bool:
    return same_quantity(a, b.value, b.unit)


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


def _anchor(quote: str, index: _Index, near: int | None) -> tuple[int, int] | None:
    """Paraphrase anchoring.

    Candidates: numbers in the text with the same value as a number in the quote and a
    compatible unit (equal, or one of them ""). Each candidate's sentence is scored by the
    content words it shares with the quote (numbers, number words and stopwords excluded;
    words stemmed; CJK compared as bigrams). Acceptance threshold:

    - every number of the quote must occur in the text: a quote stating a figure the
      article never states is not grounded, however many words it shares;
    - shared words >= 1 if the matched number is specific (3+ significant digits or a
      decimal fraction, not a bare year: "57,890", "1.5 billion", "5.25%");
    - shared words >= 2 if it is common ("1", "5%", "$2 billion", "2024") or a label (a
      bare integer right after a capitalised word: "Nikkei 225", "S&P 500", "March 15";
      the label word itself is not counted as shared);
    - a quote with no content words at all (a bare figure such as "57890") anchors only
      on a specific number.

    Best: most shared words, then most quote numbers in the span, then nearest to
    ``near``, then first.
    """
    qnums = find_numbers(quote)
    if not qnums:
        return None
    labels = [_label_start(quote, q) for q in qnums]
    blanked = [
        replace(q, start=lab) if lab is not None else q
        for q, lab in zip(qnums, labels, strict=True)
    ]
    qwords = _content_words(_blank(quote, 0, blanked))
    nums = index.numbers_like(qnums)  # sorted by start
    if not all(any(_same_number(q, t) for t in nums) for q in qnums):
        return None
    starts = [n.start for n in nums]
    cands: list[tuple[NumberMatch, bool]] = []
    for t in nums:
        matched = [(q, lab) for q, lab in zip(qnums, labels, strict=True) if _same_number(q, t)]
        if matched:
            specific = any(
                lab is None and (_is_specific(q) or _is_specific(t)) for q, lab in matched
            )
            cands.append((t, specific))

    scored: list[tuple[int, int, int, int, tuple[int, int]]] = []
    for t, specific in cands:
        a, b = _anchor_span(index, t)
        inside = nums[bisect_left(starts, a) : bisect_left(starts, b)]  # same line
        shared = len(qwords & _content_words(_blank(index.text[a:b], a, inside)))
        need = 1 if specific else 2
        if not qwords:
            shared, need = 0, 0 if specific else 1
        if shared < need:
            continue
        n_nums = sum(any(_same_number(q, x) for x in inside) for q in qnums)
        scored.append((-shared, -n_nums, _distance(t.start, t.end, near), t.start, (a, b)))
    return min(scored)[4] if scored else None


# --- public API --------------------------------------------------------------------------


def locate(quote: str, text: str, *, prefer_near: int | None = None) -> Located | None:
    """Find quote in text; None when it is not there (see the module docstring).

    The result always satisfies ``0 <= start < end <= len(text)`` with
    ``text[start:end]`` non-empty and stripped; method is "exact" iff it equals quote.
    Several equally good matches: nearest to ``prefer_near``, else the first.
    """
    if not quote.strip() or not text.strip():
        return None
    found = _exact(quote, text, prefer_near)
    if found is None:
        index = _index(text)
        found = _normalised(quote, index, prefer_near)
        if found is None:
            found = _anchor(quote, index, prefer_near)
    if found is None:
        return None
    start, end = _trim(text, *found)
    if start >= end:
        return None
    return Located(start, end, "exact" if text[start:end] == quote else "aligned")


def span_around(text: str, n: NumberMatch) -> Located:
    """The sentence (or, if long, the clauses) stating n: how a figure is quoted when the
    model's own quote failed but its number is in the article."""
    start, end = _anchor_span(_index(text), n)
    return Located(start, end, "aligned")


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
