"""Response-model building blocks: list bounds for the grammar, and the check hook.

The JSON schema of a response model is sent to the endpoint (llama.cpp turns it into a
grammar), so bounds advertised here steer the model; pydantic does not enforce them, so one
extra item never fails a whole answer. Our code trims or warns instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from newsbrief.model.call import current_call
from newsbrief.redact import bounded_text


def bounded(
    min_items: int | None = None,
    max_items: int | None = None,
    *,
    item_enum: list[str] | None = None,
    **kwargs: Any,
) -> Any:
    """A list field whose bounds (and, for a list of strings, allowed values) are advertised
    in the JSON schema but not enforced."""
    extra: dict[str, Any] = {}
    if item_enum is not None:
        extra["items"] = {"type": "string", "enum": item_enum}
    if min_items is not None:
        extra["minItems"] = min_items
    if max_items is not None:
        extra["maxItems"] = max_items
    return Field(json_schema_extra=extra or None, **kwargs)


# Every string a model writes is bounded: a 5 MB label must not become 18 MB of output.
MAX_MODEL_STRING = 2000


def clean_model_text(text: str) -> str:
    """A model-written string made safe to keep: lone surrogates (which no encoder can
    write) become U+FFFD, known secrets a server echoed are redacted, and the length is
    bounded (redact.bounded_text: the same rule as every server text)."""
    return bounded_text(text, MAX_MODEL_STRING)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_model_text(value)
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            cleaned = _clean(getattr(value, name))
            if cleaned is not getattr(value, name):
                object.__setattr__(value, name, cleaned)
        return value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


class CheckedModel(BaseModel):
    """A response model whose every string is cleaned as it is parsed (clean_model_text),
    and whose validation runs the check of the call in progress (model.call.Meter.check):
    raising there makes instructor re-ask with our message (see client.acall)."""

    @model_validator(mode="after")
    def _run_checker(self) -> CheckedModel:
        _clean(self)
        call = current_call()
        if call is not None:
            call.check(self)
        return self
