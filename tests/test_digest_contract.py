"""digest/contract.py: the digest's types in one module, its JSON schema unchanged, render/
and cli/ reading the types from there alone; the story index; own texts computed once."""

from __future__ import annotations

import ast
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel

import newsbrief
from newsbrief import build_digest
from newsbrief.digest import boilerplate, contract, stories
from newsbrief.digest.compare import group_figures
from newsbrief.digest.contract import (
    DIGEST_SCHEMA_VERSION,
    ArticleResult,
    Digest,
    Story,
    StoryIndex,
)
from newsbrief.digest.synthesis import unrelated
from newsbrief.model.endpoint import resolve_endpoint
from newsbrief.render import to_html, to_markdown
from tests.fakes.digests import router, write_reports
from tests.fakes.server import serve

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "newsbrief"
TYPES = [
    "Digest",
    "ArticleResult",
    "Story",
    "FigureGroup",
    "FigureEntry",
    "Theme",
    "CrossImplication",
    "Discrepancy",
    "DigestStats",
    "Changes",
    "StoryIndex",
]


@pytest.mark.parametrize("name", TYPES)
def test_the_contract_module_holds_the_digest_types(name: str) -> None:
    assert getattr(contract, name).__module__ == "newsbrief.digest.contract"


@pytest.mark.parametrize("name", [n for n in TYPES if n in newsbrief.__all__])
def test_the_public_names_are_the_contract_types(name: str) -> None:
    assert getattr(newsbrief, name) is getattr(contract, name)


def test_the_digest_json_schema_is_the_one_of_its_version() -> None:
    """The schema changes only with DIGEST_SCHEMA_VERSION (and this file with it)."""
    stored = ROOT / "tests" / "schemas" / f"digest_v{DIGEST_SCHEMA_VERSION}.json"
    assert json.dumps(Digest.model_json_schema(), indent=1) + "\n" == stored.read_text()


def test_the_contract_imports_no_other_digest_module() -> None:
    tree = ast.parse((SRC / "digest" / "contract.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {m for m in imported if m and m.startswith("newsbrief.digest")}


def _digest_imports(folder: Path) -> Iterator[tuple[str, str, str]]:
    """(file, module, name) of every `from newsbrief.digest... import name` in folder."""
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "newsbrief.digest"
            ):
                for alias in node.names:
                    yield path.name, node.module or "", alias.name


@pytest.mark.parametrize("layer", ["render", "cli"])
def test_render_and_the_cli_read_the_digest_types_from_the_contract_alone(layer: str) -> None:
    found = list(_digest_imports(SRC / layer))
    assert any(module == "newsbrief.digest.contract" for _, module, _ in found)
    for file, module, name in found:
        if module == "newsbrief.digest.contract":
            continue
        value: Any = getattr(__import__(module, fromlist=[name]), name)
        is_model = isinstance(value, type) and issubclass(value, BaseModel)
        assert not hasattr(contract, name) and not is_model, f"{file}: {name} from {module}"


# --- the story index -------------------------------------------------------------------------


def _story(sid: str, ids: list[str]) -> Story:
    return Story(id=sid, title="t", article_ids=ids, sources=["x"], source_count=1,
                 single_source=True)  # fmt: skip


def test_the_story_index_gives_each_article_its_story_and_day() -> None:
    day = dt.datetime(2026, 11, 18, 7, 30, tzinfo=dt.UTC)
    results = [
        ArticleResult(article_id="A1", origin="a", published=day),
        ArticleResult(article_id="A2", origin="b"),
        ArticleResult(article_id="A3", origin="c", published=day),
    ]
    index = StoryIndex.of([_story("S1", ["A1", "A3"]), _story("S2", ["A2"])], results)
    assert [index.story_of(a) for a in ("A1", "A2", "A3", "A9")] == ["S1", "S2", "S1", None]
    assert [index.day_of(a) for a in ("A1", "A2", "A3")] == [day.date(), None, day.date()]
    assert [s.id for s in index.stories] == ["S1", "S2"] and index.knows_stories
    empty = StoryIndex()
    assert not empty.knows_stories and empty.story_of("A1") is None and empty.day_of("A1") is None


def test_a_discrepancy_goes_by_the_index() -> None:
    item = SimpleNamespace(article_ids=["A1", "A2"])
    day = dt.datetime(2026, 11, 18, tzinfo=dt.UTC)
    results = [ArticleResult(article_id=a, origin=a, published=day) for a in ("A1", "A2")]
    one = StoryIndex.of([_story("S1", ["A1", "A2"])], results)
    two = StoryIndex.of([_story("S1", ["A1"]), _story("S2", ["A2"])], results)
    assert unrelated(item, one) is None
    assert unrelated(item, two) == "its articles report different events"
    assert unrelated(item, StoryIndex()) is None  # no story known: not judged


# --- own texts: boilerplate taken out once per digest ---------------------------------------


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every boilerplate strip, by the number of articles stripped."""
    calls: list[int] = []
    real = boilerplate.without_boilerplate

    def counting(items: Any) -> Any:
        calls.append(len(items))
        return real(items)

    monkeypatch.setattr(boilerplate, "without_boilerplate", counting)
    monkeypatch.setattr(stories, "without_boilerplate", counting)
    return calls


def test_a_digest_strips_boilerplate_once_for_its_stories_and_its_pages(
    tmp_path: Path, counted: list[int]
) -> None:
    paths = write_reports(tmp_path / "in", 3)
    with serve(router()) as fake:
        digest = build_digest(paths, endpoint=resolve_endpoint(base_url=fake.base_url))
    assert digest.stats.summarized == 3
    to_markdown(digest)
    to_html(digest)
    assert counted == [3]


def test_a_digest_read_from_json_strips_once_and_a_changed_copy_again(
    tmp_path: Path, counted: list[int]
) -> None:
    paths = write_reports(tmp_path / "in", 3)
    with serve(router()) as fake:
        built = build_digest(paths, endpoint=resolve_endpoint(base_url=fake.base_url))
    again = Digest.model_validate_json(built.model_dump_json())
    assert again == built  # the kept texts are no part of a digest's value
    to_markdown(again)
    to_html(again)
    assert counted == [3, 3]
    failed = ArticleResult(article_id="A3", origin=again.articles[2].origin, error="gone")
    fewer = again.model_copy(update={"articles": [*again.articles[:2], failed]})
    to_markdown(fewer)
    assert counted == [3, 3, 2]


def test_figure_groups_without_an_index_claim_no_conflict(tmp_path: Path) -> None:
    paths = write_reports(tmp_path / "in", 2, index_level="57,890")
    paths[1].write_text(paths[1].read_text().replace("57,890", "58,100"))
    with serve(router()) as fake:
        digest = build_digest(paths, endpoint=resolve_endpoint(base_url=fake.base_url))
    briefs = digest.briefs
    assert not any(g.conflicting for g in group_figures(briefs))
    index = stories.story_index(digest.articles)
    assert group_figures(briefs, index) == digest.figure_groups
