"""Which model we talk to, resolved once from arguments, then environment, then defaults.

No endpoint configured means the embedded model: a new user with no key gets real output.
What we know about an endpoint's context window and tokenizer lives here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from newsbrief import settings
from newsbrief.errors import ConfigError, EndpointError
from newsbrief.model import embedded as llama
from newsbrief.model.profile import EMBEDDED, REMOTE, REMOTE_TIMEOUT_S, EndpointProfile
from newsbrief.redact import display_url

if TYPE_CHECKING:
    import instructor

DEFAULT_MAX_RESPONSE_BYTES = settings.DEFAULT_MAX_RESPONSE_BYTES  # for Endpoints built by hand
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
# Where a key without a base URL goes: named here so errors can say which host was tried.
OPENAI_API_URL = "https://api.openai.com/v1"
_LOOPBACK = re.compile(r"(https?://)(127\.0\.0\.1|localhost|\[::1\]):\d+")
NORMAL_LOOPBACK = r"\g<1>127.0.0.1:8080"


def normalise_loopback(uri: str) -> str:
    """Local servers get random ports; who answers is the same either way."""
    return _LOOPBACK.sub(NORMAL_LOOPBACK, uri)


# Our names for instructor's modes (imported lazily: a fully cached digest never loads it).
MODES = {"json_schema": "JSON_SCHEMA", "tools": "TOOLS", "json": "JSON", "md_json": "MD_JSON"}


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible endpoint, or the embedded model (embedded=True).

    Args:
        model: model name sent with every request.
        base_url: the API root ("http://host/v1"); None with embedded=True until the
            embedded server is started (see ready()).
        api_key: sent as a bearer token; never printed, logged or recorded.
        mode: instructor mode, one of MODES.
        embedded: the in-process llama.cpp model: its profile (see model.profile).
        timeout_s: seconds allowed for connecting and for each read.
        deadline_s: seconds allowed per request attempt, from sending it to the last byte of
            the answer, so a server that drips bytes cannot hold a run forever (default
            twice timeout_s).
        max_response_bytes: largest answer accepted, after decompression.
    """

    model: str
    base_url: str | None
    api_key: str | None = field(default=None, repr=False)
    mode: str = "json_schema"
    embedded: bool = False
    timeout_s: float = REMOTE_TIMEOUT_S
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    deadline_s: float | None = None

    @property
    def request_deadline_s(self) -> float:
        return self.deadline_s or 2 * self.timeout_s

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}; choose one of {', '.join(MODES)}")
        if self.max_response_bytes < 1:
            raise ConfigError(f"max_response_bytes must be positive, not {self.max_response_bytes}")
        if self.deadline_s is not None and not self.deadline_s > 0:
            raise ConfigError(
                f"deadline must be a positive number of seconds, not {self.deadline_s}"
            )
        if not self.timeout_s > 0:
            raise ConfigError(f"timeout must be a positive number of seconds, not {self.timeout_s}")

    def __repr__(self) -> str:
        where = display_url(self.base_url) if self.base_url else None
        return (
            f"Endpoint(model={self.model!r}, base_url={where!r}, mode={self.mode!r}, "
            f"embedded={self.embedded}, timeout_s={self.timeout_s})"
        )

    @property
    def profile(self) -> EndpointProfile:
        """What this kind of endpoint wants: defaults, limits, the step before a brief."""
        return EMBEDDED if self.embedded else REMOTE

    @property
    def api_url(self) -> str | None:
        """The API root requests go to: the base URL; for a remote endpoint without one,
        OPENAI_BASE_URL (the openai client's own variable), else OpenAI's; None for the
        embedded model before it is started."""
        if self.base_url or self.embedded:
            return self.base_url
        return settings.OPENAI_BASE_URL.get() or OPENAI_API_URL

    @property
    def where(self) -> str:
        """The endpoint for a message: the URL tried (never a key), or the embedded model."""
        url = self.api_url
        return display_url(url) if url else "the embedded model"

    @property
    def identity(self) -> str:
        """What answers, for cache keys: never the key, never a random loopback port."""
        return "embedded" if self.embedded else normalise_loopback(self.base_url or "openai")

    @property
    def instructor_mode(self) -> instructor.Mode:
        import instructor

        return instructor.Mode[MODES[self.mode]]

    def with_base_url(self, base_url: str) -> Endpoint:
        return replace(self, base_url=base_url)

    def context_tokens(self) -> int:
        return self.profile.context_window()

    def count_tokens(self, text: str) -> int:
        """Exact with the profile's tokenizer (the embedded model's own), once the server
        runs; otherwise a conservative 1 token per 3 characters (no tokenizer that
        downloads data at run time)."""
        tokenizer = self.profile.tokenizer
        if tokenizer is not None and self.base_url:
            try:
                return tokenizer(self.base_url, text)
            except OSError as exc:
                raise EndpointError(f"cannot reach the tokenizer at {self.where}: {exc}") from None
        return len(text) // 3 + 1

    async def prime(self, fixed: Callable[[], list[dict[str, str]]]) -> None:
        """The profile's step before a brief request whose fixed part `fixed` makes."""
        await self.profile.prime(self, fixed)


def resolve_endpoint(
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: str | None = None,
    timeout_s: float | None = None,
) -> Endpoint:
    """Arguments first, then NEWSBRIEF_* variables, then defaults; ConfigError on a bad value.

    Args:
        model: model name (NEWSBRIEF_MODEL; default gpt-4o-mini, or the embedded model).
        base_url: OpenAI-compatible base URL (NEWSBRIEF_BASE_URL).
        api_key: API key (OPENAI_API_KEY). With neither base URL nor key: embedded model.
        mode: instructor mode (NEWSBRIEF_MODE; default json_schema).
        timeout_s: seconds per request (NEWSBRIEF_TIMEOUT; default 1800 embedded, 300 remote).
    """
    base_url = base_url or settings.BASE_URL.get()
    api_key = api_key or settings.API_KEY.get()
    model = model or settings.MODEL.get()
    mode = mode or settings.MODE.get() or "json_schema"
    embedded_model = base_url is None and api_key is None
    profile = EMBEDDED if embedded_model else REMOTE
    timeout = timeout_s or settings.TIMEOUT.get() or profile.timeout_s
    cap = settings.max_response_bytes()
    deadline = settings.DEADLINE.get()
    if embedded_model:
        return Endpoint(
            model=model or llama.MODEL_NAME,
            base_url=None,
            mode=mode,
            embedded=True,
            timeout_s=timeout,
            max_response_bytes=cap,
            deadline_s=deadline,
        )
    return Endpoint(
        model=model or DEFAULT_OPENAI_MODEL,
        base_url=base_url,
        api_key=api_key,
        mode=mode,
        timeout_s=timeout,
        max_response_bytes=cap,
    )


def endpoint_from(
    endpoint: Endpoint | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: str | None = None,
) -> Endpoint:
    """The endpoint a public entry point uses: the one given, else one resolved from the
    loose settings and the environment. Both at once is a ConfigError, never a silent pick.

    Args:
        endpoint: an Endpoint the caller built, or None.
        model, base_url, api_key, mode: as for resolve_endpoint.
    """
    loose = {"model": model, "base_url": base_url, "api_key": api_key, "mode": mode}
    given = [name for name, value in loose.items() if value is not None]
    if endpoint is not None and given:
        raise ConfigError(
            f"pass either endpoint= or {'/'.join(n + '=' for n in given)}, not both "
            "(the endpoint already carries them)"
        )
    return endpoint or resolve_endpoint(model, base_url, api_key, mode)


def ready(endpoint: Endpoint) -> Endpoint:
    """The endpoint with a base URL: starts the process-wide embedded server on first need."""
    if endpoint.embedded and endpoint.base_url is None:
        return endpoint.with_base_url(llama.shared_server().base_url)
    return endpoint


@contextmanager
def embedded(context_size: int = llama.DEFAULT_CONTEXT) -> Iterator[Endpoint]:
    """The embedded model with its lifetime in your hands: started on entry, stopped on
    exit. Without it, the first call that needs the model starts one per process, stopped
    at exit.

    Args:
        context_size: llama.cpp context window in tokens.
    """
    with llama.EmbeddedServer(context_size=context_size) as server:
        yield Endpoint(
            model=llama.MODEL_NAME,
            base_url=server.base_url,
            embedded=True,
            timeout_s=EMBEDDED.timeout_s,
        )
