"""What the model is asked to return: quotes and words only, never offsets or values.

The JSON schema of BriefDraft is sent to the endpoint (llama.cpp turns it into a grammar),
so field descriptions are instructions too. Keep them short and concrete. Bounds come from
the BriefPolicy, the one place where limits live.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field, create_model

from newsbrief.brief.policy import POLICY
from newsbrief.model.schema import CheckedModel, bounded

# Sent to the endpoint's grammar (where it is enforced, a small model cannot propose
# "Sanae Takaichi" as a figure) but not enforced here: one bad item must not fail a whole
# answer, and grounding drops it by name anyway. Our own parser decides every value.
QUOTE_PATTERN = r"^.*[0-9].*$"
NUMBER_PATTERN = r"^[^0-9]{0,4}[0-9][0-9,.]*( ?[A-Za-z%]+){0,3}$"


class FigureDraft(BaseModel):
    label: str = Field(description="what the number measures, e.g. 'Nikkei 225 close'")
    quote: str = Field(
        json_schema_extra={"pattern": QUOTE_PATTERN},
        description="a short phrase of the article containing the number, copied exactly",
    )
    number_text: str = Field(
        json_schema_extra={"pattern": NUMBER_PATTERN},
        description="the number exactly as written in the quote, e.g. '57,890', '$4.9 trillion'",
    )


class ImplicationDraft(BaseModel):
    statement: str = Field(description="one sentence: what this means for policy")
    actor: str = Field(description="who would act: central bank, government... or ''")
    evidence: str = Field(
        description="a short phrase of the article that supports it, copied exactly"
    )


def summary_field() -> Any:
    """A list, so the endpoint's grammar enforces "2 to 4 sentences" instead of hoping for it;
    shared by every answer that writes a summary."""
    low, high = POLICY.min_summary_sentences, POLICY.max_summary_sentences
    return bounded(low, high, description=f"{low} to {high} sentences")


class BriefDraft(CheckedModel):
    summary: list[str] = summary_field()
    key_figures: list[FigureDraft] = bounded(max_items=POLICY.max_figures)
    policy_implications: list[ImplicationDraft] = bounded(max_items=POLICY.max_implications)


@lru_cache(maxsize=8)
def draft_model(min_figures: int) -> type[BriefDraft]:
    """BriefDraft whose schema demands at least min_figures figures.

    A small model stops early; a minItems in the grammar makes it keep proposing, and
    grounding drops whatever it proposes that the article does not state.
    """
    if min_figures <= 0:
        return BriefDraft
    figures = (list[FigureDraft], bounded(min_figures, POLICY.max_figures))
    return create_model("BriefDraft", __base__=BriefDraft, key_figures=figures)
