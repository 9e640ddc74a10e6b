"""Recorded model traffic that is safe to commit and fails loudly when stale.

One vcrpy configuration for everyone (the project's tests, users' tests through the pytest
plugin, and `newsbrief cassettes check`): secrets scrubbed from headers and bodies before
anything is written, loopback ports normalised, gzip decoded, requests matched on method,
path and body. The prompt version rides along in a request header so a stale cassette can
say what it was recorded with.

Secrets are not only the API key: a base URL's userinfo and secret query values (and the
Basic credential httpx builds from them) are harvested from each request before its
credential headers are dropped, so a server reflecting them is scrubbed too. Nor is the key
all a cassette must not carry: the user's paths (the embedded llama.cpp server answers with
the GGUF's absolute path as the model name) become a basename, `~` or `<cache>`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsbrief import settings
from newsbrief.contract import SCHEMA_VERSION
from newsbrief.errors import ConfigError
from newsbrief.model.endpoint import normalise_loopback
from newsbrief.model.profile import HOUSEKEEPING_HEADER
from newsbrief.model.prompts import prompt_version
from newsbrief.redact import (
    REDACTED,
    SECRET_HEADERS,
    credential_secrets,
    display_url,
    looks_secret,
    redact,
    remember,
    secret_param,
    url_secrets,
)

try:
    import vcr
    import yaml
except ImportError as exc:  # vcrpy and PyYAML come with the `testing` extra
    raise ConfigError(
        f"recorded fixtures need {exc.name}: pip install 'newsbrief[testing]'"
    ) from None

# Every request newsbrief's client sends carries headers with this prefix (the prompt
# version, the schema): what marks a request as model traffic, ours to record.
MARKER_PREFIX = "x-newsbrief-"
PROMPT_HEADER = "x-newsbrief-prompt-version"
SCHEMA_HEADER = "x-newsbrief-schema"
MATCH_ON = ("method", "path", "body")
# Cassette metadata key under which the pytest plugin keeps the recorded endpoint.
ENDPOINT_METADATA = "newsbrief_endpoint"


def normalise_uri(uri: str) -> str:
    """Credentials out first (userinfo, secret query values), then the loopback port: with
    userinfo still in place, "http://user:pw@127.0.0.1:PORT" would keep its random port."""
    return normalise_loopback(display_url(uri))


# --- the user's paths -----------------------------------------------------------------------

# Not inside a longer path or word: "/models/x.gguf" in "a/models/x.gguf" is no path of ours.
_NOT_AFTER = r"(?<![\w.~/\\:-])"
_SEP = r"(?:/|\\{1,2})"  # "/", "\" or a JSON-escaped "\\"
# An absolute path (POSIX, or Windows with a drive) to a GGUF file: its basename is kept.
GGUF_PATH = re.compile(
    _NOT_AFTER + r"(?:[A-Za-z]:)?" + _SEP + r"[^\s\"'<>|]*?([^\s\"'<>|/\\]+\.gguf)(?![\w.-])",
    re.IGNORECASE,
)
# Somebody's home directory: /home/<name>, /Users/<name>, /root, C:\Users\<name>.
HOME_PATH = re.compile(
    _NOT_AFTER
    + r"(?:/(?:home|Users)/[^\s\"'<>|/\\]+|/root|[A-Za-z]:"
    + _SEP
    + r"Users"
    + _SEP
    + r"[^\s\"'<>|/\\]+)(?=[/\\\s\"'<>|]|$)"
)
HOME = "~"
CACHE = "<cache>"


def _local_dirs() -> list[tuple[str, str]]:
    """This machine's cache and home folders (the cache first: it is usually inside home),
    as written in text and as escaped in JSON. Read per call: tests move them."""
    found: list[tuple[str, str]] = []
    for where, token in ((settings.cache_dir, CACHE), (Path.home, HOME)):
        try:
            folder = str(where())
        except Exception:  # no home, or a bad NEWSBRIEF_CACHE_DIR: nothing to scrub for it
            continue
        if len(folder.strip("/\\")) < 2:  # "/" as home would garble every path
            continue
        folder = folder.rstrip("/\\")
        found += [(folder, token), (folder.replace("\\", "\\\\"), token)]
    return list(dict.fromkeys(found))


def scrub_paths(text: str) -> str:
    """The user's paths out of a cassette: a GGUF's absolute path becomes its basename,
    newsbrief's cache folder `<cache>`, the home folder (this user's or anyone's) `~`."""
    text = GGUF_PATH.sub(r"\1", text)
    for folder, token in _local_dirs():
        text = re.sub(_NOT_AFTER + re.escape(folder) + r"(?![\w.-])", token, text)
    return HOME_PATH.sub(HOME, text)


def private_path(text: str, local_dirs: list[tuple[str, str]] | None = None) -> bool:
    """A home-directory path (anyone's), or this machine's home or cache folder."""
    if HOME_PATH.search(text):
        return True
    return any(
        re.search(_NOT_AFTER + re.escape(folder) + r"(?![\w.-])", text)
        for folder, _ in (_local_dirs() if local_dirs is None else local_dirs)
    )


# --- scrubbing ------------------------------------------------------------------------------


def _scrub_text(text: str, secrets: tuple[str, ...]) -> str:
    return scrub_paths(redact(text, *secrets))


def _scrub_body(body: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        return _scrub_text(text, secrets).encode("utf-8")
    if isinstance(body, str):
        return _scrub_text(body, secrets)
    return body


def _scrub_headers(headers: dict[str, Any], secrets: tuple[str, ...]) -> None:
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
        else:
            value = headers[name]
            if isinstance(value, list):
                headers[name] = [_scrub_text(str(v), secrets) for v in value]
            else:
                headers[name] = _scrub_text(str(value), secrets)


def _harvest(request: Any) -> tuple[str, ...]:
    """The secrets this request carries outside the body: its URL's userinfo and query
    values, and its credential headers (a Basic credential in every form). Remembered
    process-wide too, so the response (recorded next) and every log line lose them."""
    found = list(url_secrets(str(request.uri)))
    for name, value in request.headers.items():
        if name.lower() in SECRET_HEADERS:
            values = value if isinstance(value, list) else [value]
            for v in values:
                found += credential_secrets(str(v))
    secrets = tuple(dict.fromkeys(found))
    remember(*secrets)
    return secrets


def _normalise_host_header(headers: dict[str, Any]) -> None:
    """The Host header repeats the loopback port; left alone, every re-record diffs."""
    for name in list(headers):
        if name.lower() == "host":
            value = headers[name]
            values = value if isinstance(value, list) else [value]
            fixed = [normalise_uri(f"http://{v}").removeprefix("http://") for v in values]
            headers[name] = fixed if isinstance(value, list) else fixed[0]


def _before_record_request(secrets: tuple[str, ...]) -> Any:
    def hook(request: Any) -> Any:
        if any(name.lower() == HOUSEKEEPING_HEADER.lower() for name in request.headers):
            return None  # the embedded server's prefix cache: not part of any answer
        # Harvested before anything is dropped: the Authorization header is gone after this.
        scrub = (*secrets, *_harvest(request))
        request.uri = redact(normalise_uri(request.uri), *scrub)
        _normalise_host_header(request.headers)
        _scrub_headers(request.headers, scrub)
        request.body = _scrub_body(request.body, scrub)
        return request

    return hook


def _before_record_response(secrets: tuple[str, ...]) -> Any:
    # Runs after vcrpy's decode_compressed_response, so the body is already plain text. The
    # request hook ran first (vcrpy records the request, then its response), so what the
    # request carried is remembered by now and redact() replaces it here too.
    def hook(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers", {})
        _scrub_headers(headers, secrets)
        body = _scrub_body(response.get("body", {}).get("string", b""), secrets)
        response["body"]["string"] = body
        for name in [k for k in headers if k.lower() == "content-length"]:
            size = len(body) if isinstance(body, bytes) else len(str(body).encode("utf-8"))
            headers[name] = [str(size)]  # scrubbing can change the length
        return response

    return hook


def _then(first: Any, second: Any | None) -> Any:
    """Hook `first`, then the user's `second` on what it kept (a dropped request stays dropped)."""
    if second is None:
        return first

    def hook(item: Any) -> Any:
        kept = first(item)
        return None if kept is None else second(kept)

    return hook


def make_vcr(
    record_mode: str = "none",
    secrets: tuple[str, ...] = (),
    *,
    before_record_request: Any | None = None,
    before_record_response: Any | None = None,
) -> vcr.VCR:
    """The one vcrpy configuration; `secrets` are exact values to scrub (the API key).

    Credential headers are dropped by our request hook, not by vcrpy's filter_headers: the
    hook must see them first, to scrub what they carry wherever a server reflects it. The
    user's own hooks (`newsbrief_vcr_config`) run after ours, never instead of them, so
    no configuration writes an unscrubbed cassette.

    allow_playback_repeats is a use_cassette() argument, not a VCR() one: the pytest plugin
    passes it there, so a test may summarize the same article twice.
    """
    return vcr.VCR(
        record_mode=record_mode,
        match_on=MATCH_ON,
        before_record_request=_then(_before_record_request(secrets), before_record_request),
        before_record_response=_then(_before_record_response(secrets), before_record_response),
        decode_compressed_response=True,
    )


# Cassette metadata under which the pytest plugin says whether the recording finished:
# {"complete": true}, or {"complete": false, "failed": "<exception type>"} when the test
# failed while recording (its cassette may lack requests, or hold none).
RECORDING_METADATA = "newsbrief_recording"


def recording_failed(metadata: Any) -> str | None:
    """Why the pytest plugin marked this cassette's recording failed, or None."""
    state = _mapping(metadata).get(RECORDING_METADATA)
    if isinstance(state, dict) and state.get("complete") is not True:
        return f"its recording failed ({str(state.get('failed') or 'unknown error')[:80]})"
    return None


def incomplete_reason(metadata: Any, interactions: int) -> str | None:
    """Why a cassette is no finished recording, or None when it is one.

    A recording marked failed is incomplete; so is an unmarked one with no interactions
    (what a failed recording left before the mark existed; a test that sends no model
    request leaves one too, and recording it again costs nothing). Cassettes recorded
    before the mark, with their interactions, are complete: they replay as they always did.
    """
    failed = recording_failed(metadata)
    marked = isinstance(_mapping(metadata).get(RECORDING_METADATA), dict)  # else: unreadable
    if failed is None and interactions == 0 and not marked:
        return "it holds no interactions (a recording that failed before any request?)"
    return failed


def cassette_incomplete(path: Path, *, marked_only: bool = False) -> str | None:
    """incomplete_reason for a cassette file (recording_failed with `marked_only`); None
    too when it cannot be read (replay then says what is wrong with it)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, yaml.YAMLError, RecursionError, ValueError):
        return None
    interactions = _mapping(data).get("interactions")
    if not isinstance(interactions, list):
        return None
    metadata = _mapping(data).get("metadata")
    if marked_only:
        return recording_failed(metadata)
    return incomplete_reason(metadata, len(interactions))


@dataclass
class CassetteInfo:
    path: Path
    interactions: int = 0
    prompt_versions: set[str] = field(default_factory=set)
    schema_versions: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)
    secrets: list[str] = field(default_factory=list)
    error: str | None = None
    incomplete: str | None = None  # why, when a failed recording left it (incomplete_reason)

    @property
    def stale(self) -> bool:
        return bool(self.prompt_versions - {prompt_version()}) or bool(
            self.schema_versions - {SCHEMA_VERSION}
        )

    @property
    def unsafe(self) -> bool:
        return bool(self.secrets) or self.error is not None


def _header(headers: dict[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if str(key).lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed cassette, keys included (YAML folds long lines: a secret
    split across two lines is whole again here)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def uri_problems(uri: str) -> list[str]:
    """What a recorded URI must not hold: userinfo, or a value for a secret-named query or
    fragment parameter (our recorder leaves REDACTED there). Names only, never values."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return ["unparseable uri"]
    problems = []
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at and userinfo != REDACTED:
        problems.append("credentials in the URL")
    for part in (parts.query, parts.fragment):
        for item in part.split("&"):
            name, eq, value = item.partition("=")
            if eq and value and value != REDACTED and secret_param(name):
                problems.append(f"secret query parameter {name[:40]}")
    return problems


def _problems_in(text: str, local_dirs: list[tuple[str, str]]) -> list[str]:
    kinds = []
    if looks_secret(text):
        kinds.append("secret")
    if private_path(text, local_dirs):
        kinds.append("home directory path")
    return kinds


# What only a cassette newsbrief recorded carries: in the raw text, a damaged one still does.
NEWSBRIEF_MARKERS = ("x-newsbrief", ENDPOINT_METADATA, RECORDING_METADATA)


def newsbrief_cassette(path: Path) -> bool | None:
    """Whether a YAML file is a cassette newsbrief recorded, for `cassettes check`.

    True: a vcrpy cassette (an `interactions` list) with a request carrying the prompt
    version header, or the pytest plugin's metadata (the recorded endpoint, whether the
    recording finished).
    False: readable, and not one of ours (another tool's cassette, a config file).
    None: cannot tell, because it is not readable as a cassette (not YAML, no interactions
    list, not readable at all); the caller decides from where it lies and what it mentions
    (see NEWSBRIEF_MARKERS).
    """
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
        # Not libyaml's CSafeLoader: deep nesting ("[[[[...") overflows its C stack and
        # kills the process; the Python loader raises RecursionError instead.
        data = yaml.safe_load(raw)
    except (OSError, yaml.YAMLError, RecursionError, ValueError):  # any file, even hostile
        return None
    interactions = _mapping(data).get("interactions")
    if not isinstance(interactions, list):
        return None
    if {ENDPOINT_METADATA, RECORDING_METADATA} & set(_mapping(_mapping(data).get("metadata"))):
        return True
    return any(
        _header(_mapping(_mapping(_mapping(i).get("request")).get("headers")), PROMPT_HEADER)
        for i in interactions
    )


def inspect_cassette(path: Path) -> CassetteInfo:
    """What `cassettes check` and the stale-replay message need, without trusting the file.

    A hand-edited or truncated cassette must give a status line, never a traceback.
    """
    info = CassetteInfo(path=path)
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        info.error = f"cannot read: {exc.strerror or exc}"
        return info
    local_dirs = _local_dirs()
    for lineno, line in enumerate(raw.splitlines(), 1):
        for kind in _problems_in(line, local_dirs):
            info.secrets.append(f"line {lineno}" if kind == "secret" else f"line {lineno} ({kind})")
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        # Not str(exc): it quotes the offending line, which may be the secret itself.
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        info.error = f"not valid YAML{where}: {getattr(exc, 'problem', None) or 'parse error'}"
        return info
    interactions = _mapping(data).get("interactions")
    if not isinstance(interactions, list):
        info.error = "not a vcrpy cassette (no interactions list)"
        return info
    metadata = _mapping(_mapping(data).get("metadata"))
    kinds = {kind for text in _strings(metadata) for kind in _problems_in(text, local_dirs)}
    info.secrets += [f"metadata ({kind})" for kind in sorted(kinds)]
    info.incomplete = incomplete_reason(metadata, len(interactions))
    recorded = _mapping(metadata.get(ENDPOINT_METADATA))
    if recorded.get("model"):
        info.models.add(str(recorded["model"]))
    for number, interaction in enumerate(interactions, 1):
        info.interactions += 1
        request = _mapping(_mapping(interaction).get("request"))
        response = _mapping(_mapping(interaction).get("response"))
        uri = request.get("uri")
        for problem in uri_problems(str(uri)) if uri else []:
            info.secrets.append(f"interaction {number} request uri ({problem})")
        for side, part in (("request", request), ("response", response)):
            kinds = {kind for text in _strings(part) for kind in _problems_in(text, local_dirs)}
            info.secrets += [f"interaction {number} {side} ({kind})" for kind in sorted(kinds)]
        headers = _mapping(request.get("headers"))
        for side, side_headers in (("request", headers), ("response", response.get("headers"))):
            for name in _mapping(side_headers):
                if str(name).lower() in SECRET_HEADERS:
                    info.secrets.append(f"interaction {number} {side} header {name}")
        for name, bucket in (
            (PROMPT_HEADER, info.prompt_versions),
            (SCHEMA_HEADER, info.schema_versions),
        ):
            value = _header(headers, name)
            if value:
                bucket.add(value)
        body = request.get("body")
        try:
            model = json.loads(body).get("model") if body else None
        except (ValueError, TypeError, AttributeError):
            model = None
        if model:
            info.models.add(str(model))
    return info
