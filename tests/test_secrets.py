"""The API key never leaks: not into cassettes, caches, outputs, logs, or error messages.

A sentinel key is set in OPENAI_API_KEY and a fake server reflects it back everywhere a
real (or misconfigured) endpoint could: a response header, Set-Cookie, openai-organization
and openai-project, the JSON body, an error message. We then run the recording path and
the digest path (md, html, json, the SQLite cache, DEBUG logs of openai/httpx2/instructor,
stderr, a 401's exception text) and scan every byte written for the key.
"""

from __future__ import annotations

import gzip
import json
import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import run_cli

from newsbrief import build_digest, summarize
from newsbrief.cli.main import main
from newsbrief.digest.batch import DigestOptions
from newsbrief.errors import AuthenticationError
from newsbrief.model.endpoint import resolve_endpoint
from newsbrief.redact import SECRET_HEADERS
from newsbrief.store.table import BriefCache
from newsbrief.testing.cassettes import make_vcr
from newsbrief.testing.inspection import inspect_cassette
from tests.fakes.digests import article, router
from tests.fakes.server import ECHO_KEY, TINY_ARTICLE, TINY_DRAFT, Reply, completion, serve

SENTINEL = "sk-SENTINEL-7f3a9c2e5b1d4f60aa"
# A key of no known shape (a self-hosted proxy's token): only exact-value scrubbing finds it.
PLAIN_SENTINEL = "SENTINELplainToken0123456789"
FRAGMENT = "SENTINEL"  # any piece of either key, truncated or not, is a leak
TEXT = TINY_ARTICLE
DRAFT = TINY_DRAFT
ECHO_HEADERS = {
    "x-echo-key": ECHO_KEY,
    "Set-Cookie": f"session={ECHO_KEY}; Path=/; HttpOnly",
    "openai-organization": ECHO_KEY,
    "openai-project": ECHO_KEY,
    "x-request-id": f"req-{ECHO_KEY}",
}
LOGGERS = ("openai", "httpx", "httpx2", "httpcore", "instructor", "newsbrief", "vcr")


def echoing(reply: Reply) -> Reply:
    """The same reply, from a server that reflects the caller's key back at it."""
    body = reply.body
    if isinstance(body, dict):
        body = {**body, "system_fingerprint": ECHO_KEY, "id": f"chatcmpl-{ECHO_KEY}"}
    return Reply(reply.status, body, {**reply.headers, **ECHO_HEADERS}, reply.delay_s)


def echoing_router() -> Callable[[dict[str, Any]], Reply]:
    route = router()
    return lambda body: echoing(route(body))


def unauthorized() -> Reply:
    message = f"Incorrect API key provided: {ECHO_KEY}. You can find your key at ..."
    error = {"error": {"message": message, "type": "invalid_request_error", "code": ECHO_KEY}}
    return echoing(Reply(401, error))


def leaks(text: str | bytes) -> bool:
    data = text.encode() if isinstance(text, str) else text
    return FRAGMENT.encode() in data


def assert_clean(where: str, text: str | bytes) -> None:
    assert not leaks(text), f"the API key leaked into {where}"


def assert_files_clean(folder: Path) -> int:
    scanned = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            assert_clean(str(path), path.read_bytes())
            scanned += 1
    return scanned


def assert_logs_clean(caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records, "nothing was logged: the test would prove nothing"
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    for record in caplog.records:
        assert_clean(f"log record of {record.name}", handler.format(record))
        assert_clean(f"log record args of {record.name}", repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            assert_clean(
                f"logged exception of {record.name}", "".join(traceback.format_exception(exc))
            )
    assert_clean("captured log text", caplog.text)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


# --- recording ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [SENTINEL, PLAIN_SENTINEL], ids=["sk-shaped", "plain"])
@pytest.mark.parametrize("gzipped", [False, True], ids=["plain-body", "gzip-body"])
def test_recorded_cassette_keeps_no_trace_of_the_key(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    debug_logs: pytest.LogCaptureFixture,
    key: str,
    gzipped: bool,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", key)
    body = completion(json.dumps(DRAFT))
    body["system_fingerprint"] = ECHO_KEY
    good = echoing(Reply(body=body))
    if gzipped:
        raw = gzip.compress(json.dumps(good.body).replace(ECHO_KEY, key).encode())
        good = Reply(body=raw, headers={**good.headers, "Content-Encoding": "gzip"})
    cassette = tmp_path / "cassettes" / "brief.yaml"
    with serve([good]) as fake:
        endpoint = resolve_endpoint(base_url=fake.base_url, model="fake-model")
        with make_vcr("all", secrets=(key,)).use_cassette(str(cassette)):
            brief = summarize(TEXT, endpoint=endpoint)
        assert fake.headers[0]["authorization"] == f"Bearer {key}"  # it was sent
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%"]
    raw_text = cassette.read_text()
    assert_clean("the cassette", raw_text)
    data = yaml.safe_load(raw_text)
    for interaction in data["interactions"]:
        for side in ("request", "response"):
            names = {str(n).lower() for n in interaction[side]["headers"]}
            assert not names & SECRET_HEADERS, (side, names & SECRET_HEADERS)
    response = data["interactions"][0]["response"]
    assert "x-echo-key" in {n.lower() for n in response["headers"]}  # kept, but scrubbed
    info = inspect_cassette(cassette)
    assert (info.secrets, info.error) == ([], None)
    assert_logs_clean(debug_logs)

    # The scrubbed cassette still replays, with no server and no key.
    monkeypatch.delenv("OPENAI_API_KEY")
    replay = resolve_endpoint(base_url="http://127.0.0.1:8080/v1", model="fake-model")
    with make_vcr("none").use_cassette(str(cassette), allow_playback_repeats=True):
        again = summarize(TEXT, endpoint=replay)
    assert again.key_figures == brief.key_figures


def test_recorded_401_keeps_no_trace_of_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, debug_logs: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    cassette = tmp_path / "denied.yaml"
    with serve([unauthorized()]) as fake:
        endpoint = resolve_endpoint(base_url=fake.base_url)
        with (
            make_vcr("all", secrets=(SENTINEL,)).use_cassette(str(cassette)),
            pytest.raises(AuthenticationError) as caught,
        ):
            summarize(TEXT, endpoint=endpoint)
    assert_clean("the cassette", cassette.read_bytes())
    assert inspect_cassette(cassette).secrets == []
    assert_exception_clean(caught.value)
    assert_logs_clean(debug_logs)


# --- the digest path ------------------------------------------------------------------------


def assert_exception_clean(exc: BaseException) -> None:
    assert_clean("the exception message", str(exc))
    assert_clean("the exception repr", repr(exc))
    assert_clean("the traceback", "".join(traceback.format_exception(exc)))
    seen: BaseException | None = exc
    while seen is not None:  # even a suppressed context is reachable by a debugger or Sentry
        assert_clean(f"a chained {type(seen).__name__}", str(seen))
        seen = seen.__cause__ or seen.__context__


def test_digest_outputs_cache_logs_and_errors_keep_no_trace_of_the_key(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    folder = tmp_path / "in"
    folder.mkdir()
    for i in (1, 2, 3):
        (folder / f"{i:02d}.txt").write_text(article(i))
    out = tmp_path / "out"
    out.mkdir()
    cache_dir = tmp_path / "cache"
    with serve(echoing_router()) as fake:
        for n, suffix in enumerate((".md", ".html", ".json")):
            refresh = ["--refresh"] if n else []  # ask the server (and its echo) every time
            code = main(
                [
                    "digest",
                    str(folder),
                    "-o",
                    str(out / f"digest{suffix}"),
                    "--base-url",
                    fake.base_url,
                    "--cache-dir",
                    str(cache_dir),
                    *refresh,
                ]
            )
            assert code == 0, capsys.readouterr().err
        assert all(h["authorization"] == f"Bearer {SENTINEL}" for h in fake.headers)
        assert len(fake.requests) == 3 * 4  # 3 briefs + 1 synthesis, three times
    # The library path too, where instructor's own logging is not silenced by the CLI.
    with serve(echoing_router()) as fake:
        cache = BriefCache(tmp_path / "lib-cache" / "briefs.sqlite")
        digest = build_digest(
            [folder], endpoint=resolve_endpoint(base_url=fake.base_url), cache=cache
        )
        cache.close()
    assert digest.stats.summarized == 3
    assert_clean("the digest model", digest.model_dump_json())
    # A 401 that quotes the key back, through the CLI, build_digest and summarize.
    with serve([unauthorized()]) as fake:
        code = main(["digest", str(folder), "--base-url", fake.base_url, "--no-cache"])
        assert code == 1
        failed = build_digest(
            [folder],
            endpoint=resolve_endpoint(base_url=fake.base_url),
            options=DigestOptions(use_cache=False),
        )
        assert failed.stats.failed == 3
        assert all("authentication failed" in (a.error or "") for a in failed.articles)
        assert_clean("the failed digest", failed.model_dump_json())
        code = main(["summarize", str(folder / "01.txt"), "--base-url", fake.base_url])
        assert code == 1
        with pytest.raises(AuthenticationError) as caught:
            summarize(TEXT, endpoint=resolve_endpoint(base_url=fake.base_url))
    assert_exception_clean(caught.value)
    captured = capsys.readouterr()
    assert "authentication failed" in captured.err
    assert_clean("stdout", captured.out)
    assert_clean("stderr", captured.err)
    assert sorted(p.name for p in out.iterdir()) == ["digest.html", "digest.json", "digest.md"]
    assert assert_files_clean(out) == 3
    assert assert_files_clean(cache_dir) >= 1
    assert assert_files_clean(tmp_path / "lib-cache") >= 1
    assert_logs_clean(debug_logs)


def test_openai_debug_logging_on_stderr_keeps_no_trace_of_the_key(tmp_path: Path) -> None:
    """OPENAI_LOG=debug, the first thing a user tries when a run fails, and what ends up
    pasted into a bug report: openai logs every response's headers, and the error body."""
    (tmp_path / "a.txt").write_text(article(1))
    env = {"OPENAI_API_KEY": SENTINEL, "OPENAI_LOG": "debug"}
    with serve(echoing_router()) as fake:
        ok = run_cli(
            [
                "digest",
                str(tmp_path / "a.txt"),
                "--base-url",
                fake.base_url,
                "--no-cache",
                "--format",
                "json",
            ],
            env=env,
            timeout=60,
        )
    with serve([unauthorized()]) as fake:
        denied = run_cli(
            ["summarize", str(tmp_path / "a.txt"), "--base-url", fake.base_url],
            env=env,
            timeout=60,
        )
    assert ok.returncode == 0, ok.stderr
    assert "HTTP Response" in ok.stderr  # openai's debug log really was on
    assert denied.returncode == 1
    for name, text in (
        ("stdout", ok.stdout),
        ("stderr", ok.stderr),
        ("401 stdout", denied.stdout),
        ("401 stderr", denied.stderr),
    ):
        assert_clean(name, text)


def test_a_key_given_by_flag_is_kept_out_of_logs_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], debug_logs: pytest.LogCaptureFixture
) -> None:
    """--api-key, of no known shape, no environment variable: the transport that sent it
    is what tells the redaction to look for it."""
    flag_key = "SENTINELflagOnlyToken9876543210"
    (tmp_path / "a.txt").write_text(TEXT)
    with serve([unauthorized()]) as fake:
        code = main(
            [
                "summarize",
                str(tmp_path / "a.txt"),
                "--base-url",
                fake.base_url,
                "--api-key",
                flag_key,
            ]
        )
        assert fake.headers[0]["authorization"] == f"Bearer {flag_key}"
    assert code == 1
    captured = capsys.readouterr()
    assert "authentication failed" in captured.err
    assert_clean("stderr", captured.err)
    assert_logs_clean(debug_logs)
