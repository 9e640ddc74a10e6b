"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests.

Each request pops the next scripted behaviour (the last one repeats), or a callable script
decides from the request body. Every way an endpoint misbehaves in the wild is one Reply:
rate limits with and without Retry-After, 5xx, a hang past the client timeout, a dropped
connection, a body that is not JSON, an answer that fails the schema, an answer cut off at
max_tokens, a figure quote the article never states (see the fault builders below).

It counts requests, keeps their bodies and headers, and (given a `key` function) counts
requests per article, so tests can prove what was, and was not, sent and how often.
`ECHO_KEY` in a reply's headers or body is replaced by the caller's bearer token: the
fake can play a server that reflects the API key back, which nothing we write may keep.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ECHO_KEY = "<<echo-api-key>>"


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; str/bytes -> raw
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before answering; longer than the client timeout is a hang
    drop: bool = False  # close the connection without answering
    fault: str = "ok"  # a name for what this reply does, for counting and messages


def completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


# One tiny article and a correct answer for it, shared by the CLI, plugin and secrets tests.
TINY_ARTICLE = "Markets rallied.\nThe Nikkei 225 closed at 57,890, up 1.5% on the day.\n"
TINY_DRAFT: dict[str, Any] = {
    # Ids as the prompt marks them: 57,890 is C01, 1.5% is C02 (225 is an index name); the
    # sentences are S01 and S02. Our code names the figures from their sentence.
    "key_figures": ["C01", "C02"],
    "summary": [
        {"id": "S01", "text": "Markets rallied."},
        {"id": "S02", "text": "The Nikkei 225 closed at 57,890, up 1.5%."},
    ],
    "policy_implications": [],
}


def draft_reply(draft: dict[str, Any]) -> Reply:
    return Reply(body=completion(json.dumps(draft)))


def error_body(message: str, kind: str = "server_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": None}}


# --- fault builders: one misbehaviour each -------------------------------------------------

TRANSPORT_FAULTS = ("429-retry-after", "429", "500", "502", "503", "hang", "drop")
"""Retried by our transport (retry.py): the model never saw the request, or we never saw
the answer."""
CONTENT_FAULTS = ("bad-json-body", "bad-json-content", "schema", "truncated", "ungrounded")
"""The server answered 200 but the answer is unusable: what happens is the caller's policy."""
FAULTS = TRANSPORT_FAULTS + CONTENT_FAULTS


def rate_limited(retry_after_s: float | None = None) -> Reply:
    headers = {} if retry_after_s is None else {"retry-after": f"{retry_after_s:g}"}
    name = "429" if retry_after_s is None else "429-retry-after"
    return Reply(429, error_body("Rate limit reached", "rate_limit"), headers, fault=name)


def server_error(status: int) -> Reply:
    return Reply(status, error_body(f"upstream said {status}"), fault=str(status))


def client_error(status: int) -> Reply:
    return Reply(status, error_body(f"refused with {status}", "invalid_request_error"))


def hang(seconds: float, then: Reply | None = None) -> Reply:
    """Answer (validly, if `then` is given) only after `seconds`: past the client timeout."""
    base = then or Reply(body=completion("{}"))
    return Reply(base.status, base.body, dict(base.headers), delay_s=seconds, fault="hang")


def dropped() -> Reply:
    return Reply(drop=True, fault="drop")


def bad_json_body() -> Reply:
    """HTTP 200, content-type JSON, body is not JSON (a proxy's HTML page, a torn write)."""
    return Reply(body='{"id": "chatcmpl-test", "choices": [{"mess', fault="bad-json-body")


def bad_json_content() -> Reply:
    """A well-formed completion whose message is not JSON at all."""
    return Reply(
        body=completion("Sure! Here is your brief: {summary: oops"), fault="bad-json-content"
    )


def schema_violation() -> Reply:
    """Valid JSON that does not match the requested schema (summary must be a list)."""
    content = json.dumps({"summary": "one string", "key_figures": "none"})
    return Reply(body=completion(content), fault="schema")


def truncated(draft: dict[str, Any]) -> Reply:
    """The answer cut off at max_tokens: half the JSON and finish_reason "length"."""
    text = json.dumps(draft)
    return Reply(body=completion(text[: len(text) // 2], "length"), fault="truncated")


def ungrounded(draft: dict[str, Any]) -> Reply:
    """A valid answer whose figures name ids the prompt never listed."""
    bad = json.loads(json.dumps(draft))
    for i, figure in enumerate(bad.get("key_figures", [])):
        figure["id"] = f"C{90 + i}"
    return Reply(body=completion(json.dumps(bad)), fault="ungrounded")


def fault_reply(name: str, draft: dict[str, Any], hang_s: float, retry_after_s: float) -> Reply:
    """The named fault (from FAULTS) for a request whose good answer would be `draft`."""
    builders: dict[str, Callable[[], Reply]] = {
        "429-retry-after": lambda: rate_limited(retry_after_s),
        "429": rate_limited,
        "500": lambda: server_error(500),
        "502": lambda: server_error(502),
        "503": lambda: server_error(503),
        "hang": lambda: hang(hang_s, Reply(body=completion(json.dumps(draft)))),
        "drop": dropped,
        "bad-json-body": bad_json_body,
        "bad-json-content": bad_json_content,
        "schema": schema_violation,
        "truncated": lambda: truncated(draft),
        "ungrounded": lambda: ungrounded(draft),
    }
    return builders[name]()


def fault_plan(
    keys: Sequence[str], rate: float, rng: random.Random, length: int = 16
) -> dict[str, list[str]]:
    """For each key, the behaviour of its 1st, 2nd, ... request: a fault with probability
    `rate` (uniform over FAULTS), else "ok". Drawn up front, in key order, so an article's
    fate depends on the seed only, never on which request the server happened to see first."""
    return {
        k: [rng.choice(FAULTS) if rng.random() < rate else "ok" for _ in range(length)]
        for k in keys
    }


class FaultScript:
    """A callable script: the n-th request for a key gets plan[key][n], built on `answer`.

    Requests with no key (a digest's synthesis call) get `answer` unchanged. Past the end
    of a plan, requests are answered well.
    """

    def __init__(
        self,
        key: Callable[[dict[str, Any]], str | None],
        answer: Callable[[dict[str, Any]], Reply],
        plan: dict[str, list[str]],
        draft: Callable[[dict[str, Any]], dict[str, Any]],
        hang_s: float,
        retry_after_s: float,
    ) -> None:
        self.key = key
        self.answer = answer
        self.plan = plan
        self.draft = draft
        self.hang_s = hang_s
        self.retry_after_s = retry_after_s
        self.seen: Counter[str] = Counter()
        self.served: dict[str, list[str]] = {}

    def __call__(self, body: dict[str, Any]) -> Reply:
        k = self.key(body)
        if k is None:
            return self.answer(body)
        n = self.seen[k]
        self.seen[k] += 1
        steps = self.plan.get(k, [])
        name = steps[n] if n < len(steps) else "ok"
        self.served.setdefault(k, []).append(name)
        if name == "ok":
            return self.answer(body)
        return fault_reply(name, self.draft(body), self.hang_s, self.retry_after_s)


# --- the server ----------------------------------------------------------------------------


def _bearer(headers: dict[str, str]) -> str:
    value = headers.get("authorization", "")
    return value.removeprefix("Bearer ").strip()


def _echo(value: str, key: str) -> str:
    return value.replace(ECHO_KEY, key)


class FakeOpenAI:
    def __init__(
        self,
        script: list[Reply] | Callable[[dict[str, Any]], Reply],
        key: Callable[[dict[str, Any]], str | None] | None = None,
    ) -> None:
        self.script = script
        self.key = key
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.per_key: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()  # Reply.fault of every reply handed out
        self._lock = threading.Lock()
        self._stopping = threading.Event()  # wakes hanging handlers at shutdown
        self.in_flight = 0  # requests being answered right now
        self.max_in_flight = 0
        self.server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def _next(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers or {})
            if self.key is not None:
                k = self.key(body)
                if k is not None:
                    self.per_key[k] += 1
            if callable(self.script):
                reply = self.script(body)
            else:
                index = min(len(self.requests) - 1, len(self.script) - 1)
                reply = self.script[index]
            self.faults[reply.fault] += 1
            return reply

    def stop(self) -> None:
        self._stopping.set()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                reply = fake._next(body, headers)
                with fake._lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    self._answer(reply, headers)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _answer(self, reply: Reply, headers: dict[str, str]) -> None:
                if reply.delay_s:
                    fake._stopping.wait(reply.delay_s)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                key = _bearer(headers)
                data = self._encode(reply.body, key)
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, _echo(v, key))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

            @staticmethod
            def _encode(body: Any, key: str) -> bytes:
                if isinstance(body, bytes):
                    return body.replace(ECHO_KEY.encode(), key.encode())
                text = body if isinstance(body, str) else json.dumps(body or {})
                return _echo(text, key).encode()

        return Handler


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog is 5. A digest's concurrent connections, arriving while
    # a loaded machine's accept thread waits for the GIL, overflowed it: the kernel dropped
    # the SYN, the client's connect timed out and was retried, and the server never saw
    # that attempt, so counts of requests and retry waits no longer matched.
    request_queue_size = 128


@contextmanager
def serve(
    script: list[Reply] | Callable[[dict[str, Any]], Reply],
    key: Callable[[dict[str, Any]], str | None] | None = None,
) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(script, key)
    fake.server = _Server(("127.0.0.1", 0), fake.handler())
    fake.server.daemon_threads = True
    thread = threading.Thread(
        target=fake.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        fake.stop()
        fake.server.shutdown()
        fake.server.server_close()
