"""What the model is asked to return: ids of our candidates and the words it chooses.

Our code lists the article's candidate figures (C01...) and sentences (S01...); the model
answers with ids and labels, never with quotes or numbers, so a figure cannot point at text
the article lacks and copying (most of the old output) costs nothing. The JSON schema is
sent to the endpoint, where llama.cpp turns it into a grammar: the id enums and list bounds
are enforced there, and checked again by our code (grounding) for endpoints that do not.
Bounds come from the BriefPolicy, the one place where limits live.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from newsbrief.brief.policy import POLICY
from newsbrief.model.schema import CheckedModel, bounded


class FigureChoice(BaseModel):
    # "id": 1 is read as "1", an unknown id that grounding drops: one item, not the answer.
    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str = Field(description="the id of the number, e.g. 'C03'")
    label: str = Field(
        description="what the number measures: subject, measure and period, "
        "e.g. 'Nikkei 225 daily gain', 'Acme 2025 profit goal'"
    )


class ImplicationDraft(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True)  # as FigureChoice

    statement: str = Field(description="one sentence: what this means for policy")
    actor: str = Field(description="who would act: central bank, government... or ''")
    evidence: list[str] = bounded(1, 2, description="ids of the sentences that support it")


def summary_field() -> Any:
    """A list, so the endpoint's grammar enforces "2 to 4 sentences" instead of hoping for it;
    shared by every answer that writes a summary."""
    low, high = POLICY.min_summary_sentences, POLICY.max_summary_sentences
    return bounded(low, high, description=f"{low} to {high} sentences")


class BriefDraft(CheckedModel):
    # Figures first: the summary is written after the figures it may cite are chosen.
    key_figures: list[FigureChoice] = bounded(max_items=POLICY.max_figures)
    summary: list[str] = summary_field()
    policy_implications: list[ImplicationDraft] = bounded(max_items=POLICY.max_implications)


def _enum(field: Any, ids: tuple[str, ...]) -> Any:
    """The field with its allowed values advertised (the endpoint's grammar enforces them);
    not validated here: one unknown id drops one item (grounding), never a whole answer."""
    return Field(json_schema_extra={"enum": list(ids)}, description=field.description)


@lru_cache(maxsize=64)
def draft_model(
    min_figures: int, figure_ids: tuple[str, ...], sentence_ids: tuple[str, ...]
) -> type[BriefDraft]:
    """BriefDraft for one article's shape: ids restricted to those that exist, and at least
    min_figures figures (a small model stops early; minItems makes it keep choosing).

    Built once per shape (ids are C01..Cn and S01..Sm, so the counts fix them).
    """
    figure = create_model(
        "FigureChoice",
        __base__=FigureChoice,
        id=(str, _enum(FigureChoice.model_fields["id"], figure_ids or ("C00",))),
    )
    evidence = ImplicationDraft.model_fields["evidence"]
    implication = create_model(
        "ImplicationDraft",
        __base__=ImplicationDraft,
        evidence=(
            list[str],
            bounded(
                1, 2, description=evidence.description, item_enum=list(sentence_ids or ("S00",))
            ),
        ),
    )
    most = POLICY.max_figures if figure_ids else 0
    return create_model(
        "BriefDraft",
        __base__=BriefDraft,
        key_figures=(list[figure], bounded(min(min_figures, most), most)),  # type: ignore[valid-type]
        policy_implications=(
            list[implication],  # type: ignore[valid-type]
            bounded(max_items=POLICY.max_implications if sentence_ids else 0),
        ),
    )
