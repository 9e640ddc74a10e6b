"""A digest's feeds: which inputs are feeds, what each says now, and what is new.

Inputs are resolved before any brief: a local .xml/.rss/.atom/.rdf/.opml file, or a file or
URL whose bytes are a feed, becomes one Article per entry (dated, with the feed's name as its
source); an OPML file becomes its feeds. A URL that turns out to be a page is an article, read
from the bytes already fetched.

With a cache, each feed remembers its ETag, Last-Modified, its last body and the entries
seen, and each entry page is kept by its link: a repeated run sends conditional GETs (a 304
re-reads the stored body) and fetches no page it already has. `since` keeps entries
published at or after a time, or, as "last-run", only entries the previous run did not see.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import ipaddress
import json
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from newsbrief import settings
from newsbrief.digest.cache import BriefCache
from newsbrief.errors import InputError
from newsbrief.ingest import feeds, fetch
from newsbrief.ingest.read import Article, Unreadable, from_fetched, parse_date, read_file

Since = dt.datetime | Literal["last-run"] | None
PAGE_FETCHES = 4  # entry pages fetched at once
MAX_SEEN = 5000  # entry keys remembered per feed
MAX_OPML_DEPTH = 2  # an OPML listing an OPML is read; one more level is not


def parse_since(value: str) -> dt.datetime | Literal["last-run"]:
    """--since: "last-run", or an ISO date or date-time (UTC when no zone is given)."""
    if value.strip().lower() == "last-run":
        return "last-run"
    when = parse_date(value)
    if when is None:
        raise ValueError(f"{value!r} is not a date (2026-11-20, 2026-11-20T07:00Z) or last-run")
    return when


class _State:
    """One feed's memory in the cache: validators, last body, entry keys seen, last run."""

    def __init__(self, cache: BriefCache | None, url: str) -> None:
        self.cache = cache
        self.key = "feed:" + hashlib.sha256(url.encode()).hexdigest()
        data: dict[str, object] = {}
        hit = cache.get(self.key) if cache is not None else None
        if hit is not None:
            try:
                data = dict(json.loads(hit))
            except ValueError:
                data = {}
        etag = data.get("etag")
        self.etag = etag if isinstance(etag, str) else None
        modified = data.get("last_modified")
        self.last_modified = modified if isinstance(modified, str) else None
        body = data.get("body")
        self.body = base64.b64decode(body) if isinstance(body, str) else None
        seen = data.get("seen")
        # In the order first seen: the cap below forgets the oldest keys, never current ones.
        self.seen = [k for k in seen if isinstance(k, str)] if isinstance(seen, list) else None

    def save(self, body: bytes, got: fetch.Fetched | None, keys: list[str]) -> None:
        if self.cache is None:
            return
        seen = list(dict.fromkeys([*(self.seen or []), *keys]))[-MAX_SEEN:]
        data = {
            # A 304 may come without validators: keep the ones that earned it.
            "etag": (got.etag if got else None) or self.etag,
            "last_modified": (got.last_modified if got else None) or self.last_modified,
            "body": base64.b64encode(body).decode(),
            "seen": seen,
        }
        self.cache.put(self.key, "feed", json.dumps(data))


def _page_key(link: str) -> str:
    return "page:" + hashlib.sha256(link.encode()).hexdigest()


def _cached_page(cache: BriefCache | None, link: str) -> Article | None:
    hit = cache.get(_page_key(link)) if cache is not None else None
    if hit is None:
        return None
    try:
        d = json.loads(hit)
        published = parse_date(d.get("published"))
        return Article(d["text"], d["title"], d["origin"], list(d["warnings"]), published,
                       d.get("source"))  # fmt: skip
    except (ValueError, KeyError, TypeError):
        return None


def _store_page(cache: BriefCache | None, link: str, article: Article) -> None:
    if cache is not None:
        when = article.published.isoformat() if article.published else None
        page = {
            "text": article.text,
            "title": article.title,
            "origin": article.origin,
            "warnings": article.warnings,
            "source": article.source,
            "published": when,
        }
        cache.put(_page_key(link), "page", json.dumps(page))


def _is_feed_file(path: str) -> bool:
    p = Path(path)
    if p.suffix.lower() in feeds.FEED_SUFFIXES:
        return True
    if p.suffix.lower() not in {"", ".txt"} or not p.is_file():
        return False
    try:
        with p.open("rb") as handle:
            return feeds.looks_like_feed(handle.read(2048))
    except OSError:
        return False


class Resolver:
    """Turns a digest's inputs into articles, in input order (a feed's entries in its own
    order). Reports through `warnings`."""

    def __init__(self, cache: BriefCache | None, since: Since) -> None:
        self.cache = cache
        self.since = since
        self.warnings: list[str] = []
        self._pages = asyncio.Semaphore(PAGE_FETCHES)
        self._visited: set[str] = set()
        # What each feed will remember, written by commit() once the digest has its briefs.
        self._states: list[tuple[_State, bytes, fetch.Fetched | None, dict[str, str | None]]] = []

    async def resolve(
        self, items: Sequence[Article | Unreadable | str]
    ) -> list[Article | str | Unreadable]:
        out: list[Article | str | Unreadable] = []
        for item in items:
            if isinstance(item, Article | Unreadable):
                out.append(item)
            elif fetch.is_url(item):
                out += await self._url(item, None, 0)
            elif _is_feed_file(item):
                try:
                    data = await asyncio.to_thread(read_file, Path(item), item)
                    out += await self._feed(feeds.parse(data, item), data, None, None, 0)
                except InputError as exc:
                    out.append(Unreadable(item, str(exc)))
            else:
                out.append(item)
        return out

    def commit(self, failed: set[str]) -> None:
        """Remember each feed's entries as seen, except those whose article failed (origins
        in `failed`): "last-run" offers them again next time."""
        for state, body, got, origins in self._states:
            keys = [key for key, origin in origins.items() if origin not in failed]
            state.save(body, got, keys)

    async def _url(self, url: str, via: str | None, depth: int) -> list[Article | str | Unreadable]:
        """url given by the user (via None) or listed by the feed `via`."""
        if url in self._visited:
            return []  # an OPML listing itself, or a feed listed twice
        self._visited.add(url)
        if via is not None and await _private(url) and not await _private(via):
            reason = "refused: a public feed's link to a private or local address"
            return [Unreadable(fetch.display_url(url), f"{fetch.display_url(url)}: {reason}")]
        state = _State(self.cache, url)
        try:
            got = await asyncio.to_thread(
                fetch.fetch,
                url,
                max_bytes=settings.max_bytes(),
                accepted=fetch.ACCEPTED_TYPES | fetch.FEED_TYPES,
                etag=state.etag if state.body else None,
                last_modified=state.last_modified if state.body else None,
            )
            if got.not_modified and state.body is not None:
                feed = feeds.parse(state.body, got.origin)
                return await self._feed(feed, state.body, got, state, depth)
            sniffed = got.media_type not in fetch.HTML_TYPES and feeds.looks_like_feed(got.data)
            if got.media_type in fetch.FEED_TYPES or sniffed:
                feed = feeds.parse(got.data, got.origin)
                return await self._feed(feed, got.data, got, state, depth)
            return [await asyncio.to_thread(from_fetched, got)]
        except InputError as exc:
            return [Unreadable(fetch.display_url(url), str(exc))]

    async def _feed(
        self,
        feed: feeds.Feed,
        body: bytes,
        got: fetch.Fetched | None,
        state: _State | None,
        depth: int,
    ) -> list[Article | str | Unreadable]:
        self.warnings += feed.warnings
        out: list[Article | str | Unreadable] = []
        if feed.subscriptions and depth >= MAX_OPML_DEPTH:
            self.warnings.append(f"{feed.origin}: OPML nested too deep; its feeds were skipped")
        elif feed.subscriptions:
            via = feed.origin if fetch.is_url(feed.origin) else None  # a local file: trusted
            for url in feed.subscriptions:
                out += await self._url(url, via, depth + 1)
        if state is None:
            state = _State(self.cache, feed.origin)
        entries = [e for e in feed.entries if self._wanted(e, state, feed)]
        articles = await asyncio.gather(*(self._entry(e, feed) for e in entries))
        out += articles
        if feed.entries:
            origins: dict[str, str | None] = {e.key: None for e in feed.entries}
            for entry, article in zip(entries, articles, strict=True):
                origins[entry.key] = article.origin
            self._states.append((state, body, got, origins))
        return out

    def _wanted(self, entry: feeds.Entry, state: _State, feed: feeds.Feed) -> bool:
        if self.since == "last-run":
            return state.seen is None or entry.key not in state.seen
        if isinstance(self.since, dt.datetime):
            if entry.published is None:
                self.warnings.append(
                    f"{feed.origin}: {entry.title or entry.key!r} has no date; kept"
                )
                return True
            return entry.published >= self.since
        return True

    async def _entry(self, entry: feeds.Entry, feed: feeds.Feed) -> Article | Unreadable:
        try:
            if entry.content is not None:
                return await asyncio.to_thread(feeds.entry_article, entry, feed)
            assert entry.link is not None
            local = fetch.is_url(feed.origin) and await _private(entry.link)
            if local and not await _private(feed.origin):
                raise InputError(
                    f"{fetch.display_url(entry.link)}: refused: a public feed's link to a "
                    "private or local address"
                )
            article = _cached_page(self.cache, entry.link)
            if article is None:
                async with self._pages:
                    got = await asyncio.to_thread(
                        fetch.fetch, entry.link, max_bytes=settings.max_bytes()
                    )
                    article = await asyncio.to_thread(from_fetched, got)
                _store_page(self.cache, entry.link, article)
            return feeds.dated(article, entry, feed)
        except InputError as exc:
            return Unreadable(fetch.display_url(entry.link or feed.origin), str(exc))


async def _private(url: str) -> bool:
    """Whether url's host is a loopback, private, link-local or otherwise non-public address
    (names are resolved). A feed on the open web may not point us at such a host: that is
    how a feed would reach a router's admin page or a cloud metadata service."""
    host = urlsplit(url).hostname or ""
    if not host:
        return False
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.to_thread(socket.getaddrinfo, host, None)
        except OSError:
            return False  # unresolvable: the fetch fails on its own, with its own message
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return any(not a.is_global for a in addresses)
