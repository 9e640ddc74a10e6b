"""Recorded model traffic that is safe to commit and fails loudly when stale.

One vcrpy configuration for everyone (the project's tests, users' tests through the pytest
plugin, and `newsbrief cassettes check`): secrets scrubbed from headers and bodies before
anything is written, loopback ports normalised, gzip decoded, requests matched on method,
path and body. The prompt version rides along in a request header so a stale cassette can
say what it was recorded with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import vcr
import yaml

from newsbrief.contract import SCHEMA_VERSION
from newsbrief.model.endpoint import normalise_loopback
from newsbrief.model.prompts import prompt_version
from newsbrief.redact import SECRET_HEADERS, looks_secret, redact

PROMPT_HEADER = "x-newsbrief-prompt-version"
SCHEMA_HEADER = "x-newsbrief-schema"
MATCH_ON = ("method", "path", "body")
# Cassette metadata key under which the pytest plugin keeps the recorded endpoint.
ENDPOINT_METADATA = "newsbrief_endpoint"


def normalise_uri(uri: str) -> str:
    return normalise_loopback(uri)


def _scrub_body(body: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        return redact(text, *secrets).encode("utf-8")
    if isinstance(body, str):
        return redact(body, *secrets)
    return body


def _scrub_headers(headers: dict[str, Any], secrets: tuple[str, ...]) -> None:
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
        else:
            value = headers[name]
            if isinstance(value, list):
                headers[name] = [redact(str(v), *secrets) for v in value]
            else:
                headers[name] = redact(str(value), *secrets)


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
        request.uri = redact(normalise_uri(request.uri), *secrets)
        _normalise_host_header(request.headers)
        _scrub_headers(request.headers, secrets)
        request.body = _scrub_body(request.body, secrets)
        return request

    return hook


def _before_record_response(secrets: tuple[str, ...]) -> Any:
    # Runs after vcrpy's decode_compressed_response, so the body is already plain text.
    def hook(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers", {})
        _scrub_headers(headers, secrets)
        body = _scrub_body(response.get("body", {}).get("string", b""), secrets)
        response["body"]["string"] = body
        for name in [k for k in headers if k.lower() == "content-length"]:
            if isinstance(body, bytes):  # redaction can change the length
                headers[name] = [str(len(body))]
        return response

    return hook


def make_vcr(record_mode: str = "none", secrets: tuple[str, ...] = ()) -> vcr.VCR:
    """The one vcrpy configuration; `secrets` are exact values to scrub (the API key).

    allow_playback_repeats is a use_cassette() argument, not a VCR() one: the pytest plugin
    passes it there, so a test may summarize the same article twice.
    """
    return vcr.VCR(
        record_mode=record_mode,
        match_on=MATCH_ON,
        filter_headers=[(h, None) for h in SECRET_HEADERS],
        before_record_request=_before_record_request(secrets),
        before_record_response=_before_record_response(secrets),
        decode_compressed_response=True,
    )


@dataclass
class CassetteInfo:
    path: Path
    interactions: int = 0
    prompt_versions: set[str] = field(default_factory=set)
    schema_versions: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)
    secrets: list[str] = field(default_factory=list)
    error: str | None = None

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
    for lineno, line in enumerate(raw.splitlines(), 1):
        if looks_secret(line):
            info.secrets.append(f"line {lineno}")
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
    recorded = _mapping(_mapping(_mapping(data).get("metadata")).get(ENDPOINT_METADATA))
    if recorded.get("model"):
        info.models.add(str(recorded["model"]))
    for number, interaction in enumerate(interactions, 1):
        info.interactions += 1
        request = _mapping(_mapping(interaction).get("request"))
        response = _mapping(_mapping(interaction).get("response"))
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
