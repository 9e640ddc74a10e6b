"""Anything a user points us at becomes plain text, or a one-line InputError.

Inputs are untrusted: a path, standard input or an http(s) URL (fetched by fetch.py) may
hold anything. Decoding never crashes on bytes: a byte-order mark wins, then the charset a
server declared, then UTF-8, then a detected encoding with a warning. HTML is reduced to
its main text by trafilatura, keeping the title. Reads are bounded by NEWSBRIEF_MAX_BYTES, so
/dev/zero or a 20 MB dump is refused instead of loaded. Text that reads like instructions
to the model is kept (it is the article) but named in a warning.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from newsbrief import settings
from newsbrief.errors import InputError
from newsbrief.ingest import fetch
from newsbrief.text.chars import without_surrogates
from newsbrief.text.injection import injected_sentences

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
# The files a folder is read for, by a digest and by the evaluator alike.
ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x7fELF": "an executable",
    b"\x1f\x8b": "a gzip file",
}
# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_WIDE = re.compile(r"(?i)(utf|ucs)[-_]?(16|32|2|4)")
_NOT_ARTICLE = ["//nav", "//noscript", "//*[@role='navigation']"]
# A sentence (15+ characters ending in . ! ? or their CJK forms) or a long line: not a menu.
_PROSE = re.compile(
    r"^.{15,}[.!?\u3002\uff01\uff1f][\"'\u201d\u2019)\]]*[ \t]*$|^.{80,}$", re.MULTILINE
)
_MD_TITLE = re.compile(r"[ \t]{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)  # "# Title"


@dataclass
class Article:
    """One input's text and what is known of it. published and source come from a feed
    entry or the page's metadata (trafilatura), when either says."""

    text: str
    title: str | None
    origin: str
    warnings: list[str] = field(default_factory=list)
    published: dt.datetime | None = None  # aware, UTC
    source: str | None = None  # the feed's or site's name


@dataclass(frozen=True)
class Unreadable:
    """An input that failed before its brief (a feed entry's page, a URL): listed in the
    digest with this reason, like any failed article."""

    origin: str
    error: str


def too_big(origin: str, size: int | None = None) -> InputError:
    return fetch.too_big(origin, settings.max_bytes(), size)


def _binary_kind(data: bytes, wide: bool = False) -> str | None:
    """wide: a declared UTF-16/32, where NUL bytes are normal."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    if not wide and b"\x00" in data[:8192]:
        return "binary data"
    return None


def _bom(data: bytes) -> tuple[int, str] | None:
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return len(mark), codec
    return None


def _declared(data: bytes, charset: str) -> str | None:
    """data decoded with a server's charset, or None if the name is unknown or wrong."""
    try:
        return data.decode(charset)
    except (LookupError, UnicodeError, ValueError):  # unknown, not a text codec, or lying
        return None


def _detected(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes as detect

    results = detect(data)
    best = results.best()
    encoding = best.encoding if best is not None else "cp1252"
    # Short Western text fits several code pages equally well (cp1250, cp775...); a tie goes
    # to windows-1252, the web's default for unlabelled text.
    if best is not None and any(
        m.chaos <= best.chaos and "cp1252" in m.could_be_from_charset for m in results
    ):
        encoding = "cp1252"
    try:
        return data.decode(encoding, errors="replace"), encoding
    except (LookupError, UnicodeError, ValueError):
        return data.decode("cp1252", errors="replace"), "cp1252"  # never raises


def decode(data: bytes, origin: str, charset: str | None = None) -> tuple[str, list[str]]:
    """(text, warnings), or InputError for binary content: never any other exception."""
    warnings: list[str] = []
    bom = _bom(data)
    if bom is not None:
        skip, codec = bom
        if codec != "utf-8":  # UTF-8 goes on below: the mark is dropped, the text checked
            try:
                return _clean(data[skip:].decode(codec), origin, warnings)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{origin} has a {codec.upper()} byte-order mark but does not decode: "
                    f"{exc.reason}"
                ) from None
        data = data[skip:]
    wide = charset is not None and _WIDE.match(charset) is not None
    kind = _binary_kind(data, wide)
    if kind:
        raise InputError(f"{origin} is {kind}, not text")
    if charset and bom is None:
        text = _declared(data, charset)
        if text is not None:
            return _clean(text, origin, warnings)
        warnings.append(f"{origin} is not {charset} as declared; ignored the declared charset")
    try:
        return _clean(data.decode("utf-8"), origin, warnings)
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few bad bytes (a cut-off tail, one stray byte) is still UTF-8: guessing a
    # code page for the whole text would garble every correct character.
    valid = data.decode("utf-8", errors="ignore")
    invalid_bytes = len(data) - len(valid.encode("utf-8"))
    if invalid_bytes <= sum(not c.isascii() for c in valid):
        warnings.append(
            f"{origin} is UTF-8 with {invalid_bytes} invalid byte(s); replaced them with U+FFFD"
        )
        return _clean(data.decode("utf-8", errors="replace"), origin, warnings)
    text, encoding = _detected(data)
    warnings.append(f"{origin} is not valid UTF-8; decoded as {encoding}")
    return _clean(text, origin, warnings)


def _clean(text: str, origin: str, warnings: list[str]) -> tuple[str, list[str]]:
    # Lone surrogates (UTF-7, or a lying charset) cannot be written as UTF-8 in a Brief.
    cleaned = without_surrogates(text)
    if cleaned is not text:
        text = cleaned
        warnings.append(f"{origin} has invalid characters; replaced them with U+FFFD")
    return text, warnings


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in text[:2000].lower()


def html_to_article(html: str, origin: str, warnings: list[str]) -> Article:
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, prune_xpath=_NOT_ARTICLE
    )
    text = getattr(extracted, "text", None) if extracted is not None else None
    # A page of menus and links still "extracts": demand at least one line of prose.
    if not text or not _PROSE.search(text):
        raise InputError(f"{origin}: no article text found in the HTML (only markup or navigation)")
    title = getattr(extracted, "title", None)
    article = article_from_text(text, title, origin, warnings)
    article.published = parse_date(getattr(extracted, "date", None))
    sitename = getattr(extracted, "sitename", None)
    article.source = " ".join(sitename.split())[:100] if isinstance(sitename, str) else None
    return article


# A publication date outside these years is absurd for news, and near datetime's own limits
# converting it to UTC overflows: such a date is read as none, with a note.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
MAX_UTC_OFFSET = dt.timedelta(hours=14)  # the widest offset in use (Kiribati, UTC+14)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}")  # how an ISO 8601 date starts
_RFC_OFFSET = re.compile(r"[+-][0-9]{2}([0-9]{2})$")  # "+0530": hours and minutes
_RFC_YEAR = re.compile(r"[0-9]{1,2}\s+[A-Za-z]{3,}\.?\s+([0-9]{2,})\b")  # "18 Nov 2026"


class BadDate(ValueError):
    """A date that is present but unreadable or absurd. `known_format`: it is written as
    ISO 8601 or RFC 822, so this verdict stands (no lenient reader may shift it)."""

    def __init__(self, message: str, known_format: bool = True) -> None:
        super().__init__(message)
        self.known_format = known_format


def read_date(value: object) -> dt.datetime | None:
    """An ISO 8601 or RFC 822 date or date-time as aware UTC (a date alone is midnight UTC,
    no zone is UTC); None when absent; BadDate when present but unreadable, with an offset
    beyond 14 hours, or outside the years 1900 to 2200. Bounded before any arithmetic, so
    no value can overflow."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    shown = repr(value)[:60]
    if isinstance(value, dt.datetime):
        return _bounded(value, shown)
    if not isinstance(value, str) or len(value) > 100:
        raise BadDate(f"{shown} is not a date", known_format=False)
    text = value.strip()
    if _ISO_DATE.match(text):
        try:
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:  # includes offsets of 24 hours or more, minutes past 59
            raise BadDate(f"{shown} is not a valid date") from None
        return _bounded(when, shown)
    parts = email.utils.parsedate_tz(text)
    if parts is None:
        raise BadDate(f"{shown} is not a date", known_format=False)
    written = _RFC_YEAR.search(text)
    offset = _RFC_OFFSET.search(text)
    if written and len(written.group(1)) > 2 and int(written.group(1)) != parts[0]:
        # The standard library reads "0001" as 2001.
        raise BadDate(f"{shown} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    bad_minutes = offset is not None and int(offset.group(1)) > 59
    if bad_minutes or abs(parts[9] or 0) > MAX_UTC_OFFSET.total_seconds():
        raise BadDate(f"{shown} has an impossible UTC offset")
    try:
        naive = dt.datetime(*parts[:6])
    except ValueError:
        raise BadDate(f"{shown} is not a valid date") from None
    zone = dt.timezone(dt.timedelta(seconds=parts[9] or 0))
    return _bounded(naive.replace(tzinfo=zone), shown)


def _bounded(when: dt.datetime, shown: str) -> dt.datetime:
    offset = when.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise BadDate(f"{shown} has an impossible UTC offset")
    # Checked before converting: years this far from datetime's limits cannot overflow.
    if not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
        raise BadDate(f"{shown} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return when.replace(tzinfo=dt.UTC) if offset is None else when.astimezone(dt.UTC)


def parse_date(value: object) -> dt.datetime | None:
    """read_date, leniently: None also for an unreadable or absurd date (page metadata and
    our own cache, where a bad date is simply no date)."""
    try:
        return read_date(value)
    except BadDate:
        return None


def article_from_text(text: str, title: str | None, origin: str, warnings: list[str]) -> Article:
    """Checked text as an Article; sentences addressed to a model are named in a warning."""
    if not text.strip():
        raise InputError(f"{origin} is empty or whitespace only")
    if "\x00" in text:
        raise InputError(f"{origin} contains NUL bytes; it looks like binary content")
    injected = injected_sentences(text)  # one definition, shared with grounding
    if injected:
        start, end = injected[0]
        sentence = " ".join(text[start:end].split())
        sentence = sentence if len(sentence) <= 80 else sentence[:77] + "..."
        warnings.append(
            f"{origin} contains text addressed to a model ({sentence!r}); "
            "it was treated as article text, not as instructions"
        )
    return Article(text=text, title=title or None, origin=origin, warnings=warnings)


def _to_article(data: bytes, origin: str, html: bool | None, charset: str | None) -> Article:
    """html None: decide from the text itself."""
    if len(data) > settings.max_bytes():
        raise too_big(origin, len(data))
    text, warnings = decode(data, origin, charset)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if html or (html is None and looks_like_html(text)):
        return html_to_article(text, origin, warnings)
    return article_from_text(text, None, origin, warnings)


def markdown_title(text: str) -> str | None:
    """The text of a leading `# Title` (its first non-blank line), without the `#`s."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    heading = _MD_TITLE.fullmatch(first)
    return heading.group(1) if heading else None


def from_bytes(data: bytes, origin: str, suffix: str = "", sniff_markdown: bool = False) -> Article:
    """sniff_markdown: with no telling suffix (standard input), a first line that is a
    Markdown `# Title` makes the text Markdown, and that heading its title."""
    if suffix in HTML_SUFFIXES:
        html: bool | None = True
    elif suffix in TEXT_SUFFIXES - {""}:
        html = False
    else:
        html = None
    article = _to_article(data, origin, html, None)
    markdown = suffix in MARKDOWN_SUFFIXES or (sniff_markdown and suffix == "")
    if markdown and article.title is None:
        article.title = markdown_title(article.text)
    return article


def from_url(url: str, allow_private: bool = False) -> Article:
    got = fetch.fetch(url, max_bytes=settings.max_bytes(), allow_private=allow_private)
    html = None if got.media_type is None else got.media_type in fetch.HTML_TYPES
    return _to_article(got.data, got.origin, html, got.charset)


def read_file(p: Path, path: str) -> bytes:
    """A local file's bytes, bounded by NEWSBRIEF_MAX_BYTES; InputError in one line."""
    max_bytes = settings.max_bytes()
    try:
        if p.is_dir():
            raise InputError(
                f"{path} is a directory, not a file (to brief a folder: newsbrief digest)"
            )
        mode = p.stat().st_mode
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            # Opening a pipe with no writer blocks forever; standard input is the way in.
            raise InputError(f"{path} is a named pipe or socket, not a file; pipe it to - instead")
        size = p.stat().st_size
        if size > max_bytes:
            raise too_big(path, size)
        # Bounded even when stat says 0: /dev/zero, a pipe, a file still growing.
        with p.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise too_big(path)
    return data


def from_fetched(got: fetch.Fetched) -> Article:
    html = None if got.media_type is None else got.media_type in fetch.HTML_TYPES
    return _to_article(got.data, got.origin, html, got.charset)


def read_path(path: str, *, allow_private: bool = False) -> Article:
    """A file path, an http(s) URL, or '-' for standard input. allow_private: a URL may
    reach loopback and private addresses (fetch.py's address policy)."""
    max_bytes = settings.max_bytes()
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise too_big("standard input")
        return from_bytes(data, "standard input", sniff_markdown=True)
    if fetch.is_url(path):
        return from_url(path, allow_private)
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", path)
    if scheme:
        raise InputError(f"cannot read {path}: only http:// and https:// URLs are supported")
    p = Path(path)
    data = read_file(p, path)
    return from_bytes(data, path, p.suffix.lower())
