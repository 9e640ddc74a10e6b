"""One model call over the briefs (never the raw articles) for the digest's cross-article view.

Citations are checked like figures: a theme citing an article id we never gave the model is
re-asked, then dropped with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from newsbrief.brief.policy import POLICY
from newsbrief.contract import Brief
from newsbrief.model.client import Spent, acall
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.prompts import render
from newsbrief.model.schema import CheckedModel, bounded
from newsbrief.model.transport import RetryPolicy

MAX_THEMES = POLICY.max_themes
MAX_ITEMS = POLICY.max_digest_items


class ThemeDraft(BaseModel):
    title: str = Field(description="a few words")
    summary: str = Field(description="one or two sentences")
    article_ids: list[str] = bounded(1, description="ids like A1 of supporting articles")


class CrossImplicationDraft(BaseModel):
    statement: str = Field()
    actor: str = Field(description="central bank, government, regulator... or ''")
    article_ids: list[str] = bounded(1)


class DiscrepancyDraft(BaseModel):
    description: str = Field(description="what the sources disagree on")
    article_ids: list[str] = bounded(2)


class SynthesisDraft(CheckedModel):
    headline: str = Field(description="one line for the whole briefing")
    themes: list[ThemeDraft] = bounded(1, MAX_THEMES)
    implications: list[CrossImplicationDraft] = bounded(max_items=MAX_ITEMS)
    discrepancies: list[DiscrepancyDraft] = bounded(max_items=MAX_ITEMS)


def unknown_citations(draft: SynthesisDraft, known: set[str]) -> list[str]:
    problems = []
    for kind in ("themes", "implications", "discrepancies"):
        items: list[ThemeDraft | CrossImplicationDraft | DiscrepancyDraft] = getattr(draft, kind)
        for i, item in enumerate(items):
            bad = [a for a in item.article_ids if a not in known]
            if bad:
                problems.append(
                    f"{kind}[{i}] cites unknown article ids {bad}; use only {sorted(known)}"
                )
    return problems


def keep_known(draft: SynthesisDraft, known: set[str]) -> tuple[SynthesisDraft, list[str]]:
    """Strip unknown ids; drop items left with no valid citation. Returns warnings."""
    warnings = []
    out = draft.model_copy(deep=True)
    for kind in ("themes", "implications", "discrepancies"):
        kept = []
        for item in getattr(out, kind):
            bad = [a for a in item.article_ids if a not in known]
            item.article_ids = [a for a in item.article_ids if a in known]
            if bad:
                warnings.append(f"{kind}: removed citation of unknown article ids {bad}")
            needed = 2 if kind == "discrepancies" else 1
            if len(item.article_ids) >= needed:
                kept.append(item)
            else:
                warnings.append(
                    f"{kind}: dropped an item citing fewer than {needed} known articles"
                )
        limit = MAX_THEMES if kind == "themes" else MAX_ITEMS
        if len(kept) > limit:
            warnings.append(f"{kind}: kept the first {limit} of {len(kept)}")
        setattr(out, kind, kept[:limit])
    return out, warnings


def briefs_digest_input(briefs: dict[str, Brief]) -> str:
    blocks = []
    for article_id, b in briefs.items():
        figures = "; ".join(f"{f.label}: {f.number_text}" for f in b.key_figures)
        implications = "; ".join(p.statement for p in b.policy_implications)
        blocks.append(
            f"[{article_id}] {b.source.title}\nSummary: {b.summary}\n"
            f"Figures: {figures or 'none'}\nPolicy: {implications or 'none'}"
        )
    return "\n\n".join(blocks)


@dataclass
class Synthesis:
    draft: SynthesisDraft
    warnings: list[str]
    spent: Spent


async def synthesize(
    briefs: dict[str, Brief], endpoint: Endpoint, policy: RetryPolicy | None = None
) -> Synthesis:
    known = set(briefs)
    prompt = render("digest_system", max_themes=MAX_THEMES, max_items=MAX_ITEMS) + "\n\n"
    prompt += render("digest_user", briefs=briefs_digest_input(briefs))
    messages = [{"role": "user", "content": prompt}]  # no system role: see extract.messages
    draft, meter = await acall(
        endpoint,
        messages,
        SynthesisDraft,
        max_reasks=POLICY.synthesis_reasks,
        max_tokens=POLICY.synthesis_tokens,
        problems=lambda d: unknown_citations(d, known),
        policy=policy,
    )
    draft, warnings = keep_known(draft, known)
    return Synthesis(draft=draft, warnings=warnings, spent=meter.spent())
