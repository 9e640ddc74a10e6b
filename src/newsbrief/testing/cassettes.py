"""Recorded model traffic that is safe to commit and fails loudly when stale.

One vcrpy configuration for everyone (the project's tests, users' tests through the pytest
plugin, and `newsbrief cassettes check`): secrets and the user's paths scrubbed from headers
and bodies before anything is written (scrub.py), loopback ports normalised, gzip decoded,
requests matched on method, path and body. The prompt version rides along in a request
header so a stale cassette can say what it was recorded with (inspection.py reads it back).
"""

from __future__ import annotations

from typing import Any

from newsbrief.errors import ConfigError
from newsbrief.model.endpoint import normalise_loopback
from newsbrief.model.profile import HOUSEKEEPING_HEADER
from newsbrief.redact import display_url, redact
from newsbrief.testing.scrub import harvest, scrub_body, scrub_headers

try:
    import vcr
    import yaml as yaml  # re-exported: inspection.py reads cassettes with it, once checked
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
# Cassette metadata under which the pytest plugin says whether the recording finished:
# {"complete": true}, or {"complete": false, "failed": "<exception type>"} when the test
# failed while recording (its cassette may lack requests, or hold none).
RECORDING_METADATA = "newsbrief_recording"


def normalise_uri(uri: str) -> str:
    """Credentials out first (userinfo, secret query values), then the loopback port: with
    userinfo still in place, "http://user:pw@127.0.0.1:PORT" would keep its random port."""
    return normalise_loopback(display_url(uri))


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
        scrub = (*secrets, *harvest(request))
        request.uri = redact(normalise_uri(request.uri), *scrub)
        _normalise_host_header(request.headers)
        scrub_headers(request.headers, scrub)
        request.body = scrub_body(request.body, scrub)
        return request

    return hook


def _before_record_response(secrets: tuple[str, ...]) -> Any:
    # Runs after vcrpy's decode_compressed_response, so the body is already plain text. The
    # request hook ran first (vcrpy records the request, then its response), so what the
    # request carried is remembered by now and redact() replaces it here too.
    def hook(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers", {})
        scrub_headers(headers, secrets)
        body = scrub_body(response.get("body", {}).get("string", b""), secrets)
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
