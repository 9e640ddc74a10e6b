"""Which pairs of articles the story clustering compares: every pair in a small digest, and
in a large one only pairs a MinHash puts in one bucket, so the pairs grow with the articles,
not with their square (5,000 articles were 3.78M pairs when every pair sharing a rare term
was compared).

How: each article's weighted term vector (digest.stories) becomes a bag of tokens, a term of
weight w counting round(w * QUANTUM) times (at least once), so the MinHash estimates the
weighted Jaccard similarity, which follows the cosine the clustering decides by better than
a plain set's Jaccard does. datasketch computes BANDS MinHash values per article, seeded
(SEED): the same articles give the same pairs on every run and machine. Two articles are a
candidate when one of their BANDS values is the same (bands of one row: a pair at the
clustering threshold has a weighted Jaccard near 0.09, and one row per band finds such a
pair with probability 1 - 0.91^64, about 99.8%). The cosine and THRESHOLD still decide.

Bounds: within one bucket only articles published close enough to be one story pair (an
undated article pairs with every member), and an article whose window in a bucket holds more
than BUCKET_MOST others pairs with none of them there: a term that common says nothing of
which event an article reports, and it is what made the pairs quadratic. So each article has
at most BANDS * BUCKET_MOST candidates. The recall against every pair is measured on
eval/stories (README "Stories").
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence

ALL_PAIRS = 200  # up to this many articles, every pair is compared (20k pairs, ~0.25 s)
BANDS = 64  # MinHash values per article, one per band
QUANTUM = 20  # tokens per unit of (normalised) term weight
BUCKET_MOST = 20  # others in an article's window of a bucket past which it pairs with none there
SEED = 1


def _tokens(vector: dict[str, float]) -> list[bytes]:
    """The article's terms as a bag: a term of weight w appears round(w * QUANTUM) times."""
    out: list[bytes] = []
    for term, weight in vector.items():
        raw = term.encode("utf-8", "surrogatepass")
        out.extend(raw + b"\x00" + str(k).encode() for k in range(max(1, round(weight * QUANTUM))))
    return out


def signatures(vectors: Sequence[dict[str, float]]) -> list[tuple[int, ...]]:
    """BANDS MinHash values per article (datasketch, seeded), in input order."""
    from datasketch import MinHash  # numpy: only for a digest past ALL_PAIRS articles

    return [
        tuple(int(v) for v in m.hashvalues)
        for m in MinHash.generator((_tokens(v) for v in vectors), num_perm=BANDS, seed=SEED)
    ]


def _bucket_pairs(
    members: list[int], published: Sequence[dt.datetime | None], apart: dt.timedelta
) -> list[tuple[int, int]]:
    """Pairs of one bucket: dated members within `apart` of each other, the undated with
    everyone; none for a member whose window holds more than BUCKET_MOST others."""
    dated = sorted((p, i) for i in members if (p := published[i]) is not None)
    undated = [i for i in members if published[i] is None]
    pairs: list[tuple[int, int]] = []
    if undated and len(members) - 1 <= BUCKET_MOST:
        pairs.extend((a, b) for a in undated for b in members if a != b)
    times = [p for p, _ in dated]
    for k, (when, i) in enumerate(dated):
        start = bisect.bisect_left(times, when - apart)
        end = bisect.bisect_right(times, when + apart)
        if end - start - 1 > BUCKET_MOST:
            continue
        pairs.extend((i, j) for _, j in dated[k + 1 : end])
    return pairs


def candidate_pairs(
    vectors: Sequence[dict[str, float]],
    published: Sequence[dt.datetime | None],
    apart: dt.timedelta,
) -> set[tuple[int, int]]:
    """The pairs (i < j) to compare: all of them up to ALL_PAIRS articles, else those the
    MinHash buckets propose (see the module's docstring).

    Args:
        vectors: each article's normalised term weights (digest.stories), in input order.
        published: each article's publication time (None: unknown), in the same order.
        apart: articles published further apart are never one story (stories.MAX_APART).
    """
    n = len(vectors)
    if n <= ALL_PAIRS:
        return set(itertools.combinations(range(n), 2))
    return lsh_pairs(vectors, published, apart)


def lsh_pairs(
    vectors: Sequence[dict[str, float]],
    published: Sequence[dt.datetime | None],
    apart: dt.timedelta,
) -> set[tuple[int, int]]:
    """The MinHash candidates whatever the number of articles (candidate_pairs uses them
    past ALL_PAIRS; the recall measurement uses them on a small labelled set)."""
    rows = signatures(vectors)
    pairs: set[tuple[int, int]] = set()
    for band in range(BANDS):
        buckets: dict[int, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            buckets[row[band]].append(i)
        for members in buckets.values():
            if len(members) > 1:
                found = _bucket_pairs(members, published, apart)
                pairs.update((min(a, b), max(a, b)) for a, b in found)
    return pairs
