"""Brief one piece of text: the brief prompt, the grounding re-ask, the grounded result."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .draft import BriefDraft, draft_model
from .endpoint import Endpoint
from .grounding import Grounded, candidate_numbers, figures_wanted, ground
from .llm import acall
from .models import Usage
from .prompts import render
from .retry import RetryPolicy

MAX_REASKS = 1  # a small model rarely fixes a re-asked answer; a strong one does it at once
MAX_TOKENS = 1200  # a good answer is ~400 tokens; a loop is cut early and salvaged


@dataclass
class Extraction:
    draft: BriefDraft
    grounded: Grounded
    usage: Usage
    attempts: int
    latency_s: float

    @property
    def warnings(self) -> list[str]:
        return self.grounded.warnings


def messages(text: str) -> list[dict[str, str]]:
    candidates = "; ".join(n.text for n in candidate_numbers(text))
    # Fixed instructions first: llama.cpp reuses their cached prefix from one article to the
    # next. The worked example is a prior turn: small models follow a shown answer far better
    # than a described one. No system role: with one, llama.cpp's chat parser left the JSON
    # schema unenforced for this model (measured: 9 figures where 6 were the maximum).
    return [
        {"role": "user", "content": render("brief_system") + "\n\n" + render("example_article")},
        {"role": "assistant", "content": render("example_brief")},
        {"role": "user", "content": render("brief_user", article=text, numbers=candidates)},
    ]


async def aextract(
    text: str,
    endpoint: Endpoint,
    policy: RetryPolicy | None = None,
    *,
    max_reasks: int = MAX_REASKS,
    min_figures: int | None = None,
) -> Extraction:
    started = time.monotonic()
    wanted = figures_wanted(text) if min_figures is None else min_figures
    draft, meter = await acall(
        endpoint,
        messages(text),
        draft_model(wanted),
        max_reasks=max_reasks,
        max_tokens=MAX_TOKENS,
        problems=lambda d: ground(d, text, wanted).problems,
        policy=policy,
    )
    # A re-ask can come back worse (a small model copies the example): keep the attempt
    # that grounds the most, the later one on a tie.
    attempts = [*(a for a in meter.answers if a is not draft), draft]
    scored = [(len(g.figures) + len(g.implications), i, d, g)
              for i, d in enumerate(attempts) for g in [ground(d, text, wanted)]]  # fmt: skip
    _, _, draft, grounded = max(scored, key=lambda t: (t[0], t[1]))
    return Extraction(
        draft=draft,
        grounded=grounded,
        usage=meter.usage,
        attempts=meter.count,
        latency_s=round(time.monotonic() - started, 3),
    )
