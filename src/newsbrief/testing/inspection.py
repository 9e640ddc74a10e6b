"""What a cassette file holds, read without trusting it: whether newsbrief recorded it,
whether its recording finished, which prompt, schema and model recorded it, and anything in
it that must not be committed (a secret, a home-directory path).

Used by the pytest plugin (replay's stale and incomplete messages) and `cassettes check`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsbrief.contract import SCHEMA_VERSION
from newsbrief.model.prompts import prompt_version
from newsbrief.redact import REDACTED, SECRET_HEADERS, looks_secret, secret_param
from newsbrief.testing.cassettes import (
    ENDPOINT_METADATA,
    PROMPT_HEADER,
    RECORDING_METADATA,
    SCHEMA_HEADER,
    yaml,
)
from newsbrief.testing.scrub import local_folders, private_path


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
    local_dirs = local_folders()
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
