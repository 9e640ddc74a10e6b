"""URLs as inputs: a local http.server on 127.0.0.1 plays every kind of web page we must
survive, and each one ends as an Article (or a Brief) or as one line naming the URL.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from support import CORPUS, no_wait

from newsbrief.cli.main import main
from newsbrief.contract import Brief
from newsbrief.errors import InputError
from newsbrief.ingest import fetch
from newsbrief.ingest import read as ingest
from newsbrief.model import transport as retry
from tests.fakes.server import draft_reply, serve

ARTICLE_HTML = (CORPUS / "html_article_in_nav.html").read_bytes()
PNG = (CORPUS / "png_renamed.txt").read_bytes()
LATIN1 = (CORPUS / "latin1.txt").read_bytes()
ECB_DRAFT = {
    # Ids as the prompt marks the page's numbers (3.75% is C01 where the body states it).
    "key_figures": [
        {"id": "C01", "label": "ECB deposit rate"},
        {"id": "C02", "label": "euro zone inflation in May"},
        {"id": "C03", "label": "euro zone inflation in April"},
        {"id": "C04", "label": "market odds of a September cut"},
        {"id": "C05", "label": "euro fall after the decision"},
        {"id": "C06", "label": "euro exchange rate after the decision"},
        {"id": "C08", "label": "German 10-year Bund yield"},
        {"id": "C09", "label": "growth projection this year"},
    ],
    "summary": ["The ECB held its deposit rate.", "Inflation slowed in May."],
    "policy_implications": [],
}


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False  # no status line until the test is over: the client must give up
    chunk: int = 0  # >0: send the body in pieces this big, no Content-Length
    drip_s: float = 0.0  # pause between pieces


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-body is what half of these tests provoke


# How long a test waits for the server side of a request to end. Only a broken client
# (one that never hangs up) gets anywhere near it: a hang guard, not a measurement.
HANG_GUARD_S = 120


@dataclass
class Site:
    pages: dict[str, Page]
    server: QuietServer | None = None
    hits: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)  # body bytes written, per path
    answered: list[str] = field(default_factory=list)  # paths whose whole response went out
    release: threading.Event = field(default_factory=threading.Event)  # ends every hold
    _ended: dict[str, threading.Event] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def ended(self, path: str) -> threading.Event:
        """Set once the server is done with a request for path (sent, or the client left)."""
        with self._lock:
            return self._ended.setdefault(path, threading.Event())


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            site.hits.append(self.path)
            site.headers.append({k.lower(): v for k, v in self.headers.items()})
            page = site.pages.get(self.path, Page(b"nothing here", status=404))
            try:
                if page.hold:
                    site.release.wait(HANG_GUARD_S)
                self.send_response(page.status)
                for key, value in page.headers.items():
                    self.send_header(key, value)
                if page.chunk:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for i in range(0, len(page.body), page.chunk):
                        piece = page.body[i : i + page.chunk]
                        self.wfile.write(piece)
                        self.wfile.flush()
                        site.sent[self.path] += len(piece)
                        time.sleep(page.drip_s)
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(len(page.body)))
                    self.end_headers()
                    self.wfile.write(page.body)
                    site.sent[self.path] += len(page.body)
                site.answered.append(self.path)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up: that is the point
            finally:
                site.ended(self.path).set()

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site(pages={})
    s.server = QuietServer(("127.0.0.1", 0), _handler(s))
    thread = threading.Thread(target=s.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield s
    s.release.set()
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture(autouse=True)
def _direct_and_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)  # never send 127.0.0.1 through a proxy
    monkeypatch.setenv("NEWSBRIEF_FETCH_TIMEOUT", "5")
    monkeypatch.setenv("NEWSBRIEF_MAX_BYTES", str(2 * 1024 * 1024))
    # Should a fetch wrongly succeed, the model call fails fast instead of starting a model.
    monkeypatch.setenv("NEWSBRIEF_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setattr(retry, "_asleep", no_wait)


def html(body: bytes = ARTICLE_HTML, **kw: Any) -> Page:
    return Page(body, headers={"Content-Type": "text/html; charset=utf-8"}, **kw)


def cli_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsbrief: error: "), err
    return lines[0].removeprefix("newsbrief: error: ")


def test_html_page_is_briefed_end_to_end(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.pages["/news/ecb"] = html()
    with serve([draft_reply(ECB_DRAFT)]) as fake:
        code = main(
            ["summarize", site.url("/news/ecb"), "--allow-private", "--format", "json",
             "--base-url", fake.base_url, "--model", "fake", "--timeout", "10"]
        )  # fmt: skip
        sent = fake.requests[0]["messages"][-1]["content"]
    out, err = capsys.readouterr()
    assert code == 0, err
    brief = Brief.model_validate_json(out)
    assert brief.source.title == "ECB holds rates at 3.75% as inflation cools"
    chosen = [f.value for f in brief.key_figures if f.chosen_by == "model"]
    assert chosen == [3.75, 2.4, 2.6, 70, 0.3, 1.084, 2.52, 0.9]
    for f in brief.key_figures:
        assert brief.source.text[f.start : f.end] == f.quote
    # The model saw the article, not the page furniture.
    assert "Christine Lagarde" in sent and "Buy gold" not in sent and "<p>" not in sent
    assert site.hits == ["/news/ecb"]
    assert "text/html" in site.headers[0]["accept"]
    assert site.headers[0]["user-agent"].startswith("newsbrief")


def test_redirects_are_followed_up_to_the_limit(site: Site) -> None:
    site.pages["/r/0"] = html()
    for n in range(1, 7):
        site.pages[f"/r/{n}"] = Page(status=302, headers={"Location": f"/r/{n - 1}"})
    article = ingest.read_path(site.url(f"/r/{fetch.MAX_REDIRECTS}"), allow_private=True)
    assert article.title == "ECB holds rates at 3.75% as inflation cools"
    assert article.origin == site.url("/r/5")  # named as the user typed it
    assert len(site.hits) == fetch.MAX_REDIRECTS + 1


def test_one_redirect_too_many(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.pages["/r/0"] = html()
    for n in range(1, 7):
        site.pages[f"/r/{n}"] = Page(status=301, headers={"Location": f"/r/{n - 1}"})
    url = site.url("/r/6")
    message = cli_error(["summarize", url, "--allow-private"], capsys)
    assert message == f"cannot fetch {url}: more than 5 redirects"
    assert "/r/0" not in site.hits


def test_redirect_to_another_scheme(site: Site) -> None:
    site.pages["/away"] = Page(status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(InputError, match=r"^cannot fetch http://127\.0\.0\.1:\d+/away: "):
        ingest.read_path(site.url("/away"), allow_private=True)


@pytest.mark.parametrize(
    ("status", "reason"), [(404, "Not Found"), (500, "Internal Server Error"), (410, "Gone")]
)
def test_http_errors_name_url_and_status(
    site: Site, capsys: pytest.CaptureFixture[str], status: int, reason: str
) -> None:
    site.pages["/page"] = Page(b"<h1>oops</h1>", status=status)
    url = site.url("/page")
    assert (
        cli_error(["summarize", url, "--allow-private"], capsys)
        == f"cannot fetch {url}: HTTP {status} {reason}"
    )


def test_unreachable_host(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/article"
    assert cli_error(["summarize", url, "--allow-private"], capsys).startswith(
        f"cannot fetch {url}: "
    )


def test_credentials_never_appear_in_messages(site: Site) -> None:
    url = site.url("/private").replace("http://", "http://reader:s3cret-pw@")
    with pytest.raises(InputError) as exc:
        ingest.read_path(url, allow_private=True)
    assert "s3cret-pw" not in str(exc.value) and "HTTP 404" in str(exc.value)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("image/png", PNG), ("application/pdf", b"%PDF-1.4\n"), ("application/json", b"{}")],
)
def test_non_text_content_types_are_refused(
    site: Site, capsys: pytest.CaptureFixture[str], content_type: str, body: bytes
) -> None:
    site.pages["/file"] = Page(body, headers={"Content-Type": content_type})
    url = site.url("/file")
    message = cli_error(["summarize", url, "--allow-private"], capsys)
    assert message.startswith(f"{url} is {content_type}, not an article (accepted: ")


def test_binary_behind_a_text_content_type_is_still_refused(site: Site) -> None:
    site.pages["/lie"] = Page(PNG, headers={"Content-Type": "text/plain"})
    with pytest.raises(InputError, match="is a PNG image, not text"):
        ingest.read_path(site.url("/lie"), allow_private=True)


def test_oversized_body_with_content_length(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSBRIEF_MAX_BYTES", str(100_000))
    site.pages["/big"] = Page(
        b"Stocks rose 1.5%.\n" * 20_000, headers={"Content-Type": "text/plain"}
    )
    url = site.url("/big")
    message = cli_error(["summarize", url, "--allow-private"], capsys)
    assert (
        message == f"{url} is 0.4 MB, over the 0.1 MB limit (set NEWSBRIEF_MAX_BYTES to raise it)"
    )


def test_endless_stream_is_cut_at_the_limit(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBRIEF_MAX_BYTES", str(100_000))
    body = b"Stocks rose 1.5%.\n" * 3_000_000  # 54 MB, no Content-Length to warn us
    site.pages["/stream"] = Page(body, headers={"Content-Type": "text/plain"}, chunk=16_384)
    with pytest.raises(InputError, match=r"is over the 0\.1 MB limit"):
        ingest.read_path(site.url("/stream"), allow_private=True)
    # The client hung up, so the server stopped writing: counted at the server, what went
    # out is the 0.1 MB read plus what the sockets' buffers held, nowhere near the body.
    assert site.ended("/stream").wait(HANG_GUARD_S), "the client never hung up"
    assert "/stream" not in site.answered
    assert site.sent["/stream"] < len(body) // 2, site.sent


def test_gzip_bomb_is_capped_on_decoded_size(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBRIEF_MAX_BYTES", str(100_000))
    bomb = gzip.compress(b" " * 50_000_000, mtime=0)  # 50 MB of spaces in ~50 KB
    headers = {"Content-Type": "text/plain", "Content-Encoding": "gzip"}
    site.pages["/bomb"] = Page(bomb, headers=headers)
    assert len(bomb) < 100_000
    with pytest.raises(InputError, match=r"is over the 0\.1 MB limit"):
        ingest.read_path(site.url("/bomb"), allow_private=True)


def test_slow_server_times_out(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSBRIEF_FETCH_TIMEOUT", "0.3")
    site.pages["/slow"] = html(hold=True)  # answers only once this test is over
    url = site.url("/slow")
    message = cli_error(["summarize", url, "--allow-private"], capsys)
    assert message == (
        f"cannot fetch {url}: timed out after 0.3 s (set NEWSBRIEF_FETCH_TIMEOUT to raise it)"
    )
    assert site.hits == ["/slow"] and site.answered == []  # it gave up before any answer


def test_dripping_server_hits_the_overall_deadline(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each piece arrives well within the read timeout; the download as a whole never would.
    monkeypatch.setenv("NEWSBRIEF_FETCH_TIMEOUT", "0.5")
    body = ARTICLE_HTML * 16  # 40 bytes every 0.1 s: about a minute in all
    site.pages["/drip"] = html(body, chunk=40, drip_s=0.1)
    with pytest.raises(InputError, match=r"timed out after 0\.5 s"):
        ingest.read_path(site.url("/drip"), allow_private=True)
    # Counted at the server: the client hung up part way through the drip.
    assert site.ended("/drip").wait(HANG_GUARD_S), "the client never hung up"
    assert "/drip" not in site.answered
    assert site.sent["/drip"] < len(body), site.sent


@pytest.mark.parametrize("value", ["soon", "0", "-1", "inf", "nan"])
def test_bad_fetch_timeout_setting(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.setenv("NEWSBRIEF_FETCH_TIMEOUT", value)
    message = cli_error(["summarize", site.url("/x"), "--allow-private"], capsys)
    assert message.startswith("NEWSBRIEF_FETCH_TIMEOUT must be a positive number of seconds")
    assert site.hits == []


def test_declared_charset_is_honoured(site: Site) -> None:
    site.pages["/fr"] = Page(LATIN1, headers={"Content-Type": "text/plain; charset=ISO-8859-1"})
    article = ingest.read_path(site.url("/fr"), allow_private=True)
    assert article.text.startswith("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale shares rose 4.5%")
    assert article.warnings == []  # no guessing when the server said


def test_wrong_declared_charset_falls_back_with_a_warning(site: Site) -> None:
    site.pages["/fr"] = Page(LATIN1, headers={"Content-Type": "text/plain; charset=utf-8"})
    article = ingest.read_path(site.url("/fr"), allow_private=True)
    assert "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale" in article.text
    assert any("is not utf-8 as declared" in w for w in article.warnings)


def test_unknown_charset_is_ignored(site: Site) -> None:
    page = Page(
        "Caf\u00e9 sales rose 5%.".encode(), headers={"Content-Type": "text/plain; charset=klingon"}
    )
    site.pages["/k"] = page
    article = ingest.read_path(site.url("/k"), allow_private=True)
    assert article.text == "Caf\u00e9 sales rose 5%."


def test_utf16_declared_without_bom(site: Site) -> None:
    body = "Yen fell 0.8% to 158.20 per dollar.".encode("utf-16-le")
    site.pages["/u16"] = Page(body, headers={"Content-Type": "text/plain; charset=utf-16le"})
    assert (
        ingest.read_path(site.url("/u16"), allow_private=True).text
        == "Yen fell 0.8% to 158.20 per dollar."
    )


def test_plain_text_is_not_parsed_as_html(site: Site) -> None:
    text = b"<html> is how a page starts; the index rose 2% anyway.\n"
    site.pages["/t"] = Page(text, headers={"Content-Type": "text/plain"})
    site.pages["/md"] = Page(
        b"# Rates\n\nThe Fed held at 4.5%.\n", headers={"Content-Type": "text/markdown"}
    )
    assert ingest.read_path(site.url("/t"), allow_private=True).text == text.decode()
    assert (
        ingest.read_path(site.url("/md"), allow_private=True).text
        == "# Rates\n\nThe Fed held at 4.5%.\n"
    )


def test_missing_content_type_is_sniffed(site: Site) -> None:
    site.pages["/raw"] = Page(ARTICLE_HTML)
    article = ingest.read_path(site.url("/raw"), allow_private=True)
    assert article.title == "ECB holds rates at 3.75% as inflation cools"
    assert "<p>" not in article.text


def test_html_page_of_only_navigation(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.pages["/home"] = html((CORPUS / "html_nav_only.html").read_bytes())
    url = site.url("/home")
    assert "no article text found in the HTML" in cli_error(
        ["summarize", url, "--allow-private"], capsys
    )


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("ftp://example.com/a.txt", "only http:// and https:// URLs are supported"),
        ("file:///etc/hostname", "only http:// and https:// URLs are supported"),
        ("http://", "cannot fetch http://"),
        ("http://[::1", "invalid URL http://[::1"),
    ],
)
def test_unusable_urls(path: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment.replace("[", r"\[").replace(".", r"\.")):
        ingest.read_path(path)


def test_fetch_reports_type_and_charset(site: Site) -> None:
    site.pages["/p"] = Page(b"ok", headers={"Content-Type": 'Text/HTML; Charset="Shift_JIS"'})
    got = fetch.fetch(site.url("/p"), max_bytes=10, allow_private=True)
    assert (got.media_type, got.charset, got.data) == ("text/html", "Shift_JIS", b"ok")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@example.com/a?b=1", "https://example.com/a?b=1"),
        ("https://example.com/a", "https://example.com/a"),
        ("http://example.com/\x00\x1b", "http://example.com/%00%1B"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    assert fetch.display_url(url) == shown


def test_is_url() -> None:
    assert fetch.is_url("HTTPS://Example.com") and fetch.is_url("http://x")
    assert not fetch.is_url("httpx.txt") and not fetch.is_url("-") and not fetch.is_url("ftp://x")


def test_markdown_output_uses_the_page_title(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    site.pages["/news/ecb"] = html()
    with serve([draft_reply(ECB_DRAFT)]) as fake:
        code = main(
            [
                "summarize",
                site.url("/news/ecb"),
                "--allow-private",
                "--base-url",
                fake.base_url,
                "--model",
                "f",
            ]
        )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("# ECB holds rates at 3.75% as inflation cools\n")
    assert "| European Central Bank deposit rate, Thursday | 3.75% |" in out
