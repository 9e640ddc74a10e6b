"""What the model is asked to return: ids of what our code offers, and few words.

Our code lists the article's candidate figures (C01...) and sentences (S01...), and reads
what each number is (text.frames). The model chooses: which figures matter (ids only: the
label comes from the frame, or from one follow-up question for the figures our code cannot
name), which sentences make the summary (ids, each with an optional shorter wording), and
which implications follow (a statement, an actor, the ids of supporting sentences). The JSON
schema is sent to the endpoint, where llama.cpp turns it into a grammar: the id enums and
list bounds are enforced there, and checked again by our code (grounding) for endpoints
that do not. Bounds come from the BriefPolicy, the one place where limits live.

Answers in the shape of prompt versions before 0.3 ({id, label} figures, plain summary
strings) still parse: a label given is used where the frame cannot name the number.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field, create_model, model_validator
from pydantic.json_schema import SkipJsonSchema

from newsbrief.brief.policy import BriefPolicy
from newsbrief.model.schema import CheckedModel, bounded


class SummaryChoice(BaseModel):
    id: str = Field(description="the id of an article sentence, e.g. 'S03'")
    text: str = Field(description="that sentence, shortened to its point; same numbers")


class ImplicationDraft(BaseModel):
    statement: str = Field(description="one sentence: what this means for policy")
    actor: str = Field(description="who would act: central bank, government... or ''")
    evidence: list[str] = bounded(1, 2, description="ids of the sentences that support it")


MODALS = ("may", "could", "is likely to", "will likely")


class ActionDraft(BaseModel):
    """An implication asked for again, in parts: who acts, how likely, and what it may do.
    A small model asked for a statement copies a sentence; asked for an action in its own
    words, it writes one (our code joins the parts: "Bank of Japan could keep ...")."""

    actor: str = Field(description="who would act: central bank, government, regulator...")
    modal: str = Field(json_schema_extra={"enum": list(MODALS)})
    action: str = Field(description="what it may do next, a short verb phrase")
    evidence: list[str] = bounded(1, 2, description="ids of the sentences it follows from")

    def statement(self) -> str:
        """The parts as one sentence."""
        text = " ".join(" ".join((self.actor, self.modal, self.action)).split()).rstrip(".")
        return text[:1].upper() + text[1:] + "." if text else ""


def summary_field(policy: BriefPolicy, description: str | None = None) -> Any:
    """A list, so the endpoint's grammar enforces "2 to 4 sentences" instead of hoping for
    it; shared by every answer that writes a summary."""
    low, high = policy.min_summary_sentences, policy.max_summary_sentences
    return bounded(low, high, description=description or f"{low} to {high} sentences")


def _as_id(value: Any) -> str:
    """An id as a string: the model may answer 3 or "C03" where "C03" belongs."""
    return value.strip() if isinstance(value, str) else str(value)


class BriefDraft(CheckedModel):
    """The brief answer's shape; what is sent is draft_model's, bounded by a BriefPolicy."""

    # Figures first: the summary is chosen after the figures it may state.
    key_figures: list[str]
    summary: list[SummaryChoice]
    policy_implications: list[ImplicationDraft]
    # Labels an answer gave anyway (the older {id, label} shape): never asked for.
    given_labels: SkipJsonSchema[dict[str, str]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _read_any_shape(cls, data: Any) -> Any:
        """One odd item costs that item, never the answer: a figure may come as an id, a
        number or an {id, label} object; a summary item as {id, text} or a bare sentence
        (grounding then finds the sentence it rests on)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name in ("key_figures", "summary", "policy_implications"):
            data.setdefault(name, [])
        figures = data.get("key_figures")
        if isinstance(figures, list):
            ids: list[str] = []
            labels: dict[str, str] = {}
            for item in figures:
                if isinstance(item, dict):
                    fid = _as_id(item.get("id", ""))
                    label = item.get("label")
                    if isinstance(label, str) and label.strip():
                        labels.setdefault(fid, label)
                    ids.append(fid)
                elif isinstance(item, (str, int, float)):
                    ids.append(_as_id(item))
            data["key_figures"] = ids
            data["given_labels"] = labels
        summary = data.get("summary")
        if isinstance(summary, str):
            summary = [summary]
        if isinstance(summary, list):
            data["summary"] = [
                {"id": "", "text": item}
                if isinstance(item, str)
                else {"id": _as_id(item.get("id", "")), "text": str(item.get("text") or "")}
                for item in summary
                if isinstance(item, (str, dict))
            ]
        implications = data.get("policy_implications")
        if isinstance(implications, list):
            data["policy_implications"] = [
                {**item, "evidence": [_as_id(e) for e in item.get("evidence") or []]}
                if isinstance(item.get("evidence"), list)
                else item
                for item in implications
                if isinstance(item, dict)
            ]
        return data


def _ids_enum(ids: tuple[str, ...], fallback: str) -> list[str]:
    return list(ids or (fallback,))


@lru_cache(maxsize=64)
def draft_model(
    min_figures: int,
    figure_ids: tuple[str, ...],
    sentence_ids: tuple[str, ...],
    min_implications: int = 0,
    *,
    policy: BriefPolicy,
) -> type[BriefDraft]:
    """BriefDraft for one article's shape: ids restricted to those that exist, at least
    min_figures figures (a small model stops early; minItems makes it keep choosing) and at
    least min_implications implications (an article with a policy angle), at most what
    `policy` allows.

    Built once per shape (ids are C01..Cn and S01..Sm, so the counts fix them).
    """
    summary_item = create_model(
        "SummaryChoice",
        __base__=SummaryChoice,
        id=(
            str,
            Field(
                json_schema_extra={"enum": list(_ids_enum(sentence_ids, "S00"))},
                description=SummaryChoice.model_fields["id"].description,
            ),
        ),
    )
    implication = create_model(
        "ImplicationDraft",
        __base__=ImplicationDraft,
        evidence=_evidence_field(_ids_enum(sentence_ids, "S00")),
    )
    most = policy.max_figures if figure_ids else 0
    most_implications = policy.max_implications if sentence_ids else 0
    return create_model(
        "BriefDraft",
        __base__=BriefDraft,
        key_figures=(
            list[str],
            bounded(
                min(min_figures, most),
                most,
                item_enum=_ids_enum(figure_ids, "C00"),
                description="ids of the most important numbers, each a different id",
            ),
        ),
        summary=(
            list[summary_item],  # type: ignore[valid-type]
            summary_field(policy, "sentence ids, each with its shorter wording"),
        ),
        policy_implications=(
            list[implication],  # type: ignore[valid-type]
            bounded(min(min_implications, most_implications), most_implications),
        ),
    )


IMPLICATION_FIELD = "policy_implication"  # the follow-up's one implication, when asked


def _evidence_field(ids: Iterable[str]) -> Any:
    """An implication's evidence: one or two of these sentence ids (same description in
    the brief and the follow-up schema)."""
    description = ImplicationDraft.model_fields["evidence"].description
    return (list[str], bounded(1, 2, description=description, item_enum=list(ids)))


@lru_cache(maxsize=256)
def follow_up_model(
    questions: tuple[tuple[str, tuple[str, ...]], ...], sentence_ids: tuple[str, ...] = ()
) -> type[CheckedModel]:
    """The follow-up answer: one property per figure id our code could not name alone, an
    enum of the names our code found where the sentence leaves the subject open, else a
    short label; and, when `sentence_ids` are given (a policy-angle article whose answer
    kept no implication), one implication citing those sentences."""
    fields: dict[str, Any] = {}
    required: list[Any] = []  # the grammar asks for every one
    if sentence_ids:
        # First: written after the labels, a small model wrote its implication into the
        # last label. Optional for our parser (a missing one costs the implication alone),
        # required and never null in the schema the grammar enforces.
        implication = create_model(
            "FollowUpImplication", __base__=ActionDraft, evidence=_evidence_field(sentence_ids)
        )
        fields[IMPLICATION_FIELD] = (implication | None, Field(None))
        required.append(IMPLICATION_FIELD)
    for fid, options in questions:
        extra: dict[str, Any] = {"enum": list(options)} if options else {"maxLength": 80}
        # A default: one missing answer costs that figure's label, never the others'.
        fields[fid] = (str, Field("", json_schema_extra=extra, description=f"what {fid} measures"))
        required.append(fid)

    def _schema(schema: dict[str, Any]) -> None:
        schema["required"] = required
        prop = schema.get("properties", {}).get(IMPLICATION_FIELD)
        if prop and "anyOf" in prop:
            schema["properties"][IMPLICATION_FIELD] = next(
                a for a in prop["anyOf"] if a.get("type") != "null"
            )

    model = create_model("FollowUp", __base__=CheckedModel, **fields)
    model.model_config["json_schema_extra"] = _schema
    model.model_rebuild(force=True)
    return model
