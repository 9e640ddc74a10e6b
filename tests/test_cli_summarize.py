"""cli/summarize.py: `newsbrief summarize`. Its JSON is the Brief contract, Markdown the
default; -o written whole; status lines unless -q; a folder points at digest; Markdown
titles on stdin; the brief cache (a repeat served from it, shared with digest, a bad row
never served, an unusable cache one line)."""

from __future__ import annotations

import io
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from cli_support import run

from newsbrief import settings
from newsbrief.contract import Brief, text_id
from newsbrief.model.endpoint import resolve_endpoint
from newsbrief.store.table import BriefCache, cache_key
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, FakeOpenAI, draft_reply, serve

GOOD_TEXT = TINY_ARTICLE
GOOD_DRAFT = TINY_DRAFT


def test_json_output_is_the_brief_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(GOOD_TEXT)
    with serve([draft_reply(GOOD_DRAFT)]) as fake:
        code, out, _ = run(
            ["summarize", str(path), "--base-url", fake.base_url, "--format", "json"], capsys
        )
        assert fake.headers[0]["x-newsbrief-prompt-version"]
    assert code == 0
    brief = json.loads(out)
    text = brief["source"]["text"]
    assert text == GOOD_TEXT
    assert [f["value"] for f in brief["key_figures"]] == [57890.0, 1.5]
    for f in brief["key_figures"]:
        assert text[f["start"] : f["end"]] == f["quote"]
    assert brief["provenance"]["endpoint"] == "openai-compatible"
    assert brief["provenance"]["usage"]["total_tokens"] == 15


def test_markdown_is_the_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(GOOD_TEXT)
    with serve([draft_reply(GOOD_DRAFT)]) as fake:
        code, out, _ = run(["summarize", str(path), "--base-url", fake.base_url], capsys)
    assert code == 0
    assert out.startswith("# Markets rallied.")
    assert "| Nikkei 225 close | 57,890 |" in out


@pytest.mark.parametrize(
    ("name", "flags", "kind"),
    [
        ("brief.json", [], "json"),
        ("brief.md", [], "md"),
        ("brief.MARKDOWN", [], "md"),
        ("brief.md", ["--format", "json"], "json"),
        ("brief.txt", ["--format", "md"], "md"),
    ],
)
def test_summarize_writes_to_output_in_the_format_of_its_extension(
    tmp_path: Path,
    article: Path,
    fake: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    name: str,
    flags: list[str],
    kind: str,
) -> None:
    out = tmp_path / "out" / name
    out.parent.mkdir()
    out.write_text("an older brief\n")
    argv = ["summarize", str(article), "-o", str(out), "--base-url", fake.base_url, *flags]

    code, stdout, err = run(argv, capsys)

    assert (code, stdout) == (0, ""), err
    assert f"newsbrief: wrote {out}" in err
    text = out.read_text(encoding="utf-8")
    if kind == "json":
        assert json.loads(text)["source"]["text"] == TINY_ARTICLE
    else:
        assert text.startswith("# Markets rallied.")
    assert [p.name for p in out.parent.iterdir()] == [name]  # no temporary file left behind


def test_summarize_output_replaces_the_file_whole(
    tmp_path: Path,
    article: Path,
    fake: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Written beside the target, then renamed over it: a reader never sees half a brief."""
    out = tmp_path / "brief.md"
    out.write_text("an older brief\n")
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any) -> None:
        replaced.append((str(src), str(dst)))
        assert out.read_text() == "an older brief\n"  # untouched until the rename
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    code, _, err = run(
        ["summarize", str(article), "-o", str(out), "--base-url", fake.base_url], capsys
    )

    assert code == 0, err
    ((src, dst),) = replaced
    assert dst == str(out) and Path(src).parent == tmp_path and src != dst
    assert out.read_text().startswith("# Markets rallied.")


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_summarize_prints_nothing_on_stderr(
    article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    argv = ["summarize", str(article), "--base-url", fake.base_url]
    argv = ["-q", *argv] if where == "before" else [*argv, "-q"]

    code, out, err = run(argv, capsys)

    assert (code, err) == (0, "")
    assert out.startswith("# Markets rallied.")
    assert fake.count == 1


def test_without_quiet_summarize_says_what_it_does(
    article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["summarize", str(article), "--base-url", fake.base_url], capsys)
    assert code == 0
    assert err.startswith(f"newsbrief: summarizing {article}")


def test_summarize_directory_suggests_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["summarize", str(tmp_path)], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"newsbrief: error: {tmp_path} is a directory, not a file "
        "(to brief a folder: newsbrief digest)"
    ]


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (f"# Nikkei at a record\n\n{TINY_ARTICLE}", "Nikkei at a record"),
        (f"\n  \n  # Nikkei at a record ##\n{TINY_ARTICLE}", "Nikkei at a record"),
        (TINY_ARTICLE, "Markets rallied."),  # plain text: its first line, as before
        (f"#Nikkei\n{TINY_ARTICLE}", "#Nikkei"),  # a hashtag, not a heading
    ],
    ids=["heading", "after blank lines", "plain text", "hashtag"],
)
def test_markdown_title_from_stdin(
    fake: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    title: str,
) -> None:
    stdin(monkeypatch, text.encode())
    code, out, err = run(
        ["summarize", "-", "--base-url", fake.base_url, "--format", "json"], capsys
    )
    assert code == 0, err
    brief = json.loads(out)
    assert brief["source"]["title"] == title
    assert brief["source"]["text"] == text


def summarize_argv(article: Path, fake: FakeOpenAI, *flags: str) -> list[str]:
    return ["summarize", str(article), "--base-url", fake.base_url, "--format", "json", *flags]


def test_summarize_serves_a_repeat_from_the_cache(
    tmp_path: Path, article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = ["--cache-dir", str(tmp_path / "cache")]
    code, first, _ = run(summarize_argv(article, fake, *cache), capsys)
    assert (code, fake.count) == (0, 1)

    code, again, err = run(summarize_argv(article, fake, *cache), capsys)
    assert (code, fake.count) == (0, 1)  # no request
    assert again == first
    assert "cached brief" in err

    code, _, _ = run(summarize_argv(article, fake, *cache, "--refresh"), capsys)
    assert (code, fake.count) == (0, 2)
    code, _, _ = run(summarize_argv(article, fake, *cache, "--no-cache"), capsys)
    assert (code, fake.count) == (0, 3)
    code, _, _ = run(summarize_argv(article, fake, *cache), capsys)
    assert (code, fake.count) == (0, 3)


def test_summarize_and_digest_share_the_default_cache(
    tmp_path: Path, article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same cache (NEWSBRIEF_CACHE_DIR, set per test by conftest) and the same keys: a
    brief the digest made is one summarize need not ask for."""
    code, _, _ = run(["digest", str(article), "--base-url", fake.base_url], capsys)
    assert code == 0
    asked = fake.count
    code, out, _ = run(summarize_argv(article, fake), capsys)
    assert (code, fake.count) == (0, asked)
    assert json.loads(out)["source"]["text"] == TINY_ARTICLE
    assert (settings.cache_dir() / "briefs.sqlite").is_file()


def planted(tmp_path: Path, fake: FakeOpenAI, value: str) -> tuple[BriefCache, str]:
    """A row of our choosing under TINY_ARTICLE's key, as the CLI will look it up."""
    endpoint = resolve_endpoint(base_url=fake.base_url)
    key = cache_key("brief", text_id(TINY_ARTICLE), endpoint)
    cache = BriefCache(tmp_path / "cache" / "briefs.sqlite")
    cache.put(key, "brief", value)
    return cache, key


def other_brief(tmp_path: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]) -> str:
    """A valid brief of another text (the draft's quotes are in it too)."""
    other = tmp_path / "other.txt"
    other.write_text("Stocks fell elsewhere.\n" + TINY_ARTICLE)
    code, out, _ = run(summarize_argv(other, fake, "--no-cache"), capsys)
    assert code == 0
    return out


@pytest.mark.parametrize("row", ["another text's brief", "not a brief"])
def test_summarize_never_serves_a_bad_cached_row(
    tmp_path: Path,
    article: Path,
    fake: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    row: str,
) -> None:
    value = other_brief(tmp_path, fake, capsys) if row == "another text's brief" else "{oops"
    cache, key = planted(tmp_path, fake, value)
    asked = fake.count

    code, out, _ = run(
        summarize_argv(article, fake, "--cache-dir", str(tmp_path / "cache")), capsys
    )

    assert code == 0
    assert fake.count == asked + 1  # recomputed
    assert json.loads(out)["source"]["text"] == TINY_ARTICLE
    stored = cache.get(key)
    cache.close()
    assert stored is not None
    assert Brief.model_validate_json(stored).source.id == text_id(TINY_ARTICLE)  # replaced


def test_summarize_with_an_unusable_cache_is_one_line(
    tmp_path: Path, article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "briefs.sqlite").write_bytes(b"this is not a database, just junk" * 100)
    code, out, err = run(summarize_argv(article, fake, "--cache-dir", str(folder)), capsys)
    assert (code, out, fake.count) == (1, "", 0)
    assert err.startswith("newsbrief: error: the brief cache at ")
    assert "--no-cache" in err
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(folder / "briefs.sqlite").execute("SELECT 1 FROM answers").fetchall()
