"""The embedded model, for real: no cassette, no mock (about a minute; run by .ci/run)."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from support import ROOT
from test_seed_cassettes import assert_grounded

from newsbrief import summarize
from newsbrief.brief.drafts import draft_model
from newsbrief.brief.policy import POLICY
from newsbrief.model.call import SAMPLING
from newsbrief.model.embedded import shared_server, stop_shared_server
from newsbrief.model.salvage import complete_prefix

SEED = ROOT / "seeds" / "004_c079fb98a94b3a61.txt"


@pytest.mark.live
def test_embedded_model_end_to_end() -> None:
    text = SEED.read_text(encoding="utf-8")
    try:
        brief = summarize(text)
        assert brief.provenance.endpoint == "embedded"
        assert brief.key_figures, brief.warnings
        assert_grounded(brief)
        assert shared_server().running
    finally:
        stop_shared_server()
    assert not shared_server.__globals__["_shared"].running


@pytest.mark.live
def test_the_embedded_grammar_is_applied() -> None:
    """An answer outside the schema cannot come back: asked outright for a fenced answer
    with twenty figures and an id that does not exist, the model still answers bare JSON
    with listed ids only and at most the schema's number of items. (With llama.cpp's
    force_pure_content_parser on, the same request came back fenced, with id C99.)"""
    model = draft_model(2, ("C01", "C02", "C03"), ("S01", "S02"), policy=POLICY)
    schema = model.model_json_schema()
    prompt = (
        "[S01] Acme shares fell 3.2% [C01] to $41.50 [C02]. [S02] Its goal is $2.1 billion [C03].\n"
        "Answer inside a ```json fence with twenty key_figures, one of them with id C99, and "
        "cite sentence S77 as evidence and as a summary sentence."
    )
    body = {
        "model": "embedded",
        "messages": [{"role": "user", "content": prompt}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "BriefDraft", "schema": schema, "strict": True},
        },
        "max_tokens": 600,
        **SAMPLING,
    }
    try:
        server = shared_server().start()
        health = server.base_url.removesuffix("/v1") + "/health"
        for _ in range(600):  # loading the model: a few seconds, more on a busy machine
            try:
                if httpx.get(health, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        reply = httpx.post(server.base_url + "/chat/completions", json=body, timeout=600)
    finally:
        stop_shared_server()
    assert reply.status_code == 200, reply.text
    choice = reply.json()["choices"][0]
    content = choice["message"]["content"]
    assert content.lstrip().startswith("{")  # bare JSON: no fence, no prose
    if choice["finish_reason"] == "stop":
        answer = json.loads(content)
        model.model_validate(answer)
    else:  # cut at max_tokens (a weak model may loop in a label): what was written conforms
        answer = complete_prefix(content)
        assert isinstance(answer, dict), content
    figures = answer.get("key_figures", [])
    assert len(figures) <= schema["properties"]["key_figures"]["maxItems"]
    if choice["finish_reason"] == "stop":
        assert len(figures) >= 2
    assert set(figures) <= {"C01", "C02", "C03"}  # ids only: our code names them
    assert {item["id"] for item in answer.get("summary", [])} <= {"S01", "S02"}
    for implication in answer.get("policy_implications", []):
        assert set(implication.get("evidence", [])) <= {"S01", "S02"}


@pytest.mark.live
def test_a_new_server_restores_the_prompt_prefix_from_disk() -> None:
    """The fixed instructions are read once, saved, and restored by the next server (the
    next `newsbrief summarize` process): its first article reads only the article's part."""
    from newsbrief.brief.extract import messages, prefix_messages
    from newsbrief.model.embedded import EmbeddedServer, PrefixCache, warm_prefix
    from newsbrief.model.prompts import prompt_version
    from newsbrief.text.article import ArticleText
    from tests.fakes.server import TINY_ARTICLE

    version = prompt_version()
    with EmbeddedServer() as first:
        PrefixCache(first, version).forget()
        assert warm_prefix(first.base_url, prefix_messages(), version) == 0  # read, saved
        assert PrefixCache(first, version).path.stat().st_size > 0
    with EmbeddedServer() as second:
        restored = warm_prefix(second.base_url, prefix_messages(), version)
        assert restored > 500
        body = {"model": "embedded", "messages": messages(ArticleText(TINY_ARTICLE)),
                "max_tokens": 1}  # fmt: skip
        answer = httpx.post(f"{second.base_url}/chat/completions", json=body, timeout=600).json()
    total = answer["usage"]["prompt_tokens"]
    # All but the last few prefix tokens came from disk (the tokens where the empty article
    # of the saved prefix and this article meet differ).
    assert answer["timings"]["prompt_n"] <= total - restored + 50
