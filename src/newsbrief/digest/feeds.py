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
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from newsbrief import settings
from newsbrief.digest.contract import ArticleResult
from newsbrief.errors import InputError
from newsbrief.ingest import feeds, fetch
from newsbrief.ingest.read import (
    Article,
    Unreadable,
    from_fetched,
    parse_date,
    read_date,
    read_file,
)
from newsbrief.store.table import BriefCache

Since = dt.datetime | Literal["last-run"] | None
PAGE_FETCHES = 4  # entry pages fetched at once
FEED_FETCHES = 8  # feeds fetched at once
MAX_SEEN = 5000  # entry keys remembered per feed
MAX_OPML_DEPTH = 2  # an OPML listing an OPML is read; one more level is not


def parse_since(value: str) -> dt.datetime | Literal["last-run"]:
    """--since: "last-run", or an ISO date or date-time (UTC when no zone is given); a
    ValueError for anything else, an absurd date included (read_date's bounds)."""
    if value.strip().lower() == "last-run":
        return "last-run"
    when = read_date(value)  # BadDate is a ValueError
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


def _file_key(path: str) -> str:
    """A local file as compared for duplicates: its real path (links and ../ resolved)."""
    return str(Path(path).resolve())


def _normal(url: str) -> str:
    """The URL as compared for duplicates: scheme and host in lower case, no default port,
    no fragment, no credentials ("/" for an empty path)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}.get(scheme):
        host += f":{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


Item = Article | str | Unreadable
Keyed = tuple[str | None, Item]  # (what makes two entries one article this run, the item)


class Resolver:
    """Turns a digest's inputs into articles, in input order (a feed's entries in its own
    order), each article once. Feeds are fetched FEED_FETCHES at a time; OPML files list at
    most settings.max_feeds() distinct feeds per run. Reports through `warnings`."""

    def __init__(self, cache: BriefCache | None, since: Since, allow_private: bool = False) -> None:
        self.cache = cache
        self.since = since
        self.allow_private = allow_private  # fetch.py's address policy, for every fetch
        self.warnings: list[str] = []
        self._pages = asyncio.Semaphore(PAGE_FETCHES)
        self._feeds = asyncio.Semaphore(FEED_FETCHES)
        self._page_tasks: dict[str, asyncio.Task[Article]] = {}  # by link: each page once
        self._claimed: set[str] = set()  # URLs (normalised) and feed files, taken before fetching
        self._listed = 0  # feeds taken from OPML listings: the fan-out the cap bounds
        self._skipped = 0
        # What each feed will remember: its entries (ident -> article key, None when not
        # offered this run), written by commit() once the digest has reached its reader.
        self._states: list[tuple[_State, bytes, fetch.Fetched | None, dict[str, str | None]]] = []
        self._keys: list[str | None] = []  # per resolved item

    async def resolve(self, items: Sequence[Item]) -> list[Item]:
        parts = await asyncio.gather(*(self._input(item) for item in items))
        if self._skipped:
            self.warnings.append(
                f"skipped {self._skipped} feed(s) listed in OPML files: at most "
                f"{settings.max_feeds()} listed feeds are read per run (NEWSBRIEF_MAX_FEEDS)"
            )
        out: list[Item] = []
        seen: set[str] = set()
        for key, item in (pair for part in parts for pair in part):
            if key is not None and key in seen:
                continue  # an entry repeated in one feed or in two: briefed once
            if key is not None:
                seen.add(key)
            out.append(item)
            self._keys.append(key)
        return out

    def commit(self, results: Sequence[ArticleResult]) -> None:
        """Remember each feed's entries as seen, except those whose article failed: "last-run"
        offers them again. `results` are the digest's, in the order resolve() returned; call
        only once the digest has reached its reader."""
        failed = {
            key for key, r in zip(self._keys, results, strict=True) if r.brief is None and key
        }
        for state, body, got, entries in self._states:
            keys = [ident for ident, key in entries.items() if key not in failed]
            state.save(body, got, keys)

    async def _input(self, item: Item) -> list[Keyed]:
        if isinstance(item, Article | Unreadable):
            return [(None, item)]
        if fetch.is_url(item):
            return await self._url(item, 0) if self._claim(item) else []
        if _is_feed_file(item):
            return await self._file(item, 0) if self._claim(_file_key(item)) else []
        return [(None, item)]

    async def _file(self, path: str, depth: int) -> list[Keyed]:
        """A local feed or OPML file; an OPML's relative paths are read against its folder."""
        try:
            data = await asyncio.to_thread(read_file, Path(path), path)
            feed = feeds.parse(data, path, folder=Path(path).parent)
            return await self._feed(feed, data, None, None, depth)
        except InputError as exc:
            return [(None, Unreadable(path, str(exc)))]

    def _claim(self, where: str) -> bool:
        """Whether `where` (a URL, or a file as _file_key) is new to this run (then taken)."""
        key = _normal(where) if fetch.is_url(where) else where
        if key in self._claimed:
            return False
        self._claimed.add(key)
        return True

    async def _url(self, url: str, depth: int) -> list[Keyed]:
        state = _State(self.cache, url)
        try:
            async with self._feeds:
                got = await asyncio.to_thread(
                    fetch.fetch,
                    url,
                    max_bytes=settings.max_bytes(),
                    accepted=fetch.ACCEPTED_TYPES | fetch.FEED_TYPES,
                    etag=state.etag if state.body else None,
                    last_modified=state.last_modified if state.body else None,
                    allow_private=self.allow_private,
                )
            if got.not_modified and state.body is not None:
                feed = feeds.parse(state.body, got.origin)
                return await self._feed(feed, state.body, got, state, depth)
            sniffed = got.media_type not in fetch.HTML_TYPES and feeds.looks_like_feed(got.data)
            if fetch.is_feed_type(got.media_type) or sniffed:
                feed = feeds.parse(got.data, got.origin)
                return await self._feed(feed, got.data, got, state, depth)
            return [(None, await asyncio.to_thread(from_fetched, got))]
        except InputError as exc:
            return [(None, Unreadable(fetch.display_url(url), str(exc)))]

    def _listed_feeds(self, feed: feeds.Feed) -> list[str]:
        """The OPML's feeds still to read: itself, duplicates and feeds already read this run
        are dropped before any fetch, and at most settings.max_feeds() are taken per run."""
        urls = []
        cap = settings.max_feeds()
        for url in feed.subscriptions:
            local = not fetch.is_url(url)
            if local and fetch.is_url(feed.origin):
                # feeds.parse never lists a file for a fetched OPML; checked again here.
                self.warnings.append(f"{feed.origin}: skipped {url[:100]!r} (a local file)")
                continue
            key = _file_key(url) if local else _normal(url)
            if key in self._claimed:
                continue
            if self._listed >= cap:
                self._skipped += 1
                continue
            self._claim(key)
            self._listed += 1
            urls.append(url)
        return urls

    async def _feed(
        self,
        feed: feeds.Feed,
        body: bytes,
        got: fetch.Fetched | None,
        state: _State | None,
        depth: int,
    ) -> list[Keyed]:
        self.warnings += feed.warnings
        out: list[Keyed] = []
        if feed.subscriptions and depth >= MAX_OPML_DEPTH:
            self.warnings.append(f"{feed.origin}: OPML nested too deep; its feeds were skipped")
        elif feed.subscriptions:
            urls = self._listed_feeds(feed)
            reads = [
                self._url(u, depth + 1) if fetch.is_url(u) else self._file(u, depth + 1)
                for u in urls
            ]
            for part in await asyncio.gather(*reads):
                out += part
        if state is None:
            state = _State(self.cache, feed.origin)
        entries = [e for e in feed.entries if self._wanted(e, state, feed)]
        articles = await asyncio.gather(*(self._entry(e, feed) for e in entries))
        keys = [e.link or f"{feed.origin}#{e.ident}" for e in entries]
        out += zip(keys, articles, strict=True)
        if feed.entries:
            offered: dict[str, str | None] = {e.ident: None for e in feed.entries}
            offered.update((e.ident, key) for e, key in zip(entries, keys, strict=True))
            self._states.append((state, body, got, offered))
        return out

    def _wanted(self, entry: feeds.Entry, state: _State, feed: feeds.Feed) -> bool:
        if self.since == "last-run":
            return state.seen is None or entry.ident not in state.seen
        if isinstance(self.since, dt.datetime):
            if entry.published is None:
                self.warnings.append(
                    f"{feed.origin}: {entry.title or entry.key!r} has no date; kept"
                )
                return True
            return entry.published >= self.since
        return True

    async def _entry(self, entry: feeds.Entry, feed: feeds.Feed) -> Article | Unreadable:
        """The entry's article: its own text when it is whole (feeds.FULL_TEXT_CHARS), else
        the longer of its own text and its linked page, else, when the link fails, its own
        text with a note."""
        try:
            if entry.full:
                return await asyncio.to_thread(feeds.entry_article, entry, feed)
            assert entry.link is not None
            task = self._page_tasks.get(entry.link)
            if task is None:  # an item in two feeds: its page is fetched once
                task = asyncio.ensure_future(self._page(entry.link))
                self._page_tasks[entry.link] = task
            try:
                page = await task
            except InputError as exc:
                if entry.content is None:
                    raise
                article = await asyncio.to_thread(feeds.entry_article, entry, feed)
                article.warnings.append(f"{exc}; read from the feed's own text instead")
                return article
            if entry.content is not None and len(page.text.strip()) < entry.chars:
                # The feed holds more than its page (a paywall, a stub): the feed's text.
                return await asyncio.to_thread(feeds.entry_article, entry, feed)
            # A copy: the same page may be dated and titled by two feeds.
            return feeds.dated(replace(page, warnings=list(page.warnings)), entry, feed)
        except InputError as exc:
            return Unreadable(fetch.display_url(entry.link or feed.origin), str(exc))

    async def _page(self, link: str) -> Article:
        article = _cached_page(self.cache, link)
        if article is None:
            async with self._pages:
                got = await asyncio.to_thread(
                    fetch.fetch,
                    link,
                    max_bytes=settings.max_bytes(),
                    allow_private=self.allow_private,
                )
                article = await asyncio.to_thread(from_fetched, got)
            _store_page(self.cache, link, article)
        return article
