"""What the model is asked to return: quotes and words only, never offsets or values.

The JSON schema of BriefDraft is sent to the endpoint (llama.cpp turns it into a grammar),
so field descriptions are instructions too. Keep them short and concrete.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, ValidationInfo, model_validator

MAX_FIGURES = 10
MAX_IMPLICATIONS = 5

_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


class FigureDraft(BaseModel):
    label: str = Field(description="what the number measures, e.g. 'Nikkei 225 close'")
    quote: str = Field(description="the sentence of the article stating the number, copied exactly")
    number_text: str = Field(
        description="the number exactly as written in the quote, e.g. '57,890', '$4.9 trillion'"
    )


class ImplicationDraft(BaseModel):
    statement: str = Field(description="one sentence: what this means for policy")
    actor: str = Field(description="who would act: central bank, government, regulator... or ''")
    evidence: str = Field(
        description="the sentence of the article that supports it, copied exactly"
    )


class BriefDraft(BaseModel):
    summary: str = Field(description="2 to 4 sentences")
    key_figures: list[FigureDraft] = Field(max_length=MAX_FIGURES)
    policy_implications: list[ImplicationDraft] = Field(max_length=MAX_IMPLICATIONS)

    @model_validator(mode="after")
    def _grounded_or_reask(self, info: ValidationInfo) -> BriefDraft:
        """Raising here makes instructor re-ask with our message; on the last attempt we
        accept, and the caller drops what is still ungrounded with a warning."""
        checker = (info.context or {}).get("checker")
        if checker is not None:
            checker(self)
        return self


def sentence_count(text: str) -> int:
    return len(_SENTENCE_END.findall(text.strip() + " ")) or (1 if text.strip() else 0)
