"""Recorded model traffic that is safe to commit and fails loudly when stale.

One vcrpy configuration for everyone (the project's tests, users' tests through the pytest
plugin, and `newsbrief cassettes check`): secrets scrubbed from headers and bodies before
anything is written, loopback ports normalised, gzip decoded, requests matched on method,
path and body. The prompt version rides along in a request header so a stale cassette can
say what it was recorded with.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import vcr
import yaml

from .models import SCHEMA_VERSION
from .prompts import prompt_version
from .redact import SECRET_HEADERS, looks_secret, redact

PROMPT_HEADER = "x-newsbrief-prompt-version"
SCHEMA_HEADER = "x-newsbrief-schema"
_LOOPBACK = re.compile(r"(https?://)(127\.0\.0\.1|localhost|\[::1\]):\d+")
NORMAL_HOST = r"\g<1>127.0.0.1:8080"
MATCH_ON = ("method", "path", "body")
SECRET_HEADER_LINES = tuple(f"{h}:" for h in SECRET_HEADERS)


def normalise_uri(uri: str) -> str:
    return _LOOPBACK.sub(NORMAL_HOST, uri)


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


def _before_record_request(secrets: tuple[str, ...]) -> Any:
    def hook(request: Any) -> Any:
        request.uri = normalise_uri(request.uri)
        _scrub_headers(request.headers, secrets)
        request.body = _scrub_body(request.body, secrets)
        return request

    return hook


def _before_record_response(secrets: tuple[str, ...]) -> Any:
    def hook(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers", {})
        body = response.get("body", {}).get("string", b"")
        encoding = [
            v.lower()
            for k, vs in headers.items()
            if k.lower() == "content-encoding"
            for v in (vs if isinstance(vs, list) else [vs])
        ]
        if "gzip" in encoding and isinstance(body, bytes) and body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
            for k in [k for k in headers if k.lower() in ("content-encoding", "content-length")]:
                del headers[k]
        _scrub_headers(headers, secrets)
        response["body"]["string"] = _scrub_body(body, secrets)
        return response

    return hook


def make_vcr(record_mode: str = "none", secrets: tuple[str, ...] = ()) -> vcr.VCR:
    return vcr.VCR(
        record_mode=record_mode,
        match_on=MATCH_ON,
        filter_headers=[(h, None) for h in SECRET_HEADERS],
        before_record_request=_before_record_request(secrets),
        before_record_response=_before_record_response(secrets),
        decode_compressed_response=True,
        allow_playback_repeats=True,
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
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None


def inspect_cassette(path: Path) -> CassetteInfo:
    info = CassetteInfo(path=path)
    raw = path.read_text(encoding="utf-8", errors="replace")
    for lineno, line in enumerate(raw.splitlines(), 1):
        lowered = line.strip().lower()
        if looks_secret(line) or lowered.startswith(SECRET_HEADER_LINES):
            info.secrets.append(f"line {lineno}")
    try:
        data = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        info.error = f"not valid YAML: {exc}"
        return info
    for interaction in data.get("interactions", []):
        info.interactions += 1
        request = interaction.get("request", {})
        headers = request.get("headers", {}) or {}
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
        except (ValueError, AttributeError):
            model = None
        if model:
            info.models.add(str(model))
    return info
