"""Model traffic, and only model traffic, through newsbrief's cassette: the requests
newsbrief's own transport sends (each carries the X-Newsbrief-* headers) and the embedded
server's own (its tokenizer). Everything else goes where the user's suite sends it.

Imports of newsbrief's model stack stay inside the functions, as in plugin.py.
"""

from __future__ import annotations

from typing import Any

import pytest


def _ours(request: Any) -> bool:
    """A request newsbrief's client sent: each carries the X-Newsbrief-* headers."""
    from newsbrief.testing.cassettes import MARKER_PREFIX

    return any(str(name).lower().startswith(MARKER_PREFIX) for name in request.headers)


def model_traffic_only(monkeypatch: pytest.MonkeyPatch, cassette: Any) -> None:
    """Our cassette takes the requests newsbrief's own transport sends, and only those.

    It patches no HTTP library (the plugin opens it with every vcrpy patcher skipped), so
    every other request goes where the user's suite sends it: pytest-recording's or their
    own vcrpy cassette, the network block, the network. And it sends through the inner
    transport's own method, unwrapped from whatever recorder patched that class, so no
    other cassette records model traffic, whichever was entered first.
    """
    import inspect

    import httpx2
    from vcr.stubs.httpx_stubs import vcr_handle_async_request

    from newsbrief.model.transport import AsyncRetryingTransport

    ordinary = AsyncRetryingTransport._send

    async def send(transport: AsyncRetryingTransport, request: httpx2.Request) -> httpx2.Response:
        if not _ours(request):
            return await ordinary(transport, request)
        inner = transport.inner
        unpatched = inspect.unwrap(type(inner).handle_async_request)
        response: httpx2.Response = await vcr_handle_async_request(cassette, unpatched, httpx2)(
            inner, request
        )
        return response

    monkeypatch.setattr(AsyncRetryingTransport, "_send", send)
    _llama_server_traffic(monkeypatch, cassette)


def _llama_server_traffic(monkeypatch: pytest.MonkeyPatch, cassette: Any) -> None:
    """The embedded server's own requests (its tokenizer) through our cassette too: played
    back in replay, recorded as vcrpy's stubs record them. The prefix-cache warmup, which
    our request hook drops, goes to the server unrecorded."""
    import urllib.request

    from vcr.request import Request as VcrRequest

    from newsbrief.model import loopback

    ordinary = loopback.send

    def send(request: urllib.request.Request, timeout: float) -> bytes:
        def described() -> Any:  # a fresh one each time: the request hook edits it
            headers = dict(request.header_items())
            return VcrRequest(request.get_method(), request.full_url, request.data, headers)

        if not cassette.filter_request(described()):
            return ordinary(request, timeout)
        if cassette.can_play_response_for(described()):
            body = cassette.play_response(described())["body"]["string"]
            return body if isinstance(body, bytes) else str(body).encode("utf-8")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = bytes(response.read())
            headers: dict[str, list[str]] = {}
            for name, value in response.headers.items():
                headers.setdefault(name, []).append(value)
            status = {"code": response.status, "message": response.reason}
        cassette.append(
            described(), {"status": status, "headers": headers, "body": {"string": body}}
        )
        return body

    monkeypatch.setattr(loopback, "send", send)
