"""build_digest and `newsbrief digest` against a fake model: caching, failures, citations."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from newsbrief import Article, Digest, build_digest
from newsbrief.cli.main import main
from newsbrief.digest.batch import DigestOptions
from newsbrief.model.endpoint import resolve_endpoint
from newsbrief.render import to_markdown
from newsbrief.store.table import BriefCache
from tests.fakes.digests import DIGEST_MARKER, article, brief_requests, router, write_reports
from tests.fakes.server import Reply, completion, serve


def test_digest_builds_briefs_and_synthesis(tmp_path: Path) -> None:
    write_reports(tmp_path / "in", 3)
    with serve(router()) as fake:
        digest = build_digest(
            [tmp_path / "in"],
            endpoint=resolve_endpoint(base_url=fake.base_url),
            cache=BriefCache(tmp_path / "cache.sqlite"),
        )
    assert isinstance(digest, Digest)
    assert digest.stats.summarized == 3 and digest.stats.failed == 0
    assert digest.stats.model_calls == 4  # 3 briefs + 1 synthesis
    assert digest.headline.startswith("Japanese stocks")
    assert 2 <= len(digest.themes) <= 6
    assert all(set(t.article_ids) <= {"A1", "A2", "A3"} for t in digest.themes)
    assert digest.stats.usage.total_tokens == 4 * 15
    for b in digest.briefs.values():
        for f in b.key_figures:
            assert b.source.text[f.start : f.end] == f.quote
    assert Digest.model_validate_json(digest.model_dump_json()).stats == digest.stats


def test_second_run_makes_no_model_call(tmp_path: Path) -> None:
    write_reports(tmp_path / "in", 2)
    cache = BriefCache(tmp_path / "cache.sqlite")
    with serve(router()) as fake:
        endpoint = resolve_endpoint(base_url=fake.base_url)
        first = build_digest([tmp_path / "in"], endpoint=endpoint, cache=cache)
        sent = len(fake.requests)
        second = build_digest([tmp_path / "in"], endpoint=endpoint, cache=cache)
        assert len(fake.requests) == sent == 3
    assert second.stats.model_calls == 0 and second.stats.cached == 2
    assert second.headline == first.headline
    body = [to_markdown(d).split("## Themes")[1].split("## Sources")[0] for d in (first, second)]
    assert body[0] == body[1]
    assert "(cached)" in to_markdown(second).split("## Sources")[1]


def test_refresh_and_no_cache_ask_again(tmp_path: Path) -> None:
    write_reports(tmp_path / "in", 1)
    cache = BriefCache(tmp_path / "cache.sqlite")
    with serve(router()) as fake:
        endpoint = resolve_endpoint(base_url=fake.base_url)
        build_digest([tmp_path / "in"], endpoint=endpoint, cache=cache)
        build_digest(
            [tmp_path / "in"], endpoint=endpoint, cache=cache, options=DigestOptions(refresh=True)
        )
        assert len(fake.requests) == 4
        build_digest(
            [tmp_path / "in"],
            endpoint=endpoint,
            cache=cache,
            options=DigestOptions(use_cache=False),
        )
        assert len(fake.requests) == 6


def test_one_bad_article_never_sinks_the_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_reports(tmp_path / "in", 2)
    (tmp_path / "in" / "03.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "in" / "04.txt").write_text("   ")
    refused = tmp_path / "in" / "05.txt"
    refused.write_text(article(5).replace("Market report", "REFUSE report"))
    out = tmp_path / "digest.md"
    with serve(router(fail_if="REFUSE")) as fake:
        code = main(
            [
                "digest",
                str(tmp_path / "in"),
                str(tmp_path / "missing.txt"),
                "-o",
                str(out),
                "--base-url",
                fake.base_url,
                "--cache-dir",
                str(tmp_path / "c"),
            ]
        )
    assert code == 3  # partial
    md = out.read_text()
    assert "## Not summarized" in md
    for fragment in ("PNG image", "whitespace only", "no such file", "HTTP 400"):
        assert fragment in md
    assert md.count("\n### ") == 2  # one heading per summarized article
    assert str(paths[0]) in md


def test_all_articles_failing_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_text("")
    code = main(
        [
            "digest",
            str(tmp_path / "empty.txt"),
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--cache-dir",
            str(tmp_path / "c"),
        ]
    )
    assert code == 1
    assert "no article could be summarized" in capsys.readouterr().err


def test_unknown_citations_are_reasked_then_dropped(tmp_path: Path) -> None:
    write_reports(tmp_path / "in", 2)
    with serve(router(extra_ids=("A9",))) as fake:
        digest = build_digest(
            [tmp_path / "in"],
            endpoint=resolve_endpoint(base_url=fake.base_url),
            options=DigestOptions(use_cache=False),
        )
        synthesis_calls = len(fake.requests) - len(brief_requests(fake.requests))
    assert synthesis_calls == 2  # the re-ask
    assert all("A9" not in t.article_ids for t in digest.themes)
    assert any("A9" in w for w in digest.warnings)


def test_conflicting_figures_are_shown_side_by_side() -> None:
    day = dt.datetime(2026, 11, 18, 7, tzinfo=dt.UTC)
    digest, groups = figures_of([dated(1, "57,890", day, "HSJ"), dated(2, "57,320", day, "Wire")])
    assert [s.article_ids for s in digest.stories] == [["A1", "A2"]]
    close = groups["Nikkei 225 close"]
    assert close.conflicting
    assert sorted(e.number_text for e in close.entries) == ["57,320", "57,890"]
    md = to_markdown(digest)
    assert (
        "57,890 (HSJ, 18 Nov 2026 07:00 UTC) vs 57,320 (Wire, 18 Nov 2026 07:00 UTC)" in md
        and "sources disagree" in md
    )


def test_undated_articles_never_disagree(tmp_path: Path) -> None:
    """Two text files with no date: which day each speaks of is unknown, so their values are
    shown side by side, and no disagreement is claimed."""
    (tmp_path / "a.txt").write_text(article(1, "57,890"))
    (tmp_path / "b.txt").write_text(article(2, "57,320"))
    with serve(router()) as fake:
        digest = build_digest(
            [tmp_path / "a.txt", tmp_path / "b.txt"],
            endpoint=resolve_endpoint(base_url=fake.base_url),
            options=DigestOptions(use_cache=False),
        )
    close = next(g for g in digest.figure_groups if g.label == "Nikkei 225 close")
    assert not close.conflicting and "57,890 (a.txt) vs 57,320 (b.txt)" in to_markdown(digest)


def dated(i: int, level: str, when: dt.datetime, source: str) -> Article:
    return Article(article(i, level), f"Market report {i}", f"feed-{i}", [], when, source)


def figures_of(articles: list[Article]) -> Any:
    with serve(router()) as fake:
        digest = build_digest(
            articles,
            endpoint=resolve_endpoint(base_url=fake.base_url),
            options=DigestOptions(use_cache=False),
        )
    return digest, {g.label: g for g in digest.figure_groups}


def test_values_far_apart_or_on_other_days_are_never_a_disagreement() -> None:
    day = dt.datetime(2026, 11, 18, 7, tzinfo=dt.UTC)
    # Far apart (13%): two facts, shown side by side, not "sources disagree".
    digest, groups = figures_of(
        [dated(1, "57,890", day, "HSJ"), dated(2, "50,367.38", day, "Wire")]
    )
    assert not groups["Nikkei 225 close"].conflicting
    assert (
        "- **Nikkei 225 close**: 57,890 (HSJ, 18 Nov 2026 07:00 UTC) vs 50,367.38 (Wire, 18 Nov "
        "2026 07:00 UTC)"
    ) in to_markdown(digest)
    # Close values a day apart: a sequence, not a disagreement; the same day: a disagreement.
    later = day + dt.timedelta(hours=26)
    _, groups = figures_of([dated(1, "57,890", day, "HSJ"), dated(2, "57,320", later, "Wire")])
    assert not groups["Nikkei 225 close"].conflicting
    _, groups = figures_of([dated(1, "57,890", day, "HSJ"), dated(2, "57,320", day, "Wire")])
    assert groups["Nikkei 225 close"].conflicting


def test_stories_carry_their_sources_and_count() -> None:
    day = dt.datetime(2026, 11, 18, 7, tzinfo=dt.UTC)
    digest, _ = figures_of(
        [dated(1, "57,890", day, "HSJ"), dated(2, "57,890", day, "Wire"),
         dated(3, "57,890", day + dt.timedelta(days=5), "HSJ")]
    )  # fmt: skip
    assert [
        (s.article_ids, s.sources, s.source_count, s.single_source) for s in digest.stories
    ] == [
        (["A1", "A2"], ["HSJ", "Wire"], 2, False),
        (["A3"], ["HSJ"], 1, True),
    ]
    md = to_markdown(digest)
    assert "2 sources (HSJ, Wire)" in md and "single source (HSJ)" in md


@pytest.mark.parametrize(
    ("suffix", "check"),
    [
        (".md", lambda s: s.startswith("# Japanese stocks")),
        (".html", lambda s: s.startswith("<!DOCTYPE html>")),
        (".json", lambda s: json.loads(s)["stats"]["summarized"] == 1),
    ],
)
def test_output_format_follows_the_extension(tmp_path: Path, suffix: str, check: object) -> None:
    (tmp_path / "a.txt").write_text(article(1))
    out = tmp_path / f"digest{suffix}"
    with serve(router()) as fake:
        assert (
            main(
                [
                    "digest",
                    str(tmp_path / "a.txt"),
                    "-o",
                    str(out),
                    "--base-url",
                    fake.base_url,
                    "--no-cache",
                ]
            )
            == 0
        )
    assert check(out.read_text())  # type: ignore[operator]


def test_paths_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    paths = write_reports(tmp_path / "in", 2)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(map(str, paths)) + "\n"))
    with serve(router()) as fake:
        assert (
            main(["digest", "-", "--base-url", fake.base_url, "--no-cache", "--format", "json"])
            == 0
        )
    assert json.loads(capsys.readouterr().out)["stats"]["summarized"] == 2


def test_unknown_output_extension_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text(article(1))
    with pytest.raises(SystemExit) as exc:  # a usage error, caught before any article is read
        main(["digest", str(tmp_path / "a.txt"), "-o", str(tmp_path / "x.pdf")])
    assert exc.value.code == 2
    assert "cannot tell the format" in capsys.readouterr().err


def test_synthesis_numbers_must_come_from_the_briefs_it_cites(tmp_path: Path) -> None:
    """A headline, theme or discrepancy stating a number no cited brief grounds is re-asked,
    then dropped with a warning; the headline falls back to our own."""
    write_reports(tmp_path / "in", 2)
    base = router()

    def reply(body: dict[str, Any]) -> Reply:
        answer = base(body)
        if DIGEST_MARKER not in body["messages"][0]["content"]:
            return answer
        draft = json.loads(answer.body["choices"][0]["message"]["content"])
        draft["headline"] = "Nikkei crashes 12.4% as the yen slides"
        draft["themes"][0]["summary"] = "The Nikkei closed at 57,890."  # both briefs have it
        draft["themes"][1]["summary"] = "Exporters gained 99.5%."  # A1 says 3.5%
        draft["discrepancies"] = [
            {"description": "The close was 57,890 or 75 basis points.", "article_ids": ["A1", "A2"]}
        ]
        return Reply(body=completion(json.dumps(draft)))

    with serve(reply) as fake:
        digest = build_digest(
            [tmp_path / "in"],
            endpoint=resolve_endpoint(base_url=fake.base_url),
            options=DigestOptions(use_cache=False),
        )
        prompts = [r["messages"][-1]["content"] for r in fake.requests]
    assert sum(DIGEST_MARKER in r["messages"][0]["content"] for r in fake.requests) == 2
    assert "headline states 12.4%, which no brief has" in prompts[-1]  # the re-ask says why
    assert [t.summary for t in digest.themes] == ["The Nikkei closed at 57,890."]
    assert digest.discrepancies == []
    assert "12.4%" not in digest.headline and digest.headline
    joined = " ".join(digest.warnings)
    assert "12.4%" in joined and "99.5%" in joined and "75 basis points" in joined
