"""Local feeds that just work, and the surfaces they open, attacked: OPMLs listing files
(file://, absolute and relative paths, read against the OPML's folder), feeds served as any
+xml type, folders of feed files, and an entry's own text when its link fails or its page
is shorter. A remote document never makes us read a local file."""

from __future__ import annotations

import datetime as dt
import json
import os
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from support import run_cli
from test_feeds import Site
from test_feeds import site as _site

from newsbrief import DigestOptions, Endpoint, build_digest
from newsbrief.ingest import feeds, fetch
from tests.fakes.digests import article, router
from tests.fakes.server import serve

DAY = dt.datetime(2026, 11, 18, 7, 30, tzinfo=dt.UTC)
PRIVATE = DigestOptions(allow_private=True)  # the sites here are on 127.0.0.1
site = _site  # test_feeds' fixture: pages served on 127.0.0.1, each GET logged


def endpoint(base_url: str) -> Endpoint:
    return Endpoint(model="test-model", base_url=base_url, api_key="sk-test")


def padded(i: int, sentences: int) -> str:
    """Market report i followed by `sentences` filler sentences (32 characters each)."""
    return article(i) + " ".join(["The session was calm otherwise."] * sentences) + "\n"


def rss(title: str, items: list[tuple[str, str | None, str]]) -> bytes:
    """RSS 2.0: (guid, link or None, description text) per item, all dated DAY."""
    body = "".join(
        f"<item><title>Report {guid}</title><guid>{guid}</guid>"
        + (f"<link>{escape(link)}</link>" if link else "")
        + f"<pubDate>{format_datetime(DAY)}</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for guid, link, text in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}'
        "</channel></rss>"
    ).encode()


def opml(*urls: str) -> str:
    quote = {'"': "&quot;"}
    lines = "".join(f'<outline text="f" xmlUrl="{escape(u, quote)}"/>' for u in urls)
    head = '<?xml version="1.0"?><opml version="2.0"><head><title>S</title></head>'
    return f"{head}<body>{lines}</body></opml>"


def digest_of(inputs: list[str], options: DigestOptions = PRIVATE) -> Any:
    with serve(router()) as fake:
        return build_digest(inputs, endpoint=endpoint(fake.base_url), cache=None, options=options)


def summarized(digest: Any) -> list[str]:
    return [a.source for a in digest.articles if a.brief is not None]


# --- OPML with local feeds ------------------------------------------------------------------


def test_a_local_opml_reads_file_urls_absolute_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "subs").mkdir()
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "one.rss").write_bytes(rss("One", [("1", None, padded(1, 14))]))
    (tmp_path / "feeds" / "two.xml").write_bytes(rss("Two", [("2", None, padded(2, 14))]))
    three = tmp_path / "three.atom"
    three.write_bytes(rss("Three", [("3", None, padded(3, 14))]))
    listing = tmp_path / "subs" / "mine.opml"
    listing.write_text(
        opml("../feeds/one.rss", (tmp_path / "feeds" / "two.xml").as_uri(), str(three))
    )
    digest = digest_of([str(listing)])
    assert summarized(digest) == ["One", "Two", "Three"]
    assert digest.warnings == []


def test_relative_paths_are_read_against_the_opml_folder_not_the_working_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "f.rss").write_bytes(rss("Right", [("1", None, padded(1, 14))]))
    (tmp_path / "b" / "f.rss").write_bytes(rss("Wrong", [("2", None, padded(2, 14))]))
    (tmp_path / "a" / "subs.opml").write_text(opml("f.rss"))
    monkeypatch.chdir(tmp_path / "b")
    assert summarized(digest_of([str(tmp_path / "a" / "subs.opml")])) == ["Right"]


def test_a_remote_opml_never_reads_local_files(site: Site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.rss"
    secret.write_bytes(rss("Secret", [("s", None, padded(9, 14))]))
    served = rss("Served", [("1", None, padded(1, 14))])
    site.pages["/feeds/f.rss"] = ("application/rss+xml", served)
    listing = opml(secret.as_uri(), str(secret), "f.rss", "file://localhost" + str(secret))
    site.pages["/feeds/subs.opml"] = ("text/x-opml", listing.encode())
    digest = digest_of([site.url("/feeds/subs.opml")])
    # The relative line is read against the OPML's URL, over HTTP; no file is read.
    assert summarized(digest) == ["Served"]
    assert site.fetched("/feeds/f.rss") == ["/feeds/f.rss"]
    assert all(a.origin.startswith(site.url("/")) for a in digest.articles)  # all over HTTP
    assert site.url(str(secret)) in [a.origin for a in digest.articles if a.brief is None]
    skipped = [w for w in digest.warnings if "only http(s)" in w]
    assert len(skipped) == 2  # the two file:// lines; the absolute path became a URL


def test_the_remote_check_is_made_twice(tmp_path: Path) -> None:
    """feeds.parse of a fetched OPML lists no file; with no folder it cannot."""
    listing = opml("file:///etc/passwd", "/etc/passwd", "../x.rss", "ftp://h/x.rss").encode()
    with pytest.raises(feeds.InputError, match="no http"):
        feeds.parse(listing, "relative-origin.opml")
    parsed = feeds.parse(listing, "https://news.example/a/subs.opml")
    assert parsed.subscriptions == ["https://news.example/etc/passwd", "https://news.example/x.rss"]
    local = feeds.parse(listing, str(tmp_path / "s.opml"), folder=tmp_path)
    assert local.subscriptions == ["/etc/passwd", "/etc/passwd", str(tmp_path / "../x.rss")]
    assert any("ftp://h/x.rss" in w for w in local.warnings)


def test_local_opml_loops_are_read_once(tmp_path: Path) -> None:
    (tmp_path / "f.rss").write_bytes(rss("Feed", [("1", None, padded(1, 14))]))
    (tmp_path / "a.opml").write_text(opml("b.opml", "a.opml", "f.rss", "./f.rss"))
    (tmp_path / "b.opml").write_text(opml("a.opml", str(tmp_path / "a.opml"), "f.rss"))
    (tmp_path / "link.opml").symlink_to(tmp_path / "a.opml")
    digest = digest_of([str(tmp_path / "a.opml"), str(tmp_path / "link.opml")])
    assert summarized(digest) == ["Feed"]
    assert len(digest.articles) == 1


def test_an_opml_chain_stops_at_the_depth_limit(tmp_path: Path) -> None:
    (tmp_path / "f.rss").write_bytes(rss("Feed", [("1", None, padded(1, 14))]))
    (tmp_path / "c.opml").write_text(opml("f.rss"))
    (tmp_path / "b.opml").write_text(opml("c.opml"))
    (tmp_path / "a.opml").write_text(opml("b.opml"))
    digest = digest_of([str(tmp_path / "a.opml")])
    assert digest.articles == []
    assert any("nested too deep" in w for w in digest.warnings)


def test_a_listed_file_that_is_no_feed_is_one_failed_entry(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (tmp_path / "f.rss").write_bytes(rss("Feed", [("1", None, padded(1, 14))]))
    (tmp_path / "s.opml").write_text(opml("notes.txt", "missing.rss", "f.rss"))
    digest = digest_of([str(tmp_path / "s.opml")])
    failed = {Path(a.origin).name: str(a.error) for a in digest.articles if a.brief is None}
    assert set(failed) == {"notes.txt", "missing.rss"}
    assert "not a readable RSS or Atom feed" in failed["notes.txt"]
    assert "root:x" not in failed["notes.txt"]
    assert "no such file" in failed["missing.rss"]
    assert summarized(digest) == ["Feed"]


def test_a_local_opml_listing_devices_folders_and_pipes_fails_each_in_one_line(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe.rss"
    os.mkfifo(fifo)
    (tmp_path / "dir.rss").mkdir()
    (tmp_path / "f.rss").write_bytes(rss("Feed", [("1", None, padded(1, 14))]))
    (tmp_path / "s.opml").write_text(opml("/dev/zero", "dir.rss", "pipe.rss", "f.rss"))
    digest = digest_of([str(tmp_path / "s.opml")])
    failed = [str(a.error) for a in digest.articles if a.brief is None]
    assert len(failed) == 3 and all("\n" not in e for e in failed)
    assert "limit" in failed[0] and "directory" in failed[1] and "named pipe" in failed[2]
    assert summarized(digest) == ["Feed"]


# --- feeds served as any XML type -----------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    ["application/x-rss+xml", "application/atom+xml", "application/vnd.wire+xml", "text/xml"],
)
def test_a_feed_is_read_whatever_xml_type_it_is_served_as(site: Site, kind: str) -> None:
    site.pages["/f"] = (kind, rss("Typed", [("1", None, padded(1, 14))]))
    assert summarized(digest_of([site.url("/f")])) == ["Typed"]


def test_an_xml_type_that_is_no_feed_is_a_clear_error(site: Site) -> None:
    site.pages["/img"] = ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    page = f"<html><body><p>{article(1)}</p></body></html>"
    site.pages["/x"] = ("application/xhtml+xml", page.encode())
    digest = digest_of([site.url("/img"), site.url("/x")])
    assert [a.brief is not None for a in digest.articles] == [False, True]
    assert "not a readable RSS or Atom feed" in str(digest.articles[0].error)


def test_feed_types_are_one_rule() -> None:
    assert fetch.is_feed_type("application/x-rss+xml") and fetch.is_feed_type("a/b+xml")
    assert not fetch.is_feed_type("application/xhtml+xml") and not fetch.is_feed_type("text/html")
    assert not fetch.is_feed_type(None) and not fetch.is_feed_type("application/json")


# --- folders of feed files ------------------------------------------------------------------


def test_a_folder_of_feed_files_is_read_as_feeds(tmp_path: Path) -> None:
    news = tmp_path / "news"
    (news / "sub").mkdir(parents=True)
    (news / "a.rss").write_bytes(rss("Alpha", [("1", None, padded(1, 14))]))
    (news / "b.atom").write_bytes(rss("Beta", [("2", None, padded(2, 14))]))
    (news / "sub" / "c.xml").write_bytes(rss("Gamma", [("3", None, padded(3, 14))]))
    (news / "d.txt").write_text(article(4))
    (news / "sitemap.xml").write_text('<?xml version="1.0"?><urlset><url>x</url></urlset>')
    (news / "image.png").write_bytes(b"\x89PNG....")
    digest = digest_of([str(news)])
    assert [Path(a.origin).name for a in digest.articles] == ["a.rss#1", "b.atom#2", "d.txt",
                                                              "c.xml#3"]  # fmt: skip
    assert summarized(digest) == ["Alpha", "Beta", None, "Gamma"]
    assert [w for w in digest.warnings if "sitemap.xml" in w] == [
        f"{news / 'sitemap.xml'}: skipped, not an RSS, Atom or RDF feed"
    ]


def test_a_folder_never_follows_links_out_of_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.rss").write_bytes(rss("Private", [("p", None, padded(9, 14))]))
    (outside / "private.txt").write_text(article(8))
    news = tmp_path / "news"
    news.mkdir()
    (news / "ok.rss").write_bytes(rss("Ok", [("1", None, padded(1, 14))]))
    (news / "out.rss").symlink_to(outside / "private.rss")
    (news / "out.txt").symlink_to(outside / "private.txt")
    (news / "dir").symlink_to(outside, target_is_directory=True)
    (news / "loop.rss").symlink_to(news / "loop.rss")
    (news / "inside.rss").symlink_to(news / "ok.rss")  # inside: read, once
    digest = digest_of([str(news)])
    assert summarized(digest) == ["Ok"]
    assert len(digest.articles) == 1
    outside_warnings = [w for w in digest.warnings if "outside the folder" in w]
    assert sorted(Path(w.split(":")[0]).name for w in outside_warnings) == ["out.rss", "out.txt"]


def test_a_huge_feed_file_in_a_folder_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_MAX_BYTES", "4000")
    news = tmp_path / "news"
    news.mkdir()
    (news / "big.rss").write_bytes(rss("Big", [(str(i), None, padded(i, 14)) for i in range(20)]))
    (news / "small.rss").write_bytes(rss("Small", [("1", None, padded(1, 14))]))
    digest = digest_of([str(news)])
    failed = [a for a in digest.articles if a.brief is None]
    assert [Path(a.origin).name for a in failed] == ["big.rss"]
    assert "over the 4,000 bytes limit" in str(failed[0].error)
    assert "\n" not in str(failed[0].error)
    assert summarized(digest) == ["Small"]


def test_the_cli_reads_a_folder_and_an_opml_of_local_feeds(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "one.rss").write_bytes(rss("One", [("1", None, padded(1, 14))]))
    (tmp_path / "subs.opml").write_text(opml("feeds/one.rss"))
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "two.xml").write_bytes(rss("Two", [("2", None, padded(2, 14))]))
    with serve(router()) as fake:
        env = {"NEWSBRIEF_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-test",
               "NEWSBRIEF_CACHE_DIR": str(tmp_path / "cache")}  # fmt: skip
        done = run_cli(
            ["digest", str(tmp_path / "subs.opml"), str(tmp_path / "more"), "--format", "json"],
            env=env,
        )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [a["source"] for a in data["articles"]] == ["One", "Two"]


# --- which text is the article --------------------------------------------------------------


@pytest.mark.parametrize("element", ["description", "content:encoded"])
def test_a_failed_link_falls_back_to_the_feeds_own_text_with_a_note(
    site: Site, element: str
) -> None:
    """700 characters of its own text: under the no-fetch length, so the link is tried;
    it fails, and the entry is read from the feed, with a note, instead of failing."""
    own = padded(1, 14)
    assert feeds.OWN_TEXT_MIN_CHARS <= len(own) < feeds.FULL_TEXT_CHARS
    feed = rss("Wire", [("1", site.url("/gone"), own)]).decode()
    if element == "content:encoded":
        feed = feed.replace("<description>", "<description>Teaser.</description><content:encoded>")
        feed = feed.replace("</description></item>", "</content:encoded></item>")
        feed = feed.replace('<rss version="2.0">', '<rss version="2.0" xmlns:content='
                            '"http://purl.org/rss/1.0/modules/content/">')  # fmt: skip
    site.pages["/f"] = ("application/rss+xml", feed.encode())
    digest = digest_of([site.url("/f")])
    (result,) = digest.articles
    assert result.brief is not None and site.fetched("/") == ["/f", "/gone"]
    notes = result.brief.warnings
    assert any("HTTP 404" in n and "feed's own text" in n for n in notes)


def test_a_teaser_with_a_failed_link_is_still_a_failure(site: Site) -> None:
    site.pages["/f"] = ("application/rss+xml", rss("Wire", [("1", site.url("/gone"), "Short.")]))
    (result,) = digest_of([site.url("/f")]).articles
    assert result.brief is None and "HTTP 404" in str(result.error)


def test_the_longer_of_entry_and_page_is_the_article(site: Site) -> None:
    site.pages["/long"] = ("text/plain", padded(2, 60).encode())  # the page has more
    site.pages["/stub"] = ("text/plain", article(3).encode())  # a stub: the feed has more
    items = [("2", site.url("/long"), padded(2, 14)), ("3", site.url("/stub"), padded(3, 14))]
    site.pages["/f"] = ("application/rss+xml", rss("Wire", items))
    digest = digest_of([site.url("/f")])
    origins = [a.origin for a in digest.articles]
    assert origins == [site.url("/long"), site.url("/stub")]
    texts = [a.brief.source.text for a in digest.articles if a.brief is not None]
    assert len(texts) == 2
    assert texts[0].count("calm otherwise") == 60  # the page
    assert texts[1].count("calm otherwise") == 14  # the entry, not the stub


def test_a_whole_entry_is_read_without_fetching_its_link(site: Site) -> None:
    site.pages["/f"] = (
        "application/rss+xml",
        rss("Wire", [("1", site.url("/page"), padded(1, 40))]),
    )
    digest = digest_of([site.url("/f")])
    assert summarized(digest) == ["Wire"] and site.fetched("/") == ["/f"]


def test_a_local_feeds_file_links_are_never_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(article(7))
    feed = tmp_path / "f.rss"
    feed.write_bytes(rss("Local", [("1", secret.as_uri(), "Short.")]))
    digest = digest_of([str(feed)])
    assert digest.articles == []  # nothing readable: a teaser, and a link never followed
