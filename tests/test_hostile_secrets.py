"""Secrets that do not travel in the Authorization header, and paths that are the user's.

A base URL can carry a password (`http://user:secret@host/v1`; httpx sends it as
`Authorization: Basic <base64>`) or a key in its query string (`?api-key=...`). A hostile
or misconfigured server reflects every form of it back: the Basic header, the bare base64,
the decoded "user:password", the password alone, the URL. None of them may reach an error
message, a digest's "Not summarized" reason, a DEBUG log, or a cassette; and
`cassettes check` must call a cassette holding one unsafe.

A cassette recorded against the embedded llama.cpp server carries the GGUF's absolute path
as the answer's model name: the user's home and cache folders must not be committed.

Every secret here contains FRAGMENT, so a truncated or partly redacted copy still counts as
a leak; the base64 forms are checked whole and by prefix.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from support import no_wait

from newsbrief import build_digest, install_log_redaction, summarize
from newsbrief import redact as redact_module
from newsbrief.cli.main import main
from newsbrief.digest.batch import DigestOptions
from newsbrief.errors import NewsbriefError
from newsbrief.model import transport
from newsbrief.model.endpoint import resolve_endpoint
from newsbrief.redact import (
    REDACTED,
    credential_secrets,
    display_url,
    looks_secret,
    redact,
    remember_url,
    url_secrets,
)
from newsbrief.render import to_markdown
from newsbrief.testing.cassettes import make_vcr
from newsbrief.testing.inspection import inspect_cassette
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, completion

FRAGMENT = "s3cret"
USER = "user"
PASSWORD = "s3cretpassw0rd"
TOKEN_USER = "s3cretTokenInTheUserSlot"
TEXT = TINY_ARTICLE
MODEL = "fake-model-1"
LOGGERS = ("openai", "httpx", "httpx2", "httpcore", "instructor", "newsbrief", "vcr")
GGUF = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def b64(pair: str) -> str:
    return base64.b64encode(pair.encode()).decode()


@dataclass(frozen=True)
class Form:
    """One way a URL carries a secret, and the forms that must never be written."""

    name: str
    userinfo: str = ""
    query: str = ""
    encoded: tuple[str, ...] = ()  # base64 forms (no FRAGMENT in them)

    def url(self, port: int) -> str:
        at = f"{self.userinfo}@" if self.userinfo else ""
        return f"http://{at}127.0.0.1:{port}/v1{self.query}"


FORMS = [
    Form("userinfo", userinfo=f"{USER}:{PASSWORD}", encoded=(b64(f"{USER}:{PASSWORD}"),)),
    Form("token-as-user", userinfo=TOKEN_USER, encoded=(b64(f"{TOKEN_USER}:"),)),
    Form("api-key", query="?api-key=s3cretApiKeyValue01"),
    Form("key", query="?key=s3cretKeyValue02"),
    Form("token", query="?token=s3cretTok03"),
    Form(
        "userinfo-and-query",
        userinfo=f"{USER}:{PASSWORD}",
        query="?api_key=s3cretBothValue04&api-version=2024-06-01",
        encoded=(b64(f"{USER}:{PASSWORD}"),),
    ),
]


def leaked(form: Form, text: str | bytes) -> list[str]:
    data = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    found = [FRAGMENT] if FRAGMENT in data else []
    for encoded in form.encoded:
        # whole, unpadded, and a prefix (a reflection cut short is a leak too)
        if encoded.rstrip("=")[:12] in data:
            found.append(encoded)
    return found


def assert_clean(form: Form, where: str, text: str | bytes) -> None:
    assert not leaked(form, text), f"URL credentials ({form.name}) leaked into {where}"


def assert_exception_clean(form: Form, exc: BaseException) -> None:
    assert_clean(form, "the exception message", str(exc))
    assert_clean(form, "the exception repr", repr(exc))
    assert_clean(form, "the traceback", "".join(traceback.format_exception(exc)))
    seen: BaseException | None = exc
    while seen is not None:  # a suppressed context is still reachable (debuggers, Sentry)
        assert_clean(form, f"a chained {type(seen).__name__}", str(seen))
        seen = seen.__cause__ or seen.__context__


def assert_logs_clean(form: Form, caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records, "nothing was logged: the test would prove nothing"
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    for record in caplog.records:
        assert_clean(form, f"a log record of {record.name}", handler.format(record))
        assert_clean(form, f"log record args of {record.name}", repr(record.args))
    assert_clean(form, "the captured log text", caplog.text)


# --- a server that reflects every credential form back ---------------------------------------


@dataclass
class Reflector:
    """Answers every POST (status, and a completion on 200) and reflects what it was sent:
    the Authorization value, its bare base64, the decoded "user:password", the password,
    the request path with its query. In headers, in the body, in error messages."""

    status: int = 200
    model: str = "fake"
    extra_headers: dict[str, str] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def echo(self, path: str, headers: dict[str, str]) -> dict[str, str]:
        auth = headers.get("authorization", "")
        token = auth.partition(" ")[2]
        try:
            pair = base64.b64decode(token, validate=True).decode()
        except ValueError:
            pair = ""
        return {
            "x-echo-auth": auth,
            "x-echo-token": token,
            "x-echo-pair": pair,
            "x-echo-password": pair.partition(":")[2] or pair.partition(":")[0],
            "x-echo-path": path,
            "x-echo-query": urlsplit(path).query,
        }

    def handler(self) -> type[BaseHTTPRequestHandler]:
        me = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                me.seen.append((self.path, headers))
                echo = me.echo(self.path, headers)
                blob = " | ".join(echo.values())
                if me.status == 200:
                    body: dict[str, Any] = completion(json.dumps(TINY_DRAFT))
                    body["model"] = me.model
                    body["system_fingerprint"] = blob
                    body["id"] = f"chatcmpl-{echo['x-echo-token']}"
                else:
                    message = f"Incorrect credentials provided: {blob}"
                    body = {"error": {"message": message, "type": "invalid_request_error"}}
                data = json.dumps(body).encode()
                self.send_response(me.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in {**echo, **me.extra_headers}.items():
                    self.send_header(name, value.encode("latin-1", "replace").decode("latin-1"))
                self.end_headers()
                self.wfile.write(data)

        return Handler


@contextmanager
def reflecting(status: int = 200, **kwargs: Any) -> Iterator[Reflector]:
    fake = Reflector(status, **kwargs)
    fake.server = server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as server:
        return int(server.server_address[1])


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with nothing remembered: a secret one test taught the redaction must
    not make another test pass."""
    monkeypatch.setattr(redact_module, "_remembered", set())
    monkeypatch.setattr(transport, "_asleep", no_wait)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


FORM_IDS = [f.name for f in FORMS]


# --- the redaction primitives ----------------------------------------------------------------


def test_display_url_drops_userinfo_and_secret_query_values_and_keeps_where() -> None:
    url = (
        f"https://{USER}:{PASSWORD}@api.example.com:8443/v1?api-key=abc&api-version=2024-06-01"
        "&sig=zz&deployment=gpt&long=0123456789abcdefXYZ#access_token=s3cretFrag"
    )
    shown = display_url(url)
    assert shown == (
        "https://api.example.com:8443/v1?api-key=REDACTED&api-version=2024-06-01"
        "&sig=REDACTED&deployment=gpt&long=REDACTED#access_token=REDACTED"
    )
    assert display_url("http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1"


def test_redact_replaces_userinfo_and_named_query_values_of_urls_nobody_remembered() -> None:
    text = (
        "cannot reach http://bob:hunter2@host/v1 and https://TOKEN@git.example/x.git, "
        "nor http://h/v1?key=abc&token=t0k&signature=S; ssh://REDACTED@h stays"
    )
    assert redact(text) == (
        "cannot reach http://REDACTED@host/v1 and https://REDACTED@git.example/x.git, "
        "nor http://h/v1?key=REDACTED&token=REDACTED&signature=REDACTED; ssh://REDACTED@h stays"
    )
    # Prose, e-mail addresses and paths with "@" are not URL userinfo.
    for prose in ("mail bob@example.com", "http://example.com/a@b", "Basic research shows"):
        assert redact(prose) == prose


def test_remember_url_remembers_every_form_a_credential_comes_back_in() -> None:
    url = f"http://{USER}:s3cret%40pass@h/v1?api-key=s3cretQueryValue/chat/completions&v=2"
    secrets = url_secrets(url)
    assert "s3cret@pass" in secrets and "s3cret%40pass" in secrets
    assert b64(f"{USER}:s3cret@pass") in secrets and f"{USER}:s3cret@pass" in secrets
    assert "s3cretQueryValue" in secrets  # openai appends the path after a base URL's query
    assert "2" not in secrets
    remember_url(url)
    reflected = f"pw s3cret@pass, b64 {b64(f'{USER}:s3cret@pass')}, q s3cretQueryValue"
    assert FRAGMENT not in redact(reflected)
    assert b64(f"{USER}:s3cret@pass") not in redact(reflected)


def test_basic_credentials_are_found_by_shape_and_remembered_in_every_form() -> None:
    token = b64(f"{USER}:{PASSWORD}")
    assert credential_secrets(f"Basic {token}") == (token, f"{USER}:{PASSWORD}", PASSWORD)
    assert credential_secrets("Bearer not-needed", 16) == ()  # a placeholder, not a secret
    assert looks_secret(f"Authorization: Basic {token}")
    assert not looks_secret("Basic research") and not looks_secret(f"Basic {REDACTED}")
    assert not looks_secret("http://REDACTED@127.0.0.1:8080/v1")
    assert looks_secret("http://bob:hunter2@127.0.0.1:8080/v1")
    # Seen once by shape (a log line with the header), then caught bare (a reflection).
    assert redact(f"sent Basic {token}") == f"sent Basic {REDACTED}"
    assert redact(f"echo {token} {PASSWORD}") == f"echo {REDACTED} {REDACTED}"


# --- messages, reasons, logs ----------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 400, "unreachable"])
@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_url_credentials_stay_out_of_the_error(form: Form, status: int | str) -> None:
    if status == "unreachable":
        url = form.url(closed_port())
        with pytest.raises(NewsbriefError) as caught:
            summarize(TEXT, base_url=url, model=MODEL)
    else:
        assert isinstance(status, int)
        with reflecting(status) as fake, pytest.raises(NewsbriefError) as caught:
            summarize(TEXT, base_url=form.url(fake.port), model=MODEL)
        if form.userinfo:  # httpx did turn the userinfo into a Basic credential
            assert fake.seen[0][1]["authorization"].startswith("Basic ")
    assert_exception_clean(form, caught.value)
    assert "127.0.0.1" in str(caught.value)  # still says where it went


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_url_credentials_stay_out_of_digest_reasons_and_cli_output(
    form: Form, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT)
    with reflecting(401) as fake:
        url = form.url(fake.port)
        digest = build_digest(
            [folder],
            endpoint=resolve_endpoint(base_url=url, model=MODEL),
            options=DigestOptions(use_cache=False),
        )
        out = tmp_path / "digest.md"
        code = main(["digest", str(folder), "--base-url", url, "--no-cache", "-o", str(out)])
    assert digest.stats.failed == 1
    (reason,) = [a.error for a in digest.articles]
    assert reason and "authentication failed" in reason
    assert_clean(form, "the 'Not summarized' reason", reason)
    assert_clean(form, "the digest JSON", digest.model_dump_json())
    assert_clean(form, "the Markdown digest", to_markdown(digest))
    captured = capsys.readouterr()
    assert code in (1, 3), captured.err
    assert_clean(form, "stdout", captured.out)
    assert_clean(form, "stderr", captured.err)
    if out.exists():
        assert_clean(form, "the written digest", out.read_text())


@pytest.mark.parametrize("status", [200, 401])
@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_url_credentials_stay_out_of_debug_logs(
    form: Form, status: int, debug_logs: pytest.LogCaptureFixture
) -> None:
    with reflecting(status) as fake:
        try:
            summarize(TEXT, base_url=form.url(fake.port), model=MODEL)
        except NewsbriefError:
            assert status != 200
    assert "HTTP Request" in debug_logs.text  # the request really was logged
    assert_logs_clean(form, debug_logs)


# --- cassettes ----------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_recorded_cassette_keeps_no_url_credentials_and_normalises_the_port(
    form: Form, tmp_path: Path
) -> None:
    cassette = tmp_path / "brief.yaml"
    with reflecting(200) as fake:
        url = form.url(fake.port)
        with make_vcr("all").use_cassette(str(cassette)):
            brief = summarize(TEXT, base_url=url, model=MODEL)
        recorded_port = fake.port
    raw = cassette.read_text()
    assert_clean(form, "the cassette", raw)
    assert f":{recorded_port}" not in raw
    data = yaml.safe_load(raw)
    (interaction,) = data["interactions"]
    uri = interaction["request"]["uri"]
    assert uri.startswith("http://127.0.0.1:8080/v1"), uri
    assert "@" not in urlsplit(uri).netloc
    assert "authorization" not in {h.lower() for h in interaction["request"]["headers"]}
    info = inspect_cassette(cassette)
    assert (info.secrets, info.error) == ([], None)

    # Replays (no server on that port) with the same configuration, credentials and all.
    replay_url = form.url(closed_port())
    with make_vcr("none").use_cassette(str(cassette), allow_playback_repeats=True):
        again = summarize(TEXT, base_url=replay_url, model=MODEL)
    assert again.key_figures == brief.key_figures


@pytest.fixture(scope="module")
def clean_cassette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("recorded") / "brief.yaml"
    with reflecting(200) as fake, make_vcr("once").use_cassette(str(path)):
        summarize(TEXT, base_url=f"http://127.0.0.1:{fake.port}/v1", model=MODEL)
    return path


FOLDED_BASIC = " ".join(["word"] * 30) + f" Basic {b64('alice:' + 'x' * 40)} " + "end " * 20


def plant(data: dict[str, Any], change: str) -> None:
    """One unsafe thing, planted as a hand edit or a careless recorder would."""
    request = data["interactions"][0]["request"]
    response = data["interactions"][0]["response"]
    if change == "userinfo in uri":
        request["uri"] = "http://alice:hunter22@127.0.0.1:8080/v1/chat/completions"
    elif change == "token as user in uri":
        request["uri"] = "https://ghp0123456789abcdef@api.example.com/v1/chat/completions"
    elif change == "api-key query":
        request["uri"] = "http://127.0.0.1:8080/v1/chat/completions?api-key=abc"  # short
    elif change == "sig query":
        request["uri"] = "https://x.example/v1/chat/completions?sv=1&sig=AbC%2Fd"
    elif change == "basic in body":
        response["body"]["string"] = f'{{"echo": "Basic {b64("alice:hunter22")}"}}'
    elif change == "basic folded":
        response["body"]["string"] = FOLDED_BASIC
    elif change == "userinfo url in header":
        response["headers"]["x-upstream"] = ["http://alice:hunter22@10.0.0.1/v1"]
    elif change == "home path in body":
        response["body"]["string"] = '{"model": "/home/alice/models/my.gguf"}'
    elif change == "macos home in header":
        response["headers"]["x-model-path"] = ["/Users/bob/Library/Caches/newsbrief"]
    else:
        raise AssertionError(change)


UNSAFE_CHANGES = [
    "userinfo in uri",
    "token as user in uri",
    "api-key query",
    "sig query",
    "basic in body",
    "basic folded",
    "userinfo url in header",
    "home path in body",
    "macos home in header",
]


@pytest.mark.parametrize("change", UNSAFE_CHANGES)
def test_cassettes_check_calls_url_credentials_and_home_paths_unsafe(
    clean_cassette: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    folder = tmp_path / "cassettes"
    folder.mkdir()
    path = folder / "brief.yaml"
    shutil.copy(clean_cassette, path)
    assert inspect_cassette(path).secrets == []
    data = yaml.safe_load(path.read_text())
    plant(data, change)
    path.write_text(yaml.safe_dump(data))

    info = inspect_cassette(path)
    code = main(["cassettes", "check", str(folder)])
    out = capsys.readouterr().out

    assert info.unsafe and info.secrets, change
    assert code == 1
    (line,) = [ln for ln in out.splitlines() if str(path) in ln]
    assert line.startswith("UNSAFE: "), line
    for secret in ("hunter22", "ghp0123456789abcdef", "AbC%2Fd", "alice", "bob"):
        assert secret not in out  # the report names where, never what


# --- the user's paths -------------------------------------------------------------------------


HOSTILE_MODELS = {
    "root-cache": f"/root/.cache/newsbrief/models/{GGUF}",
    "linux-home": f"/home/alice/.cache/newsbrief/models/{GGUF}",
    "macos-home": f"/Users/bob/Library/Caches/newsbrief/models/{GGUF}",
    "this-home": "HOME/models/" + GGUF,
    "this-cache": "CACHE/models/" + GGUF,
}


@pytest.mark.parametrize("where", list(HOSTILE_MODELS))
def test_recorded_cassette_keeps_no_local_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    home = tmp_path / "home" / "carol"
    cache = tmp_path / "cache-dir" / "newsbrief"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NEWSBRIEF_CACHE_DIR", str(cache))
    model_path = HOSTILE_MODELS[where].replace("HOME", str(home)).replace("CACHE", str(cache))
    extra = {"x-model-file": model_path, "x-cache": f"{cache}/briefs.sqlite"}
    cassette = tmp_path / "cassettes" / "brief.yaml"
    with (
        reflecting(200, model=model_path, extra_headers=extra) as fake,
        make_vcr("all").use_cassette(str(cassette)),
    ):
        brief = summarize(TEXT, base_url=f"http://127.0.0.1:{fake.port}/v1", model=MODEL)
    raw = cassette.read_text()
    for private in (str(home), str(cache), "/home/alice", "/Users/bob", "/root/"):
        assert private not in raw, f"{private} was recorded"
    response = yaml.safe_load(raw)["interactions"][0]["response"]
    assert json.loads(response["body"]["string"])["model"] == GGUF
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["x-model-file"] == [GGUF]
    assert headers["x-cache"] == ["<cache>/briefs.sqlite"]
    assert headers["content-length"] == [str(len(response["body"]["string"].encode()))]
    info = inspect_cassette(cassette)
    assert (info.secrets, info.error) == ([], None)
    with make_vcr("none").use_cassette(str(cassette), allow_playback_repeats=True):
        again = summarize(TEXT, base_url="http://127.0.0.1:8080/v1", model=MODEL)
    assert again.key_figures == brief.key_figures
