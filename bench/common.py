"""What the overhead benchmark's sections share: the contenders' model and key, the
request newsbrief sends (read, never copied), the run sizes, the synthetic articles, and
the command that runs one of its child processes."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODEL = "bench-model"
API_KEY = "bench-key"


def sampling() -> dict[str, Any]:
    """The sampling settings and answer bound newsbrief sends with a brief (model.call,
    BriefPolicy), so every contender sends the same request. Read, never copied."""
    from newsbrief.brief.policy import POLICY
    from newsbrief.model.call import SAMPLING

    return {**SAMPLING, "max_tokens": POLICY.brief_tokens}


def child(*args: str) -> list[str]:
    """A command running the benchmark again (bench.run), to be run from the repository
    root (ROOT), where tests.fakes imports."""
    return [sys.executable, "-m", "bench.run", *args]


def child_result(what: str, timeout: float, *args: str) -> dict[str, Any]:
    """Run `child(*args)` to its end; the JSON line it printed last. `what` names it in the
    error raised when it fails."""
    done = subprocess.run(child(*args), capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{what} child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@dataclass(frozen=True)
class Sizes:
    calls: int
    articles: int
    rounds: int  # batch repetitions per contender, alternating which goes first
    warmup: int  # untimed per-call rounds before the timed ones


FULL = Sizes(calls=150, articles=500, rounds=3, warmup=5)
QUICK = Sizes(calls=20, articles=50, rounds=1, warmup=2)
SMOKE = Sizes(calls=5, articles=20, rounds=1, warmup=1)


def draft_for(text: str) -> Any:
    """The response model newsbrief sends for this text: ids of its candidates and sentences."""
    from newsbrief.brief.drafts import draft_model
    from newsbrief.brief.policy import POLICY
    from newsbrief.text.article import ArticleText

    article = ArticleText(text)
    refs = article.figure_refs(POLICY.candidate_numbers)
    return draft_model(
        POLICY.figures_wanted(len(refs)),
        tuple(r.id for r in refs),
        tuple(r.id for r in article.sentence_refs),
        policy=POLICY,
    )


def articles(n: int) -> list[str]:
    """n distinct synthetic reports. The report number cycles (1..400): past that, "day
    1999" would read as a year, change the candidates and cost the stub's fixed answers a
    re-ask, which the bare loop never makes. A desk name in letters keeps each text unique."""
    from tests.fakes.digests import article

    def desk(i: int) -> str:
        return "".join("abcdefghijklmnopqrstuvwxyz"[int(d)] for d in str(i))

    return [f"{article(1 + i % 400)}Filed by desk {desk(i)}.\n" for i in range(n)]
