"""Brief one piece of text: the brief prompt, the grounding re-ask, the grounded result."""

from __future__ import annotations

from dataclasses import dataclass

from newsbrief.brief.drafts import BriefDraft, draft_model
from newsbrief.brief.grounding import Grounded, ground
from newsbrief.brief.policy import POLICY, BriefPolicy
from newsbrief.model.client import Spent, acall
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.prompts import render
from newsbrief.model.transport import RetryPolicy
from newsbrief.text.article import ArticleText


@dataclass
class Extraction:
    grounded: Grounded
    spent: Spent

    @property
    def warnings(self) -> list[str]:
        return self.grounded.warnings


def messages(article: ArticleText, policy: BriefPolicy = POLICY) -> list[dict[str, str]]:
    candidates = "; ".join(n.text for n in article.candidates(policy.candidate_numbers))
    limits = {
        "min_figures": policy.min_figures,
        "max_figures": policy.max_figures,
        "min_sentences": policy.min_summary_sentences,
        "max_sentences": policy.max_summary_sentences,
        "max_implications": policy.max_implications,
    }
    # Fixed instructions first: llama.cpp reuses their cached prefix from one article to the
    # next. The worked example is a prior turn: small models follow a shown answer far better
    # than a described one. No system role: with one, llama.cpp's chat parser left the JSON
    # schema unenforced for this model (measured: 9 figures where 6 were the maximum).
    return [
        {
            "role": "user",
            "content": render("brief_system", **limits) + "\n\n" + render("example_article"),
        },
        {"role": "assistant", "content": render("example_brief")},
        {"role": "user", "content": render("brief_user", article=article.text, numbers=candidates)},
    ]


class _Checker:
    """Grounds each answer once: the re-ask check and the best-attempt choice share it."""

    def __init__(self, article: ArticleText, wanted: int, policy: BriefPolicy) -> None:
        self.article, self.wanted, self.policy = article, wanted, policy
        self._done: dict[int, tuple[BriefDraft, Grounded]] = {}

    def __call__(self, draft: BriefDraft) -> Grounded:
        hit = self._done.get(id(draft))
        if hit is None or hit[0] is not draft:
            hit = (draft, ground(draft, self.article, self.wanted, self.policy))
            self._done[id(draft)] = hit
        return hit[1]


async def aextract(
    article: ArticleText,
    endpoint: Endpoint,
    retry: RetryPolicy | None = None,
    *,
    max_reasks: int = POLICY.max_reasks,
    min_figures: int | None = None,
    policy: BriefPolicy = POLICY,
) -> Extraction:
    wanted = policy.figures_wanted(article.distinct_numbers) if min_figures is None else min_figures
    grounded = _Checker(article, wanted, policy)
    draft, meter = await acall(
        endpoint,
        messages(article, policy),
        draft_model(wanted),
        max_reasks=max_reasks,
        max_tokens=policy.brief_tokens,
        problems=lambda d: grounded(d).problems,
        policy=retry,
    )
    # A re-ask can come back worse (a small model copies the example): keep the attempt
    # that grounds the most, the later one on a tie.
    attempts = [*(a for a in meter.answers if a is not draft), draft]
    best = max(enumerate(attempts), key=lambda t: (grounded(t[1]).score, t[0]))[1]
    return Extraction(grounded=grounded(best), spent=meter.spent())
