"""Batch files round trip: export, a stub batch engine answers, import, digest from the cache.

The stub answers each request exactly as the live fake server does (same function), so the
briefs must come out identical to a live run's: re-asks, label questions and the synthesis
included, each taking its own round.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import run_cli

from newsbrief import BriefCache, DigestOptions, Endpoint, build_digest
from newsbrief.digest import batch_api
from newsbrief.errors import ConfigError
from tests.fakes.digests import DIGEST_MARKER, brief_answer, synthesis_answer, write_reports
from tests.fakes.server import Reply, completion, serve

LABEL_QUESTION = "say what it measures"


def answer(body: dict[str, Any]) -> dict[str, Any]:
    """The model: report 2's first answer names an id that was never listed (a re-ask);
    everything else answers well. (A label question, for a figure our code cannot name, is
    answered "yen per dollar"; the frames now name 149.50 "yen level", so none is asked.)"""
    turns = body["messages"]
    first, last = turns[0]["content"], turns[-1]["content"]
    if DIGEST_MARKER in first:
        ids = sorted({line[1:3] for line in first.splitlines() if line.startswith("[A")})
        return completion(json.dumps(synthesis_answer(ids)))
    if LABEL_QUESTION in last:
        asked = body["response_format"]["json_schema"]["schema"]["properties"]
        return completion(json.dumps({fid: "yen per dollar" for fid in asked}))
    article = turns[2]["content"]
    draft = brief_answer(article)
    if "Market report 2" in article:
        if len(turns) == 3:
            draft["key_figures"].append({"id": "C99", "label": "made up"})
        else:
            draft["key_figures"] = [f["id"] for f in draft["key_figures"]]
    usage = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    return {**completion(json.dumps(draft)), "usage": usage}


def live_reply(body: dict[str, Any]) -> Reply:
    return Reply(body=answer(body))


def engine(requests: Path, results: Path, fail: str | None = None) -> list[dict[str, Any]]:
    """A batch engine: one OpenAI Batch output line per request line, in its own order."""
    lines = [json.loads(raw) for raw in requests.read_text().splitlines()]
    out = []
    for n, line in enumerate(reversed(lines)):
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        if fail and fail in json.dumps(line["body"]):
            response = {"status_code": 500, "request_id": f"r{n}", "body": {"error": "boom"}}
        else:
            response = {"status_code": 200, "request_id": f"r{n}", "body": answer(line["body"])}
        out.append({"id": f"batch_req_{n}", "custom_id": line["custom_id"],
                    "response": response, "error": None})  # fmt: skip
    results.write_text("".join(json.dumps(o) + "\n" for o in out))
    return lines


def comparable(brief: Any) -> dict[str, Any]:
    data = brief.model_dump()
    data["provenance"].pop("latency_s")  # wall time: the one field a replay cannot share
    return dict(data)


@pytest.fixture
def reports(tmp_path: Path) -> list[Path]:
    return write_reports(tmp_path / "in", 3)


def endpoint(base_url: str) -> Endpoint:
    return Endpoint(model="test-model", base_url=base_url, api_key="sk-test")


def test_round_trip_gives_the_live_briefs_and_a_digest_with_no_model_call(
    reports: list[Path], tmp_path: Path
) -> None:
    with serve(live_reply) as fake:
        ep = endpoint(fake.base_url)
        live = build_digest(reports, endpoint=ep, options=DigestOptions(use_cache=False))
        live_requests = list(fake.requests)
    assert live.stats.summarized == 3
    cache = BriefCache(tmp_path / "cache.sqlite")
    requests = tmp_path / "round1.jsonl"
    report = batch_api.export_requests(reports, ep, cache, requests)
    assert (report.written, report.done) == (3, 0)
    sent = [json.loads(line)["body"] for line in requests.read_text().splitlines()]
    # The very bodies the live client sent (live, in whatever order concurrency gave).
    assert all(body in live_requests for body in sent)

    rounds = []
    while requests.stat().st_size:
        results = tmp_path / f"results{len(rounds) + 1}.jsonl"
        rounds.append(len(engine(requests, results)))
        requests = tmp_path / f"round{len(rounds) + 1}.jsonl"
        report = batch_api.import_results(results, ep, cache, requests)
        assert not report.failed
        assert len(rounds) < 6
    # Briefs; report 2's re-ask; the synthesis (every figure named by its frame: no label
    # question, so no round for one).
    assert rounds == [3, 1, 1]
    assert (report.done, report.articles, report.synthesis) == (3, 3, True)

    nowhere = endpoint("http://127.0.0.1:9/v1")  # any model call here would fail
    from_cache = build_digest(reports, endpoint=nowhere, cache=cache)
    assert from_cache.stats.model_calls == 0
    assert from_cache.headline == live.headline
    got = [comparable(r.brief) for r in from_cache.articles]
    assert got == [comparable(r.brief) for r in live.articles]
    second = from_cache.articles[1].brief
    assert second is not None
    labels = [(f.label, f.label_from) for f in second.key_figures]
    assert labels[1] == ("Nikkei 225 gain, the session", "frame")
    assert labels[3] == ("yen level", "frame")  # "the yen weakened past 149.50 per dollar"


def test_failed_lines_are_sent_again_and_named(reports: list[Path], tmp_path: Path) -> None:
    ep = endpoint("http://127.0.0.1:9/v1")
    cache = BriefCache(tmp_path / "cache.sqlite")
    first = tmp_path / "round1.jsonl"
    batch_api.export_requests(reports, ep, cache, first)
    results = tmp_path / "results1.jsonl"
    engine(first, results, fail="Market report 3")
    second = tmp_path / "round2.jsonl"
    report = batch_api.import_results(results, ep, cache, second)
    assert len(report.failed) == 1 and "boom" in report.failed[0]
    again = [json.loads(line) for line in second.read_text().splitlines()]
    assert "Market report 3" in json.dumps(again[-1]["body"])
    # Report 1 is done; report 2's re-ask and report 3's request again make the next round.
    assert (report.done, report.written, report.synthesis) == (1, 2, False)


def test_the_cli_round_trip(reports: list[Path], tmp_path: Path) -> None:
    env = {"NEWSBRIEF_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "sk-test",
           "NEWSBRIEF_MODEL": "test-model", "NEWSBRIEF_CACHE_DIR": str(tmp_path / "c")}  # fmt: skip
    paths = [str(p) for p in reports]
    out = tmp_path / "r1.jsonl"
    done = run_cli(["batch", "export", *paths, "-o", str(out)], env=env)
    assert done.returncode == 0, done.stderr
    assert "wrote 3 request(s)" in done.stderr
    for n in range(1, 4):  # briefs, a re-ask, the synthesis
        engine(tmp_path / f"r{n}.jsonl", tmp_path / f"o{n}.jsonl")
        results, after = tmp_path / f"o{n}.jsonl", tmp_path / f"r{n + 1}.jsonl"
        done = run_cli(["batch", "import", str(results), "-o", str(after)], env=env)
        assert done.returncode == 0, done.stderr
    assert "3/3 briefs in the cache, with the synthesis; nothing left to ask" in done.stderr
    digest = run_cli(["digest", *paths], env=env)
    assert digest.returncode == 0, digest.stderr
    assert "Japanese stocks at records" in digest.stdout


def test_the_embedded_model_is_refused_in_one_line(reports: list[Path], tmp_path: Path) -> None:
    embedded = Endpoint(model="local", base_url=None, embedded=True)
    with pytest.raises(ConfigError, match="remote model"):
        batch_api.export_requests(reports, embedded, BriefCache(tmp_path / "c"), tmp_path / "x")


def test_answers_for_another_model_are_refused_in_one_line_and_nothing_is_stored(
    reports: list[Path], tmp_path: Path
) -> None:
    env = {"NEWSBRIEF_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "sk-test",
           "NEWSBRIEF_MODEL": "test-model", "NEWSBRIEF_CACHE_DIR": str(tmp_path / "c")}  # fmt: skip
    out, results, after = tmp_path / "r1.jsonl", tmp_path / "o1.jsonl", tmp_path / "r2.jsonl"
    done = run_cli(["batch", "export", *map(str, reports), "-o", str(out)], env=env)
    assert done.returncode == 0, done.stderr
    engine(out, results)
    argv = ["batch", "import", str(results), "-o", str(after), "--model", "gpt-x"]
    other = run_cli(argv, env=env)
    assert other.returncode == 1
    assert other.stderr.strip().splitlines() == [
        f"newsbrief: error: run {json.loads(out.read_text().splitlines()[0])['custom_id'][3:15]} "
        "was exported for model 'test-model', not 'gpt-x': import with --model test-model"
    ]
    assert not after.exists()
    # The same file imported for the right model is whole: nothing was stored by the refusal.
    right = run_cli(["batch", "import", str(results), "-o", str(after)], env=env)
    assert right.returncode == 0, right.stderr
    assert "stored 3 answer(s)" in right.stderr
    assert "2/3 briefs in the cache" in right.stderr  # report 2's re-ask is the next round
