"""The saved prompt prefix is used only when the server restores exactly what was saved."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from support import http_server

from newsbrief.model import embedded
from newsbrief.model.embedded import PrefixCache


class FakeLlama:
    """Answers llama.cpp's slot actions with a chosen restored-token count."""

    def __init__(self, restored: int | None) -> None:
        self.restored = restored
        self.paths: list[str] = []
        self.context_size = 8192
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


@pytest.fixture
def llama(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeLlama]:
    monkeypatch.setenv("NEWSBRIEF_CACHE_DIR", str(tmp_path))
    fake = FakeLlama(request.param)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            fake.paths.append(self.path)
            if fake.restored is None:
                self.send_response(500)
                self.end_headers()
                return
            body = json.dumps({"id_slot": 0, "n_restored": fake.restored}).encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with http_server(Handler) as port:
        fake.port = port
        yield fake


def saved(cache: PrefixCache, tokens: int) -> None:
    cache.path.write_bytes(b"kv")
    cache.meta.write_text(json.dumps({"tokens": tokens}))


@pytest.mark.parametrize("llama", [670], indirect=True)
def test_a_matching_restore_is_used(llama: FakeLlama) -> None:
    cache = PrefixCache(llama, "v1")  # type: ignore[arg-type]
    saved(cache, 670)
    assert cache.restore() == 670
    assert llama.paths == ["/slots/0?action=restore"]
    assert cache.path.exists()


@pytest.mark.parametrize("llama", [12], indirect=True)
def test_a_short_restore_deletes_the_file(llama: FakeLlama) -> None:
    cache = PrefixCache(llama, "v1")  # type: ignore[arg-type]
    saved(cache, 670)
    assert cache.restore() == 0
    assert not cache.path.exists() and not cache.meta.exists()


@pytest.mark.parametrize("llama", [None], indirect=True)
def test_a_failing_server_keeps_the_file(llama: FakeLlama) -> None:
    cache = PrefixCache(llama, "v1")  # type: ignore[arg-type]
    saved(cache, 670)
    assert cache.restore() == 0
    assert cache.path.exists()


@pytest.mark.parametrize("llama", [670], indirect=True)
def test_no_saved_file_asks_nothing(llama: FakeLlama) -> None:
    assert PrefixCache(llama, "v1").restore() == 0  # type: ignore[arg-type]
    assert llama.paths == []


@pytest.mark.parametrize("llama", [670], indirect=True)
def test_another_prompt_version_is_another_file(llama: FakeLlama) -> None:
    a, b = PrefixCache(llama, "v1"), PrefixCache(llama, "v2")  # type: ignore[arg-type]
    assert a.path != b.path and a.path.parent == b.path.parent == embedded.prefix_dir()


def test_a_server_not_ours_is_left_alone() -> None:
    assert embedded.warm_prefix("http://127.0.0.1:9/v1", [], "v1") == 0


def warm(llama: FakeLlama, monkeypatch: pytest.MonkeyPatch) -> int:
    """warm_prefix against the fake, registered as this process's own server."""
    monkeypatch.setitem(embedded._running, llama.base_url, llama)  # type: ignore[arg-type]
    llama.prefix_lock = threading.Lock()  # type: ignore[attr-defined]
    llama.prefix_tried = True  # type: ignore[attr-defined]  # restore only: no save
    return embedded.warm_prefix(llama.base_url, [], "v1")


@pytest.mark.parametrize("llama", [670], indirect=True)
@pytest.mark.parametrize(
    "meta",
    [
        b'{"tokens": 1e400}',  # float("inf"): int() raised OverflowError
        b"[" * 100_000 + b"]" * 100_000,  # RecursionError
        b'{"tokens": "670"}',
        b'{"tokens": [670]}',
        b'{"tokens": true}',
        b'{"tokens": -670}',
        b"[670]",
        b'\xff\xfe{"tokens": 670}',
    ],
    ids=["inf", "nested", "str", "list", "bool", "negative", "not-object", "not-utf8"],
)
def test_an_untrustworthy_record_is_deleted_and_costs_only_the_speed_up(
    llama: FakeLlama,
    meta: bytes,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = PrefixCache(llama, "v1")  # type: ignore[arg-type]
    cache.path.write_bytes(b"kv")
    cache.meta.write_bytes(meta)
    with caplog.at_level(logging.DEBUG, logger="newsbrief.model.embedded"):
        assert warm(llama, monkeypatch) == 0
    assert not cache.meta.exists() and not cache.path.exists()
    assert llama.paths == []  # nothing asked of the server on an untrusted record
    assert len([r for r in caplog.records if r.name == "newsbrief.model.embedded"]) == 1


@pytest.mark.parametrize("llama", [670], indirect=True)
def test_kv_being_a_file_costs_only_the_speed_up(
    llama: FakeLlama, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "kv").write_text("not a folder")
    assert warm(llama, monkeypatch) == 0
    assert (tmp_path / "kv").is_dir()  # the stray file replaced by the folder


@pytest.mark.parametrize("llama", [670], indirect=True)
def test_an_unusable_cache_folder_costs_only_the_speed_up(
    llama: FakeLlama, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")
    monkeypatch.setenv("NEWSBRIEF_CACHE_DIR", str(blocked / "below"))  # under a file
    assert warm(llama, monkeypatch) == 0


@pytest.mark.parametrize("llama", [670], indirect=True)
def test_a_record_that_is_a_folder_is_removed(
    llama: FakeLlama, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PrefixCache(llama, "v1")  # type: ignore[arg-type]
    cache.meta.mkdir()
    assert warm(llama, monkeypatch) == 0
    assert not cache.meta.exists()
