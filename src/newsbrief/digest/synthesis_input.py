"""What the synthesis call is given: the briefs as text, and no more of them than the
endpoint's context window holds.

A digest of thousands of articles made a 1.19 MB synthesis prompt that no model could read.
Now the prompt is measured (`Endpoint.count_tokens`: the embedded model's own tokenizer, else
1 token per 3 characters) against the context window less what the answer and one re-ask
need (`BriefPolicy.synthesis_reserved_tokens`). When every brief fits, the prompt is exactly
what it always was. When not, the stories are taken in the lead's order (digest.lead: sources,
articles, a key number, a policy angle, recency), each with its briefs, until the next brief
would not fit; the synthesis then cites only those, and a reader note says how many stories
the overview covers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from newsbrief.brief.policy import BriefPolicy
from newsbrief.contract import Brief, Note
from newsbrief.digest.contract import OwnTexts, StoryIndex
from newsbrief.errors import NewsbriefError
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.prompts import render

CHAT_TOKENS = 16  # what the chat template adds around the one user message


def brief_block(article_id: str, brief: Brief) -> str:
    """One brief as the synthesis reads it: id, title, summary, figures, implications."""
    figures = "; ".join(f"{f.label}: {f.number_text}" for f in brief.key_figures)
    implications = "; ".join(p.statement for p in brief.policy_implications)
    return (
        f"[{article_id}] {brief.source.title}\nSummary: {brief.summary}\n"
        f"Figures: {figures or 'none'}\nPolicy: {implications or 'none'}"
    )


def prompt_of(briefs: dict[str, Brief], policy: BriefPolicy) -> str:
    """The synthesis prompt over these briefs, in their order."""
    limits = {"max_themes": policy.max_themes, "max_items": policy.max_digest_items}
    blocks = "\n\n".join(brief_block(a, b) for a, b in briefs.items())
    return render("digest_system", **limits) + "\n\n" + render("digest_user", briefs=blocks)


@dataclass
class Fitted:
    """The briefs the synthesis is given (digest order), and the note saying so when they
    are not all of them."""

    briefs: dict[str, Brief]
    note: Note | None = None


async def _tokens(endpoint: Endpoint, text: str) -> int:
    if endpoint.profile.local:  # a request to the local server's tokenizer
        return await asyncio.to_thread(endpoint.count_tokens, text)
    return endpoint.count_tokens(text)


async def _fits(endpoint: Endpoint, text: str, budget: int) -> bool:
    """The prompt fits the budget: surely when its UTF-8 bytes do (a token is at least one
    byte), which asks no tokenizer (and so sends nothing a recorded run did not), else by
    the endpoint's count."""
    if len(text.encode("utf-8", "surrogatepass")) + CHAT_TOKENS <= budget:
        return True
    return await _tokens(endpoint, text) + CHAT_TOKENS <= budget


def _story_order(
    briefs: dict[str, Brief], index: StoryIndex, own: OwnTexts | None
) -> list[Sequence[str]]:
    """Article ids grouped by story, the lead's best story first; briefs in no story of
    the index come after, one by one, in digest order."""
    from newsbrief.digest.lead import rank_stories  # the ranking: only when over budget

    ranked = rank_stories(index.stories, briefs, own.texts if own else None)
    groups: list[Sequence[str]] = [
        [a for a in story.article_ids if a in briefs] for _, _, story in ranked
    ]
    placed = {a for group in groups for a in group}
    groups += [[a] for a in briefs if a not in placed]
    return groups


async def fit(
    briefs: dict[str, Brief],
    endpoint: Endpoint,
    policy: BriefPolicy,
    index: StoryIndex,
    own: OwnTexts | None = None,
) -> Fitted:
    """The briefs whose synthesis prompt fits the endpoint's context window: all of them
    when they fit, else the leading stories' (see the module's docstring).

    Args:
        briefs: the digest's briefs by article id, in digest order.
        endpoint: whose context window and tokenizer count.
        policy: the answer and re-ask sizes kept free.
        index: the stories (digest.stories.story_index), ranked as the lead ranks them.
        own: the articles' own texts, for the ranking's policy angle (None: as briefed).

    Raises:
        NewsbriefError: not even one brief fits beside the instructions.
    """
    budget = endpoint.context_tokens() - policy.synthesis_reserved_tokens()
    if await _fits(endpoint, prompt_of(briefs, policy), budget):
        return Fitted(briefs)
    used = await _tokens(endpoint, prompt_of({}, policy)) + CHAT_TOKENS
    groups = _story_order(briefs, index, own)
    chosen: list[str] = []
    for group in groups:
        for aid in group:
            cost = await _tokens(endpoint, brief_block(aid, briefs[aid]) + "\n\n")
            if used + cost > budget:
                break
            chosen.append(aid)
            used += cost
        else:
            continue
        break
    # The blocks were counted one by one: the whole prompt is counted once more, and briefs
    # leave from the end until it fits (a tokenizer may join text across blocks differently).
    kept: dict[str, Brief] = {}
    while chosen:
        keep = set(chosen)
        kept = {a: b for a, b in briefs.items() if a in keep}
        if await _fits(endpoint, prompt_of(kept, policy), budget):
            break
        chosen.pop()
    if not chosen:
        raise NewsbriefError(
            f"not one brief fits the synthesis prompt in the {endpoint.context_tokens()}-token "
            "context window"
        )
    covered = sum(1 for group in groups if any(a in kept for a in group))
    said = (
        f"The overview covers the {covered} leading stories of {len(groups)} ({len(kept)} of "
        f"{len(briefs)} articles): the rest would not fit the model's context window."
    )
    return Fitted(kept, Note(kind="reader", text=said))
