"""Batch result files are untrusted input: a malformed, oversized, unknown, duplicated or
secret-bearing line fails alone, is never stored as it came, and never wedges the run."""

from __future__ import annotations

import json
import sqlite3
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from support import http_server
from test_batch_api import answer

from newsbrief import BriefCache, Endpoint, summarize
from newsbrief.cli.main import main
from newsbrief.digest import batch_api
from newsbrief.errors import EndpointError, InputError
from newsbrief.ingest.fetch import fetch
from newsbrief.model.replay import fingerprint
from newsbrief.redact import remote_text
from tests.fakes.digests import write_reports
from tests.fakes.server import TINY_ARTICLE, Reply, completion, error_body, serve

# A key of the usual shape that nothing remembered: only its shape can catch it.
LEAKED = "sk-proj-LEAKEDkey0123456789abcdefABCDEF"


def endpoint(cap: int = 8 * 1024 * 1024) -> Endpoint:
    return Endpoint(
        model="test-model", base_url="http://127.0.0.1:9/v1", api_key="sk-test",
        max_response_bytes=cap,
    )  # fmt: skip


@pytest.fixture
def exported(tmp_path: Path) -> tuple[BriefCache, list[dict[str, Any]]]:
    """Three reports exported: the cache and the request lines of round 1."""
    cache = BriefCache(tmp_path / "c" / "briefs.sqlite")  # where --cache-dir c looks
    first = tmp_path / "round1.jsonl"
    batch_api.export_requests(write_reports(tmp_path / "in", 3), endpoint(), cache, first)
    return cache, [json.loads(line) for line in first.read_text().splitlines()]


def ok(request: dict[str, Any]) -> dict[str, Any]:
    body = answer(request["body"])
    return {"custom_id": request["custom_id"], "response": {"status_code": 200, "body": body}}


def write(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def next_ids(path: Path) -> list[str]:
    return [json.loads(line)["custom_id"] for line in path.read_text().splitlines()]


def cache_bytes(cache: BriefCache) -> bytes:
    rows = sqlite3.connect(cache.path).execute("SELECT json FROM answers").fetchall()
    return "".join(r[0] for r in rows).encode()


# --- 3: what an engine says is redacted ---------------------------------------------------


def test_engine_error_text_never_prints_a_key(
    exported: tuple[BriefCache, list[dict[str, Any]]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache, requests = exported
    cache.close()
    a, b, c = requests
    lines = [
        {"custom_id": a["custom_id"], "response": {"status_code": 401, "body": {
            "error": {"message": f"Incorrect API key provided: {LEAKED}"}}}, "error": None},
        {"custom_id": b["custom_id"], "response": None,
         "error": {"code": "invalid_key", "message": f"key {LEAKED} refused"}},
        # A model that echoes the key inside an answer: stored redacted.
        {"custom_id": c["custom_id"], "response": {"status_code": 200, "body": completion(
            json.dumps({"summary": [f"the key is {LEAKED}"]}))}},
        {"custom_id": f"nb-{LEAKED}", "response": None},
    ]  # fmt: skip
    results = write(tmp_path / "out.jsonl", lines)
    for name in ("NEWSBRIEF_BASE_URL", "NEWSBRIEF_MODEL"):
        monkeypatch.delenv(name, raising=False)
    code = main([
        "batch", "import", str(results), "-o", str(tmp_path / "r2.jsonl"),
        "--cache-dir", str(tmp_path / "c"), "--model", "test-model",
        "--base-url", "http://127.0.0.1:9/v1", "--api-key", "sk-test",
    ])  # fmt: skip
    err = capsys.readouterr().err
    assert "LEAKED" not in err
    assert "Incorrect API key provided: REDACTED" in err and "invalid_key: key REDACTED" in err
    assert code == 3
    # The answer that echoed the key is stored with the key redacted.
    stored = cache_bytes(BriefCache(tmp_path / "c" / "briefs.sqlite"))
    assert b"LEAKED" not in stored and b"REDACTED" in stored
    assert b"LEAKED" not in (tmp_path / "r2.jsonl").read_bytes()


# --- 5: each line checked before it is stored ---------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"choices": "abc"},
        {"choices": [None]},
        {"choices": [{"message": "just a string"}]},
        {"choices": [{"message": {"content": 5}}]},
        {"choices": []},
        ["a", "list"],
        "a string",
    ],
    ids=["choices-str", "choices-null", "message-str", "content-int", "no-choice", "list", "str"],
)
def test_a_malformed_answer_fails_its_line_and_is_asked_again(
    body: Any, exported: tuple[BriefCache, list[dict[str, Any]]], tmp_path: Path
) -> None:
    cache, requests = exported
    bad, *good = requests
    results = write(tmp_path / "o1.jsonl", [
        {"custom_id": bad["custom_id"], "response": {"status_code": 200, "body": body}},
        *(ok(r) for r in good),
    ])  # fmt: skip
    out = tmp_path / "r2.jsonl"
    report = batch_api.import_results(results, endpoint(), cache, out)
    assert len(report.failed) == 1 and bad["custom_id"] in report.failed[0]
    assert "(sent again)" in report.failed[0]
    assert report.answers == 2
    assert bad["custom_id"] in next_ids(out)


def test_a_bad_answer_in_an_old_cache_is_asked_again(
    exported: tuple[BriefCache, list[dict[str, Any]]], tmp_path: Path
) -> None:
    cache, requests = exported
    # What an older version stored without checking it.
    cache.put(f"batch-answer:{fingerprint(requests[0]['body'])}", "batch-answer",
              json.dumps({"choices": "abc"}))  # fmt: skip
    results = write(tmp_path / "o1.jsonl", [ok(r) for r in requests[1:]])
    out = tmp_path / "r2.jsonl"
    report = batch_api.import_results(results, endpoint(), cache, out)
    assert report.failed == []
    assert requests[0]["custom_id"] in next_ids(out)
    assert cache.get(f"batch-answer:{fingerprint(requests[0]['body'])}") is None


def test_a_line_over_the_answer_cap_is_refused_unstored(
    exported: tuple[BriefCache, list[dict[str, Any]]], tmp_path: Path
) -> None:
    cache, requests = exported
    big = ok(requests[0])
    big["response"]["body"]["padding"] = "x" * 50_000
    results = write(tmp_path / "o1.jsonl", [big, *(ok(r) for r in requests[1:])])
    out = tmp_path / "r2.jsonl"
    report = batch_api.import_results(results, endpoint(cap=20_000), cache, out)
    assert len(report.failed) == 1
    assert requests[0]["custom_id"] in report.failed[0] and "20000-byte" in report.failed[0]
    assert report.answers == 2
    assert b"xxxxxxxxxx" not in cache_bytes(cache)
    assert requests[0]["custom_id"] in next_ids(out)


def test_unknown_and_duplicate_custom_ids_are_refused(
    exported: tuple[BriefCache, list[dict[str, Any]]], tmp_path: Path
) -> None:
    cache, requests = exported
    a, b, c = requests
    run, key, _ = a["custom_id"][3:].split("-")
    never = {"custom_id": f"nb-{run}-{key}-{'0' * 24}", "response": ok(a)["response"]}
    no_run = {"custom_id": f"nb--{key}-{a['custom_id'][-24:]}", "response": ok(a)["response"]}
    results = write(tmp_path / "o1.jsonl", [ok(a), ok(b), ok(b), never, no_run, ok(c)])
    out = tmp_path / "r2.jsonl"
    report = batch_api.import_results(results, endpoint(), cache, out)
    assert len(report.failed) == 3, report.failed
    (dup,) = [f for f in report.failed if "result lines" in f]
    (unknown,) = [f for f in report.failed if "no such request" in f]
    (empty_run,) = [f for f in report.failed if f.startswith("line ")]
    assert b["custom_id"] in dup and "none stored" in dup
    assert never["custom_id"] in unknown and "no such request" in unknown
    assert "not a newsbrief request" in empty_run
    assert cache.get(f"batch-answer:{'0' * 24}") is None
    assert report.answers == 2
    ids = next_ids(out)
    assert len(ids) == len(set(ids)) and b["custom_id"] in ids


@pytest.mark.parametrize("content", ["", "\n\n", "not json at all\n", '{"id": 1}\n[1, 2]\n'])
def test_an_empty_or_junk_results_file_is_an_error_naming_it(
    content: str, exported: tuple[BriefCache, list[dict[str, Any]]], tmp_path: Path
) -> None:
    cache, _ = exported
    results = tmp_path / "o1.jsonl"
    results.write_text(content)
    with pytest.raises(InputError, match=r"o1\.jsonl"):
        batch_api.import_results(results, endpoint(), cache, tmp_path / "r2.jsonl")
    assert not (tmp_path / "r2.jsonl").exists()


def test_the_cli_exits_1_on_an_empty_results_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "empty.jsonl"
    results.write_text("")
    code = main([
        "batch", "import", str(results), "--cache-dir", str(tmp_path / "c"),
        "--model", "test-model", "--base-url", "http://127.0.0.1:9/v1", "--api-key", "sk-test",
    ])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "empty.jsonl" in err and "nothing left to ask" not in err


# --- 3, siblings: every server text is redacted before it is cut --------------------------


def test_remote_text_redacts_a_key_the_cut_would_halve() -> None:
    text = "x" * 290 + " " + LEAKED + " tail"
    shown = remote_text(text)
    assert len(shown) <= 300 and "LEAKED" not in shown and "LEAKEDkey" not in shown
    assert "sk-proj" not in shown
    # Whitespace collapsed: a key far past the limit must not slide under it.
    padded = "a" + " " * 5000 + LEAKED[:20]
    assert "LEAK" not in remote_text(padded + LEAKED[20:] + " end")
    assert "\n" not in remote_text("two\nlines")


def test_an_endpoint_error_cut_at_its_limit_keeps_no_half_key() -> None:
    message: list[str] = []

    def reply(body: dict[str, Any]) -> Reply:
        return Reply(400, error_body(message[0], "invalid_request_error"))

    with serve(reply) as fake:
        # The key across the 500-character cut of the one-line error: "sk-proj-LEA" kept.
        where = f"{fake.base_url} rejected the request (HTTP 400, not retried): "
        message.append("m" * (500 - 11 - len(where) - 1) + " " + LEAKED)
        ep = Endpoint(model="m", base_url=fake.base_url, api_key="sk-test")
        with pytest.raises(EndpointError) as caught:
            summarize(TINY_ARTICLE, endpoint=ep)
    assert "sk-proj" not in str(caught.value) and "LEA" not in str(caught.value)


def test_a_fetch_error_names_no_key_the_server_sent() -> None:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(403, f"Forbidden for {LEAKED}")
            self.send_header("content-length", "0")
            self.end_headers()

    with http_server(Handler) as port, pytest.raises(InputError) as caught:
        fetch(f"http://127.0.0.1:{port}/a", max_bytes=1000, allow_private=True)
    assert "LEAKED" not in str(caught.value) and "403" in str(caught.value)
