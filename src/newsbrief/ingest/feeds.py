"""RSS, Atom and OPML: a feed's bytes to entries, an entry to an Article.

feedparser reads RSS 0.9x-2.0, RDF and Atom, leniently (a malformed feed still yields what
it can; feedparser's "bozo" flag says so). OPML, a list of feeds, is read by the standard
library's XML parser (expat refuses entity expansion bombs). Nothing here touches the network
or the cache: fetching, conditional GET and "what is new" belong to the digest layer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

from newsbrief.errors import InputError
from newsbrief.ingest.read import (
    Article,
    BadDate,
    article_from_text,
    html_to_article,
    read_date,
)

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf", ".opml"})
FOLDER_FEED_SUFFIXES = FEED_SUFFIXES - {".opml"}  # feed files read from a folder
MAX_ENTRIES = 500  # per feed: a feed of a million items is refused past this, with a warning
# Which text of an entry is its article (README "Feeds"). An entry's own text (content:encoded,
# content, else the description; markup not counted) of at least FULL_TEXT_CHARS is taken
# without fetching its link. A shorter one is compared with its linked page: the longer is
# the article (a teaser loses to its page, a whole article to a paywall stub), and when the
# link fails the entry's own text is read, with a note. Own text under OWN_TEXT_MIN_CHARS (a
# sentence or two) is a teaser, never an article: such an entry is its page or nothing.
FULL_TEXT_CHARS = 1200
OWN_TEXT_MIN_CHARS = 400
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|opml)[\s>]", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Entry:
    link: str | None
    title: str | None
    published: dt.datetime | None
    content: str | None  # HTML or text: its longest own text, if not a teaser
    key: str  # its id, else its link, else its title
    notes: tuple[str, ...] = ()  # what the reader should know: a date that was not read
    chars: int = 0  # characters of text in content, markup left out

    @property
    def full(self) -> bool:
        """The entry's own text is taken as the article without fetching its link."""
        return self.content is not None and (self.chars >= FULL_TEXT_CHARS or self.link is None)

    @property
    def ident(self) -> str:
        """What identifies the entry across runs: its id and its link together (a feed that
        gives two stories one id still has two stories)."""
        return json.dumps([self.key, self.link])


@dataclass
class Feed:
    origin: str
    title: str | None  # the source name shown with its articles
    entries: list[Entry] = field(default_factory=list)
    # OPML: the feeds it lists, http(s) URLs, and from a local OPML also local paths
    subscriptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def looks_like_feed(data: bytes) -> bool:
    """An XML document whose root is rss, feed, rdf:RDF or opml (in its first 2 KB)."""
    return bool(_ROOT.search(data[:2048]))


def parse(data: bytes, origin: str, folder: Path | None = None) -> Feed:
    """Entries (or, for OPML, subscriptions) of a feed document; InputError when it is none.

    Args:
        data: the document's bytes.
        origin: where it came from (a URL or a path), for messages and relative links.
        folder: the folder of a local file, None for anything fetched. Only then may an
            OPML list local feeds (file:// URLs, absolute or relative paths, the latter
            resolved against this folder): a remote document never names a local file.
    """
    head = data[:2048].lower()
    if b"<opml" in head:
        return _opml(data, origin, folder)
    import feedparser

    parsed: Any = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    meta = parsed.get("feed", {})
    raw_entries = list(parsed.get("entries", []))
    if not raw_entries and not meta.get("title"):
        reason = parsed.get("bozo_exception")
        detail = f": {' '.join(str(reason).split())[:200]}" if reason else ""
        raise InputError(f"{origin} is not a readable RSS or Atom feed{detail}")
    feed = Feed(origin=origin, title=_clean(meta.get("title")))
    if parsed.get("bozo"):
        feed.warnings.append(f"{origin}: the feed is malformed; read what could be read")
    if len(raw_entries) > MAX_ENTRIES:
        feed.warnings.append(
            f"{origin}: kept the first {MAX_ENTRIES} of {len(raw_entries)} entries"
        )
    for raw in raw_entries[:MAX_ENTRIES]:
        entry = _entry(raw)
        if entry is not None:
            feed.entries.append(entry)
    return feed


def _clean(value: object, limit: int = 300) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(_TAG.sub(" ", value).split())
    return text[:limit] or None


def _entry(raw: Any) -> Entry | None:
    link = raw.get("link") if isinstance(raw.get("link"), str) else None
    if link is not None and not link.lower().startswith(("http://", "https://")):
        link = None  # javascript:, file:, data: links are never followed
    title = _clean(raw.get("title"))
    published, notes = _date(raw, title)
    content, chars = None, 0
    bodies = [c.get("value") for c in raw.get("content") or [] if isinstance(c, dict)]
    bodies.append(raw.get("summary"))
    for body in bodies:  # the longest: content:encoded, else the description
        size = len(_clean(body, 10**7) or "") if isinstance(body, str) else 0
        if size > chars and size >= OWN_TEXT_MIN_CHARS:
            content, chars = body, size
    key = raw.get("id") if isinstance(raw.get("id"), str) and raw.get("id") else None
    key = key or link or title
    if key is None or (link is None and content is None):
        return None  # nothing to read
    return Entry(link, title, published, content, key, tuple(notes), chars)


def _date(raw: Any, title: str | None) -> tuple[dt.datetime | None, list[str]]:
    """The entry's publication (else update) date, read by our bounded reader; a date that
    is there but unreadable or absurd is a note and no date, never an error. feedparser's own
    reading is used only for formats ours does not know, and bounded the same way."""
    for name in ("published", "updated"):
        value = raw.get(name)
        if not value:
            continue
        try:
            return read_date(value), []
        except BadDate as exc:
            stamp = raw.get(f"{name}_parsed")
            if not exc.known_format and stamp:
                with contextlib.suppress(BadDate, TypeError, ValueError):
                    return read_date(dt.datetime(*stamp[:6])), []
            what = repr(title) if title else "an entry"
            return None, [f"{what}: its date {exc}; kept without a date"]
    return None, []


def entry_article(entry: Entry, feed: Feed) -> Article:
    """The entry's own text as an Article (call only when entry.content is set)."""
    assert entry.content is not None
    origin = entry.link or f"{feed.origin}#{entry.key}"
    body = entry.content
    if "<" in body:
        article = html_to_article(f"<html><body>{body}</body></html>", origin, [])
    else:
        article = article_from_text(body, None, origin, [])
    return dated(article, entry, feed)


def dated(article: Article, entry: Entry, feed: Feed) -> Article:
    """The article with the entry's title, date and the feed's name where it has none."""
    article.title = entry.title or article.title
    article.published = entry.published or article.published
    article.warnings += [n for n in entry.notes if n not in article.warnings]
    article.source = feed.title or article.source
    return article


def _opml(data: bytes, origin: str, folder: Path | None) -> Feed:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(f"{origin} is not a readable OPML file: {exc}") from None
    feed = Feed(origin=origin, title=_clean(root.findtext("head/title")))
    for outline in root.iter("outline"):
        value = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not value:
            continue
        where, why = _subscription(value, origin, folder)
        if where is not None:
            feed.subscriptions.append(where)
        else:
            feed.warnings.append(f"{origin}: skipped {value[:100]!r} ({why})")
    if not feed.subscriptions:
        what = "feeds (http(s) URLs or local paths)" if folder is not None else "http(s) feeds"
        raise InputError(f"{origin}: the OPML file lists no {what}")
    return feed


def _subscription(value: str, origin: str, folder: Path | None) -> tuple[str | None, str]:
    """(where the listed feed is, or None with why not). http(s) URLs always; from a local
    OPML (folder set) also file:// URLs on this machine and paths, relative ones resolved
    against the folder; from a remote OPML a relative reference is resolved against its URL
    and must be http(s) too."""
    lower = value.lower()
    if lower.startswith(("http://", "https://")):
        return value, ""
    if folder is None:
        if _SCHEME.match(value):
            return None, "a remote OPML lists only http(s) feeds"
        joined = urljoin(origin, value)
        ok = joined.lower().startswith(("http://", "https://"))
        return (joined, "") if ok else (None, "a remote OPML lists only http(s) feeds")
    if lower.startswith("file:"):
        parts = urlsplit(value)
        if parts.netloc not in ("", "localhost"):
            return None, "a file:// URL on another machine"
        return str(Path(url2pathname(parts.path))), ""
    if _SCHEME.match(value) and not Path(value).drive:
        return None, "only http(s) feeds, file:// URLs and paths"
    return str(folder / value), ""
