"""The saved prompt prefix is used only when the server restores exactly what was saved."""

from __future__ import annotations

import json
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
