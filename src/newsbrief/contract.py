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
    """The article a Brief was made from, kept whole so every span can be checked against it.

    Attributes:
        id: hex sha256 of `text` (UTF-8); a Brief whose id does not match is refused.
        title: the title shown to readers (the Article's, else the first non-blank line).
        text: the exact plain text summarized; every start/end offset in the Brief indexes it.
    """

    id: str = Field(description="hex sha256 of text (UTF-8); checked on load")
    title: str = Field(description="title shown to readers: the article's, else its first line")
    text: str = Field(description="the exact plain text summarized; every offset indexes it")

    @classmethod
    def from_text(cls, text: str, title: str | None = None) -> Source:
        return cls(id=text_id(text), title=title or first_line(text), text=text)


class Span(_Strict):
    """A piece of the source: source.text[start:end] == quote, checked whenever a Brief is
    built or loaded."""

    quote: str = Field(min_length=1, description="the source text between start and end")
    start: int = Field(ge=0, description="offset of the quote's first character in source.text")
    end: int = Field(ge=0, description="offset just past the quote's last character")

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end <= self.start:
            raise ValueError(f"span end {self.end} must be after its start {self.start}")
        return self


class KeyFigure(Span):
    """One number from the article, what it is, and the sentence that states it.

    The number is read by our code, never copied from the model: `number_text` is in the
    quote as written, and `value`/`unit` are its parse (checked on load).

    Attributes:
        quote, start, end: the source sentence (or clause) stating the number (see Span).
        label: what the number is, e.g. "quarterly revenue".
        number_text: the number exactly as the article writes it ("$3.2 billion").
        value: the parsed value (3200000000.0); finite.
        unit: the parsed unit ("USD", "%", ""...).
        grounding: "exact": the quote is the article's own sentence around the number, cut
            by our code (every brief since the model answers ids); "aligned": a near copy
            the model wrote, located by alignment (older briefs).
        label_from: who named it: our frame of the sentence, the model (checked), or our
            frame repairing a label that failed a check; None in version 1 briefs.
        chosen_by: who chose it: the model among the offered numbers, or our salience
            ranking filling places the model left.
    """

    label: str = Field(description="what the number is, e.g. 'quarterly revenue'")
    number_text: str = Field(description="the number as the article writes it; within quote")
    value: float = Field(allow_inf_nan=False, description="the parse of number_text; finite")
    unit: str = Field(default="", description="the unit parsed from number_text ('%', 'USD')")
    grounding: Grounding = Field(
        description="exact: the article's sentence around the number, cut by our code; "
        "aligned: a model's near copy located by alignment (older briefs)"
    )
    label_from: Literal["frame", "model", "repaired"] | None = Field(
        default=None,
        description="who named it: our frame of the sentence, the model's words (checked), "
        "or our frame repairing a label that failed a check; null in version 1 briefs",
    )
    chosen_by: Literal["model", "ranking"] = Field(
        default="model",
        description="who chose it: the model among the offered numbers, or our salience "
        "ranking filling the places the model left",
    )


class Evidence(Span):
    """The source sentence a policy implication rests on (see Span)."""


class SummarySentence(_Strict):
    """One summary sentence and the source sentences it rests on. `source`: the article's
    own sentence (cut to a clause if long), its text equal to its one span; `written`: the
    model's shorter wording, kept because every number in it is stated by its spans."""

    text: str = Field(min_length=1, description="the sentence as shown to readers")
    origin: Literal["written", "source"] = Field(
        description="source: the article's own sentence or clause; written: the model's "
        "shorter wording, every number in it stated by its spans"
    )
    spans: list[Span] = Field(min_length=1, description="the source sentences it rests on")


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

    kind: NoteKind = Field(
        description="reader: a sentence about the article, shown on the page; any other: "
        "a repair (figure_dropped, label_repaired, summary_fixed, ...), shown as a count"
    )
    text: str = Field(min_length=1, description="the sentence, or the repair's log line")


class PolicyImplication(_Strict):
    """What the article implies for policy, and the source sentence it rests on.

    Attributes:
        statement: the implication in one sentence.
        actor: who would act (a central bank, a ministry...), "" when the article names none.
        evidence: the source sentence supporting it; its span is checked on load.
    """

    statement: str = Field(description="the implication in one sentence")
    actor: str = Field(default="", description="who would act; empty when the article names none")
    evidence: Evidence = Field(description="the source sentence the statement rests on")


class Usage(_Strict):
    """Tokens the model calls cost, as the server reported them (0 when it did not)."""

    prompt_tokens: int = Field(default=0, ge=0, description="tokens sent, summed over calls")
    completion_tokens: int = Field(default=0, ge=0, description="tokens generated, summed")
    total_tokens: int = Field(default=0, ge=0, description="prompt plus completion tokens")

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class Provenance(_Strict):
    """How a Brief was made: which model, which prompts, which JSON shape, what it cost."""

    model: str = Field(description="the model name the requests named")
    endpoint: Literal["embedded", "openai-compatible"] = Field(
        description="embedded: the in-process llama.cpp model; else an OpenAI-compatible API"
    )
    mode: str = Field(description="instructor mode used for structured output (json_schema...)")
    prompt_version: str = Field(description="hash of the prompt templates used")
    schema_version: str = Field(
        default=SCHEMA_VERSION, description="version of this JSON shape; changes with it"
    )
    usage: Usage = Field(default_factory=Usage, description="tokens spent on this brief")
    attempts: int = Field(default=0, description="model requests made, re-asks included")
    latency_s: float = Field(default=0.0, description="seconds spent waiting for the model")


class Brief(_Strict):
    """A grounded brief of one article: the public, versioned JSON contract.

    Every quote, figure and evidence span is re-checked against `source.text` whenever a
    Brief is built or loaded (model_validate_json), so a Brief that exists points at its
    source. Unknown fields are refused; `provenance.schema_version` changes with the shape.

    Attributes:
        source: the article, whole (see Source).
        summary: the summary as one paragraph: summary_sentences joined.
        summary_sentences: each summary sentence with the source sentences it rests on.
        key_figures: the article's most telling numbers, each with its sentence.
        policy_implications: what the article implies for policy, each with its evidence.
        warnings: every note's text, in order (see notes).
        notes: the same, typed (see Note): readers see `reader` notes and a count of the rest.
        provenance: model, prompts, schema version and cost.
    """

    source: Source = Field(description="the article, whole; every span indexes source.text")
    summary: str = Field(description="the summary as one paragraph: summary_sentences joined")
    summary_sentences: list[SummarySentence] = Field(
        default_factory=list, description="each summary sentence with the spans it rests on"
    )
    key_figures: list[KeyFigure] = Field(
        default_factory=list, description="the article's most telling numbers, grounded"
    )
    policy_implications: list[PolicyImplication] = Field(
        default_factory=list, description="what the article implies for policy, with evidence"
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="every note's text, in order: what was dropped, repaired, unchecked",
    )
    notes: list[Note] = Field(
        default_factory=list, description="the same notes, typed; absent in older briefs"
    )
    provenance: Provenance = Field(description="model, prompts, schema version and cost")

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
