"""digest/blocking.py: which pairs the story clustering compares. Every pair in a small
digest; past ALL_PAIRS, seeded MinHash buckets, which must find every pair the clustering
joins on the labelled stories, stay the same from run to run, and grow with the articles,
not with their square."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsbrief.digest import blocking, stories
from newsbrief.digest.stories import MAX_APART, THRESHOLD, StoryInput, cluster
from newsbrief.evaluate.stories import CONDITIONS, Condition, load

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "eval" / "stories" / "labels.json"
DAY = dt.datetime(2026, 11, 18, 7, 0, tzinfo=dt.UTC)


def test_a_small_digest_compares_every_pair() -> None:
    vectors = [{"w:a": 1.0}, {"w:b": 1.0}, {"w:c": 1.0}, {"w:d": 1.0}]
    pairs = blocking.candidate_pairs(vectors, [None] * 4, MAX_APART)
    assert pairs == set(itertools.combinations(range(4), 2))


@pytest.mark.parametrize("condition", CONDITIONS)
def test_minhash_proposes_every_pair_the_clustering_joins_on_the_labelled_stories(
    condition: Condition, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = stories._cleaned([x.item for x in load(LABELS, condition)])
    every = stories._similarities(items)  # 51 articles: every pair
    joined = {pair for pair, value in every.items() if value >= THRESHOLD}
    vectors = stories._vectors(items)
    proposed = blocking.lsh_pairs(vectors, [x.published for x in items], MAX_APART)
    assert len(joined) >= 28 and joined <= proposed
    exhaustive = stories._clusters(items)
    monkeypatch.setattr(blocking, "ALL_PAIRS", 0)  # MinHash whatever the size
    assert stories._clusters(items) == exhaustive


def test_the_candidates_are_the_same_in_every_process() -> None:
    """Seeded, and hashed by datasketch's own hash: Python's per-process string hashing
    (PYTHONHASHSEED) changes nothing."""
    script = (
        "from newsbrief.digest import blocking\n"
        "v = [{f'w:t{(i * 7 + k) % 90}': 0.3 + k / 10 for k in range(6)} for i in range(300)]\n"
        "print(sorted(blocking.candidate_pairs(v, [None] * 300, blocking.dt.timedelta(1))))\n"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=env, cwd=ROOT, check=True, timeout=300)  # fmt: skip
        outputs.add(done.stdout)
    assert len(outputs) == 1 and len(next(iter(outputs))) > 100


def _name(i: int, salt: str) -> str:
    """A made-up word of its own for each i (letters only: the clusterer drops digits)."""
    letters = ""
    i += 1000
    while i:
        i, k = divmod(i, 26)
        letters += "bcdfghjklmnpqrstvwxzaeiouy"[k]
    return (salt + letters).title()


def _rare_and_common(n: int) -> list[dict[str, float]]:
    """n articles of one day, each of its own names and numbers around the sentences every
    article of the day has, weighted as the clustering weighs them."""
    items = [
        StoryInput(
            f"{_name(i, 'zor')} {_name(i, 'qua')} rises",
            f"{_name(i, 'zor')} {_name(i, 'qua')} said {_name(i, 'pel')} output rose "
            f"{i}.5% to {i + 7},310 units. The Bank of Japan kept its policy rate unchanged. "
            "Shares in Tokyo rose as the yen weakened against the dollar.",
            DAY + dt.timedelta(minutes=i % 600),
            f"Desk {i % 40}",
        )
        for i in range(n)
    ]
    return stories._vectors(items)


@pytest.mark.parametrize("n", [600, 1200])
def test_sentences_every_article_has_do_not_make_the_pairs_quadratic(n: int) -> None:
    pairs = blocking.lsh_pairs(_rare_and_common(n), [DAY] * n, MAX_APART)
    assert len(pairs) < 5 * n  # every pair would be n * (n - 1) / 2: 719,400 at 1,200


def test_near_copies_of_one_story_keep_every_pair() -> None:
    """A wire story run by 300 outlets at once agrees on every MinHash value: its bucket is
    never too crowded to pair, however large."""
    copies = [{"e:calder": 0.7, "n:212000": 0.6, "w:recall": 0.4}] * 300
    others = _rare_and_common(300)
    pairs = blocking.lsh_pairs(copies + others, [DAY] * 600, MAX_APART)
    assert set(itertools.combinations(range(300), 2)) <= pairs


def test_articles_further_apart_than_a_story_never_pair() -> None:
    vectors = [{"e:calder": 0.7, "n:212000": 0.6}] * 4
    published = [DAY, DAY + dt.timedelta(hours=2), DAY + dt.timedelta(days=9), None]
    pairs = blocking.lsh_pairs(vectors, published, MAX_APART)
    assert pairs == {(0, 1), (0, 3), (1, 3), (2, 3)}  # the undated one may be either day


def test_a_large_digest_clusters_its_wire_copies_into_one_story() -> None:
    wire = ("Calder recalls 212,000 SUVs over brake fault",
            "Calder Motors recalled 212,000 sport utility vehicles on Tuesday after finding "
            "a brake fault in its Yokohama plant; the recall costs 4.2 billion yen.")  # fmt: skip
    items = [StoryInput(*wire, DAY, f"Outlet {i}") for i in range(240)]
    items += [
        StoryInput(
            f"{_name(i, 'zor')} {_name(i, 'qua')} rises",
            f"{_name(i, 'zor')} said {_name(i, 'qua')} rose {i}.5% in {_name(i, 'pel')}.",
            DAY + dt.timedelta(minutes=i),
            f"Desk {i}",
        )
        for i in range(120)
    ]
    groups = cluster(items)
    assert groups[0] == list(range(240))
    assert len(groups) == 1 + 120
