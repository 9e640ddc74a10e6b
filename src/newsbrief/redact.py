"""Keep secrets out of everything we write: messages, cassettes, caches, logs."""

from __future__ import annotations

import re

REDACTED = "REDACTED"
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "api-key",
        "x-api-key",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "openai-organization",
        "openai-project",
        "x-goog-api-key",
    }
)
# Bearer tokens and the usual provider key shapes (OpenAI, Anthropic, Google, generic "key-").
SECRET_PATTERN = re.compile(
    r"(Bearer\s+[A-Za-z0-9._~+/=-]{8,}|\b(?:sk|pk|rk|key|org|proj)-[A-Za-z0-9_-]{12,}|AIza[0-9A-Za-z_-]{20,})"
)


def redact(text: str, *secrets: str | None) -> str:
    """Replace known secrets and anything shaped like a key."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return SECRET_PATTERN.sub(REDACTED, text)


def looks_secret(text: str) -> bool:
    return bool(SECRET_PATTERN.search(text))
