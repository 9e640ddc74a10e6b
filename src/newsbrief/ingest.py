"""Anything a user points us at becomes plain text, or a one-line InputError.

Decoding never crashes on bytes: UTF-8 first, BOMs honoured, then a detected encoding
with a warning. HTML is reduced to its main text by trafilatura, keeping the title.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

MAX_BYTES = int(os.environ.get("NEWSBRIEF_MAX_BYTES", str(2 * 1024 * 1024)))
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x7fELF": "an executable",
    b"\x1f\x8b": "a gzip file",
}


@dataclass
class Article:
    text: str
    title: str | None
    origin: str
    warnings: list[str] = field(default_factory=list)


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary data"
    return None


def decode(data: bytes, origin: str) -> tuple[str, list[str]]:
    kind = _binary_kind(data)
    if kind:
        raise InputError(f"{origin} is {kind}, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            raise InputError(f"{origin} claims UTF-16 but does not decode: {exc.reason}") from None
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    encoding = best.encoding if best is not None else "cp1252"
    text = data.decode(encoding, errors="replace")
    return text, [f"{origin} is not valid UTF-8; decoded as {encoding}"]


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in text[:2000].lower()


def html_to_article(html: str, origin: str, warnings: list[str]) -> Article:
    import trafilatura

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text or not text.strip():
        raise InputError(f"{origin}: no article text found in the HTML (only markup or navigation)")
    title = getattr(extracted, "title", None)
    return Article(text=text, title=title, origin=origin, warnings=warnings)


def from_bytes(data: bytes, origin: str, suffix: str = "") -> Article:
    if len(data) > MAX_BYTES:
        raise InputError(
            f"{origin} is {len(data) / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.1f} MB limit "
            "(set NEWSBRIEF_MAX_BYTES to raise it)"
        )
    text, warnings = decode(data, origin)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if suffix in HTML_SUFFIXES or (suffix not in {".txt", ".md"} and looks_like_html(text)):
        return html_to_article(text, origin, warnings)
    if not text.strip():
        raise InputError(f"{origin} is empty or whitespace only")
    if "\x00" in text:
        raise InputError(f"{origin} contains NUL bytes; it looks like binary content")
    return Article(text=text, title=None, origin=origin, warnings=warnings)


def read_path(path: str) -> Article:
    """A file path, or '-' for standard input."""
    if path == "-":
        return from_bytes(sys.stdin.buffer.read(MAX_BYTES + 1), "standard input")
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(f"{path} is a directory, not a file")
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{path} is {size / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.1f} MB limit "
                "(set NEWSBRIEF_MAX_BYTES to raise it)"
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return from_bytes(data, path, p.suffix.lower())
