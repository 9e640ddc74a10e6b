"""Feeds in: RSS, Atom and OPML served on 127.0.0.1, dated entries, conditional GET, --since."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from support import http_server, run_cli

from newsbrief import BriefCache, DigestOptions, Endpoint, build_digest, to_markdown
from newsbrief.ingest import feeds
from tests.fakes.digests import article, router
from tests.fakes.server import serve

DAY = dt.datetime(2026, 11, 18, 7, 30, tzinfo=dt.UTC)
PRIVATE = DigestOptions(allow_private=True)  # the sites here are on 127.0.0.1


@dataclass
class Site:
    """Pages by path; each GET is logged with its conditional headers."""

    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    log: list[tuple[str, str | None]] = field(default_factory=list)  # (path, If-None-Match)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def fetched(self, prefix: str) -> list[str]:
        return [p for p, _ in self.log if p.startswith(prefix)]


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.log.append((self.path, self.headers.get("If-None-Match")))
            if self.path not in state.pages:
                self.send_response(404)
                self.end_headers()
                return
            kind, body = state.pages[self.path]
            tag = f'"{hash(body) & 0xFFFFFF:x}"'
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("ETag", tag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with http_server(Handler) as port:
        state.port = port
        yield state


def rss(site: Site, title: str, items: list[tuple[str, dt.datetime]]) -> bytes:
    """An RSS 2.0 feed whose items are teasers linking to pages on the site."""
    body = "".join(
        f"<item><title>Report {path}</title><link>{site.url(path)}</link>"
        f"<guid>{site.url(path)}</guid><pubDate>{format_datetime(when)}</pubDate>"
        "<description>A short teaser.</description></item>"
        for path, when in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{site.url('/')}</link>{body}</channel></rss>"
    ).encode()


def atom(title: str, entries: list[tuple[str, str, dt.datetime]]) -> bytes:
    """An Atom feed carrying each entry's full text."""
    body = "".join(
        f"<entry><id>urn:{key}</id><title>{key}</title><updated>{when.isoformat()}</updated>"
        f'<link href="https://wire.example/{key}"/><content type="text">{text}</content></entry>'
        for key, text, when in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:wire</id><updated>{DAY.isoformat()}</updated>{body}</feed>"
    ).encode()


def long_article(i: int) -> str:
    return article(i) + " ".join(["The session was calm otherwise."] * 40) + "\n"


def endpoint(base_url: str) -> Endpoint:
    return Endpoint(model="test-model", base_url=base_url, api_key="sk-test")


def publish(site: Site, n: int = 3) -> None:
    for i in range(1, n + 1):
        site.pages[f"/news/{i}"] = ("text/plain", article(i).encode())
    items = [(f"/news/{i}", DAY + dt.timedelta(hours=i)) for i in range(1, n + 1)]
    site.pages["/rss"] = ("application/rss+xml", rss(site, "Harbor Street Journal", items))
    entries = [(f"wire-{i}", long_article(10 + i), DAY + dt.timedelta(days=i)) for i in (1, 2)]
    site.pages["/atom"] = ("application/atom+xml", atom("Tideline Wire", entries))


def test_two_feeds_become_dated_articles_and_a_second_run_fetches_nothing_new(
    site: Site, tmp_path: Path
) -> None:
    publish(site)
    cache = BriefCache(tmp_path / "cache.sqlite")
    with serve(router()) as fake:
        ep = endpoint(fake.base_url)
        first = build_digest(
            [site.url("/rss"), site.url("/atom")], endpoint=ep, cache=cache, options=PRIVATE
        )
        calls = fake.count
        again = build_digest(
            [site.url("/rss"), site.url("/atom")], endpoint=ep, cache=cache, options=PRIVATE
        )
        assert fake.count == calls  # every brief and the synthesis came from the cache
    assert first.stats.summarized == 5
    sources = [(a.source, a.published) for a in first.articles]
    assert sources == [
        ("Harbor Street Journal", DAY + dt.timedelta(hours=1)),
        ("Harbor Street Journal", DAY + dt.timedelta(hours=2)),
        ("Harbor Street Journal", DAY + dt.timedelta(hours=3)),
        ("Tideline Wire", DAY + dt.timedelta(days=1)),
        ("Tideline Wire", DAY + dt.timedelta(days=2)),
    ]
    # Atom entries carry their text: no page fetched. RSS teasers: each page once.
    assert sorted(site.fetched("/news/")) == ["/news/1", "/news/2", "/news/3"]  # 4 at once
    # The second run: two conditional GETs, both 304, and no page.
    second_run = site.log[-2:]
    assert sorted(p for p, _ in second_run) == ["/atom", "/rss"]
    assert all(tag for _, tag in second_run)
    assert len(site.log) == 7
    assert [a.model_dump(exclude={"cached"}) for a in again.articles] == [
        a.model_dump(exclude={"cached"}) for a in first.articles
    ]
    data = json.loads(first.model_dump_json())
    assert data["articles"][0]["source"] == "Harbor Street Journal"
    assert data["articles"][0]["published"].startswith("2026-11-18T08:30")


def test_since_last_run_keeps_only_new_entries(site: Site, tmp_path: Path) -> None:
    publish(site, 2)
    cache = BriefCache(tmp_path / "cache.sqlite")
    options = DigestOptions(since="last-run", allow_private=True)
    with serve(router()) as fake:
        ep = endpoint(fake.base_url)
        first = build_digest([site.url("/rss")], endpoint=ep, cache=cache, options=options)
        publish(site, 3)  # one more item
        second = build_digest([site.url("/rss")], endpoint=ep, cache=cache, options=options)
    assert [a.origin for a in first.articles] == [site.url("/news/1"), site.url("/news/2")]
    assert [a.origin for a in second.articles] == [site.url("/news/3")]


def test_since_a_date_keeps_entries_from_then(site: Site, tmp_path: Path) -> None:
    publish(site)
    since = DAY + dt.timedelta(hours=2)
    with serve(router()) as fake:
        digest = build_digest(
            [site.url("/rss")],
            endpoint=endpoint(fake.base_url),
            cache=BriefCache(tmp_path / "c.sqlite"),
            options=DigestOptions(since=since, allow_private=True),
        )
    assert [a.published for a in digest.articles] == [since, since + dt.timedelta(hours=1)]


def test_opml_lists_the_feeds(site: Site, tmp_path: Path) -> None:
    publish(site, 2)
    # Served, so a remote OPML: its file:// line is never read (local OPMLs: test_local_feeds).
    site.pages["/subs"] = (
        "text/x-opml",
        (
            '<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>'
            f'<outline text="HSJ" xmlUrl="{site.url("/rss")}"/>'
            '<outline text="local" xmlUrl="file:///etc/passwd"/>'
            f'<outline text="Wire" xmlUrl="{site.url("/atom")}"/></body></opml>'
        ).encode(),
    )
    with serve(router()) as fake:
        digest = build_digest(
            [site.url("/subs")], endpoint=endpoint(fake.base_url), cache=None, options=PRIVATE
        )
    assert [a.source for a in digest.articles] == ["Harbor Street Journal"] * 2 + [
        "Tideline Wire"
    ] * 2
    assert any("file:///etc/passwd" in w and "only http(s)" in w for w in digest.warnings)


def test_broken_and_hostile_feeds_never_sink_the_digest(site: Site, tmp_path: Path) -> None:
    publish(site, 1)
    site.pages["/broken"] = ("application/rss+xml", b"<rss><channel><title>Half")
    site.pages["/bomb"] = (
        "application/xml",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
        b'<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">'
        b"]><rss><channel><title>&g;</title></channel></rss>",
    )
    evil = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Evil</title>'
        "<item><title>js</title><link>javascript:alert(1)</link></item>"
        f"<item><title>gone</title><link>{site.url('/missing')}</link></item>"
        "</channel></rss>"
    )
    site.pages["/evil"] = ("application/rss+xml", evil.encode())
    inputs = [site.url(p) for p in ("/broken", "/bomb", "/evil", "/rss", "/nothing")]
    with serve(router()) as fake:
        digest = build_digest(inputs, endpoint=endpoint(fake.base_url), cache=None, options=PRIVATE)
    summarized = [a.origin for a in digest.articles if a.brief is not None]
    assert summarized == [site.url("/news/1")]
    failed = {a.origin: a.error for a in digest.articles if a.brief is None}
    assert "HTTP 404" in str(failed[site.url("/missing")])
    assert "HTTP 404" in str(failed[site.url("/nothing")])
    assert not any("javascript" in origin for origin in failed)
    assert all("\n" not in str(e) for e in failed.values())


def test_a_page_url_is_still_an_article(site: Site) -> None:
    site.pages["/page"] = ("text/html", f"<html><body><p>{article(1)}</p></body></html>".encode())
    with serve(router()) as fake:
        digest = build_digest(
            [site.url("/page")], endpoint=endpoint(fake.base_url), cache=None, options=PRIVATE
        )
    assert digest.stats.summarized == 1 and site.fetched("/page") == ["/page"]


def test_feed_parsing_reads_dates_and_skips_unreadable_links() -> None:
    data = atom("W", [("k1", long_article(1), DAY)])
    feed = feeds.parse(data, "w.xml")
    assert feed.title == "W" and len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.published == DAY and entry.content is not None and entry.key == "urn:k1"
    assert feeds.looks_like_feed(data) and not feeds.looks_like_feed(b"<html><body>x")


def test_the_cli_takes_feeds_and_since(site: Site, tmp_path: Path) -> None:
    publish(site, 2)
    with serve(router()) as fake:
        env = {"NEWSBRIEF_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-test",
               "NEWSBRIEF_CACHE_DIR": str(tmp_path)}  # fmt: skip
        args = ["digest", site.url("/rss"), "--since", "2026-11-18T09:00Z", "--format", "json",
                "--allow-private"]  # fmt: skip
        done = run_cli(args, env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [a["origin"] for a in data["articles"]] == [site.url("/news/2")]
    bad = run_cli(["digest", site.url("/rss"), "--since", "yesterday", "--allow-private"], env=env)
    assert bad.returncode == 2 and "last-run" in bad.stderr


def test_two_local_feeds_with_the_seeds_show_stories_dates_and_sources(
    site: Site, tmp_path: Path
) -> None:
    """The seeds and four articles of eval/stories as two outlets' full-text Atom feeds,
    dated as labels.json says: the 57,890 record is one story from two outlets, the other
    Nikkei days are their own stories, and a second run fetches nothing new."""
    from support import ROOT

    labels = json.loads((ROOT / "eval" / "stories" / "labels.json").read_text())["articles"]
    outlets: dict[str, list[tuple[str, str, dt.datetime]]] = {}
    for name in ("seeds/000_8fdb093730accb2d.txt", "a19.md", "seeds/004_c079fb98a94b3a61.txt",
                 "a01.md", "a21.md"):  # fmt: skip
        path = ROOT / name if name.startswith("seeds/") else ROOT / "eval/stories/articles" / name
        meta = labels[name]
        when = dt.datetime.fromisoformat(meta["published"].replace("Z", "+00:00"))
        body = path.read_text().replace("&", "&amp;").replace("<", "&lt;")
        outlets.setdefault(meta["source"], []).append((name.replace("/", "-"), body, when))
    names = sorted(outlets)
    half = len(names) // 2
    for path, group in (("/one", names[:half]), ("/two", names[half:])):
        entries = [e for source in group for e in outlets[source]]
        # One feed per path, titled by its first outlet; entries keep their own dates.
        site.pages[path] = ("application/atom+xml", atom(group[0], entries))
    cache = BriefCache(tmp_path / "cache.sqlite")
    with serve(router()) as fake:
        ep = endpoint(fake.base_url)
        digest = build_digest(
            [site.url("/one"), site.url("/two")], endpoint=ep, cache=cache, options=PRIVATE
        )
        calls = fake.count
        build_digest(
            [site.url("/one"), site.url("/two")], endpoint=ep, cache=cache, options=PRIVATE
        )
        assert fake.count == calls
    assert digest.stats.summarized == 5
    by_origin = {a.article_id: a.origin for a in digest.articles}
    groups = [
        sorted(by_origin[i].rsplit("/", 1)[-1] for i in s.article_ids) for s in digest.stories
    ]
    assert sorted(groups) == [
        ["a01.md", "a21.md"],
        ["a19.md", "seeds-000_8fdb093730accb2d.txt"],
        ["seeds-004_c079fb98a94b3a61.txt"],
    ]
    record = next(s for s in digest.stories if len(s.article_ids) == 2 and s.published
                  and s.published.day == 16)  # fmt: skip
    assert record.source_count == 2 and not record.single_source
    assert all(s.published is not None for s in digest.stories)
    assert sorted(p for p, _ in site.log[-2:]) == ["/one", "/two"]  # fetched concurrently
    assert all(tag for _, tag in site.log[-2:])  # conditional, answered 304
    md = to_markdown(digest)
    assert "2 sources" in md and "single source" in md and "16 Nov 2026" in md


def test_an_opml_listing_itself_is_read_once(site: Site, tmp_path: Path) -> None:
    publish(site, 1)
    loop = (
        '<?xml version="1.0"?><opml version="2.0"><head><title>Loop</title></head><body>'
        f'<outline xmlUrl="{site.url("/subs")}"/><outline xmlUrl="{site.url("/rss")}"/>'
        "</body></opml>"
    )
    site.pages["/subs"] = ("text/x-opml", loop.encode())
    with serve(router()) as fake:
        digest = build_digest(
            [site.url("/subs")], endpoint=endpoint(fake.base_url), cache=None, options=PRIVATE
        )
    assert digest.stats.summarized == 1
    assert site.fetched("/subs") == ["/subs"] and site.fetched("/rss") == ["/rss"]


def test_a_local_address_is_refused_without_allow_private(site: Site) -> None:
    publish(site, 2)
    with serve(router()) as fake:
        digest = build_digest([site.url("/rss")], endpoint=endpoint(fake.base_url), cache=None)
    assert digest.stats.summarized == 0
    assert all("private or local address" in str(a.error) for a in digest.articles)
    assert site.log == []


def test_last_run_offers_a_failed_entry_again(site: Site, tmp_path: Path) -> None:
    publish(site, 2)
    page = site.pages.pop("/news/2")  # its page fails the first time
    cache = BriefCache(tmp_path / "cache.sqlite")
    options = DigestOptions(since="last-run", allow_private=True)
    with serve(router()) as fake:
        ep = endpoint(fake.base_url)
        first = build_digest([site.url("/rss")], endpoint=ep, cache=cache, options=options)
        site.pages["/news/2"] = page
        second = build_digest([site.url("/rss")], endpoint=ep, cache=cache, options=options)
    assert [a.brief is not None for a in first.articles] == [True, False]
    assert [a.origin for a in second.articles] == [site.url("/news/2")]
    assert second.stats.summarized == 1


def test_private_addresses_are_recognised() -> None:
    from newsbrief.ingest.fetch import address_kind

    for address, expected in (("127.0.0.1", "private"), ("10.1.2.3", "private"),
                              ("169.254.169.254", "refused"), ("::1", "private"),
                              ("8.8.8.8", "public")):  # fmt: skip
        assert address_kind(address) == expected, address
