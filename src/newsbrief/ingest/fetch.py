"""Getting an article's bytes and content type from an http(s) URL, and nothing else.

Kept apart from ingest so the network policy lives in one place: a web page is untrusted
input, so every fetch is bounded in time (NEWSBRIEF_FETCH_TIMEOUT, for connecting, each read
and the whole download), in size (the body is streamed and abandoned past max_bytes, so a
huge or endless page never sits in memory) and in redirects, and only text types are
accepted. Every failure is a one-line InputError naming the URL; turning the bytes into text
is ingest's job.

Addresses: a feed, a page or a redirect may point anywhere, so the address is checked where
the connection is made (_Guard, an httpcore network backend): each hop's host is resolved
once, refused addresses are never connected to, and the connected socket's peer is checked
again. Link-local and cloud metadata addresses are always refused; loopback and private
ones only with allow_private (the CLI's --allow-private). Proxy variables are not used: the
policy cannot see the address behind a proxy.
"""

from __future__ import annotations

import importlib.metadata
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from functools import lru_cache
from typing import Any, Literal

import httpcore
import httpx

from newsbrief import bodies, settings
from newsbrief.errors import InputError
from newsbrief.redact import display_url as display_url  # how a fetched URL is shown
from newsbrief.redact import remote_text

MAX_REDIRECTS = 5
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
ACCEPTED_TYPES = HTML_TYPES | TEXT_TYPES
_ACCEPT = "text/html, application/xhtml+xml, text/plain;q=0.9, text/markdown;q=0.9, */*;q=0.1"


FEED_TYPES = frozenset({
    "application/rss+xml", "application/x-rss+xml", "application/atom+xml",
    "application/rdf+xml", "application/xml", "text/xml", "text/x-opml", "application/x-opml",
    "application/opml+xml",
})  # fmt: skip


def is_feed_type(media_type: str | None) -> bool:
    """A type a feed may be served as: a known feed type or any XML type ("+xml": servers
    label RSS as application/x-rss+xml, vnd.*+xml and more), XHTML excepted (a page). Which
    one it is, the document's root says (ingest.feeds.looks_like_feed, feeds.parse)."""
    if media_type is None or media_type in HTML_TYPES:
        return False
    return media_type in FEED_TYPES or media_type.endswith("+xml")


# Always refused, whatever the user allows: link-local networks (where cloud metadata
# services answer, 169.254.169.254 among them) and the metadata addresses outside them.
_LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("100.100.100.200", "fd00:ec2::254", "168.63.129.16", "192.0.0.192")
)  # Alibaba, AWS over IPv6, Azure's wire server, Oracle
AddressKind = Literal["public", "private", "refused"]


def address_kind(address: str) -> AddressKind:
    """public (fetched), private (loopback, private and other non-global networks: fetched
    only with allow_private) or refused (link-local, metadata, unspecified, multicast)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:169.254.169.254 is 169.254.169.254
    if (
        ip in METADATA_ADDRESSES
        or any(ip in net for net in _LINK_LOCAL)
        or ip.is_unspecified  # 0.0.0.0 reaches this machine
        or ip.is_multicast
    ):
        return "refused"
    return "public" if ip.is_global else "private"


class Refused(Exception):
    """A connection the address policy does not allow: never made."""


class _Guard(httpcore.NetworkBackend):
    """httpcore's own backend, with the address policy at the point of connection: every
    connection of every redirect hop comes through here, so no hop escapes the check."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.inner = httpcore.SyncBackend()

    def refusal(self, host: str, address: str) -> str | None:
        kind = address_kind(address)
        if kind == "refused":
            return f"refused {host} at {address}: a link-local or metadata address"
        if kind == "private" and not self.allow_private:
            return (
                f"refused {host} at {address}: a private or local address "
                "(--allow-private, or allow_private=True, allows it)"
            )
        return None

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:  # resolved once; each address is connected to as a literal, never re-resolved
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        refused: str | None = None
        failed: Exception = httpcore.ConnectError(f"no address for {host}")
        for info in infos:
            address = str(info[4][0])
            reason = self.refusal(host, address)
            if reason is not None:
                refused = refused or reason
                continue
            try:
                stream = self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failed = exc
                continue
            # The socket actually connected is the one checked, whatever resolved it.
            peer = str(stream.get_extra_info("server_addr")[0])
            reason = self.refusal(host, peer)
            if reason is not None:
                stream.close()
                raise Refused(reason)
            return stream
        if refused is not None:
            raise Refused(refused)
        raise failed

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise Refused("refused a Unix socket")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One SSL context per process: loading the CA bundle costs ~20 ms of CPU, and a feed
    run fetches hundreds of pages (model.client keeps one for its own clients likewise)."""
    return httpx.create_ssl_context(trust_env=False)


def _transport(allow_private: bool) -> httpx.HTTPTransport:
    context = _ssl_context()
    transport = httpx.HTTPTransport(verify=context, trust_env=False)
    # httpx takes no network backend, so its pool is rebuilt around ours (same settings).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=context, network_backend=_Guard(allow_private)
    )
    return transport


@dataclass(frozen=True)
class Fetched:
    origin: str  # the URL as shown to users: credentials removed
    data: bytes
    media_type: str | None  # lower case, no parameters; None if the server sent none
    charset: str | None  # from Content-Type, as sent
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # a conditional GET answered 304: data is empty


def _user_agent() -> str:
    try:
        return f"newsbrief/{importlib.metadata.version('newsbrief')}"
    except importlib.metadata.PackageNotFoundError:
        return "newsbrief"


def is_url(path: str) -> bool:
    return path[:8].lower().startswith(("http://", "https://"))


def parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    """('text/html', 'utf-8') from 'text/html; charset="UTF-8"'; (None, None) if absent."""
    if not header or not header.strip():
        return None, None
    media_type = header.split(";", 1)[0].strip().lower() or None
    message = Message()  # the stdlib's parser handles quoting and RFC 2231 parameters
    message["content-type"] = header
    charset = message.get_param("charset")
    return media_type, charset.strip() if isinstance(charset, str) and charset.strip() else None


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def too_big(origin: str, max_bytes: int, size: int | None = None) -> InputError:
    """The one size-limit message, for files, standard input and URLs alike.
    size None: reading stopped at the limit, so we only know it is over."""
    limit = f"the {_size(max_bytes)} limit (set NEWSBRIEF_MAX_BYTES to raise it)"
    if size is None:
        return InputError(f"{origin} is over {limit}")
    return InputError(f"{origin} is {_size(size)}, over {limit}")


def _status_error(origin: str, response: httpx.Response) -> InputError:
    reason = remote_text(response.reason_phrase or "error", limit=100)  # the server's words
    return InputError(f"cannot fetch {origin}: HTTP {response.status_code} {reason}")


def _read_capped(response: httpx.Response, origin: str, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big(origin, max_bytes, int(declared))  # refuse before downloading it
    chunks: list[bytes] = []
    size = 0
    # Raw bytes, capped; decoded below layer by layer, each within the cap (bodies.py), so a
    # decompression bomb is refused instead of inflated.
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > max_bytes:
            raise too_big(origin, max_bytes)
        if time.monotonic() > deadline:  # a server dripping bytes never trips the read timeout
            raise httpx.ReadTimeout("download took too long")
        chunks.append(chunk)
    try:
        return bodies.decode(b"".join(chunks), response.headers.get("content-encoding"), max_bytes)
    except bodies.BodyTooLarge:
        raise too_big(origin, max_bytes) from None
    except bodies.BadEncoding as exc:
        raise InputError(f"cannot fetch {origin}: {remote_text(str(exc))}") from None


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout_s: float | None = None,
    max_redirects: int = MAX_REDIRECTS,
    accepted: frozenset[str] = ACCEPTED_TYPES,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_private: bool = False,
) -> Fetched:
    """GET url, following at most max_redirects redirects; only `accepted` types come back.
    With etag or last_modified (from an earlier Fetched), the GET is conditional: a 304
    comes back as not_modified, with no data. allow_private: loopback and private addresses
    may be reached (by the URL or any redirect); link-local and metadata ones never."""
    origin = display_url(url)
    timeout = settings.fetch_timeout_s() if timeout_s is None else timeout_s
    deadline = time.monotonic() + timeout
    headers = {"User-Agent": _user_agent(), "Accept": _ACCEPT}
    if accepted is not ACCEPTED_TYPES:
        headers["Accept"] = ", ".join(sorted(accepted)) + ", */*;q=0.1"
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with (
            httpx.Client(
                transport=_transport(allow_private),
                trust_env=False,
                timeout=httpx.Timeout(timeout),
                follow_redirects=True,
                max_redirects=max_redirects,
                headers=headers,
            ) as client,
            client.stream("GET", url) as response,
        ):
            validators = response.headers.get("etag"), response.headers.get("last-modified")
            if response.status_code == 304 and (etag or last_modified):
                return Fetched(origin, b"", None, None, *validators, not_modified=True)
            if not response.is_success:  # 4xx, 5xx, or a 3xx with nowhere to go
                raise _status_error(origin, response)
            media_type, charset = parse_content_type(response.headers.get("content-type"))
            feeds_too = accepted >= FEED_TYPES  # then any +xml type is let through too
            if (
                media_type is not None
                and media_type not in accepted
                and not (feeds_too and is_feed_type(media_type))
            ):
                what = "an article" if accepted == ACCEPTED_TYPES else "an article or a feed"
                raise InputError(
                    f"{origin} is {remote_text(media_type, limit=100)}, not {what} "
                    f"(accepted: {', '.join(sorted(accepted))})"
                )
            data = _read_capped(response, origin, max_bytes, deadline)
    except Refused as exc:
        raise InputError(f"cannot fetch {origin}: {exc}") from None
    except httpx.TooManyRedirects:
        raise InputError(f"cannot fetch {origin}: more than {max_redirects} redirects") from None
    except httpx.TimeoutException:
        raise InputError(
            f"cannot fetch {origin}: timed out after {timeout:g} s "
            "(set NEWSBRIEF_FETCH_TIMEOUT to raise it)"
        ) from None
    except httpx.UnsupportedProtocol as exc:  # e.g. a redirect to ftp:// or file://
        raise InputError(f"cannot fetch {origin}: {remote_text(str(exc))}") from None
    except httpx.HTTPError as exc:  # connection refused, DNS, TLS, broken stream, bad gzip...
        raise InputError(f"cannot fetch {origin}: {_reason(exc)}") from None
    except httpx.InvalidURL as exc:
        raise InputError(f"invalid URL {origin}: {remote_text(str(exc))}") from None
    return Fetched(origin, data, media_type, charset, *validators)


def _reason(exc: httpx.HTTPError) -> str:
    # httpx wraps the OS error; its own text ("[Errno 111] Connection refused") is the reason.
    # It can quote what the server sent (a redirect's Location), so it is redacted.
    return remote_text(str(exc)) or type(exc).__name__
