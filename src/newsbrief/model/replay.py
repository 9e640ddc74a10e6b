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
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from newsbrief.errors import ConfigError, ModelOutputError
from newsbrief.model.call import SAMPLING, Meter, Request, in_call, token_count
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.transport import RetryPolicy
from newsbrief.redact import redact

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


class BadAnswer(ValueError):
    """A completion that is not the shape a chat-completions answer has (str: what is wrong)."""


USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")


@dataclass(frozen=True)
class Completion:
    """The parts of one chat.completion a replay reads, checked: a batch engine's result
    body is untrusted input (`choices: "abc"`, `[null]`, a string message), and one bad
    answer must fail its own request, never the import or every later one."""

    content: str
    finish_reason: str | None = None
    usage: tuple[int, int, int] = (0, 0, 0)

    @staticmethod
    def parse(body: object) -> Completion:
        """BadAnswer unless body is {"choices": [{"message": {"content": str}, ...}], ...}.
        The content is redacted here, as every model text is, before anyone keeps it."""
        if not isinstance(body, dict):
            raise BadAnswer("the answer is not a JSON object")
        choices = body.get("choices")
        if not isinstance(choices, list) or not choices:
            raise BadAnswer("the answer has no list of choices")
        choice = choices[0]
        if not isinstance(choice, dict) or not isinstance(choice.get("message"), dict):
            raise BadAnswer("the answer's first choice has no message object")
        content = choice["message"].get("content")
        if not isinstance(content, str):
            raise BadAnswer("the answer's message has no text content")
        finish = choice.get("finish_reason")
        usage = body.get("usage")

        def count(name: str) -> int:
            return token_count(usage.get(name)) if isinstance(usage, dict) else 0

        tokens = (count("prompt_tokens"), count("completion_tokens"), count("total_tokens"))
        return Completion(redact(content), finish if isinstance(finish, str) else None, tokens)

    def body(self) -> dict[str, Any]:
        """As a chat.completion body again: what is stored, and read back by parse."""
        return {
            "choices": [
                {
                    "message": {"role": "assistant", "content": self.content},
                    "finish_reason": self.finish_reason,
                }
            ],
            "usage": dict(zip(USAGE_FIELDS, self.usage, strict=True)),
        }


def require_json_schema(endpoint: Endpoint) -> None:
    """Batch files hold instructor's json_schema requests; another mode sends other bodies."""
    if endpoint.mode != "json_schema":
        raise ConfigError(f"batch files need NEWSBRIEF_MODE=json_schema, not {endpoint.mode}")


def request_body(
    endpoint: Endpoint,
    messages: list[dict[str, str]],
    response_model: type[BaseModel],
    max_tokens: int,
) -> dict[str, Any]:
    """The chat-completions body a live call sends (checked against one in the tests)."""
    require_json_schema(endpoint)
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
    """An Ask (model.call) that answers from imported completions: `answer(fingerprint(
    request body))` gives one, or None when it is not in yet."""

    def __init__(self, answer: Callable[[str], Completion | None]) -> None:
        self.answer = answer

    async def __call__(
        self, endpoint: Endpoint, request: Request[T], *, retry: RetryPolicy | None = None
    ) -> tuple[T, Meter]:
        """Answer `request` as acall would, from the imported completions; Pending with
        its body when the answer is not in yet. `retry` is unused: files do not fail."""
        meter = Meter.of(request)
        response_model = request.response_model
        turns = list(request.messages)
        while True:
            body = request_body(endpoint, turns, response_model, request.max_tokens)
            completion = self.answer(fingerprint(body))
            if completion is None:
                raise Pending([body])
            meter.count += 1
            meter.add_usage(dict(zip(USAGE_FIELDS, completion.usage, strict=True)))
            content = completion.content
            cut = completion.finish_reason == "length"
            error: ValidationError | None = None
            try:
                if not cut:
                    with in_call(meter):
                        return response_model.model_validate_json(content), meter
            except ValidationError as exc:
                error = exc
            if cut or meter.last_attempt:
                kept = meter.kept(content, response_model)
                if kept is None:
                    raise ModelOutputError(
                        "model answer was cut off (max_tokens reached)"
                        if cut
                        else f"model output did not validate after {meter.count} attempt(s)"
                    ) from None
                return kept, meter
            turns += [
                {"role": "assistant", "content": content},
                {"role": "user", "content": REASK + str(error)},
            ]
