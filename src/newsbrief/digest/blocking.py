"""Which pairs of articles the story clustering compares: every pair in a small digest, and
in a large one only pairs a MinHash puts in one bucket, so the pairs grow with the articles,
not with their square (5,000 articles were 3.78M pairs when every pair sharing a rare term
was compared).

How: each article's weighted term vector (digest.stories) becomes a bag of tokens, a term of
weight w counting round(w * QUANTUM) times, so the MinHash estimates the weighted Jaccard
similarity, which follows the cosine the clustering decides by better than
a plain set's Jaccard does. datasketch computes BANDS MinHash values per article, seeded
(SEED): the same articles give the same pairs on every run and machine. Two articles are a
candidate when one of their BANDS values is the same (bands of one row: a pair at the
clustering threshold has a weighted Jaccard near 0.09, and one row per band finds such a
pair with probability 1 - 0.91^64, about 99.8%). The cosine and THRESHOLD still decide.

Bounds: a bucket's members are split into runs of time (articles further apart than a story
may span never pair), and a run of more than BUCKET_MOST articles is split again by the next
band's value, up to REFINE values: a term that common says nothing of which event an article
reports, and it is what made the pairs quadratic, while near-copies of one story agree on
every value and keep all their pairs. The recall against every pair is measured on
eval/stories (README "Stories") and by tests/test_blocking.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

ALL_PAIRS = 200  # up to this many articles, every pair is compared (20k pairs, ~0.25 s)
BANDS = 64  # MinHash values per article, one per band
QUANTUM = 20  # tokens per unit of (normalised) term weight
BUCKET_MOST = 20  # a bucket's run of more articles than this is split by the next value
REFINE = 4  # ... up to this many values; a run that agrees on all of them is near-copies
SEED = 1


def _tokens(vector: dict[str, float]) -> list[bytes]:
    """The article's terms as a bag: a term of weight w appears round(w * QUANTUM) times, so
    a term too light to count (a word most articles have) is left out, and the terms every
    article shares never become one crowded bucket; an article of such terms alone keeps
    its heaviest one."""
    out: list[bytes] = []
    for term, weight in vector.items():
        raw = term.encode("utf-8", "surrogatepass") + b"\x00"
        out.extend(raw + str(k).encode() for k in range(round(weight * QUANTUM)))
    if not out and vector:
        out.append(max(vector, key=lambda t: vector[t]).encode("utf-8", "surrogatepass"))
    return out


def signatures(vectors: Sequence[dict[str, float]]) -> NDArray[np.uint64]:
    """BANDS MinHash values per article (datasketch, seeded): one row per article, in input
    order (512 bytes an article)."""
    import numpy as np  # with datasketch: only for a digest past ALL_PAIRS articles
    from datasketch import MinHash

    rows = np.empty((len(vectors), BANDS), dtype=np.uint64)
    made = MinHash.generator((_tokens(v) for v in vectors), num_perm=BANDS, seed=SEED)
    for i, m in enumerate(made):
        rows[i] = m.hashvalues
    return rows


def _buckets(values: NDArray[np.uint64]) -> Iterator[list[int]]:
    """The indexes sharing a value, for each value more than one index has (by sorting:
    no dict of every article per band)."""
    import numpy as np

    order = np.argsort(values, kind="stable")
    ranked = values[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    sizes = np.diff(np.r_[starts, len(values)])
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        yield order[start : start + size].tolist()


def _runs(
    members: list[int], published: Sequence[dt.datetime | None], apart: dt.timedelta
) -> list[list[int]]:
    """The members in runs of time: dated ones split where two in a row are more than
    `apart` apart (no pair across a split can be one story); the undated join every run."""
    dated = sorted((p, i) for i in members if (p := published[i]) is not None)
    undated = [i for i in members if published[i] is None]
    runs: list[list[int]] = []
    last: dt.datetime | None = None
    for when, i in dated:
        if last is None or when - last > apart:
            runs.append([])
        runs[-1].append(i)
        last = when
    return [run + undated for run in runs] if runs else [undated]


def _bucket_pairs(
    members: list[int],
    rows: NDArray[np.uint64],
    band: int,
    depth: int,
    published: Sequence[dt.datetime | None],
    apart: dt.timedelta,
) -> Iterator[tuple[int, int]]:
    """The pairs of one bucket: every pair of each run of at most BUCKET_MOST members. A
    larger run is split by the next band's value too, and so on up to REFINE values: a
    common term's crowd falls apart, while near-copies of one story agree on every value
    and stay together (all their pairs: a big story costs what average linkage needs)."""
    for run in _runs(members, published, apart):
        if len(run) <= BUCKET_MOST or depth >= REFINE:
            yield from itertools.combinations(sorted(run), 2)
            continue
        finer: dict[int, list[int]] = defaultdict(list)
        for i, value in zip(run, rows[run, (band + depth) % BANDS].tolist(), strict=True):
            finer[value].append(i)
        for sub in finer.values():
            if len(sub) > 1:
                yield from _bucket_pairs(sub, rows, band, depth + 1, published, apart)


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
        for members in _buckets(rows[:, band]):
            pairs.update(_bucket_pairs(members, rows, band, 1, published, apart))
    return pairs
