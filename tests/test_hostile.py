"""Hostile text and hostile servers: nothing evaluated, nothing lost, nothing unbounded.

Each class of the hostile-input issue has its root fix tested here, with siblings of the
example that found it. Servers are on 127.0.0.1 only; raw ones are written byte by byte so
they can misbehave in ways no HTTP library would.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from support import no_wait

from newsbrief import build_digest, summarize
from newsbrief.brief.drafts import BriefDraft
from newsbrief.brief.policy import POLICY
from newsbrief.contract import Brief, Evidence, KeyFigure, PolicyImplication, Source
from newsbrief.digest.batch import DigestOptions
from newsbrief.errors import EndpointError, InputError
from newsbrief.ingest.fetch import fetch
from newsbrief.model import transport
from newsbrief.model.endpoint import Endpoint, resolve_endpoint
from newsbrief.model.salvage import complete_prefix
from newsbrief.model.transport import RetryPolicy
from newsbrief.render import to_html, to_markdown
from newsbrief.store.table import BriefCache, cache_key
from newsbrief.text.article import ArticleText
from newsbrief.text.numbers import find_numbers, parse_number
from tests.fakes.digests import router
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, Reply, completion, draft_reply, serve


@pytest.fixture(autouse=True)
def _instant_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "_asleep", no_wait)


def remote(base_url: str, **kw: Any) -> Endpoint:
    return resolve_endpoint(base_url=base_url, **kw)


# --- 1. article text reaches the model byte for byte ---------------------------------------

TEMPLATE_LIKE = [
    "Revenue was {{ 7*7 }} million.",
    "{{ checker }} and {{ self.__init__ }}",
    "{{ 'A'*20000000 }}",
    "A stray {% endif %} here.",
    "Go templates say {{.Name}}.",
    "LaTeX comment {# never closed",
    "{% raw %}{{ x }}{% endraw %}",
]


_MARKS = re.compile(r"\[S[0-9]+\] | \[C[0-9]+\]")


def unmarked(prompt: str) -> str:
    """The prompt less the ids we put inline ("[S02] " before a sentence, " [C01]" after a
    number): what remains of the article must be its text, byte for byte."""
    return _MARKS.sub("", prompt)


@pytest.mark.parametrize("snippet", TEMPLATE_LIKE)
def test_template_syntax_in_an_article_is_sent_verbatim(snippet: str) -> None:
    text = TINY_ARTICLE + snippet + "\n"
    with serve([draft_reply(TINY_DRAFT)]) as fake:
        brief = summarize(text, endpoint=remote(fake.base_url))
        sent = fake.requests[0]["messages"][-1]["content"]
    # The article goes out as our marking of it, and nothing else touches it: a number
    # inside template syntax ("{{ 'A'*20000000 }}") only gains its id.
    assert ArticleText(text).marked(POLICY.candidate_numbers) in sent
    assert snippet in unmarked(sent) and text in unmarked(sent)
    assert len(json.dumps(fake.requests[0])) < 20_000  # nothing expanded
    assert brief.source.text == text


def test_template_syntax_in_titles_does_not_sink_the_synthesis(tmp_path: Path) -> None:
    a = tmp_path / "a.md"
    a.write_text("# Rates {% endif %} {{ 7*7 }}\n\n" + TINY_ARTICLE, encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text(TINY_ARTICLE.replace("57,890", "57,900"), encoding="utf-8")
    with serve(router()) as fake:
        digest = build_digest([a, b], endpoint=remote(fake.base_url))
        synthesis = [r for r in fake.requests if "morning briefing" in str(r["messages"][0])]
    assert digest.stats.summarized == 2
    assert synthesis and "{% endif %} {{ 7*7 }}" in synthesis[0]["messages"][0]["content"]
    assert not any("synthesis failed" in w for w in digest.warnings)


# --- 2. one bad character or number never sinks a brief or a digest -------------------------

_LONE_SURROGATE_DRAFT = (
    '{"key_figures": ["C01", "C02"], '
    '"summary": [{"id": "S02", "text": "The Nikkei 225 closed at 57,890 \\ud83d today."}], '
    '"policy_implications": [{"statement": "The Nikkei closed higher \\ud83d on the day.", '
    '"actor": "central bank \\udc00", "evidence": ["S02"]}]}'
)


def test_a_lone_surrogate_in_an_answer_is_replaced_and_the_brief_reloads() -> None:
    # Cut off at max_tokens: the salvage path parses with json.loads, which keeps surrogates.
    cut = Reply(body=completion(_LONE_SURROGATE_DRAFT + ' {"x', finish_reason="length"))
    with serve([cut]) as fake:
        brief = summarize(TINY_ARTICLE, endpoint=remote(fake.base_url))
    dumped = brief.model_dump_json()
    assert Brief.model_validate_json(dumped) == brief
    assert "\ufffd" in brief.summary and "\ud83d" not in brief.summary
    assert brief.summary_sentences[0].origin == "written"
    assert [f.label for f in brief.key_figures] == ["Nikkei 225 close", "Nikkei 225 gain, the day"]
    (implication,) = brief.policy_implications
    assert implication.statement == "The Nikkei closed higher \ufffd on the day."
    assert implication.actor == "central bank \ufffd"
    assert implication.evidence.quote == "The Nikkei 225 closed at 57,890, up 1.5% on the day."


def test_surrogates_from_a_library_caller_become_replacement_characters() -> None:
    text = TINY_ARTICLE + "Odd \ud83d character.\n"
    with serve([draft_reply(TINY_DRAFT)]) as fake:
        brief = summarize(text, endpoint=remote(fake.base_url))
    assert "\ud83d" not in brief.source.text and len(brief.source.text) == len(text)
    assert any("invalid characters" in w for w in brief.warnings)
    Brief.model_validate_json(brief.model_dump_json())


def test_a_digest_with_a_surrogate_answer_still_writes_every_format(tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        p = tmp_path / f"a{i}.txt"
        p.write_text(TINY_ARTICLE.replace("57,890", f"57,89{i}"), encoding="utf-8")
        paths.append(p)
    cut = Reply(body=completion(_LONE_SURROGATE_DRAFT + ' {"x', finish_reason="length"))

    def script(body: dict[str, Any]) -> Reply:
        if "morning briefing" in str(body["messages"][0]):
            answer: Reply = router()(body)
            return answer
        return cut

    with serve(script) as fake:
        digest = build_digest(
            paths, endpoint=remote(fake.base_url), options=DigestOptions(use_cache=False)
        )
    assert digest.stats.articles == 3
    for rendered in (to_markdown(digest), to_html(digest), digest.model_dump_json()):
        rendered.encode("utf-8")


@pytest.mark.parametrize("digits", [400, 310, 41])
def test_absurdly_long_numbers_are_not_figures(digits: int) -> None:
    text = "Exports rose 4.1% while the code was " + "9" * digits + " and 1" + "0" * digits
    assert [n.text for n in find_numbers(text)] == ["4.1%"]
    with pytest.raises(ValueError):
        parse_number("9" * digits)


def test_a_proposed_huge_number_is_dropped_and_the_brief_reloads() -> None:
    """The 400-digit serial is no number to our parser, so the prompt lists no id for it: a
    model can only name it by an id we never listed, or by the digits themselves as an id,
    or write numbers of its own into prose. None of it grounds, and the brief still reloads."""
    text = TINY_ARTICLE + "Serial " + "7" * 400 + " was logged.\n"
    draft = {
        **TINY_DRAFT,
        "key_figures": [
            *TINY_DRAFT["key_figures"],
            {"id": "C03", "label": "serial number"},
            {"id": "7" * 400, "label": "serial number"},
        ],
        "summary": [*TINY_DRAFT["summary"], "Serial output rose 9.9% to 1,234,567 units."],
        "policy_implications": [
            {
                "statement": "The Nikkei closed at 98,765 on the day.",
                "actor": "",
                "evidence": ["S02"],
            }
        ],
    }
    with serve([draft_reply(draft)]) as fake:
        brief = summarize(text, endpoint=remote(fake.base_url))
        sent = fake.requests[0]["messages"][-1]["content"]
        assert fake.count == 1 + POLICY.max_reasks  # the unknown ids were re-asked once
    assert "[C03]" not in sent and "7" * 400 + " was logged" in sent
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%"]
    assert sum("is not the id of a listed number" in w for w in brief.warnings) == 2
    for invented in ("9.9%", "1,234,567", "98,765"):
        assert invented not in brief.summary, brief.summary
        assert any(invented in w for w in brief.warnings), (invented, brief.warnings)
    assert brief.summary == "Markets rallied. The Nikkei 225 closed at 57,890, up 1.5%."
    assert brief.policy_implications == []
    assert Brief.model_validate_json(brief.model_dump_json()) == brief


# An article whose one figure our code cannot name alone: the model's words label it.
_UNNAMED = (
    "Markets rallied.\nOverseas investors were heavy buyers, "
    "with net purchases of more than $60 billion.\n"
)


def test_a_huge_label_is_bounded() -> None:
    huge = "foreign inflows " + "l" * 5_000_000  # passes the label checks: it is kept, cut
    draft = {
        "key_figures": [{"id": "C01", "label": huge}],
        "summary": [],
        "policy_implications": [],
    }
    with serve([draft_reply(draft)]) as fake:
        brief = summarize(_UNNAMED, endpoint=remote(fake.base_url))
        assert fake.count == 1  # the answer's own label named it: no follow-up question
    label = brief.key_figures[0].label
    assert (
        len(label) == 2000 and label.startswith("foreign inflows ll") and label.endswith("\u2026")
    )
    assert brief.key_figures[0].label_from == "model"
    assert len(to_markdown(brief)) < 20_000


def test_a_huge_answer_to_the_label_question_is_bounded() -> None:
    """The follow-up question's answer is model text like any other: a 5 MB label that names
    a subject the article never mentions is cut, fails its check, and the figure is named
    from its sentence instead; nothing huge reaches the warnings or the page."""
    draft = {"key_figures": ["C01"], "summary": [], "policy_implications": []}
    labels = {"C01": "L" * 5_000_000}
    with serve([draft_reply(draft), Reply(body=completion(json.dumps(labels)))]) as fake:
        brief = summarize(_UNNAMED, endpoint=remote(fake.base_url))
        assert fake.count == 2  # the brief, then one question
        assert "$60 billion in " in fake.requests[1]["messages"][-1]["content"]
    (figure,) = brief.key_figures
    assert figure.label_from == "repaired" and "L" * 100 not in figure.label
    assert all(len(w) < 10_000 for w in brief.warnings), [len(w) for w in brief.warnings]
    assert len(to_markdown(brief)) < 20_000


def test_a_huge_unknown_id_is_dropped_and_bounded() -> None:
    """A 5 MB id: dropped, and named in the re-ask and the warnings cut to size. The re-ask
    carries the model's own answer back (instructor's way), so a server whose answer ignores
    max_tokens is refused there, as a real one would refuse the context: the first answer
    is kept, minus the id."""
    draft = {
        **TINY_DRAFT,
        "key_figures": [*TINY_DRAFT["key_figures"], {"id": "C" + "9" * 5_000_000, "label": "x"}],
    }
    answer = draft_reply(draft)
    with serve([answer, Reply(400, {"error": {"message": "context too long"}})]) as fake:
        brief = summarize(TINY_ARTICLE, endpoint=remote(fake.base_url))
        assert fake.count == 1 + POLICY.max_reasks  # re-asked once, never retried after a 400
        first, reask = (json.dumps(r) for r in fake.requests)
    # Never amplified: the re-ask is our prompt, the answer as it came, and a bounded list
    # of problems (each id quoted at most 2000 characters long).
    assert len(reask) < len(first) + len(json.dumps(answer.body)) + 10_000
    problems = json.loads(reask)["messages"][-1]["content"]
    assert "is not the id of a listed number" in problems and len(problems) < 10_000
    assert [f.number_text for f in brief.key_figures] == ["57,890", "1.5%"]
    (dropped,) = [w for w in brief.warnings if "is not the id of a listed number" in w]
    assert len(dropped) < 2_200
    assert len(to_markdown(brief)) < 20_000


# --- 3. deadlines and size caps on model calls ---------------------------------------------


@contextmanager
def raw_server(respond: Callable[[socket.socket, int], None]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that reads one request per connection and lets
    `respond(conn, n)` write whatever bytes it likes (n counts requests from 1)."""
    count = 0
    lock = threading.Lock()
    stop = threading.Event()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            nonlocal count
            conn: socket.socket = self.request
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            while len(rest) < length:
                rest += conn.recv(65536)
            with lock:
                count += 1
                n = count
            with suppress(OSError):
                respond(conn, n)

    socketserver.ThreadingTCPServer.request_queue_size = 128
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def _ok_body() -> bytes:
    return json.dumps(completion(json.dumps(TINY_DRAFT))).encode()


def _head(status: str = "200 OK", extra: str = "", ctype: str = "application/json") -> bytes:
    # One request per connection: say so, or a retry may reuse a socket we have closed.
    return f"HTTP/1.1 {status}\r\nconnection: close\r\ncontent-type: {ctype}\r\n{extra}".encode()


def test_a_dripping_server_hits_the_deadline_not_a_hang() -> None:
    def drip(conn: socket.socket, n: int) -> None:
        conn.sendall(_head(extra="content-length: 100000\r\n\r\n"))
        for _ in range(200):  # one byte every 50 ms: each read is quick, the whole never is
            conn.sendall(b" ")
            threading.Event().wait(0.05)

    with raw_server(drip) as url:
        endpoint = remote(url, timeout_s=1.0)
        with pytest.raises(EndpointError, match="timed out"):
            summarize(TINY_ARTICLE, endpoint=endpoint, retry=RetryPolicy(max_attempts=2))


def test_an_endless_body_is_refused_at_the_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    sent = []

    def endless(conn: socket.socket, n: int) -> None:
        conn.sendall(_head(extra="transfer-encoding: chunked\r\n\r\n"))
        block = b"x" * 65536
        for _ in range(2000):  # 128 MB if nobody stops reading
            conn.sendall(b"%x\r\n%s\r\n" % (len(block), block))
            sent.append(len(block))

    monkeypatch.setenv("NEWSBRIEF_MAX_RESPONSE_BYTES", str(1_000_000))
    with (
        raw_server(endless) as url,
        pytest.raises(EndpointError, match="over the 1000000-byte limit"),
    ):
        summarize(TINY_ARTICLE, endpoint=remote(url))
    assert sum(sent) < 64 * 1024 * 1024  # we stopped reading long before the end


def test_a_gzip_bomb_answer_is_refused_without_inflating_it() -> None:
    bomb = gzip.compress(gzip.compress(b"0" * 50_000_000))

    def answer(conn: socket.socket, n: int) -> None:
        conn.sendall(
            _head(extra=f"content-encoding: gzip, gzip\r\ncontent-length: {len(bomb)}\r\n\r\n")
            + bomb
        )

    with raw_server(answer) as url, pytest.raises(EndpointError, match="limit"):
        summarize(TINY_ARTICLE, endpoint=remote(url))


def test_a_gzip_bomb_page_is_refused_by_fetch() -> None:
    bomb = gzip.compress(gzip.compress(b"a" * 50_000_000))

    def page(conn: socket.socket, n: int) -> None:
        conn.sendall(
            _head(
                ctype="text/html",
                extra=f"content-encoding: gzip, gzip\r\ncontent-length: {len(bomb)}\r\n\r\n",
            )
            + bomb
        )

    def get_server() -> Any:
        return raw_server(page)

    # The raw server only answers POSTs' shape, but reads any request line: GET works too.
    with get_server() as url, pytest.raises(InputError, match="limit"):
        fetch(url.removesuffix("/v1") + "/page", max_bytes=2_000_000, allow_private=True)


def test_salvage_of_a_deeply_nested_answer_is_bounded() -> None:
    assert complete_prefix('{"a": ' + "[" * 100_000) is None
    assert complete_prefix('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}") is None
    items = '{"summary": ["a", "b"], "key_figures": [' + '{"x": 1},' * 50_000
    assert complete_prefix(items)["summary"] == ["a", "b"]


# --- 11. retries and errors -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["soon", "", "Wed, 99 Foo 2015", "1e999", "-5", "nan"])
def test_a_429_with_an_unusable_retry_after_is_still_retried(value: str) -> None:
    headers = {"retry-after": value}
    with serve(
        [Reply(429, {"error": {"message": "slow"}}, headers), draft_reply(TINY_DRAFT)]
    ) as fake:
        brief = summarize(TINY_ARTICLE, endpoint=remote(fake.base_url))
    assert fake.count == 2 and brief.key_figures


def test_a_torn_body_is_retried() -> None:
    def torn_then_ok(conn: socket.socket, n: int) -> None:
        body = _ok_body()
        if n == 1:
            conn.sendall(_head(extra="content-length: 5000\r\n\r\n") + body[:30])
            conn.shutdown(socket.SHUT_RDWR)
            return
        conn.sendall(_head(extra=f"content-length: {len(body)}\r\n\r\n") + body)

    with raw_server(torn_then_ok) as url:
        brief = summarize(TINY_ARTICLE, endpoint=remote(url))
    assert brief.key_figures


def test_a_200_html_page_is_not_taken_for_a_model_answer() -> None:
    served = []

    def portal(conn: socket.socket, n: int) -> None:
        page = b"<html><body>Please log in to the Wi-Fi</body></html>"
        served.append(n)
        conn.sendall(_head(ctype="text/html", extra=f"content-length: {len(page)}\r\n\r\n") + page)

    with (
        raw_server(portal) as url,
        pytest.raises(EndpointError, match="text/html, not a JSON API response"),
    ):
        summarize(TINY_ARTICLE, endpoint=remote(url), retry=RetryPolicy(max_attempts=2))
    assert len(served) == 2  # retried like a transport fault, never re-asked as an answer


def test_usage_that_is_not_a_number_counts_as_zero() -> None:
    body = completion(json.dumps(TINY_DRAFT))
    body["usage"] = {"prompt_tokens": float("nan"), "completion_tokens": -3, "total_tokens": "x"}
    raw = json.dumps(body).replace("NaN", "NaN")
    with serve([Reply(body=raw)]) as fake:
        brief = summarize(TINY_ARTICLE, endpoint=remote(fake.base_url))
    assert brief.provenance.usage.total_tokens == 0 and brief.key_figures


def test_a_cached_brief_of_another_text_is_never_served(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TINY_ARTICLE, encoding="utf-8")
    other = TINY_ARTICLE.replace("rallied", "fell")
    with serve([draft_reply(TINY_DRAFT)]) as fake:
        endpoint = remote(fake.base_url)
        wrong = summarize(other, endpoint=endpoint)
        cache = BriefCache(tmp_path / "c.sqlite")
        cache.put(
            cache_key("brief", Source.from_text(TINY_ARTICLE).id, endpoint),
            "brief",
            wrong.model_dump_json(),
        )
        digest = build_digest([article], endpoint=endpoint, cache=cache)
        briefs = [r for r in fake.requests if "news analyst" in str(r["messages"][0])]
        assert len(briefs) == 2  # the other text, then this one: the wrong hit was not served
    (result,) = digest.articles
    assert result.brief is not None and not result.cached
    assert result.brief.source.text == TINY_ARTICLE


@pytest.mark.parametrize(("start", "end"), [(10**12, 10**12), (5, 3), (4, 4), (0, 10**6)])
def test_a_brief_refuses_impossible_spans(start: int, end: int) -> None:
    good = summarize_offline()
    data = json.loads(good.model_dump_json())
    data["policy_implications"] = [
        {"statement": "x", "actor": "", "evidence": {"quote": "", "start": start, "end": end}}
    ]
    with pytest.raises(ValueError):
        Brief.model_validate(data)
    with pytest.raises(ValueError):
        Evidence(quote="", start=start, end=end)


def summarize_offline() -> Brief:
    text = TINY_ARTICLE
    start = text.index("closed at 57,890")
    figure = KeyFigure(
        label="Nikkei close",
        quote="closed at 57,890",
        start=start,
        end=start + len("closed at 57,890"),
        number_text="57,890",
        value=57890.0,
        grounding="exact",
    )
    return Brief.model_validate(
        {
            "source": Source.from_text(text).model_dump(),
            "summary": "x",
            "key_figures": [figure.model_dump()],
            "policy_implications": [],
            "provenance": {
                "model": "m",
                "endpoint": "openai-compatible",
                "mode": "json_schema",
                "prompt_version": "p",
            },
        }
    )


def test_a_key_figure_value_must_be_finite() -> None:
    data = json.loads(summarize_offline().model_dump_json())
    data["key_figures"][0]["value"] = float("inf")
    with pytest.raises(ValueError):
        Brief.model_validate(data)
    assert PolicyImplication  # the contract's public types stay importable


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_named_pipe_as_input_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "newsbrief", "summarize", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NEWSBRIEF_BASE_URL": "http://127.0.0.1:9/v1"},
    )
    assert proc.returncode == 1
    assert "named pipe" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_output_into_a_missing_folder_fails_before_any_model_call(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TINY_ARTICLE, encoding="utf-8")
    with serve([draft_reply(TINY_DRAFT)]) as fake:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "newsbrief",
                "digest",
                str(article),
                "-o",
                str(tmp_path / "missing" / "out.md"),
                "--base-url",
                fake.base_url,
                "--no-cache",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert fake.count == 0
    assert proc.returncode == 1 and "no folder" in proc.stderr


@pytest.mark.parametrize(
    "flags",
    [
        ["--rpm", "-1"],
        ["--tpm", "0"],
        ["--concurrency", "0"],
        ["--timeout", "0"],
        ["--timeout", "nan"],
    ],
)
def test_nonsense_limits_are_usage_errors(flags: list[str], tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "newsbrief", "digest", str(tmp_path), *flags],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr


def test_the_draft_schema_still_parses_a_normal_answer() -> None:
    draft = BriefDraft.model_validate_json(json.dumps(TINY_DRAFT))
    assert [item.model_dump() for item in draft.summary] == TINY_DRAFT["summary"]
    assert draft.key_figures == TINY_DRAFT["key_figures"]


# --- 5. invisible characters never split a number -------------------------------------------


@pytest.mark.parametrize(
    ("written", "value", "unit"),
    [
        ("57,8\u200b90 points", 57890.0, "points"),
        ("1\u00ad5%", 15.0, "%"),
        ("$4\u200b.9 trillion", 4.9e12, "USD"),
        ("1,2\u200d34", 1234.0, ""),
        ("\u20602.5\u2060%", 2.5, "%"),
        ("12\ufeff3 yen", 123.0, "JPY"),
    ],
)
def test_invisible_characters_never_split_a_number(written: str, value: float, unit: str) -> None:
    text = f"It stood at {written} on Friday."
    (n,) = find_numbers(text)
    assert (n.value, n.unit) == (value, unit)
    assert text[n.start : n.end] == n.text and n.text.strip("\u2060") in written
    assert parse_number(n.text) == (value, unit)


def test_a_figure_across_a_zero_width_space_grounds_to_the_right_value() -> None:
    text = "Markets rallied.\nThe Nikkei 225 closed at 57,8\u200b90, up 1.5% on the day.\n"
    with serve([draft_reply(TINY_DRAFT)]) as fake:
        brief = summarize(text, endpoint=remote(fake.base_url))
    values = {f.value for f in brief.key_figures}
    assert 57890.0 in values and 90.0 not in values and 8.0 not in values


# --- 7. a failed reduce keeps the grounded chunk results --------------------------------------


def test_a_long_article_whose_reduce_fails_keeps_its_chunk_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSBRIEF_CONTEXT", "6000")
    paragraphs = [
        f"Segment {i} revenue rose {i}.5% in the quarter, the company said. " * 3
        for i in range(1, 80)
    ]
    text = "Results\n\n" + "\n\n".join(paragraphs) + "\n"

    def script(body: dict[str, Any]) -> Reply:
        if "read in parts" in body["messages"][0]["content"]:
            return Reply(body=completion("not json at all {{{"))
        article = body["messages"][-1]["content"].split("<<<", 1)[1].split(">>>", 1)[0]
        figures = [
            {"id": m.group(2), "label": f"Segment {m.group(1)} revenue growth"}
            for m in re.finditer(r"Segment (\d+) revenue rose \d+\.5% \[(C\d+)\]", article)
        ][:2]
        draft = {
            "key_figures": figures,
            "summary": ["Revenue rose.", "Margins held."],
            "policy_implications": [],
        }
        return Reply(body=completion(json.dumps(draft)))

    with serve(script) as fake:
        brief = summarize(text, endpoint=remote(fake.base_url))
        reduces = sum("read in parts" in b["messages"][0]["content"] for b in fake.requests)
    assert reduces >= 1
    assert len(brief.key_figures) >= 4
    assert any("combining the chunks failed" in w for w in brief.warnings)
    assert brief.summary
    for f in brief.key_figures:
        assert text[f.start : f.end] == f.quote
