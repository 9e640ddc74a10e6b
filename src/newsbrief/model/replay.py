"""Model calls answered from files: the OpenAI Batch API flow.

A batch run cannot wait on each answer, so a brief is computed by replay: the brief code runs
as it does live, and every call it makes is looked up by its request body among the answers
imported so far. A call with no answer yet raises Pending with its request, which goes into
the next requests file; once all its answers are in, the same code finishes the brief. The
answers are the state: nothing else is carried from round to round.

The request body is the one a live call sends (instructor's json_schema mode: messages,
response_format, sampling), and re-asks follow acall's rule: problems are sent back with the
answer until the re-asks run out, then the last answer is kept as it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from newsbrief.contract import Usage
from newsbrief.errors import ConfigError, ModelOutputError
from newsbrief.model.client import SAMPLING, Meter, salvage, token_count
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.schema import checking
from newsbrief.model.transport import RetryPolicy

T = TypeVar("T", bound=BaseModel)
BATCH_URL = "/v1/chat/completions"
REASK = "Correct your JSON ONLY RESPONSE, based on the following errors:\n"  # as instructor's


class Pending(Exception):
    """Calls that have no answer yet; their bodies go into the next requests file."""

    def __init__(self, bodies: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(bodies)} request(s) not answered yet")
        self.bodies = bodies

    @staticmethod
    def joined(found: list[Pending]) -> Pending:
        return Pending([b for p in found for b in p.bodies])


def request_body(
    endpoint: Endpoint,
    messages: list[dict[str, str]],
    response_model: type[BaseModel],
    max_tokens: int,
) -> dict[str, Any]:
    """The chat-completions body a live call sends (checked against one in the tests)."""
    if endpoint.mode != "json_schema":
        raise ConfigError(f"batch files need mode json_schema, not {endpoint.mode}")
    schema = {"name": response_model.__name__, "schema": response_model.model_json_schema()}
    return {
        "model": endpoint.model,
        "messages": messages,
        "response_format": {"type": "json_schema", "json_schema": schema},
        **SAMPLING,
        "max_tokens": max_tokens,
    }


def fingerprint(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:24]


class Replay:
    """An `acall` that answers from imported completions (chat.completion objects as dicts),
    keyed by fingerprint(request body)."""

    def __init__(self, answers: Mapping[str, dict[str, Any]]) -> None:
        self.answers = answers

    async def __call__(
        self,
        endpoint: Endpoint,
        messages: list[dict[str, str]],
        response_model: type[T],
        *,
        max_reasks: int,
        max_tokens: int,
        problems: Callable[[T], list[str]] | None = None,
        policy: RetryPolicy | None = None,
    ) -> tuple[T, Meter]:
        meter = Meter(allowed=max_reasks + 1)
        turns = list(messages)
        while True:
            body = request_body(endpoint, turns, response_model, max_tokens)
            completion = self.answers.get(fingerprint(body))
            if completion is None:
                raise Pending([body])
            meter.count += 1
            meter.usage = meter.usage + _usage(completion)
            choice = (completion.get("choices") or [{}])[0]
            content = str((choice.get("message") or {}).get("content") or "")

            def check(draft: T) -> None:
                meter.answers.append(draft)
                found = problems(draft) if problems and not meter.last_attempt else []
                if found:
                    raise ValueError("Fix these problems:\n- " + "\n- ".join(found))

            try:
                if choice.get("finish_reason") == "length":
                    raise _CutOff
                with checking(check):
                    return response_model.model_validate_json(content), meter
            except (ValidationError, _CutOff) as exc:
                cut = isinstance(exc, _CutOff)
                if cut or meter.last_attempt:
                    kept = salvage(content, response_model) or (
                        meter.answers[-1] if meter.answers else None
                    )
                    if kept is None:
                        raise ModelOutputError(
                            "model answer was cut off (max_tokens reached)"
                            if cut
                            else f"model output did not validate after {meter.count} attempt(s)"
                        ) from None
                    return kept, meter
                turns += [
                    {"role": "assistant", "content": content},
                    {"role": "user", "content": REASK + str(exc)},
                ]


class _CutOff(Exception):
    pass


def _usage(completion: dict[str, Any]) -> Usage:
    u = completion.get("usage") or {}
    return Usage(
        prompt_tokens=token_count(u.get("prompt_tokens")),
        completion_tokens=token_count(u.get("completion_tokens")),
        total_tokens=token_count(u.get("total_tokens")),
    )
