"""One model call over the briefs (never the raw articles) for the digest's cross-article view.

Citations are checked like figures: a theme citing an article id we never gave the model is
re-asked, then dropped with a warning.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import instructor
from pydantic import BaseModel, Field, ValidationInfo, model_validator

from .endpoint import Endpoint
from .extract import openai_async, translate_error
from .models import Brief, Usage
from .prompts import render
from .retry import RetryPolicy

MAX_REASKS = 1


class ThemeDraft(BaseModel):
    title: str = Field(description="a few words")
    summary: str = Field(description="one or two sentences")
    article_ids: list[str] = Field(min_length=1, description="ids like A1 of supporting articles")


class ImplicationDraft(BaseModel):
    statement: str
    actor: str = Field(description="central bank, government, regulator... or ''")
    article_ids: list[str] = Field(min_length=1)


class DiscrepancyDraft(BaseModel):
    description: str = Field(description="what the sources disagree on")
    article_ids: list[str] = Field(min_length=2)


class SynthesisDraft(BaseModel):
    headline: str = Field(description="one line for the whole briefing")
    themes: list[ThemeDraft] = Field(min_length=1, max_length=6)
    implications: list[ImplicationDraft] = Field(max_length=5)
    discrepancies: list[DiscrepancyDraft] = Field(max_length=5)

    @model_validator(mode="after")
    def _citations_known(self, info: ValidationInfo) -> SynthesisDraft:
        checker = (info.context or {}).get("checker")
        if checker is not None:
            checker(self)
        return self


def unknown_citations(draft: SynthesisDraft, known: set[str]) -> list[str]:
    problems = []
    for kind in ("themes", "implications", "discrepancies"):
        items: list[ThemeDraft | ImplicationDraft | DiscrepancyDraft] = getattr(draft, kind)
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
            if item.article_ids:
                kept.append(item)
            else:
                warnings.append(f"{kind}: dropped an item with no valid citation")
        setattr(out, kind, kept)
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
    usage: Usage
    attempts: int
    latency_s: float


@dataclass
class _State:
    known: set[str]
    allowed: int
    count: int = 0
    usage: Usage = field(default_factory=Usage)

    def on_kwargs(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1

    def on_response(self, response: Any) -> None:
        u = getattr(response, "usage", None)
        if u is not None:
            self.usage = self.usage + Usage(
                prompt_tokens=u.prompt_tokens or 0,
                completion_tokens=u.completion_tokens or 0,
                total_tokens=u.total_tokens or 0,
            )

    def check(self, draft: SynthesisDraft) -> None:
        problems = unknown_citations(draft, self.known)
        if problems and self.count < self.allowed:
            raise ValueError("Fix these problems:\n- " + "\n- ".join(problems))


async def synthesize(
    briefs: dict[str, Brief], endpoint: Endpoint, policy: RetryPolicy | None = None
) -> Synthesis:
    state = _State(known=set(briefs), allowed=MAX_REASKS + 1)
    openai_client = openai_async(endpoint, policy or RetryPolicy())
    client = instructor.from_openai(openai_client, mode=endpoint.instructor_mode)
    client.on("completion:kwargs", state.on_kwargs)
    client.on("completion:response", state.on_response)
    started = time.monotonic()
    messages = [
        {"role": "system", "content": render("digest_system")},
        {"role": "user", "content": render("digest_user", briefs=briefs_digest_input(briefs))},
    ]
    try:
        draft = await client.chat.completions.create(
            model=endpoint.model,
            messages=messages,  # type: ignore[arg-type]
            response_model=SynthesisDraft,
            max_retries=MAX_REASKS,
            context={"checker": state.check},
            temperature=0,
            seed=0,
            max_tokens=1536,
        )
    except Exception as exc:
        raise translate_error(exc, endpoint) from None
    finally:
        await openai_client.close()
    draft, warnings = keep_known(draft, state.known)
    return Synthesis(
        draft=draft,
        warnings=warnings,
        usage=state.usage,
        attempts=state.count,
        latency_s=round(time.monotonic() - started, 3),
    )
