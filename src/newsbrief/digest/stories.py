"""Which articles report the same event: stories, by our code, deterministic.

Each article becomes one weighted vector of three kinds of evidence: its words (title counted
twice), its named things (capitalised phrases and acronyms) and its specific numbers (the
figures worth stating, by `text.numbers.quantity_key`: two reports of one event share
"1.75%" and "57,890"). Each kind is weighted by how rare it is across the articles at hand
(idf), so "Nikkei" in every Japan story counts for little and "57,890" for much. Articles
published more than MAX_APART apart are never one story (a record on Monday and a fall on
Friday are two events); then average-linkage clustering joins groups while their mean
similarity is at least THRESHOLD. Average, not single, linkage: one article mentioning two
events must not chain them together. Which pairs are compared is digest.blocking's: every
pair in a small digest, the pairs MinHash buckets propose in a large one.

Before anything is compared, what each source repeats on its own articles (footers, bylines,
disclaimers, title suffixes) is taken out (digest.boilerplate), and in a digest of
MIN_FOR_COMMON or more articles a term in most of them weighs less. Two headlines on one
template stating different figures that neither article shares are two events.

THRESHOLD was chosen on half of eval/stories (the odd-numbered stories, with publisher
boilerplate) and measured on the other half; README "Stories" gives both figures and the
command.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from newsbrief.digest.blocking import candidate_pairs
from newsbrief.digest.boilerplate import own_texts, source_of, without_boilerplate
from newsbrief.digest.contract import ArticleResult, OwnTexts, Story, StoryIndex
from newsbrief.text.article import ArticleText
from newsbrief.text.numbers import NumberMatch, find_numbers, quantity_key, worth_a_figure
from newsbrief.text.words import FUNCTION_WORDS, content_words, suffix_stem

THRESHOLD = 0.15
MAX_APART = dt.timedelta(hours=36)
WEIGHTS = {"w": 1.0, "e": 1.5, "n": 2.0}  # words, named things, numbers
COMMON = 0.7  # a term in more than this share of the articles is weighted down ...
MIN_FOR_COMMON = 10  # ... when there are at least this many articles
COMMON_FLOOR = 0.25  # ... to at least this share of its weight
ALIKE_HEADLINES = 0.4  # share of content words that makes two headlines one template

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_NAME = re.compile(r"\b(?:[A-Z][a-zA-Z&'-]*|[A-Z]{2,}\d*)(?:\s+(?:[A-Z][a-zA-Z&'-]*|\d{2,3}))*")
_NOT_NAMES = frozenset(
    [
        "The",
        "A",
        "An",
        "And",
        "But",
        "In",
        "On",
        "At",
        "For",
        "Of",
        "To",
        "It",
        "Its",
        "This",
        "That",
        "These",
        "Those",
        "He",
        "She",
        "They",
        "We",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Breaking",
        "Analysts",
        "Investors",
    ]
)


@dataclass(frozen=True)
class StoryInput:
    title: str
    text: str
    published: dt.datetime | None
    source: str | None = None  # the outlet: what it repeats on its articles is not compared


def features(item: StoryInput) -> Counter[str]:
    """Counts of w:<stem>, e:<name>, n:<quantity> for one article."""
    found: Counter[str] = Counter()
    for source, times in ((item.title, 2), (item.text, 1)):
        for word in _WORD.findall(source):
            if word.lower() not in FUNCTION_WORDS and len(word) > 2:
                found["w:" + suffix_stem(word)] += times
        for match in _NAME.finditer(source):
            words = [w for w in match.group(0).split() if w not in _NOT_NAMES]
            if words:
                found["e:" + " ".join(words).lower()] += times
    for number in ArticleText(item.text).asserted:
        if worth_a_figure(number):
            found[_quantity(number)] += 1
    return found


def _quantity(number: NumberMatch) -> str:
    value, unit = quantity_key(number.value, number.unit)
    return f"n:{value:g}{unit}"


@dataclass(frozen=True)
class _Headline:
    """What a headline states: its figures (feature key -> unit) and its content words."""

    figures: dict[str, str]
    words: frozenset[str]

    @classmethod
    def of(cls, title: str) -> _Headline:
        figures = {
            _quantity(n): quantity_key(n.value, n.unit)[1]
            for n in find_numbers(title)
            if worth_a_figure(n)
        }
        return cls(figures, frozenset(content_words(title)) if figures else frozenset())


def _different_headline_figures(a: _Headline, b: _Headline, a_all: set[str],
                                b_all: set[str]) -> bool:  # fmt: skip
    """Two headlines on one template (ALIKE_HEADLINES of their content words shared), each
    stating a figure of one kind (a count, a rate, an amount) with different values, neither
    article stating the other's: "Calder recalls 212,000 SUVs over brake fault" and "Calder
    recalls 180,000 sedans over airbag fault" are two events however alike their words.
    Reports of one event share their headline figure, in the headline or the text;
    differently worded headlines are left alone ("shares jump 9%" and "sales surge 61%" may
    be one results day)."""
    if not a.figures or not b.figures:
        return False
    union = a.words | b.words
    if not union or len(a.words & b.words) < ALIKE_HEADLINES * len(union):
        return False
    return any(
        unit_a == unit_b and key_a != key_b and key_a not in b_all and key_b not in a_all
        for key_a, unit_a in a.figures.items()
        for key_b, unit_b in b.figures.items()
    )


def _rarity(docs: int, n: int) -> float:
    """A term's weight from the share of articles it is in: idf, and for a term in more
    than COMMON of them (a word every article of the day uses, a phrase many outlets put
    under their articles) falling further, to COMMON_FLOOR of it for a term in all of them.
    Not to 0: twelve copies of one wire story must still be one story."""
    idf = 1 + math.log((1 + n) / (1 + docs))
    share = docs / n
    if share <= COMMON or n < MIN_FOR_COMMON:
        return idf
    return idf * max(COMMON_FLOOR, (1 - share) / (1 - COMMON))


def _cleaned(items: Sequence[StoryInput]) -> list[StoryInput]:
    """The items with what their source repeats on its articles taken out."""
    cleaned = without_boilerplate([(i.source, i.title, i.text) for i in items])
    return [
        replace(item, title=title, text=text)
        for item, (title, text) in zip(items, cleaned, strict=True)
    ]


def _vectors(items: Sequence[StoryInput]) -> list[dict[str, float]]:
    counts = [features(item) for item in items]
    docs = Counter(term for c in counts for term in c)
    n = len(items)
    vectors = []
    for c in counts:
        v = {t: WEIGHTS[t[0]] * (1 + math.log(k)) * _rarity(docs[t], n) for t, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({t: x / norm for t, x in v.items()})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def _apart(a: StoryInput, b: StoryInput) -> bool:
    return (
        a.published is not None
        and b.published is not None
        and abs(a.published - b.published) > MAX_APART
    )


def similarities(items: Sequence[StoryInput]) -> dict[tuple[int, int], float]:
    """Similarity of the candidate pairs (i < j) not published too far apart to be one event."""
    return _similarities(_cleaned(items))


def _similarities(items: Sequence[StoryInput]) -> dict[tuple[int, int], float]:
    """similarities() of items already without their boilerplate."""
    vectors = _vectors(items)
    heads = [_Headline.of(item.title) for item in items]
    stated = [
        {t for t in v if t.startswith("n:")} | set(h.figures)
        for v, h in zip(vectors, heads, strict=True)
    ]
    return {
        (i, j): _cosine(vectors[i], vectors[j])
        for i, j in sorted(candidate_pairs(vectors, [x.published for x in items], MAX_APART))
        if not _apart(items[i], items[j])
        and not _different_headline_figures(heads[i], heads[j], stated[i], stated[j])
    }


def cluster(items: Sequence[StoryInput], threshold: float = THRESHOLD) -> list[list[int]]:
    """Groups of item indexes, each in input order, groups ordered by their first item.
    What each item's source repeats on its articles is taken out first."""
    return _clusters(_cleaned(items), threshold)


def _clusters(items: Sequence[StoryInput], threshold: float = THRESHOLD) -> list[list[int]]:
    """cluster() of items already without their boilerplate.

    Average linkage on the sparse candidate pairs (a pair never compared counts as 0): the
    two groups with the highest mean similarity merge while it is at least `threshold` and
    the merged group spans at most MAX_APART. A heap with stale entries skipped keeps it near
    E log E for E candidate pairs.
    """
    n = len(items)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    span: dict[int, tuple[dt.datetime, dt.datetime] | None] = {
        i: (item.published, item.published) if item.published else None
        for i, item in enumerate(items)
    }
    sums: dict[int, dict[int, float]] = defaultdict(dict)  # group -> group -> summed similarity
    for (i, j), value in _similarities(items).items():
        sums[i][j] = sums[j][i] = value
    version = dict.fromkeys(range(n), 0)

    def mean(g: int, h: int) -> float:
        return sums[g][h] / (len(members[g]) * len(members[h]))

    heap = [(-mean(i, j), i, j, 0, 0) for i in sums for j in sums[i] if i < j]
    heapq.heapify(heap)
    while heap:
        negative, g, h, vg, vh = heapq.heappop(heap)
        if -negative < threshold:
            break
        if g not in members or h not in members or (vg, vh) != (version[g], version[h]):
            continue  # stale: one of them merged or changed since
        merged = _joined(span[g], span[h])
        if merged is not None and merged[1] - merged[0] > MAX_APART:
            continue  # never valid again: spans only grow
        members[g] = sorted(members[g] + members.pop(h))
        span[g] = merged
        version[g] += 1
        for other, value in sums.pop(h).items():
            del sums[other][h]
            if other != g:
                sums[g][other] = sums[g].get(other, 0.0) + value
                sums[other][g] = sums[g][other]
        sums[g].pop(g, None)
        for other in sums[g]:
            a, b = min(g, other), max(g, other)
            heapq.heappush(heap, (-mean(a, b), a, b, version[a], version[b]))
    return sorted(members.values(), key=lambda group: group[0])


def _joined(
    a: tuple[dt.datetime, dt.datetime] | None, b: tuple[dt.datetime, dt.datetime] | None
) -> tuple[dt.datetime, dt.datetime] | None:
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1])


def stories_of(results: Sequence[ArticleResult], own: OwnTexts | None = None) -> list[Story]:
    """The digest's stories: briefed articles clustered by event.

    Args:
        results: the digest's results, in order (failed ones are in no story).
        own: their texts without boilerplate (digest.boilerplate.own_texts), when the
            caller has them already; else computed here.
    """
    own = own or own_texts(results)
    done = [(r, r.brief) for r in results if r.brief is not None]
    inputs = [StoryInput(b.source.title, b.source.text, r.published, source_of(r)) for r, b in done]
    clean = [
        replace(i, title=own.texts[r.article_id].title, text=own.texts[r.article_id].text)
        for i, (r, _) in zip(inputs, done, strict=True)
    ]
    out = []
    for n, group in enumerate(_clusters(clean), 1):
        members = [done[i][0] for i in group]
        sources = list(dict.fromkeys(source_of(m) for m in members))
        dates = [m.published for m in members if m.published is not None]
        out.append(
            Story(
                id=f"S{n}",
                title=inputs[group[0]].title,
                article_ids=[m.article_id for m in members],
                sources=sources,
                source_count=len(sources),
                single_source=len(sources) == 1,
                published=min(dates) if dates else None,
            )
        )
    return out


def story_index(results: Sequence[ArticleResult], own: OwnTexts | None = None) -> StoryIndex:
    """The stories of these results and each article's story and day: what the figure
    comparison and the synthesis checks go by, for a digest and a batch run alike."""
    return StoryIndex.of(stories_of(results, own), results)
