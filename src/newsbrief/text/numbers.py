"""Deterministic parsing of figures (numbers, money, percentages) in article text.

The model only chooses among numbers our code found and listed by id: it is never trusted
with a figure's words or *value*. Each number is found and parsed here with plain regular
expressions and ``Decimal`` arithmetic, so every value, unit and scale is reproducible and
auditable.

Documented choices
------------------
* Thousands separators: ``,`` or a no-break / narrow no-break / thin space
  (U+00A0, U+202F, U+2009), used consistently inside one number and always
  followed by exactly three digits.  Any other comma ends the number:
  ``"3, 4 and 5"`` is three numbers.  Decimal commas are not supported, so a
  number touching a digit-comma-digit junction that is not a thousands group
  (``"1,5"``, ``"12,34"``, ``"18.234,56"``) is not reported at all: no value
  beats a value off by a factor of 1000.  A plain space never groups
  digits: ``"57 890"`` is 57 then 890.
* Signs: ``-``, ``+``, U+2212 (minus) and U+2013 (en dash) make a sign only when
  not glued to a word or number on the left, and not right after "digit + space".
  So ``"2-3%"`` and the en-dash form (ranges) give two numbers, 2 and 3 %; ``"2020-2021"``
  gives 2020 and 2021; ``"Covid-19"`` gives 19, never -19.
* Units: ISO 4217 codes for money; ``"%"`` for %, percent, per cent, pct;
  ``"pp"`` for percentage points (pp, ppt, "percentage points"), which are not
  percentages; ``"bp"`` for basis points; ``"points"`` for index points;
  ``"x"`` for multiples written ``15x`` / ``15`` + U+00D7.  ``"3 times"`` is *not* a
  multiple (too often a count: "met 3 times"), it is the plain number 3.
* Currency: ``$`` and bare "dollars" mean USD, ``¥`` means JPY.  Bare "francs"
  is left out of the expression (unit ``""``): only "Swiss francs" is CHF.
  A currency is taken from a prefix (``$5``, ``USD 5``) or a suffix
  (``5 yen``, ``5 million USD``, ``5 €``), never both.  Codes are upper case only
  ("usd 5" is just 5).
* Scales: words (trillion, billion, million, thousand, crore, lakh) and
  abbreviations (tn, trn, bn, mn, mln) after a space, hyphen or attached;
  ``k`` attached (``5k``, also ``4K``); single letters ``T`` (upper case only),
  ``b``, ``m`` only when attached to a currency amount (``$1.2T``, ``$3b``,
  ``$5m``, ``5m euros``); ``"100m sprint"`` and ``"5M"`` are not matched.
* A digit glued to a letter is not a number: ``Q3``, ``3Q``, ``FY2024``, ``H1``,
  ``G7``, ``5G``, ``COVID19`` and ordinals ``1st``/``2nd``/``3rd`` are not
  matched at all.  Version-like ``1.2.3`` is not matched either.
* Spelled-out numbers ("five") and hedges ("about 5") are out of scope.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "NumberMatch",
    "find_numbers",
    "parse_number",
    "quantity_key",
    "same_quantity",
    "worth_a_figure",
]


@dataclass(frozen=True)
class NumberMatch:
    start: int  # offset of the number expression in the searched string
    end: int  # text[start:end] == self.text
    text: str  # the number as written, e.g. "$4.9 trillion"
    value: float  # magnitude with scale applied: "$4.9 trillion" -> 4.9e12
    unit: str  # ISO 4217 code, "%", "pp", "bp", "points", "x", or ""


_SPACES = "\t \u00a0\u2009\u202f"
_SP = rf"[{_SPACES}]"  # horizontal space, never a newline
_SEP_CHARS = ",\u00a0\u2009\u202f"
_SIGN = r"[-+\u2212\u2013]"
_NEGATIVE = "-\u2212\u2013"

_PREFIXES = {
    "US$": "USD", "U.S.$": "USD", "HK$": "HKD", "A$": "AUD", "AU$": "AUD",
    "C$": "CAD", "CA$": "CAD", "S$": "SGD", "NZ$": "NZD", "NT$": "TWD", "R$": "BRL",
    "CN¥": "CNY", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW", "₹": "INR",
    "Rs.": "INR", "Rs": "INR",
}  # fmt: skip
_POSTFIX_SYMBOLS = "€£¥₩₹"
_CODES = {
    "USD": "USD", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY", "CNY": "CNY", "RMB": "CNY",
    "KRW": "KRW", "INR": "INR", "CHF": "CHF", "AUD": "AUD", "CAD": "CAD", "HKD": "HKD",
    "SGD": "SGD", "NZD": "NZD", "TWD": "TWD", "BRL": "BRL", "MXN": "MXN", "ZAR": "ZAR",
    "SEK": "SEK", "NOK": "NOK", "DKK": "DKK", "RUB": "RUB", "IDR": "IDR", "THB": "THB",
    "MYR": "MYR", "SAR": "SAR", "AED": "AED", "PLN": "PLN",
}  # fmt: skip
_WORDS = {
    "yen": "JPY", "yuan": "CNY", "renminbi": "CNY", "won": "KRW", "sterling": "GBP",
    "pounds sterling": "GBP", "rupiah": "IDR", "ringgit": "MYR", "baht": "THB",
}  # fmt: skip
_PLURAL_WORDS = {
    "dollar": "USD", "u.s. dollar": "USD", "us dollar": "USD", "euro": "EUR",
    "pound": "GBP", "rupee": "INR", "swiss franc": "CHF", "australian dollar": "AUD",
    "canadian dollar": "CAD", "hong kong dollar": "HKD", "singapore dollar": "SGD",
    "new zealand dollar": "NZD", "taiwan dollar": "TWD",
}  # fmt: skip
_WORDS |= {word + s: code for word, code in _PLURAL_WORDS.items() for s in ("", "s")}

_SCALES = {
    "trillion": 12, "tn": 12, "trn": 12, "t": 12,
    "billion": 9, "bn": 9, "b": 9,
    "million": 6, "mn": 6, "mln": 6, "m": 6,
    "crore": 7, "crores": 7, "lakh": 5, "lakhs": 5, "thousand": 3, "k": 3,
}  # fmt: skip


def _alternation(phrases: Iterable[str]) -> str:
    """Regex alternation, longest first; spaces inside phrases match any run of spaces."""
    ordered = sorted(phrases, key=len, reverse=True)
    return "|".join(f"{_SP}+".join(map(re.escape, p.split())) for p in ordered)


# Digits: consistent thousands groups of exactly 3, or plain digits; atomic so a
# rejected tail cannot make the engine retry with a shorter number.
_CORE = r"""(?>
    \d{1,3}(?:(?P<sep>[,\u00a0\u2009\u202f])\d{3}(?!\d))(?:(?P=sep)\d{3}(?!\d))*(?:\.\d+)?
  | \d+(?:\.\d+)?
  | \.\d+
)(?!\.\d)"""
_CUR_SUFFIX = (
    rf"{_SP}+(?:{_alternation(_WORDS)}|(?-i:{_alternation(_CODES)}))(?!\w)"
    rf"|{_SP}?[{_POSTFIX_SYMBOLS}]"
)
_SCALE = rf"""
    (?:{_SP}|-)?(?:trillion|billion|million|thousand|crores?|lakhs?|trn|tn|bn|mln|mn)(?!\w)
  | k(?!\w)
  | (?(cur_pre)(?:(?-i:T)|b|m)(?!\w)|(?:(?-i:T)|b|m)(?={_CUR_SUFFIX}))
"""
_UNIT = rf"""
    (?P<cur_post>{_CUR_SUFFIX})
  | (?P<pp>(?:{_SP}|-)?(?:percentage(?:{_SP}|-)points?|ppts?|pp))
  | (?P<pct>{_SP}?%|(?:{_SP}|-)?(?:percent|per{_SP}*cent|pct))
  | (?P<bp>(?:{_SP}|-)?(?:basis(?:{_SP}|-)points?|bps|bp))
  | (?P<points>(?:{_SP}|-)?(?:points?|pts))
  | (?P<mult>[x\u00d7])
"""
_NUMBER_RE = re.compile(
    rf"""
    (?<![\w.])                                    # not inside a word or after a decimal point
    (?:(?<!\d{_SP})(?<![\d%\u00d7{_POSTFIX_SYMBOLS}])(?P<sign1>{_SIGN}))?  # not "2 -3", "3%-4%"
    (?:(?P<cur_pre>(?-i:{_alternation(_PREFIXES)}|{_alternation(_CODES)})){_SP}?)?
    (?(cur_pre)(?(sign1)|(?P<sign2>{_SIGN})?))    # "$-5"
    (?P<num>{_CORE})
    (?P<scale>{_SCALE})?
    (?(cur_pre)|(?:{_UNIT})?)                     # no suffix unit after a currency prefix
    (?:(?<=[%\u00d7{_POSTFIX_SYMBOLS}])|(?!\w))     # must not run into a word
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _clean(s: str) -> str:
    return " ".join(s.strip(_SPACES + "-").split()).lower()


def _unit(m: re.Match[str]) -> str:
    if cur := m["cur_pre"]:
        return _PREFIXES.get(cur) or _CODES[cur]
    if cur := m["cur_post"]:
        cur = cur.strip(_SPACES)
        return _PREFIXES.get(cur) or _CODES.get(cur) or _WORDS[_clean(cur)]
    for group, unit in (("pct", "%"), ("pp", "pp"), ("bp", "bp"), ("points", "points")):
        if m[group]:
            return unit
    return "x" if m["mult"] else ""


def _to_match(m: re.Match[str]) -> NumberMatch | None:
    value = Decimal(m["num"].translate({ord(c): None for c in _SEP_CHARS}))
    if scale := m["scale"]:
        value *= Decimal(10) ** _SCALES[_clean(scale)]
    sign = m["sign1"] or m["sign2"]
    if sign and sign in _NEGATIVE:
        value = -value
    as_float = float(value)
    if not math.isfinite(as_float) or len(m["num"]) > MAX_DIGITS:
        return None  # "1" followed by 400 digits is no figure, and inf cannot be written
    return NumberMatch(m.start(), m.end(), m[0], as_float, _unit(m))


MAX_DIGITS = 40  # longer digit runs are identifiers or junk, never a figure
_OVERLONG_RE = re.compile(
    rf"\d(?:[,.\u00a0 ]?\d){{{MAX_DIGITS},}}"
)  # linear: no digit as separator


def overlong_numbers(text: str) -> list[str]:
    """Digit runs too long to be a figure (find_numbers skips them): in a sentence the model
    wrote, each is a number the article cannot be shown to state."""
    return [m.group(0) for m in _OVERLONG_RE.finditer(text)]


# Invisible characters a copy-paste or a hostile page leaves inside a number ("57,8\u200b90"):
# read through, with offsets mapped back, never split the number at them.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")


def find_numbers(text: str) -> list[NumberMatch]:
    """All number expressions in text, left to right, non-overlapping, each as long as
    possible (symbol + number + scale word + unit word). Invisible characters (zero-width
    spaces, soft hyphens) are read through: "57,8\u200b90" is 57,890, and the match's
    offsets and text are those of the original string."""
    if not _INVISIBLE_RE.search(text):
        return _find(text)
    keep = [i for i, c in enumerate(text) if c not in INVISIBLE]
    visible = "".join(text[i] for i in keep)
    out = []
    for n in _find(visible):
        start, end = keep[n.start], keep[n.end - 1] + 1
        out.append(NumberMatch(start, end, text[start:end], n.value, n.unit))
    return out


def _find(text: str) -> list[NumberMatch]:
    found = (
        _to_match(m)
        for m in _NUMBER_RE.finditer(text)
        if not _decimal_comma(text, m.start(), m.end())
    )
    return [n for n in found if n is not None]


_SPLIT_GROUP_AFTER = re.compile(r", \d{3}(?![\d.,])")
_LEADING_DIGITS = re.compile("[$€£¥ ]*(\\d+)(?![\\d.,])")
_SPLIT_GROUP_BEFORE = re.compile(r"(?<![\d.,])\d{1,3}, $")


def _decimal_comma(text: str, start: int, end: int) -> bool:
    """A number touching an unconsumed digit-comma-digit junction ("18.234,56", "3,5%") is
    written with a decimal comma we do not read: no value beats a wrong one. Nor is a
    thousands group that a tokenizer split ("$ 500, 000" is 500,000, not 500 and 0): both
    halves are left unread."""
    after = text[end : end + 2]
    before = text[max(0, start - 2) : start]
    if (len(after) == 2 and after[0] == "," and after[1].isdigit()) or (
        len(before) == 2 and before[1] == "," and before[0].isdigit()
    ):
        return True
    run = _LEADING_DIGITS.match(text, start, end)
    if run is None:
        return False
    digits = run.group(1)
    if run.end() == end and len(digits) <= 3 and _SPLIT_GROUP_AFTER.match(text, end):
        return True
    return bool(len(digits) == 3 and _SPLIT_GROUP_BEFORE.search(text, 0, start))


def parse_number(number_text: str) -> tuple[float, str]:
    """(value, unit) for a string that is exactly one number expression (surrounding
    whitespace allowed). Raises ValueError if it is not exactly one number expression."""
    stripped = number_text.strip()
    matches = find_numbers(stripped)
    if len(matches) != 1 or matches[0].text != stripped:
        found = ", ".join(repr(m.text) for m in matches) or "no number"
        raise ValueError(f"not exactly one number expression: {number_text!r} (found {found})")
    return matches[0].value, matches[0].unit


def worth_a_figure(n: NumberMatch) -> bool:
    """Bare years and small bare integers (ordinals, counts, index names) are never offered
    as figures, and a sentence of ours may state them freely."""
    bare = not n.unit and n.value.is_integer()
    return not (bare and (1900 <= n.value <= 2100 or abs(n.value) < 1000))


def quantity_key(value: float, unit: str) -> tuple[float, str]:
    """The key under which two figures count as the same figure (dedupe, grouping)."""
    return (value, unit)


def same_quantity(a: NumberMatch, value: float, unit: str) -> bool:
    """The one definition of "the same number": equal value (to float precision, so
    "$4.9 trillion" is "$4,900 billion"), and units equal or one of them unstated ("57,890"
    in a summary is the "57,890 points" of the article)."""
    return math.isclose(a.value, value, rel_tol=1e-9, abs_tol=1e-12) and (
        a.unit == unit or not a.unit or not unit
    )
