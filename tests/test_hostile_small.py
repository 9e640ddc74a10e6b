"""Smaller hostile answers: a proxy page after retries, an id of the wrong JSON type."""

from __future__ import annotations

import json
import socket

import pytest
from support import no_wait
from test_hostile import _head, raw_server, remote

from newsbrief import summarize
from newsbrief.errors import EndpointError
from newsbrief.model import transport
from newsbrief.model.transport import RetryPolicy
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, draft_reply, serve


@pytest.fixture(autouse=True)
def _instant_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "_asleep", no_wait)


def test_a_proxy_page_error_says_it_was_retried() -> None:
    served: list[int] = []

    def portal(conn: socket.socket, n: int) -> None:
        page = b"<html><body>Please log in</body></html>"
        served.append(n)
        conn.sendall(_head(ctype="text/html", extra=f"content-length: {len(page)}\r\n\r\n") + page)

    with raw_server(portal) as url, pytest.raises(EndpointError) as caught:
        summarize(TINY_ARTICLE, endpoint=remote(url), retry=RetryPolicy(max_attempts=4))
    assert len(served) == 4
    assert "not retried" not in str(caught.value) and "after retries" in str(caught.value)


def test_an_int_id_fails_only_its_item() -> None:
    draft = json.loads(json.dumps(TINY_DRAFT))
    draft["key_figures"].append({"id": 1, "label": "a figure with a number for an id"})
    draft["policy_implications"] = [{"statement": "Rates may rise.", "actor": "", "evidence": [1]}]
    with serve(lambda body: draft_reply(draft)) as fake:
        brief = summarize(TINY_ARTICLE, endpoint=remote(fake.base_url))
    assert [f.label for f in brief.key_figures] == ["Nikkei 225 close", "Nikkei 225 gain, the day"]
