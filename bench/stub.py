"""The stub server the overhead benchmark measures against: a chat-completions endpoint
that does as little as possible, in a child process of its own so its CPU is never the
contenders' CPU."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any

from bench.common import ROOT, child
from tests.fakes.digests import DIGEST_MARKER as _DIGEST_MARKER
from tests.fakes.server import TINY_DRAFT, completion

DIGEST_MARKER = _DIGEST_MARKER.encode()


class Stub:
    """A chat-completions endpoint that does as little as possible: reads the request,
    waits `latency_s`, answers. "fixed" answers TINY_DRAFT without parsing the request;
    "route" answers brief and synthesis requests for synthetic articles by their content."""

    def __init__(self, latency_s: float, mode: str) -> None:
        self.latency_s = latency_s
        self.mode = mode
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.fixed = self._response(json.dumps(completion(json.dumps(TINY_DRAFT))).encode())
        if mode == "route":  # imported now, not inside the first contender's run
            from tests.fakes.digests import brief_answer, synthesis_answer

            self.brief_answer, self.synthesis_answer = brief_answer, synthesis_answer

    @staticmethod
    def _response(payload: bytes) -> bytes:
        head = (
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            f"content-length: {len(payload)}\r\nconnection: keep-alive\r\n\r\n"
        )
        return head.encode() + payload

    def answer(self, body: bytes) -> bytes:
        if self.mode == "fixed":
            return self.fixed
        request = json.loads(body)
        messages = request.get("messages", [])
        last = messages[-1]["content"] if messages else ""
        if DIGEST_MARKER in body:
            ids = sorted(set(re.findall(r"^\[(A[0-9]+)\]", last, flags=re.M)))
            draft = self.synthesis_answer(ids)
        else:
            draft = self.brief_answer(last)
        return self._response(json.dumps(completion(json.dumps(draft))).encode())

    def stats(self) -> bytes:
        data = {
            "requests": self.requests,
            "max_in_flight": self.max_in_flight,
            "cpu_s": time.process_time(),
        }
        self.max_in_flight = self.in_flight  # each read starts a new window
        return self._response(json.dumps(data).encode())

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                method = lines[0].split(b" ", 1)[0]
                length, close = 0, False
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"connection" and value.strip().lower() == b"close":
                        close = True
                body = await reader.readexactly(length) if length else b""
                if method == b"GET":
                    writer.write(self.stats())
                else:
                    self.requests += 1
                    self.in_flight += 1
                    self.max_in_flight = max(self.max_in_flight, self.in_flight)
                    try:
                        if self.latency_s:
                            await asyncio.sleep(self.latency_s)
                        writer.write(self.answer(body))
                    finally:
                        self.in_flight -= 1
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


async def _serve_stub(latency_s: float, mode: str) -> None:
    stub = Stub(latency_s, mode)
    server = await asyncio.start_server(stub.handle, "127.0.0.1", 0, backlog=512)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with server:
        await server.serve_forever()


def serve_stub(latency_s: float, mode: str) -> None:
    """Serve until standard input closes (the parent ended or let go of us)."""

    def watch_stdin() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    asyncio.run(_serve_stub(latency_s, mode))


class StubProcess:
    """The stub in a child process, so its CPU is never the contenders' CPU."""

    def __init__(self, latency_s: float, mode: str) -> None:
        cmd = child("--serve-stub", "--latency", str(latency_s), "--stub-mode", mode)
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"stub did not start: {line!r}")
        self.port = int(line.split()[1])
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=30) as r:
            return dict(json.loads(r.read()))

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()  # the stub exits on EOF
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> StubProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
