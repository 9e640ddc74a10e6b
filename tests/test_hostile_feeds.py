"""Hostile feeds (issue 19): entries marked seen only once a reader has them, one network
policy for every fetch, bounded dates, bounded fan-out. Sites are on 127.0.0.1; "public"
hosts are names whose resolution the test controls."""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from support import http_server, popen_cli, run_cli

from newsbrief import BriefCache, DigestOptions, Endpoint, build_digest
from newsbrief.cli.main import main
from newsbrief.errors import InputError
from newsbrief.ingest import feeds, fetch
from newsbrief.ingest.read import read_date
from tests.fakes.digests import DIGEST_MARKER, article, brief_requests, router
from tests.fakes.server import Reply, serve

DAY = dt.datetime(2026, 11, 18, 7, 30, tzinfo=dt.UTC)
HANG_GUARD_S = 120  # only reached when something is broken


@dataclass
class Site:
    """Pages by path: (content type, body), or (None, location) for a 302."""

    pages: dict[str, tuple[str | None, bytes]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    port: int = 0
    delay_s: float = 0.0  # per feed request (paths starting /feed)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    opml: Callable[[str], bytes] | None = None  # the OPML served at /subs?..., by path

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            with state.lock:
                state.log.append(self.path)
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                if self.path.startswith("/feed"):
                    time.sleep(state.delay_s)
                kind, body = state.pages.get(self.path, ("", b""))
                if state.opml is not None and self.path.startswith("/subs?"):
                    kind, body = "text/x-opml", state.opml(self.path)
                if not body:
                    self.send_response(404)
                    self.end_headers()
                elif kind is None:
                    self.send_response(302)
                    self.send_header("Location", body.decode())
                    self.end_headers()
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
            finally:
                with state.lock:
                    state.in_flight -= 1

    with http_server(Handler) as port:
        state.port = port
        yield state


def endpoint(base_url: str) -> Endpoint:
    return Endpoint(model="test-model", base_url=base_url, api_key="sk-test")


def rss(items: list[tuple[str, str]], title: str = "Harbor Street Journal") -> bytes:
    """RSS 2.0 teasers: (guid, link) per item, all dated DAY."""
    body = "".join(
        f"<item><title>Report {i}</title><link>{link}</link><guid>{guid}</guid>"
        "<pubDate>Wed, 18 Nov 2026 07:30:00 +0000</pubDate>"
        "<description>A short teaser.</description></item>"
        for i, (guid, link) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}'
        "</channel></rss>"
    ).encode()


def atom(entries: list[tuple[str, str, str]], title: str = "Tideline Wire") -> bytes:
    """An Atom feed of full-text entries: (key, text, updated as written)."""
    body = "".join(
        f"<entry><id>urn:{key}</id><title>{key}</title><updated>{when}</updated>"
        f'<link href="https://wire.example/{key}"/><content type="text">{text}</content></entry>'
        for key, text, when in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:wire</id><updated>{DAY.isoformat()}</updated>"
        f"{body}</feed>"
    ).encode()


def long_article(i: int) -> str:
    return article(i) + " ".join(["The session was calm otherwise."] * 40) + "\n"


def opml(urls: list[str]) -> bytes:
    outlines = "".join(f'<outline xmlUrl="{u.replace("&", "&amp;")}"/>' for u in urls)
    return (
        '<?xml version="1.0"?><opml version="2.0"><head><title>Subs</title></head>'
        f"<body>{outlines}</body></opml>"
    ).encode()


def pages(site: Site, n: int) -> list[str]:
    for i in range(1, n + 1):
        site.pages[f"/news/{i}"] = ("text/plain", article(i).encode())
    return [site.url(f"/news/{i}") for i in range(1, n + 1)]


PRIVATE = DigestOptions(allow_private=True)


def last_run() -> DigestOptions:
    return DigestOptions(since="last-run", allow_private=True)


# --- 1. entries are seen only once the digest is written ---------------------------------


def _feed_file(tmp_path: Path, n: int = 3) -> Path:
    path = tmp_path / "wire.xml"
    when = DAY.isoformat()
    path.write_bytes(atom([(f"w{i}", long_article(i), when) for i in range(1, n + 1)]))
    return path


def test_a_digest_killed_during_the_synthesis_leaves_every_entry_unseen(tmp_path: Path) -> None:
    feed = _feed_file(tmp_path)
    args = ["digest", str(feed), "--since", "last-run", "-o", str(tmp_path / "d.json"),
            "--cache-dir", str(tmp_path / "cache"), "--concurrency", "1"]  # fmt: skip
    synthesis_asked = threading.Event()
    answer = router()

    def hold_the_synthesis(body: dict[str, Any]) -> Reply:
        reply = answer(body)
        if DIGEST_MARKER in body["messages"][0]["content"]:
            synthesis_asked.set()
            reply.delay_s = 60
        return reply

    with serve(hold_the_synthesis) as slow:
        proc = popen_cli([*args, "--base-url", slow.base_url], env={"OPENAI_API_KEY": "sk-t"},
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            assert synthesis_asked.wait(HANG_GUARD_S), "the synthesis was never asked"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    assert not (tmp_path / "d.json").exists()
    with serve(router()) as fake:
        done = run_cli([*args, "--base-url", fake.base_url], env={"OPENAI_API_KEY": "sk-t"})
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "d.json").read_text())
    assert len(data["articles"]) == 3  # every entry reaches the reader


def test_an_output_that_cannot_be_written_leaves_every_entry_unseen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = _feed_file(tmp_path, 2)
    folder = tmp_path / "out.md"
    folder.mkdir()  # -o names a folder: the digest cannot be written there
    with serve(router()) as fake:
        base = ["digest", str(feed), "--since", "last-run", "--base-url", fake.base_url,
                "--api-key", "sk-t", "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
        assert main([*base, "-o", str(folder)]) == 1
        assert "cannot write" in capsys.readouterr().err
        assert main([*base, "-o", str(tmp_path / "d.json")]) == 0
        assert main([*base, "-o", str(tmp_path / "again.json")]) == 0  # nothing new now
        assert "nothing new since" in capsys.readouterr().err
    data = json.loads((tmp_path / "d.json").read_text())
    assert len(data["articles"]) == 2


def test_entries_are_guid_and_link_together(site: Site, tmp_path: Path) -> None:
    """Two entries sharing a GUID are two entries; the one whose page failed stays unseen."""
    links = pages(site, 2)
    page_two = site.pages.pop("/news/2")
    site.pages["/feed"] = ("application/rss+xml", rss([("g", links[0]), ("g", links[1])]))
    cache = BriefCache(tmp_path / "c.sqlite")
    with serve(router()) as fake:
        ep = endpoint(fake.base_url)
        first = build_digest([site.url("/feed")], endpoint=ep, cache=cache, options=last_run())
        site.pages["/news/2"] = page_two
        second = build_digest([site.url("/feed")], endpoint=ep, cache=cache, options=last_run())
    assert [(a.origin, a.brief is not None) for a in first.articles] == [
        (links[0], True),
        (links[1], False),
    ]
    assert [a.origin for a in second.articles] == [links[1]]


def test_an_item_repeated_in_one_feed_or_two_is_briefed_once(site: Site, tmp_path: Path) -> None:
    links = pages(site, 2)
    twice = rss([("a", links[0]), ("a", links[0]), ("b", links[1])])
    site.pages["/feed/one"] = ("application/rss+xml", twice)
    site.pages["/feed/two"] = ("application/rss+xml", rss([("a", links[0])], "Other"))
    cache = BriefCache(tmp_path / "c.sqlite")
    urls = [site.url("/feed/one"), site.url("/feed/two")]
    with serve(router()) as fake:
        ep = endpoint(fake.base_url)
        digest = build_digest(urls, endpoint=ep, cache=cache, options=last_run())
        briefed = len(brief_requests(fake.requests))
        again = build_digest(urls, endpoint=ep, cache=cache, options=last_run())
    assert [a.origin for a in digest.articles] == links and briefed == 2
    assert site.log.count("/news/1") == 1
    assert again.articles == []  # seen in both feeds


# --- 2. one network policy, checked on the connected socket ---------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "private"), ("10.1.2.3", "private"), ("192.168.0.1", "private"),
        ("::1", "private"), ("fc00::1", "private"), ("100.64.0.1", "private"),
        ("169.254.169.254", "refused"), ("169.254.0.1", "refused"), ("fe80::1", "refused"),
        ("100.100.100.200", "refused"), ("fd00:ec2::254", "refused"), ("0.0.0.0", "refused"),
        ("::ffff:169.254.169.254", "refused"), ("::ffff:127.0.0.1", "private"),
        ("224.0.0.1", "refused"), ("8.8.8.8", "public"), ("2606:4700::1111", "public"),
    ],
)  # fmt: skip
def test_addresses_are_classified_once(address: str, kind: str) -> None:
    assert fetch.address_kind(address) == kind


def _resolving(monkeypatch: pytest.MonkeyPatch, answers: list[list[str]]) -> list[str]:
    """socket.getaddrinfo answers `news.example` with answers[0], then answers[1]...
    (the last one from then on); every other name as usual. Returns the names asked."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "news.example":
            return real(host, port, *args, **kwargs)
        asked.append(host)
        answer = answers[min(len(asked), len(answers)) - 1]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
             (a, int(port or 80), 0, 0) if ":" in a else (a, int(port or 80)))
            for a in answer
        ]  # fmt: skip

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


@pytest.mark.parametrize(
    "answers",
    [[["93.184.216.34", "127.0.0.1"]], [["93.184.216.34"], ["127.0.0.1"]]],
    ids=["public-then-loopback", "rebinding"],
)
def test_dns_rebinding_never_reaches_loopback(
    site: Site, monkeypatch: pytest.MonkeyPatch, answers: list[list[str]]
) -> None:
    pages(site, 1)
    _resolving(monkeypatch, answers)
    with pytest.raises(InputError, match=r"cannot fetch http://news\.example"):
        fetch.fetch(site.url("/news/1", "news.example"), max_bytes=10_000)
    assert site.log == []


def test_loopback_needs_allow_private(site: Site) -> None:
    pages(site, 1)
    with pytest.raises(InputError, match=r"private or local address.*--allow-private"):
        fetch.fetch(site.url("/news/1"), max_bytes=10_000)
    assert site.log == []
    got = fetch.fetch(site.url("/news/1"), max_bytes=10_000, allow_private=True)
    assert got.data.startswith(b"Market report 1")


def test_a_redirect_to_a_metadata_address_is_refused_even_when_private_is_allowed(
    site: Site,
) -> None:
    links = pages(site, 1)
    site.pages["/away"] = (None, b"http://169.254.169.254/latest/meta-data/")
    site.pages["/feed"] = ("application/rss+xml", rss([("a", links[0]), ("b", site.url("/away"))]))
    site.pages["/subs"] = ("text/x-opml", opml([site.url("/feed/moved")]))
    site.pages["/feed/moved"] = (None, b"http://[fe80::1]/rss")
    with serve(router()) as fake:
        digest = build_digest(
            [site.url("/feed"), site.url("/subs")],
            endpoint=endpoint(fake.base_url),
            cache=None,
            options=PRIVATE,
        )
    failed = {a.origin: str(a.error) for a in digest.articles if a.brief is None}
    assert "169.254.169.254" in failed[site.url("/away")]
    assert "link-local or metadata" in failed[site.url("/away")]
    assert "link-local or metadata" in failed[site.url("/feed/moved")]
    assert [a.origin for a in digest.articles if a.brief] == links


def test_a_feed_and_its_pages_on_loopback_are_refused_without_the_flag(
    site: Site, tmp_path: Path
) -> None:
    links = pages(site, 1)
    site.pages["/feed"] = ("application/rss+xml", rss([("a", links[0])]))
    local = tmp_path / "local.xml"  # a local feed file linking to a loopback page
    local.write_bytes(rss([("b", links[0])]))
    with serve(router()) as fake:
        digest = build_digest(
            [site.url("/feed"), str(local)], endpoint=endpoint(fake.base_url), cache=None
        )
    assert digest.stats.summarized == 0
    assert all("--allow-private" in str(a.error) for a in digest.articles)
    assert site.log == []


# --- 4. dates ------------------------------------------------------------------------------

HOSTILE_DATES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                 "2026-11-18T07:00:00+99:99", "Wed, 18 Nov 2026 07:00:00 +9999",
                 "Mon, 01 Jan 0001 00:00:00 +1400", "soon"]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE_DATES)
def test_an_absurd_date_is_a_note_on_its_entry(value: str) -> None:
    data = atom([("bad", long_article(1), value), ("good", long_article(2), DAY.isoformat())])
    feed = feeds.parse(data, "wire.xml")
    bad, good = feed.entries
    assert bad.published is None and bad.notes and value[:10] in bad.notes[0]
    assert good.published == DAY and not good.notes
    article = feeds.entry_article(bad, feed)
    assert article.published is None and bad.notes[0] in article.warnings


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-18T07:30:00+09:00", dt.datetime(2026, 11, 17, 22, 30, tzinfo=dt.UTC)),
        ("Wed, 18 Nov 2026 07:30:00 GMT", DAY),
        ("2026-11-18", dt.datetime(2026, 11, 18, tzinfo=dt.UTC)),
        (None, None),
        ("", None),
    ],
)
def test_good_dates_still_read(value: str | None, expected: dt.datetime | None) -> None:
    assert read_date(value) == expected


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00+14:00",
                                   "2026-11-18T07:00+99:99", "yesterday"])  # fmt: skip
def test_a_bad_since_is_one_line_and_exit_2(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["digest", "x.xml", "--since", value])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("newsbrief digest: error: argument --since")


def test_a_digest_of_a_feed_and_a_hostile_date_feed_keeps_the_good_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(atom([(f"g{i}", long_article(i), DAY.isoformat()) for i in (1, 2)]))
    hostile = tmp_path / "hostile.xml"
    hostile.write_bytes(
        atom([("h1", long_article(3), "9999-12-31T23:59:59-14:00")], title="Hostile")
    )
    out = tmp_path / "d.json"
    with serve(router()) as fake:
        code = main(["digest", str(good), str(hostile), "--base-url", fake.base_url,
                     "--api-key", "sk-t", "-o", str(out), "-v"])  # fmt: skip
    err = capsys.readouterr().err
    assert code in (0, 3), err
    data = json.loads(out.read_text())
    assert [a["published"] is None for a in data["articles"]] == [False, False, True]
    assert sum(a["brief"] is not None for a in data["articles"]) == 3
    assert err.count("9999-12-31T23:59:59-14:00") == 1  # one note
    assert "internal error" not in err


# --- 6. fan-out ----------------------------------------------------------------------------


def test_an_opml_listing_copies_of_itself_is_bounded(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each copy of the OPML (any query string) lists ten new copies, itself twice and the
    feed: without a cap that is 1 + 10 + 100 OPML fetches."""
    monkeypatch.setenv("NEWSBRIEF_MAX_FEEDS", "20")
    links = pages(site, 1)
    site.pages["/feed/rss"] = ("application/rss+xml", rss([("a", links[0])]))
    site.opml = lambda path: opml(
        [site.url(path), site.url(path), site.url("/feed/rss")]
        + [site.url(f"{path}.{i}") for i in range(10)]
    )
    with serve(router()) as fake:
        digest = build_digest(
            [site.url("/subs?0")], endpoint=endpoint(fake.base_url), cache=None, options=PRIVATE
        )
    assert [a.origin for a in digest.articles] == links
    assert site.log.count("/feed/rss") == 1 and site.log.count("/subs?0") == 1
    assert len([p for p in site.log if p.startswith("/subs")]) <= 21  # the input and 20 listed


def test_distinct_feeds_per_run_are_capped(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBRIEF_MAX_FEEDS", "5")
    listed = [site.url(f"/feed/{i}") for i in range(12)]
    site.pages["/subs"] = ("text/x-opml", opml([*listed, listed[0], listed[0] + "#top"]))
    with serve(router()) as fake:
        digest = build_digest(
            [site.url("/subs")], endpoint=endpoint(fake.base_url), cache=None, options=PRIVATE
        )
    assert len([p for p in site.log if p.startswith("/feed/")]) == 5
    assert sum("NEWSBRIEF_MAX_FEEDS" in w for w in digest.warnings) == 1


def test_feeds_are_fetched_concurrently(site: Site) -> None:
    site.delay_s = 0.3
    for i in range(6):
        site.pages[f"/feed/{i}"] = ("application/rss+xml", rss([], f"Feed {i}"))
    site.pages["/subs"] = ("text/x-opml", opml([site.url(f"/feed/{i}") for i in range(6)]))
    with serve(router()) as fake:
        build_digest(
            [site.url("/subs")], endpoint=endpoint(fake.base_url), cache=None, options=PRIVATE
        )
    assert len([p for p in site.log if p.startswith("/feed/")]) == 6
    assert site.max_in_flight > 1
