"""digest/synthesis_input.py: the synthesis prompt within the context window. Unchanged when
every brief fits; over the budget, the leading stories' briefs and nothing more, never over
it whatever the number of articles; a digest says so to its reader."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsbrief import build_digest
from newsbrief.brief.policy import POLICY
from newsbrief.contract import Brief
from newsbrief.digest.contract import ArticleResult, Story, StoryIndex
from newsbrief.digest.lead import rank_stories
from newsbrief.digest.synthesis import synthesize
from newsbrief.digest.synthesis_input import CHAT_TOKENS, fit, prompt_of
from newsbrief.errors import NewsbriefError
from newsbrief.model.call import Meter, Request
from newsbrief.model.endpoint import Endpoint, resolve_endpoint
from newsbrief.model.prompts import render
from tests.fakes.digests import DIGEST_MARKER, router, write_reports
from tests.fakes.server import serve

DAY = dt.datetime(2026, 11, 18, 7, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> Brief:
    folder = tmp_path_factory.mktemp("one")
    with serve(router()) as fake:
        digest = build_digest(
            write_reports(folder, 1), endpoint=resolve_endpoint(base_url=fake.base_url)
        )
    return next(iter(digest.briefs.values()))


def _many(brief: Brief, n: int, per_story: int = 3) -> tuple[dict[str, Brief], StoryIndex]:
    """n copies of one brief, each titled apart, in stories of `per_story` articles; the
    later stories have more sources, so the ranking is not digest order."""
    briefs: dict[str, Brief] = {}
    results: list[ArticleResult] = []
    for i in range(1, n + 1):
        source = brief.source.model_copy(update={"title": f"Report {i} on the Nikkei"})
        briefs[f"A{i}"] = brief.model_copy(update={"source": source})
        results.append(ArticleResult(article_id=f"A{i}", origin=f"o{i}", published=DAY))
    stories = []
    for k, start in enumerate(range(1, n + 1, per_story), 1):
        ids = [f"A{i}" for i in range(start, min(start + per_story, n + 1))]
        sources = [f"outlet {j}" for j in range(1 + k % 5)]
        story = Story(id=f"S{k}", title="t", article_ids=ids, sources=sources,
                      source_count=len(sources), single_source=len(sources) == 1)  # fmt: skip
        stories.append(story)
    return briefs, StoryIndex.of(stories, results)


@dataclass
class Asked:
    requests: list[Request[Any]]

    async def __call__(
        self, endpoint: Endpoint, request: Request[Any], *, retry: Any = None
    ) -> tuple[Any, Meter]:
        """A model citing the first id it was given."""
        self.requests.append(request)
        schema = request.response_model.model_json_schema()
        ids = schema["$defs"]["ThemeDraft"]["properties"]["article_ids"]["items"]["enum"]
        theme = {"title": "T", "summary": "Stocks rose.", "article_ids": ids[:1]}
        answer = {"headline": "Stocks", "themes": [theme], "implications": [],
                  "discrepancies": []}  # fmt: skip
        return request.response_model.model_validate(answer), Meter.of(request)


class ByteTokens(Endpoint):
    """An endpoint whose tokenizer counts every byte a token: more than the estimate."""

    def count_tokens(self, text: str) -> int:
        return len(text.encode())


def _endpoint() -> Endpoint:
    return Endpoint(model="m", base_url="http://127.0.0.1:9/v1", api_key="k")


def _sent(request: Request[Any]) -> tuple[str, list[str]]:
    schema = request.response_model.model_json_schema()
    ids = schema["$defs"]["ThemeDraft"]["properties"]["article_ids"]["items"]["enum"]
    return request.messages[0]["content"], ids


async def test_briefs_that_fit_are_sent_as_they_always_were(brief: Brief) -> None:
    briefs, index = _many(brief, 3)
    fitted = await fit(briefs, _endpoint(), POLICY, index)
    assert fitted.briefs == briefs and fitted.note is None
    blocks = "\n\n".join(
        f"[{a}] {b.source.title}\nSummary: {b.summary}\n"
        f"Figures: {'; '.join(f'{f.label}: {f.number_text}' for f in b.key_figures)}\n"
        f"Policy: {'; '.join(p.statement for p in b.policy_implications) or 'none'}"
        for a, b in briefs.items()
    )
    limits = {"max_themes": POLICY.max_themes, "max_items": POLICY.max_digest_items}
    assert prompt_of(briefs, POLICY) == (
        render("digest_system", **limits) + "\n\n" + render("digest_user", briefs=blocks)
    )


@pytest.mark.parametrize("context", [None, 6000, 64000])
@pytest.mark.parametrize("endpoint", [_endpoint(), ByteTokens(model="m", base_url="http://h/v1")])
async def test_thousands_of_briefs_never_exceed_the_context_window(
    brief: Brief, context: int | None, endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    if context is not None:
        monkeypatch.setenv("NEWSBRIEF_CONTEXT", str(context))
    briefs, index = _many(brief, 3000)
    asked = Asked([])
    result = await synthesize(briefs, endpoint, ask=asked, index=index)
    prompt, ids = _sent(asked.requests[0])
    budget = endpoint.context_tokens() - POLICY.synthesis_reserved_tokens()
    assert endpoint.count_tokens(prompt) + CHAT_TOKENS <= budget
    assert 0 < len(ids) < 3000
    # Whole stories in the lead's order, the last one perhaps cut; sent in digest order.
    ranked = [s for _, _, s in rank_stories(index.stories, briefs)]
    expected = [a for s in ranked for a in s.article_ids][: len(ids)]
    assert ids == sorted(expected, key=lambda a: int(a[1:]))
    assert [line[1:].split("]")[0] for line in prompt.splitlines() if line[:2] == "[A"] == ids
    said = result.notes[0]
    assert said.kind == "reader" and said.text.startswith("The overview covers the ")
    assert f"of 1000 ({len(ids)} of 3000 articles)" in said.text


async def test_not_one_brief_fitting_is_one_error(
    brief: Brief, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_CONTEXT", str(POLICY.synthesis_reserved_tokens() + 300))
    briefs, index = _many(brief, 5)
    with pytest.raises(NewsbriefError, match="not one brief fits the synthesis prompt"):
        await fit(briefs, _endpoint(), POLICY, index)


def test_a_digest_over_the_budget_synthesizes_its_leading_stories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_CONTEXT", "5200")
    paths = write_reports(tmp_path / "in", 40)
    with serve(router()) as fake:
        digest = build_digest(paths, endpoint=resolve_endpoint(base_url=fake.base_url))
        asked = [b for b in fake.requests if DIGEST_MARKER in b["messages"][0]["content"]]
    assert digest.stats.summarized == 40 and len(asked) == 1
    schema = json.dumps(asked[0]["response_format"])
    sent = sorted({a for a in digest.briefs if f'"{a}"' in schema}, key=lambda a: int(a[1:]))
    assert 0 < len(sent) < 40
    assert all(set(t.article_ids) <= set(sent) for t in digest.themes)
    covers = [n for n in digest.notes if n.text.startswith("The overview covers the ")]
    assert covers and covers[0].kind == "reader"
    assert f"({len(sent)} of 40 articles)" in covers[0].text
