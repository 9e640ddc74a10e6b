"""The Brief: the public, self-checking JSON contract.

A Brief re-verifies its own spans and values whenever it is built or loaded, so a
Brief that exists is a Brief whose every figure and quote points at its source text.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from newsbrief.errors import ModelOutputError
from newsbrief.text.numbers import parse_number

# 2: summary_sentences, figures' label_from; version 1 still loads. Typed notes were added
# beside the warnings without a new version: the field is optional (absent in older briefs)
# and the version rides every model request and cassette, which notes do not change.
SCHEMA_VERSION = "2"

Grounding = Literal["exact", "aligned"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Strict):
    id: str = Field(description="sha256 of text")
    title: str
    text: str = Field(description="the exact plain text summarized; every offset indexes it")

    @classmethod
    def from_text(cls, text: str, title: str | None = None) -> Source:
        return cls(id=text_id(text), title=title or first_line(text), text=text)


class Span(_Strict):
    quote: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end <= self.start:
            raise ValueError(f"span end {self.end} must be after its start {self.start}")
        return self


class KeyFigure(Span):
    label: str
    number_text: str
    value: float = Field(allow_inf_nan=False)
    unit: str = ""
    grounding: Grounding
    # Who named it: our frame of the sentence, the model's words (checked), or our frame
    # repairing a label that failed a check. None in version 1 briefs.
    label_from: Literal["frame", "model", "repaired"] | None = None
    # Who chose it: the model among the offered numbers, or our salience ranking filling
    # the places the model left (text.salience). "model" in briefs written before.
    chosen_by: Literal["model", "ranking"] = "model"


class Evidence(Span):
    pass


class SummarySentence(_Strict):
    """One summary sentence and the source sentences it rests on. `source`: the article's
    own sentence (cut to a clause if long), its text equal to its one span; `written`: the
    model's shorter wording, kept because every number in it is stated by its spans."""

    text: str = Field(min_length=1)
    origin: Literal["written", "source"]
    spans: list[Span] = Field(min_length=1)


NoteKind = Literal[
    "reader",  # a sentence about the article, for its readers
    "figure_dropped",  # a figure the checks left out
    "label_repaired",  # a label our code wrote after the model's failed a check
    "summary_fixed",  # a summary sentence replaced by its source sentence, or added
    "summary_dropped",  # a summary sentence left out (a repeat, a heading, unsupported)
    "implication_dropped",  # an implication left out (unsupported, a repeat)
    "trimmed",  # a list cut to its limit, a short answer filled by our ranking
    "citation_removed",  # a synthesis citation a brief does not support
    "item_dropped",  # a synthesis item (theme, implication, discrepancy, headline) dropped
    "process",  # how the work ran (a cache write, a failed follow-up call)
]


class Note(_Strict):
    """One thing a check decided, typed where it decided it. A `reader` note's text is a
    sentence about the article, shown on the page; every other kind is a repair whose text
    is the log line (JSON and -v), shown to readers only as a count (render.notes)."""

    kind: NoteKind
    text: str = Field(min_length=1)


class PolicyImplication(_Strict):
    statement: str
    actor: str = ""
    evidence: Evidence


class Usage(_Strict):
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    total_tokens: int = Field(default=0, ge=0)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class Provenance(_Strict):
    model: str
    endpoint: Literal["embedded", "openai-compatible"]
    mode: str
    prompt_version: str
    schema_version: str = SCHEMA_VERSION
    usage: Usage = Field(default_factory=Usage)
    attempts: int = 0
    latency_s: float = 0.0


class Brief(_Strict):
    source: Source
    summary: str
    summary_sentences: list[SummarySentence] = Field(default_factory=list)
    key_figures: list[KeyFigure] = Field(default_factory=list)
    policy_implications: list[PolicyImplication] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)  # every note's text, in order
    notes: list[Note] = Field(default_factory=list)  # the same, typed; absent in older briefs
    provenance: Provenance

    @model_validator(mode="after")
    def _every_span_points_at_the_source(self) -> Brief:
        text = self.source.text
        if text_id(text) != self.source.id:
            raise ValueError("source.id is not the sha256 of source.text")
        spans: list[tuple[str, Span]] = [(f"key figure {f.label!r}", f) for f in self.key_figures]
        spans += [(f"evidence for {p.statement!r}", p.evidence) for p in self.policy_implications]
        for sentence in self.summary_sentences:
            spans += [(f"summary sentence {sentence.text!r}", span) for span in sentence.spans]
            if sentence.origin == "source" and sentence.text != sentence.spans[0].quote:
                raise ValueError(f"summary sentence {sentence.text!r} is not its source span")
        for what, span in spans:
            if span.end > len(text) or text[span.start : span.end] != span.quote:
                raise ValueError(f"{what}: text[{span.start}:{span.end}] != quote")
        for figure in self.key_figures:
            if figure.number_text not in figure.quote:
                raise ValueError(f"key figure {figure.label!r}: number_text not in its quote")
            value, unit = parse_number(figure.number_text)
            if value != figure.value or unit != figure.unit:
                raise ValueError(
                    f"key figure {figure.label!r}: value/unit is not the parse of number_text"
                )
        return self


def text_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_line(text: str, limit: int = 200) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""


def reloadable(brief: Brief) -> Brief:
    """The brief as it will be written and read back: what cannot be written (a character no
    encoder takes) or read back is an error for this brief alone, raised as ModelOutputError
    so a digest lists it and goes on."""
    try:
        return Brief.model_validate_json(brief.model_dump_json())
    except (ValueError, UnicodeError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise ModelOutputError(f"the brief could not be written and read back: {detail}") from None
