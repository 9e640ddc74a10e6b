"""A model call as a type: the Request, the Ask that answers it, and the call in progress.

One structured call is a Request (messages, the response model, the token bound, re-asks,
and the problems that send an answer back). An Ask answers it: `model.client.acall` live,
`model.replay.Replay` from batch files; the brief and synthesis code is the same either way.

The call in progress is one object, its Meter: instructor's hooks count attempts and usage
into it, and CheckedModel validation runs its check. It rides one context variable rather
than instructor's `context=`: instructor renders every message through Jinja when given a
context, and article text must reach the model byte for byte ("{{ 7*7 }}" stays as it is).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, get_origin

from pydantic import BaseModel

from newsbrief.contract import Usage
from newsbrief.model.salvage import complete_prefix

if TYPE_CHECKING:
    from newsbrief.model.endpoint import Endpoint
    from newsbrief.model.transport import RetryPolicy

T = TypeVar("T", bound=BaseModel)
# Greedy decoding made the 1.5B model loop (one figure thirty times, until max_tokens): light
# seeded sampling and repetition penalties end the loop, and the seed keeps answers
# reproducible on one machine. Sent with every call, live or in a batch file.
SAMPLING: dict[str, Any] = {
    "temperature": 0.3,
    "seed": 0,
    "frequency_penalty": 0.5,
    "presence_penalty": 0.5,
}


@dataclass(frozen=True)
class Request(Generic[T]):
    """One structured model call.

    Args:
        messages: the chat turns sent, byte for byte.
        response_model: the answer's shape (its JSON schema is sent too).
        max_tokens: the bound on each answer's length.
        max_reasks: answers sent back with their problems before one is accepted as is.
        problems: what is wrong with a parsed answer (empty: nothing); sent back to the
            model while re-asks remain, the caller dropping what is still wrong after.
    """

    messages: list[dict[str, str]]
    response_model: type[T]
    max_tokens: int
    max_reasks: int = 0
    problems: Callable[[T], list[str]] | None = None


@dataclass(frozen=True)
class Spent:
    """What model calls cost: the one record of usage, attempts and wall time."""

    usage: Usage = field(default_factory=Usage)
    attempts: int = 0
    latency_s: float = 0.0

    def __add__(self, other: Spent) -> Spent:
        return Spent(
            self.usage + other.usage,
            self.attempts + other.attempts,
            round(self.latency_s + other.latency_s, 3),
        )


def token_count(value: Any) -> int:
    """A token count as the server reported it, or 0 when it is not one (NaN, -1, "x")."""
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53
    return int(value) if ok else 0


@dataclass
class Meter:
    """The call in progress: which attempt this is, what it cost, every answer that parsed,
    and the check each answer passes (see Request.problems)."""

    allowed: int
    problems: Callable[[Any], list[str]] | None = None
    count: int = 0
    usage: Usage = field(default_factory=Usage)
    answers: list[Any] = field(default_factory=list)  # every answer that parsed, in order
    started: float = field(default_factory=time.monotonic)

    @staticmethod
    def of(request: Request[Any]) -> Meter:
        return Meter(allowed=request.max_reasks + 1, problems=request.problems)

    def spent(self) -> Spent:
        return Spent(self.usage, self.count, round(time.monotonic() - self.started, 3))

    @property
    def last_attempt(self) -> bool:
        return self.count >= self.allowed

    def on_kwargs(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1

    def on_response(self, response: Any) -> None:
        self.add_usage(getattr(response, "usage", None))

    def add_usage(self, u: Any) -> None:
        """Count a response's usage, an openai object or (from a batch file) a dict."""
        if u is None:
            return

        def read(name: str) -> int:
            return token_count(u.get(name) if isinstance(u, dict) else getattr(u, name, 0))

        self.usage = self.usage + Usage(
            prompt_tokens=read("prompt_tokens"),
            completion_tokens=read("completion_tokens"),
            total_tokens=read("total_tokens"),
        )

    def check(self, draft: Any) -> None:
        """CheckedModel's validation during this call: keep every parsed answer, and send
        the problems back to the model (a ValueError) on every attempt but the last, which
        is accepted as it is and the caller drops what is still wrong."""
        self.answers.append(draft)
        found = self.problems(draft) if self.problems and not self.last_attempt else []
        if found:
            raise ValueError("Fix these problems:\n- " + "\n- ".join(found))

    def kept(self, content: str, response_model: type[T]) -> T | None:
        """What stands when the last answer failed: its complete JSON part if that
        validates, else the last answer that did."""
        return salvage(content, response_model) or (self.answers[-1] if self.answers else None)


_CALL: ContextVar[Meter | None] = ContextVar("newsbrief_call", default=None)


@contextmanager
def in_call(meter: Meter) -> Iterator[None]:
    """Route instructor's hooks and CheckedModel validation to this call (this task only)."""
    token = _CALL.set(meter)
    try:
        yield
    finally:
        _CALL.reset(token)


def current_call() -> Meter | None:
    """The call in progress in this task, if any."""
    return _CALL.get()


def salvage(content: str, response_model: type[T]) -> T | None:
    """A truncated answer's complete part, if it validates (lists it lacks count as empty).
    The caller's grounding then decides what survives, as for any answer."""
    data = complete_prefix(content)
    if not isinstance(data, dict):
        return None
    for name, info in response_model.model_fields.items():
        if name not in data and get_origin(info.annotation) is list:
            data[name] = []
    try:
        return response_model.model_validate(data)
    except ValueError:
        return None


class Ask(Protocol):
    """How a model call is made: `model.client.acall` live, `model.replay.Replay` from
    batch files. Returns the accepted answer and the call's meter.

    Args:
        endpoint: where the model answers.
        request: the call (see Request).
        retry: transport retries per request; None: the endpoint profile's.
    """

    async def __call__(
        self, endpoint: Endpoint, request: Request[T], *, retry: RetryPolicy | None = None
    ) -> tuple[T, Meter]: ...
