"""Reading an HTTP body within a size limit, decompression included.

httpx decodes gzip/deflate one network chunk at a time with no output limit, so 2.5 KB of
nested gzip ("Content-Encoding: gzip, gzip") becomes gigabytes before any size check runs.
Here the raw body is capped first, then each encoding layer is undone with zlib's
max_length, so no layer can grow past the limit: memory stays within a few times the cap.
"""

from __future__ import annotations

import zlib

# wbits for zlib: gzip container, zlib container; "deflate" on the web is either.
_GZIP = 16 + zlib.MAX_WBITS
_ZLIB = zlib.MAX_WBITS


class BodyTooLarge(ValueError):
    """The body, or one of its decoded layers, is over the limit."""


class BadEncoding(ValueError):
    """A Content-Encoding we cannot (or will not) undo, or data that does not decode."""


def encodings(header: str | None) -> list[str]:
    """Content-Encoding tokens in the order they were applied ("identity" left out)."""
    tokens = [t.strip().lower() for t in (header or "").split(",")]
    return [t for t in tokens if t and t != "identity"]


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    d = zlib.decompressobj(wbits)
    out = d.decompress(data, limit + 1)
    if len(out) > limit or d.unconsumed_tail:
        raise BodyTooLarge(f"decoded body is over the {limit}-byte limit")
    return out + d.flush()


def decode(raw: bytes, content_encoding: str | None, limit: int) -> bytes:
    """raw with every Content-Encoding undone, last applied first; BodyTooLarge past limit."""
    data = raw
    for encoding in reversed(encodings(content_encoding)):
        try:
            if encoding in ("gzip", "x-gzip"):
                data = _inflate(data, _GZIP, limit)
            elif encoding == "deflate":
                try:
                    data = _inflate(data, _ZLIB, limit)
                except zlib.error:
                    data = _inflate(data, -zlib.MAX_WBITS, limit)  # raw deflate, no header
            else:
                raise BadEncoding(f"unsupported Content-Encoding {encoding!r}")
        except zlib.error as exc:
            raise BadEncoding(f"body does not decode as {encoding}: {exc}") from None
        if len(data) > limit:
            raise BodyTooLarge(f"decoded body is over the {limit}-byte limit")
    return data
