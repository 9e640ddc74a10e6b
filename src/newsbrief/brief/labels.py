"""Does a label say what its number measures? Deterministic checks against the clause.

A wrong label on a right number misleads as much as a wrong number, and a small model gets
a third of them wrong: "Nikkei 225 closing price" for the day's 1.5% gain, "daily gain" for
25.80% year-to-date, one index's gain under another's name. Each rule below reads only the
article (the number's clause, its sentence, the text just before) and names what it found,
so a failed label is repaired from the number's frame (text.frames). The same rules check the
words a summary sentence puts around a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsbrief.text import align
from newsbrief.text.article import ArticleText
from newsbrief.text.frames import NOT_NAMES
from newsbrief.text.numbers import NumberMatch, find_numbers, same_quantity, worth_a_figure
from newsbrief.text.words import prefix_stem

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z&'-]*")
_NAME_RE = re.compile(r"[A-Z][A-Za-z&'-]+")

# A level: where something stands. A change: how far it moved.
LEVEL_WORDS = frozenset({"close", "closing", "closed", "level", "price", "value", "points"})
CHANGE_WORDS = frozenset({
    "gain", "gains", "gained", "rise", "rises", "rose", "fall", "falls", "fell", "drop",
    "dropped", "decline", "declined", "change", "growth", "grew", "increase", "increased",
    "decrease", "decreased", "jump", "jumped", "loss", "lost", "surge", "surged", "slump",
    "climb", "climbed", "advance", "rally", "slide", "plunge", "plunged", "up",
    "down", "added", "shed", "cut", "raise", "raised", "hike", "move",
})  # fmt: skip
RATE_WORDS = frozenset({"rate", "ratio", "percent", "percentage", "yield", "margin", "share"})
AMOUNT_UNITS = frozenset({"thousand", "million", "billion", "trillion", "k", "m", "bn", "tn"})
GENERIC_WORDS = frozenset({
    "value", "number", "figure", "amount", "percentage", "percent", "price", "total", "level",
    "rate", "change", "data", "key", "important", "the", "a", "of", "stat", "statistic",
})  # fmt: skip
# Words before a number that make it the level reached, or the size of a move.
_TO_LEVEL = frozenset({"to", "at"})

PERIODS: dict[str, tuple[str, ...]] = {
    "day": ("day", "daily", "session", "today", "intraday", "overnight", "monday", "tuesday",
            "wednesday", "thursday", "friday"),
    "year to date": ("year-to-date", "ytd", "so far this year", "this year"),
    "year": ("annual", "annually", "yearly", "year-on-year", "year over year", "yoy",
             "full-year", "full year", "12 months", "12-month"),
    "quarter": ("quarter", "quarterly", "q1", "q2", "q3", "q4"),
    "month": ("month", "monthly"),
    "week": ("week", "weekly"),
}  # fmt: skip
_PERIOD_RE = {
    name: re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")
    for name, words in PERIODS.items()
}


@dataclass(frozen=True)
class Context:
    """Where a number sits: its clause, its sentence, and the text just before it."""

    clause: str
    sentence: str
    article: ArticleText  # the whole text: a subject named nowhere in it is invented
    leading: tuple[str, ...]  # the clause's last three words before the number, lowercased
    opening: frozenset[str]  # first words of the clause and sentence: capitalised anyway
    nearby: str  # the sentence and the one before it
    neighbours: tuple[tuple[str, str], ...]  # (clause, number) of the sentence's other numbers

    @classmethod
    def of(cls, article: ArticleText, number: NumberMatch) -> Context:
        text = article.text
        c0, c1 = align.clause_bounds(text, number.start, number.end)
        s0, s1 = align.sentence_bounds(text, number.start)
        s0, s1 = min(s0, number.start), max(s1, number.end)
        words = _WORD_RE.findall(text[min(c0, number.start) : number.start])
        firsts = [_WORD_RE.findall(text[a:b])[:1] for a, b in ((c0, c1), (s0, s1))]
        p0 = align.sentence_bounds(text, max(0, s0 - 2))[0] if s0 > 0 else s0
        neighbours = []
        cuts = align.clause_cuts(text, s0, s1)  # once per sentence: linear in its numbers
        for other in article.numbers_within(s0, s1):
            o0, o1 = other.start, other.end
            if worth_a_figure(other) and (o1 <= number.start or o0 >= number.end):
                a, b = align.clause_within(text, cuts, s0, s1, o0, o1)
                if not a <= number.start < b:
                    neighbours.append((text[a:b], other.text))
        return cls(
            clause=text[c0:c1],
            sentence=text[s0:s1],
            article=article,
            leading=tuple(w.lower() for w in words[-3:]),
            opening=frozenset(w for first in firsts for w in first),
            nearby=text[min(p0, s0) : s1],
            neighbours=tuple(neighbours),
        )

    @property
    def reached(self) -> str | None:
        """ "to"/"at" just before the number ("closing at a record 57,890"): a level. None
        when a "by" or a move word comes after it ("up by 3%", "at 3pm fell 2%")."""
        for word in reversed(self.leading):
            if word in _TO_LEVEL:
                return word
            if word == "by" or word in CHANGE_WORDS:
                return None
        return None


def _words(s: str) -> set[str]:
    return {w.lower() for w in _WORD_RE.findall(s)}


def periods(s: str) -> set[str]:
    """The periods a text speaks of: day, year to date, year, quarter, month, week."""
    low = s.lower()
    return {name for name, pattern in _PERIOD_RE.items() if pattern.search(low)}


def names(s: str) -> list[str]:
    """Capitalised words that may name a subject (an index, company, country)."""
    return [w for w in _NAME_RE.findall(s) if w not in NOT_NAMES]


def _is_percent(n: NumberMatch) -> bool:
    return n.unit in ("%", "percent", "pct") or n.unit.endswith("%")


def _is_amount(n: NumberMatch) -> bool:
    """A sum of money with a scale ("$92 billion"), never a price or an exchange rate."""
    scaled = any(w.lower() in AMOUNT_UNITS for w in _WORD_RE.findall(n.text))
    return scaled and len(n.unit) == 3 and n.unit.isupper()


def _number_problem(label: str, n: NumberMatch) -> str | None:
    """A label that states a number names another figure ("$550 billion investment" on 10%)."""
    for m in find_numbers(label):
        if worth_a_figure(m) and not same_quantity(n, m.value, m.unit):
            return f"it states {m.text}, but the number is {n.text}"
    return None


def _kind_problem(words: set[str], n: NumberMatch, ctx: Context) -> str | None:
    levelish, changeish = words & LEVEL_WORDS, words & CHANGE_WORDS
    closes = {"close", "closing", "closed"}
    said_close = any(w.lower().startswith(("clos", "finish", "settl", "ended")) for w in
                     _WORD_RE.findall(ctx.sentence))  # fmt: skip
    if words & closes and not said_close:
        return f"its sentence never says {n.text} was a close (it may be a level reached)"
    reached = ctx.reached
    if _is_percent(n) and levelish and not changeish and not reached:
        return f"{n.text} is a percentage change, not a {sorted(levelish)[0]}"
    if changeish and not levelish and reached:
        return f"{n.text} is the level reached ('{reached} ... {n.text}'), not a change"
    if _is_amount(n) and words & RATE_WORDS and not changeish:
        return f"{n.text} is an amount, not a {sorted(words & RATE_WORDS)[0]}"
    return None


def _role_problem(words: set[str], n: NumberMatch, article: ArticleText) -> str | None:
    """A label that makes a level a move, or a move a level, where our reading of the
    sentence (its frame) says which it is: the frame is the authority on the role."""
    role = article.frame(n).role
    levelish, changeish = words & (LEVEL_WORDS - {"value"}), words & CHANGE_WORDS
    if role == "level" and changeish and not levelish:
        return f"its sentence gives {n.text} as a level, not a {sorted(changeish)[0]}"
    if role == "change" and levelish and not changeish:
        return f"its sentence gives {n.text} as a move, not a {sorted(levelish)[0]}"
    return None


def _period_problem(said: str, n: NumberMatch, ctx: Context) -> str | None:
    claimed = periods(said)
    if not claimed:
        return None
    stated = periods(ctx.clause)
    if stated and not claimed & stated and not claimed & periods(ctx.sentence):
        return (
            f"it says {' and '.join(sorted(claimed))} but the clause stating {n.text} says "
            f"{' and '.join(sorted(stated))}"
        )
    longer = claimed - {"day"}  # an unqualified move or close is the day's by default
    if not stated and longer:  # "up 2.17%, with year-to-date gains reaching 25.80%"
        for clause, other in ctx.neighbours:
            if longer & periods(clause):
                said = " and ".join(sorted(longer & periods(clause)))
                return f"the sentence says {said} of {other}, not of {n.text}"
    return None


# Words of a label that name what is measured ("stimulus", "investment", "tariffs"): at least
# one must be in the text around the number, unless none is anywhere in the article. Moves,
# levels, periods and generic words are judged by the rules above, so are not required here.
_NOT_MEASURES = (
    LEVEL_WORDS | CHANGE_WORDS | GENERIC_WORDS | RATE_WORDS
    | AMOUNT_UNITS
    | {w for words in PERIODS.values() for w in words}
    | {"daily", "total", "index", "from", "with", "into", "over", "under", "since", "after",
       "before", "this", "that", "year", "years", "month", "months", "record", "high", "highs",
       "low", "lows", "new", "amount", "size", "stock", "stocks", "market", "markets",
       "dollar", "dollars", "euro", "euros", "pound", "pounds", "yuan", "percent", "points"}
)  # fmt: skip


def _figure_words(article: ArticleText, n: NumberMatch) -> set[str]:
    """Word stems of the sentences that state a figure other than n (the article's numbers,
    parsed once for all its label checks)."""
    text = article.text
    spans = {
        align.sentence_bounds(text, m.start)
        for m in article.numbers
        if worth_a_figure(m) and not same_quantity(m, n.value, n.unit)
    }
    return {prefix_stem(w) for a, b in spans for w in _WORD_RE.findall(text[a:b])}


def _measure_problem(label: str, n: NumberMatch, ctx: Context) -> str | None:
    wanted = [
        w for w in _WORD_RE.findall(label)
        if len(w) >= 4 and not w[0].isupper() and w.lower() not in _NOT_MEASURES
    ]  # fmt: skip
    if not wanted:
        return None
    around = {prefix_stem(w) for w in _WORD_RE.findall(ctx.nearby)}
    if any(prefix_stem(w) in around for w in wanted):
        return None
    # Borrowed from another figure's sentence ("investment" of the $550 billion pledge put on
    # the $92 billion stimulus). A word the article never uses next to a number ("exchange
    # rate" for the euro at $1.084, "inflation" for prices that rose 2.7%) is the model's own
    # description and is left alone.
    elsewhere = _figure_words(ctx.article, n)
    borrowed = [w for w in wanted if prefix_stem(w) in elsewhere]
    if not borrowed:
        return None
    return f"the text around {n.text} does not speak of {', '.join(borrowed)}"


_RUN_RE = re.compile(r"[A-Z][\w'-]*(?:\s+(?:of\s+|the\s+|for\s+)?[A-Z][\w'-]*)+")


def _mentions(part: str, names_: list[str]) -> bool:
    """Whether `part` names any of these, as a word or by its initials ("ECB" for the
    European Central Bank, "BoJ" for the Bank of Japan)."""
    low = part.lower()
    if any(w.lower() in low for w in names_):
        return True
    initials: set[str] = set()
    for run in _RUN_RE.findall(part):
        words = run.split()
        for i in range(len(words)):  # every stretch: "The European Central Bank" has ECB
            for j in range(i + 2, len(words) + 1):
                stretch = words[i:j]
                initials.add("".join(w[0] for w in stretch if w[0].isupper()).lower())
                initials.add("".join(w[0] for w in stretch).lower())
    return any(w.lower() in initials for w in names_ if len(w) >= 2)


def _subject_problem(said: str, n: NumberMatch, ctx: Context) -> str | None:
    wanted = names(said)
    if not wanted:
        return None
    low = [w.lower() for w in wanted]
    if not _mentions(ctx.article.text, wanted):
        return f"the article never mentions {', '.join(wanted)}"
    for part, where in ((ctx.clause, "clause"), (ctx.sentence, "sentence")):
        if _mentions(part, wanted):
            return None
        others = [w for w in names(part) if w.lower() not in low and w not in ctx.opening]
        if others:
            about = ", ".join(dict.fromkeys(others))
            return f"the {where} stating {n.text} is about {about}, not {', '.join(wanted)}"
    return None


def label_problem(label: str, article: ArticleText, number: NumberMatch) -> str | None:
    """Why `label` cannot be what `number` measures in `article`, or None when nothing
    contradicts it.

    Args:
        label: the model's label.
        article: the article (or chunk), analysed once.
        number: the number the label names, as our parser found it in the article.
    """
    words = _words(label)
    if not words or words <= GENERIC_WORDS:
        return f"label {label!r} is too vague: name the subject and what {number.text} measures"
    ctx = Context.of(article, number)
    found = (
        _number_problem(label, number)
        or _role_problem(words, number, article)
        or _kind_problem(words, number, ctx)
        or _period_problem(label, number, ctx)
        or _subject_problem(label, number, ctx)
        or _measure_problem(label, number, ctx)
    )
    return f"label {label!r}: {found}" if found else None


def mention_problem(words_around: str, article: ArticleText, number: NumberMatch) -> str | None:
    """The label rules applied to the words a sentence of ours puts around a number (a
    summary saying the company's earnings grew 12% where the article says a segment did)."""
    ctx = Context.of(article, number)
    return _period_problem(words_around, number, ctx) or _subject_problem(words_around, number, ctx)
