"""One round trip to our own llama.cpp server (its tokenizer, its prefix cache).

Its own module, not model.embedded's: the pytest plugin's cassette takes `send` over, as it
takes over the model client's transport, and only model/ may import model.embedded.
"""

from __future__ import annotations

import urllib.request


def send(request: urllib.request.Request, timeout: float) -> bytes:
    """The response body, read whole. Called as `loopback.send`, so the plugin's patch holds.

    Args:
        request: a request to the embedded server (loopback only).
        timeout: seconds for the round trip.
    """
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return bytes(response.read())
