"""Brief one piece of text: the brief prompt, the re-ask, the focused label questions, the
grounded result."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from pydantic import Field

from newsbrief.brief.drafts import BriefDraft, draft_model
from newsbrief.brief.grounding import Grounded, Mislabel, ground
from newsbrief.brief.labels import label_problem
from newsbrief.brief.policy import POLICY, BriefPolicy
from newsbrief.errors import NewsbriefError
from newsbrief.model.client import Ask, Spent, acall
from newsbrief.model.embedded import warm_prefix
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.prompts import prompt_version, render
from newsbrief.model.replay import Pending
from newsbrief.model.schema import CheckedModel
from newsbrief.model.transport import RetryPolicy
from newsbrief.text import align
from newsbrief.text.article import ArticleText


@dataclass
class Extraction:
    grounded: Grounded
    spent: Spent

    @property
    def warnings(self) -> list[str]:
        return self.grounded.warnings


class LabelAnswer(CheckedModel):
    label: str = Field(description="what the number measures: subject, measure, period")


def messages(article: ArticleText, policy: BriefPolicy = POLICY) -> list[dict[str, str]]:
    """The brief request: fixed instructions and worked example, then the marked article."""
    return [
        *_fixed_turns(policy),
        {
            "role": "user",
            "content": render("brief_user", article=article.marked(policy.candidate_numbers)),
        },
    ]


def prefix_messages(policy: BriefPolicy = POLICY) -> list[dict[str, str]]:
    """The part of every brief request that no article changes (an empty article): what
    the embedded server keeps in its KV cache, across processes (model.embedded)."""
    return [*_fixed_turns(policy), {"role": "user", "content": render("brief_user", article="")}]


def _fixed_turns(policy: BriefPolicy) -> list[dict[str, str]]:
    limits = {
        "min_figures": policy.min_figures,
        "max_figures": policy.max_figures,
        "min_sentences": policy.min_summary_sentences,
        "max_sentences": policy.max_summary_sentences,
        "max_implications": policy.max_implications,
    }
    # Fixed instructions first: llama.cpp reuses their cached prefix from one article to the
    # next. The worked example is a prior turn: small models follow a shown answer far better
    # than a described one. No system role: the fixed part stays one user turn.
    return [
        {
            "role": "user",
            "content": render("brief_system", **limits) + "\n\n" + render("example_article"),
        },
        {"role": "assistant", "content": render("example_brief")},
    ]


def relabel_messages(article: ArticleText, doubt: Mislabel) -> list[dict[str, str]]:
    """The focused question: the figure's passage and its number only."""
    figure = doubt.figure
    problem = f"A first answer, {figure.label!r}, was wrong: {doubt.problem.split(': ', 1)[-1]}."
    # The sentence before too: "That's a 25% gain" names its subject one sentence earlier.
    start = align.sentence_bounds(article.text, max(0, figure.start - 2))[0]
    if start >= figure.start:
        start = align.sentence_bounds(article.text, max(0, start - 2))[0]
    passage = article.text[min(start, figure.start) : figure.end]
    return [
        {
            "role": "user",
            "content": render(
                "relabel", passage=passage, number=figure.number_text, problem=problem
            ),
        }
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


async def _relabel(
    article: ArticleText,
    grounded: Grounded,
    endpoint: Endpoint,
    retry: RetryPolicy | None,
    policy: BriefPolicy,
    ask: Ask,
) -> Spent:
    """Ask once more about each figure whose label contradicts its clause; keep the new label
    if it passes the same checks, else drop the figure with a warning."""
    spent = Spent()
    pending: list[Pending] = []
    for doubt in grounded.mislabelled:
        figure = doubt.figure
        try:
            answer, meter = await ask(
                endpoint,
                relabel_messages(article, doubt),
                LabelAnswer,
                max_reasks=0,
                max_tokens=policy.relabel_tokens,
                policy=retry,
            )
            spent = spent + meter.spent()
            label = " ".join(answer.label.split())
            problem = label_problem(label, article, doubt.number) if label else "empty"
        except Pending as waiting:  # a batch run: every question goes into the same round
            pending.append(waiting)
            continue
        except NewsbriefError as exc:
            label, problem = "", f"the label could not be checked ({exc})"
        index = grounded.figures.index(figure)
        if problem is None:
            grounded.figures[index] = figure.model_copy(update={"label": label})
            grounded.notes.append(
                f"relabelled {figure.number_text}: {figure.label!r} became {label!r}"
            )
        else:
            del grounded.figures[index]
            grounded.notes.append(f"dropped {figure.number_text}: {doubt.problem}")
    if pending:
        raise Pending.joined(pending)
    grounded.mislabelled = []
    return spent


async def aextract(
    article: ArticleText,
    endpoint: Endpoint,
    retry: RetryPolicy | None = None,
    *,
    max_reasks: int = POLICY.max_reasks,
    min_figures: int | None = None,
    policy: BriefPolicy = POLICY,
    ask: Ask = acall,
) -> Extraction:
    refs = article.figure_refs(policy.candidate_numbers)
    wanted = policy.figures_wanted(len(refs)) if min_figures is None else min_figures
    model = draft_model(
        min(wanted, len(refs)),
        tuple(r.id for r in refs),
        tuple(r.id for r in article.sentence_refs),
    )
    grounded = _Checker(article, wanted, policy)
    if endpoint.embedded and endpoint.base_url:
        # Before every brief request (each chunk's too): a label question or a combining
        # call since the last one replaced the slot's cached prefix.
        fixed = prefix_messages(policy)
        await asyncio.to_thread(warm_prefix, endpoint.base_url, fixed, prompt_version())
    draft, meter = await ask(
        endpoint,
        messages(article, policy),
        model,
        max_reasks=max_reasks,
        max_tokens=policy.brief_tokens,
        problems=lambda d: grounded(d).problems,
        policy=retry,
    )
    # A re-ask can come back worse (a small model copies the example): keep the attempt
    # that grounds the most, the later one on a tie.
    attempts = [*(a for a in meter.answers if a is not draft), draft]
    best = max(enumerate(attempts), key=lambda t: (grounded(t[1]).score, t[0]))[1]
    result = grounded(best)
    spent = meter.spent() + await _relabel(article, result, endpoint, retry, policy, ask)
    return Extraction(grounded=result, spent=spent)
