"""Story clustering scored on a labelled set: pairwise precision and recall.

Run: python -m newsbrief.evaluate.stories [eval/stories/labels.json]

A pair of articles is a true positive when both the clustering and the labels put them in one
story. Precision: of the pairs we joined, the share that are one story; recall: of the pairs
that are one story, the share we joined. The threshold is chosen on the odd-numbered stories
(the best F1 on a grid, the highest such threshold) and reported on the even-numbered ones,
which it was not tuned on, and on all; the default (digest.stories.THRESHOLD) likewise.

Three conditions: the articles as written; with publisher boilerplate (boilerplate.json next
to labels.json: each outlet's title suffix, header and footer on every one of its articles);
and the same boilerplate with each article's source withheld, so nothing is recognised as
repeated (what the clustering did before digest.boilerplate). Each picks its threshold on its
own tuning half.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

from newsbrief.digest.stories import THRESHOLD, StoryInput, cluster
from newsbrief.evaluate.tables import table
from newsbrief.ingest.read import parse_date, read_path

GRID = [round(0.01 * i, 2) for i in range(4, 31)]


@dataclass(frozen=True)
class Labelled:
    name: str
    story: str
    item: StoryInput


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    pairs_true: int
    pairs_joined: int
    stories: int
    groups: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


Condition = Literal["as written", "with boilerplate", "with boilerplate, not removed"]
CONDITIONS: tuple[Condition, ...] = (
    "as written",
    "with boilerplate",
    "with boilerplate, not removed",
)


def load(labels: Path, condition: Condition = "as written") -> list[Labelled]:
    """The labelled articles; keys are paths relative to labels.json's articles/ folder, or,
    for the seeds, to the repository root.

    Args:
        labels: the labels.json file.
        condition: one of CONDITIONS (see the module's docstring).
    """
    data = json.loads(labels.read_text(encoding="utf-8"))
    extra: dict[str, dict[str, Any]] = {}
    if condition != "as written":
        extra = json.loads((labels.parent / "boilerplate.json").read_text(encoding="utf-8"))
    root = labels.resolve().parents[2]
    out = []
    for name, meta in sorted(data["articles"].items()):
        path = root / name if name.startswith("seeds/") else labels.parent / "articles" / name
        article = read_path(str(path))
        title = article.title or article.text.strip().splitlines()[0]
        text = article.text
        added = extra.get(meta["source"])
        if added is not None:
            title, text = _with_boilerplate(title, text, added)
        source = None if condition == "with boilerplate, not removed" else meta["source"]
        item = StoryInput(title, text, parse_date(meta["published"]), source)
        out.append(Labelled(name=name, story=meta["story"], item=item))
    return out


def _with_boilerplate(title: str, text: str, added: dict[str, Any]) -> tuple[str, str]:
    """The outlet's title suffix, header after the first line, footer at the end."""
    first, _, rest = text.strip().partition("\n")
    parts = [first, *added["header"], rest.strip(), *added["footer"]]
    return title + added["title_suffix"], "\n\n".join(parts) + "\n"


def score(items: list[Labelled], threshold: float) -> Score:
    groups = cluster([x.item for x in items], threshold)
    predicted = {i: g for g, members in enumerate(groups) for i in members}
    joined = truth = both = 0
    for i, j in combinations(range(len(items)), 2):
        same_pred = predicted[i] == predicted[j]
        same_true = items[i].story == items[j].story
        joined += same_pred
        truth += same_true
        both += same_pred and same_true
    return Score(
        precision=both / joined if joined else 1.0,
        recall=both / truth if truth else 1.0,
        pairs_true=truth,
        pairs_joined=joined,
        stories=len({x.story for x in items}),
        groups=len(groups),
    )


def _half(items: list[Labelled], odd: bool) -> list[Labelled]:
    return [x for x in items if (int(x.story.lstrip("s")) % 2 == 1) == odd]


def best_threshold(items: list[Labelled]) -> float:
    """The grid threshold with the best F1 on the tuning half (odd-numbered stories)."""
    tune = _half(items, odd=True)
    # Ties: the highest threshold, since joining two events misleads more than splitting one.
    return max(GRID, key=lambda t: (score(tune, t).f1, t))


def report(labels: Path, conditions: tuple[Condition, ...] = CONDITIONS) -> str:
    """The Markdown table of every condition, half and threshold."""
    rows: list[tuple[object, ...]] = []
    total = 0
    for condition in conditions:
        items = load(labels, condition)
        total = len(items)
        best = best_threshold(items)
        for name, subset in (("odd stories (tuning half)", _half(items, odd=True)),
                             ("even stories (held out)", _half(items, odd=False)),
                             ("all", items)):  # fmt: skip
            for label, t in (("best on the tuning half", best), ("default", THRESHOLD)):
                s = score(subset, t)
                rows.append(
                    (
                        condition,
                        name,
                        f"{label} {t:g}",
                        len(subset),
                        s.stories,
                        s.groups,
                        f"{s.precision:.2f}",
                        f"{s.recall:.2f}",
                        f"{s.f1:.2f}",
                    )
                )
    headers = (
        "condition",
        "articles",
        "threshold",
        "n",
        "stories",
        "groups",
        "precision",
        "recall",
        "F1",
    )
    return "\n".join(
        [
            f"Story clustering on {labels} ({total} articles), pairwise:",
            "",
            *table(headers, rows, right_from=3),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    labels = Path(args[0] if args else "eval/stories/labels.json")
    print(report(labels))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
