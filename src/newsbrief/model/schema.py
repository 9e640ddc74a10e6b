"""Response-model building blocks: list bounds for the grammar, and a checker hook.

The JSON schema of a response model is sent to the endpoint (llama.cpp turns it into a
grammar), so bounds advertised here steer the model; pydantic does not enforce them, so one
extra item never fails a whole answer. Our code trims or warns instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel, Field, model_validator

# The checker of the call in progress. A context variable rather than instructor's
# `context=`: instructor renders every message through Jinja when given a context, and
# article text must reach the model byte for byte ("{{ 7*7 }}" stays "{{ 7*7 }}").
_CHECKER: ContextVar[Callable[[Any], None] | None] = ContextVar("newsbrief_checker", default=None)


def bounded(
    min_items: int | None = None,
    max_items: int | None = None,
    **kwargs: Any,
) -> Any:
    """A list field whose bounds are advertised in the JSON schema but not enforced."""
    extra: dict[str, Any] = {}
    if min_items is not None:
        extra["minItems"] = min_items
    if max_items is not None:
        extra["maxItems"] = max_items
    return Field(json_schema_extra=extra or None, **kwargs)


class CheckedModel(BaseModel):
    """A response model whose validation calls the checker of the call in progress:
    raising there makes instructor re-ask with our message (see client.acall)."""

    @model_validator(mode="after")
    def _run_checker(self) -> CheckedModel:
        checker = _CHECKER.get()
        if checker is not None:
            checker(self)
        return self


@contextmanager
def checking(checker: Callable[[Any], None]) -> Iterator[None]:
    """Run CheckedModel validation through `checker` inside this block (this task only)."""
    token = _CHECKER.set(checker)
    try:
        yield
    finally:
        _CHECKER.reset(token)
