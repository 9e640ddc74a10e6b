"""The HTML digest: self-contained, escaped, linked; checked in real headless Chromium."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support import CHROME_FLAGS, find_chromium

from newsbrief import Digest, build_digest
from newsbrief.contract import Note
from newsbrief.digest.batch import DigestOptions
from newsbrief.model.endpoint import resolve_endpoint
from newsbrief.render import to_html, to_markdown
from tests.fakes.digests import article, router
from tests.fakes.server import serve


def _reader_text(page: str) -> str:
    """What a reader sees of a page: its text without tags (ids stay in attributes)."""
    return re.sub(r"<[^>]*>", " ", page)


HOSTILE = '<script>alert(1)</script> <img src=x onerror="alert(2)"> & "quotes"'


class Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.text: list[str] = []
        self.attrs_seen: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs_seen.append(name)
            if name == "id" and value:
                self.ids.add(value)
            if name == "href" and value:
                self.hrefs.append(value)
            if name == "src" and value:
                self.srcs.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Dom:
    dom = Dom()
    dom.feed(html)
    return dom


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory) -> Digest:
    folder = tmp_path_factory.mktemp("articles")
    (folder / "a.txt").write_text(article(1, "57,890"))
    (folder / "b.txt").write_text(
        article(2, "50,367.38").replace("Market report 2", f"Report {HOSTILE}")
    )
    (folder / "c.txt").write_text("")
    with serve(router()) as fake:
        return build_digest(
            [folder],
            endpoint=resolve_endpoint(base_url=fake.base_url),
            options=DigestOptions(use_cache=False),
        )


def test_article_text_is_escaped(digest: Digest) -> None:
    html = to_html(digest)
    dom = parse(html)
    assert "script" not in dom.tags and "img" not in dom.tags
    assert "onerror" not in dom.attrs_seen
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE in "".join(dom.text)


def test_self_contained(digest: Digest) -> None:
    dom = parse(to_html(digest))
    assert dom.srcs == []
    assert all(h.startswith("#") for h in dom.hrefs), [
        h for h in dom.hrefs if not h.startswith("#")
    ]
    assert "link" not in dom.tags


def test_every_link_has_a_target(digest: Digest) -> None:
    dom = parse(to_html(digest))
    targets = {h[1:] for h in dom.hrefs}
    assert targets <= dom.ids, targets - dom.ids
    figures = sum(len(b.key_figures) for b in digest.briefs.values())
    assert sum(1 for t in targets if re.fullmatch(r"A\d+-f\d+", t)) == figures


def test_markdown_escapes_html_too(digest: Digest) -> None:
    md = to_markdown(digest)
    # Inert by backslash escapes, not entities: Markdown is read in terminals too.
    assert "<script>" not in md and "\\<script\\>" in md and "&lt;" not in md


def test_renders_in_headless_chromium(digest: Digest, tmp_path: Path) -> None:
    chromium = find_chromium()
    page = tmp_path / "digest.html"
    page.write_text(to_html(digest), encoding="utf-8")
    profile = tmp_path / "profile"
    dumped = subprocess.run(
        [chromium, *CHROME_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    dom = parse(dumped)
    assert "script" not in dom.tags  # the hostile title stayed text in the live DOM
    assert "<script>alert(1)</script>" in "".join(dom.text)
    for section in (
        "headline",
        "themes",
        "figures",
        "comparisons",
        "articles",
        "failed",
        "sources",
    ):
        assert section in dom.ids, section
    assert {h[1:] for h in dom.hrefs} <= dom.ids
    for width in (1280, 420):  # a desktop and a phone
        shot = tmp_path / f"digest-{width}.png"  # never into the repository's build/
        subprocess.run(
            [
                chromium,
                *CHROME_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},2400",
                f"--screenshot={shot}",
                page.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=True,
        )
        assert shot.stat().st_size > 10_000


def test_passages_are_whole_sentences_with_every_figure_marked(digest: Digest) -> None:
    """One passage per sentence holding figures, cut at sentence ends, the heading line
    never run into it, every figure marked with its label, no space before punctuation."""
    from newsbrief.render.page import Mark, passages

    brief = digest.briefs["A1"]
    shown = passages("A1", brief)
    marks = [p for passage in shown for p in passage.parts if isinstance(p, Mark)]
    assert sorted(m.anchor for m in marks) == [f"A1-f{i}" for i in range(len(brief.key_figures))]
    first = shown[0]
    text = "".join(p if isinstance(p, str) else p.text for p in first.parts)
    assert text == "The Nikkei 225 closed at 57,890 on day 1, up 1.1% on the session."
    assert [(m.text, m.label) for m in first.parts if isinstance(m, Mark)] == [
        ("57,890", "Nikkei 225 close"),
        ("1.1%", "Nikkei 225 gain, the session"),
    ]
    html = to_html(digest)
    assert not re.search(r"</mark><span class=\"label\">[^<]*</span> [.,;:]", html)
    assert "Market report 1 The Nikkei" not in html


def test_the_page_shows_reader_notes_and_leaves_the_repair_log_to_the_json(
    digest: Digest,
) -> None:
    first = digest.articles[0]
    assert first.brief is not None
    brief = first.brief.model_copy(
        update={
            "notes": [
                Note(
                    kind="reader",
                    text="the article has invalid characters; replaced them with U+FFFD",
                ),
                Note(
                    kind="figure_dropped",
                    text="dropped 50,367.38: label 'Nikkei 225 close' for a level the "
                    "sentence says it was trading at",
                ),
                Note(kind="label_repaired", text="chunk 2/3: relabelled 1.5% from C07"),
                Note(kind="citation_removed", text="themes: removed citations ['A2', 'A3']"),
            ]
        }
    )
    shown = digest.model_copy(
        update={"articles": [first.model_copy(update={"brief": brief}), *digest.articles[1:]]}
    )
    for page in (to_html(shown), to_markdown(shown)):
        assert "invalid characters" in page
        assert "1 figure was left out: it could not be checked against the article." in page
        assert "dropped 50,367.38" not in page and "relabelled" not in page
        assert "corrected this brief 2 times" in page and "time(s)" not in page
        assert not re.search(r"\b[ACS]\d{1,3}\b", _reader_text(page)), "an id reached readers"
    assert "dropped 50,367.38" in shown.model_dump_json()
    alone = to_markdown(brief)  # `newsbrief summarize` output: the same split
    assert "## Notes" in alone and "invalid characters" in alone
    assert "relabelled" not in alone and "corrected this brief 2 times" in alone


def test_a_story_line_says_how_many_articles_from_how_many_sources(digest: Digest) -> None:
    """Two articles from one outlet (a live blog and its follow-up) read "2 articles from 1
    source" on the story line, not "single source"."""
    ids = [a.article_id for a in digest.articles if a.brief is not None]
    assert len(ids) == 2
    story = digest.stories[0].model_copy(
        update={"article_ids": ids, "sources": ["X"], "source_count": 1, "single_source": True}
    )
    shown = digest.model_copy(update={"stories": [story]})
    for page in (to_html(shown), to_markdown(shown)):
        assert page.count("2 articles from 1 source") == 1
        assert "single source" not in page
    two = story.model_copy(
        update={"sources": ["X", "Y"], "source_count": 2, "single_source": False}
    )
    page = to_markdown(digest.model_copy(update={"stories": [two]}))
    assert "articles from" not in page and "2 sources (" in page
