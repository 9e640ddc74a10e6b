"""Keep secrets out of everything we write: messages, cassettes, caches, logs.

Two nets. Exact values: the API key in use (OPENAI_API_KEY, and any key handed to
`remember`) is replaced wherever it appears, whatever its shape. Shapes: anything that
looks like a provider key or a bearer token is replaced too, for keys we were never told.

A key need not travel in a header. A base URL can carry a password
(`http://user:secret@host/v1`, which httpx sends as `Authorization: Basic <base64>`, a
form a reflecting server writes back into a body) or a key in its query string
(`?api-key=...`). `remember_url` remembers every form of those, `display_url` is the URL
fit for a message, and `redact` replaces any URL userinfo and secret-named query value by
shape, so even a URL nobody remembered is safe in a message or a log line.

Logs need a net of their own. At DEBUG, openai logs every response's headers (a server
that reflects the key in a header or cookie puts it there), httpcore logs raw header
bytes, and instructor logs each failed attempt with the server's error body ("Incorrect
API key provided: sk-..."). A user who turns on OPENAI_LOG=debug to see why a run failed,
then pastes the output into a bug report, must not paste the key. Filters on a logger do
not see records of its child loggers and handlers belong to the application, so the net is
a log-record factory: every record from the libraries that carry our traffic is redacted
the moment it is created, before any filter, handler or pytest's caplog sees it.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import threading
import traceback
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from newsbrief.text.chars import without_surrogates

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
# URL userinfo ("scheme://user:password@"), whatever it holds; REDACTED@ is what is left.
# Greedy up to the last "@" before the path, so an unencoded "@" in a password goes too.
USERINFO_PATTERN = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#\"'<>\\]+@")
# An HTTP Basic credential: base64 that decodes to "user:password" (checked when matched,
# so "Basic research" in an article is left alone).
BASIC_PATTERN = re.compile(r"\bBasic\s+([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])")
# A query (or fragment) parameter in a URL whose name says it holds a secret.
# A value ends where a URL in prose ends too (";", ",", ")"): no base64 or hex key holds one.
QUERY_PARAM_PATTERN = re.compile(r"([?&#;])([A-Za-z0-9_.~%-]+)=([^&#\s\"'<>;,)]*)")
# Parameter names (lower case, "-" and "." read as "_") whose values are secrets, and the
# endings that make one: api_key, subscription_key, access_token, client_secret, X-Amz-
# Signature, sig (Azure SAS)...
SECRET_PARAM_NAMES = frozenset(
    {"key", "apikey", "api_key", "token", "access_token", "secret", "password", "passwd",
     "pwd", "pass", "sig", "signature", "auth", "authorization", "credential", "credentials"}
)  # fmt: skip
SECRET_PARAM_ENDINGS = ("key", "token", "secret", "password", "passwd", "signature", "credential")
# Any query value this long is treated as a secret when a URL is remembered or displayed.
LONG_QUERY_VALUE = 16
# Environment variables whose values are keys: always redacted by value, whatever their shape.
SECRET_ENV = ("OPENAI_API_KEY",)
# Shorter values are not treated as secrets: replacing "abc" everywhere would garble text,
# and no real key is that short.
MIN_SECRET_LEN = 8
# Loggers (by top-level package) whose records can carry headers, bodies or error texts.
REDACTED_LOGGERS = frozenset(
    {"openai", "httpx", "httpx2", "httpcore", "httpcore2", "instructor", "vcr", "newsbrief"}
)

_remembered: set[str] = set()
_lock = threading.Lock()


def remember(*secrets: str | None) -> None:
    """Redact these exact values from now on, everywhere (e.g. a key from --api-key)."""
    with _lock:
        _remembered.update(s for s in secrets if s and len(s) >= MIN_SECRET_LEN)


def known_secrets() -> tuple[str, ...]:
    """Remembered keys plus the keys in the environment right now (read live: tests and
    long-running hosts change them)."""
    env = (os.environ.get(name) for name in SECRET_ENV)
    with _lock:
        values = {*_remembered, *(v for v in env if v and len(v) >= MIN_SECRET_LEN)}
    return tuple(sorted(values, key=len, reverse=True))  # longest first: no partial leftovers


def redact(text: str, *secrets: str | None) -> str:
    """Replace the given secrets, the known ones, and anything shaped like a key: a bearer
    or Basic credential, a provider key, URL userinfo, a secret-named query value.

    A credential found by its shape is also remembered by value, in all its forms (see
    url_secrets): the base64 or bare password a server reflects later, with no shape left
    to find, is replaced too. The first URL or Authorization value a log line or a message
    shows teaches the exact-value net what to look for from then on.
    """
    _learn(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for secret in known_secrets():
        text = text.replace(secret, REDACTED)
    text = SECRET_PATTERN.sub(REDACTED, text)
    text = BASIC_PATTERN.sub(_redact_basic, text)
    text = USERINFO_PATTERN.sub(rf"\g<1>{REDACTED}@", text)
    return QUERY_PARAM_PATTERN.sub(_redact_named_param, text)


# What a server or engine says (an error message, a reason phrase, a content type) is shown
# in one line of at most this many characters.
MAX_REMOTE_TEXT = 300
# Text is redacted before it is cut, over this much more than is kept: a key straddling the
# cut is whole when redacted, and what the margin itself cuts is never kept.
_REDACT_MARGIN = 1024


def bounded_text(text: str, limit: int, *secrets: str | None) -> str:
    """Untrusted text made safe to keep (model answers, server messages): lone surrogates
    replaced, keys redacted, then cut to `limit` characters. Redacted before the cut, over
    a margin: a key straddling the cut is whole when redacted, so no cut leaves half a key
    that no pattern recognises any more."""
    text = redact(without_surrogates(text[: limit + _REDACT_MARGIN]), *secrets)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def remote_text(text: str, *secrets: str | None, limit: int = MAX_REMOTE_TEXT) -> str:
    """What a remote engine or server said, fit for one line of a message, a log or a
    stored warning: the same redaction as model text (bounded_text), whitespace collapsed.
    Every server text we print, log or store passes here first."""
    head = text[: limit + _REDACT_MARGIN]
    if len(text) > len(head) and head.rstrip() == head:
        # Collapsing whitespace could pull the last, cut-off word (half a key) under the
        # limit: it is dropped. (With no whitespace nothing moves: the cut stays far away.)
        cut = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
        head = head[:cut] if cut > 0 else head
    return bounded_text(" ".join(head.split()), limit, *secrets)


def looks_secret(text: str) -> bool:
    """A key shape, a Basic credential, or URL userinfo other than our own REDACTED."""
    if SECRET_PATTERN.search(text):
        return True
    if any(_basic_credential(m.group(1)) for m in BASIC_PATTERN.finditer(text)):
        return True
    return any(m.group(0) != m.group(1) + REDACTED + "@" for m in USERINFO_PATTERN.finditer(text))


# --- credentials that are not a bearer token ------------------------------------------------


def _basic_credential(token: str) -> str | None:
    """The "user:password" inside a Basic token, or None when it is not one."""
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded if ":" in decoded and decoded.isprintable() else None


def _redact_basic(match: re.Match[str]) -> str:
    return f"Basic {REDACTED}" if _basic_credential(match.group(1)) else match.group(0)


def secret_param(name: str) -> bool:
    """Whether a query parameter of this name carries a secret (api-key, sig, token...)."""
    normal = unquote(name).lower().replace("-", "_").replace(".", "_")
    return normal in SECRET_PARAM_NAMES or normal.endswith(SECRET_PARAM_ENDINGS)


def _redact_named_param(match: re.Match[str]) -> str:
    sep, name, value = match.groups()
    if not value or value == REDACTED or not secret_param(name):
        return match.group(0)
    return f"{sep}{name}={REDACTED}"


def _params(part: str) -> Iterable[tuple[str, str | None]]:
    for item in part.split("&"):
        name, eq, value = item.partition("=")
        yield name, (value if eq else None)


def _secret_value(name: str, value: str | None) -> bool:
    return (
        bool(value)
        and value != REDACTED
        and (secret_param(name) or len(value or "") >= LONG_QUERY_VALUE)
    )


def _scrub_params(part: str) -> str:
    if "=" not in part:
        return part
    out = []
    for name, value in _params(part):
        if value is None:
            out.append(name)
        else:
            out.append(f"{name}={REDACTED if _secret_value(name, value) else value}")
    return "&".join(out)


def _value_forms(value: str) -> list[str]:
    """A query value as sent and percent-decoded, and its part before a "/": openai joins a
    request path onto a base URL's query ("?key=K/chat/completions"), so K is the key."""
    if value.startswith(REDACTED):  # already redacted (a path may follow): nothing to learn
        return []
    forms = [value, unquote(value)]
    return forms + [f.split("/", 1)[0] for f in forms if "/" in f]


def _userinfo_secrets(userinfo: str) -> tuple[str, ...]:
    if not userinfo or userinfo == REDACTED:
        return ()
    raw_user, _, raw_password = userinfo.partition(":")
    user, password = unquote(raw_user), unquote(raw_password)
    pair = f"{user}:{password}"
    if not password and len(user) < LONG_QUERY_VALUE:
        return ()  # a user name ("git@"), not a token in the user slot: nothing to remember
    found = [raw_password, password, pair, f"{raw_user}:{raw_password}"]
    found.append(base64.b64encode(pair.encode("utf-8")).decode("ascii"))
    if not password:  # a token in the user slot ("https://TOKEN@host")
        found += [raw_user, user]
    return tuple(found)


def _learn(text: str) -> None:
    """Remember the credentials visible by their shape in this text (see redact)."""
    found: list[str] = []
    if "://" in text:
        for match in USERINFO_PATTERN.finditer(text):
            found += _userinfo_secrets(match.group(0)[len(match.group(1)) : -1])
    if "=" in text:
        for match in QUERY_PARAM_PATTERN.finditer(text):
            _, name, value = match.groups()
            if value and value != REDACTED and secret_param(name):
                found += _value_forms(value)
    if "Basic" in text:
        for match in BASIC_PATTERN.finditer(text):
            if _basic_credential(match.group(1)):  # "Basic research" is prose, not a key
                found += credential_secrets(f"Basic {match.group(1)}")
    if found:
        remember(*found)


def url_secrets(url: str | None) -> tuple[str, ...]:
    """Every form in which a URL's credentials can travel or come back: the password, raw
    and percent-decoded; "user:password"; its base64 (what httpx sends as Basic auth); a
    user name given with no password (a token in the user slot); secret-looking query and
    fragment values (secret-named, or LONG_QUERY_VALUE characters and more)."""
    if not url:
        return ()
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ()
    userinfo, at, _ = parts.netloc.rpartition("@")
    found = list(_userinfo_secrets(userinfo)) if at else []
    for part in (parts.query, parts.fragment):
        for name, value in _params(part):
            if value and _secret_value(name, value):
                found += _value_forms(value)
    return tuple(dict.fromkeys(s for s in found if s))


def remember_url(url: str | None) -> None:
    """Redact this URL's credentials, in every form (see url_secrets), from now on."""
    remember(*url_secrets(url))


def display_url(url: str) -> str:
    """The URL fit for a message, a log line or a Brief: control characters percent-encoded,
    no userinfo, secret-looking query and fragment values replaced by REDACTED. Host, port
    and path are kept: they say where. The one rule for showing a URL, fetched or called."""
    url = "".join(c if c.isprintable() else f"%{ord(c):02X}" for c in url.strip())
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    netloc = parts.netloc.rpartition("@")[2]
    query, fragment = _scrub_params(parts.query), _scrub_params(parts.fragment)
    return redact(urlunsplit((parts.scheme, netloc, parts.path, query, fragment)))


def credential_secrets(value: str | None, min_token_len: int = MIN_SECRET_LEN) -> tuple[str, ...]:
    """The secrets in one credential header value: a bearer token; a Basic credential's
    base64, its "user:password" and its password; or the raw value (api-key headers).
    Tokens shorter than min_token_len are placeholders ("not-needed"), not secrets."""
    if not value:
        return ()
    value = value.strip()
    scheme, _, rest = value.partition(" ")
    rest = rest.strip()
    if scheme.lower() == "basic" and rest:
        found = [rest]
        pair = _basic_credential(rest)
        if pair:
            user, _, password = pair.partition(":")
            found += [pair, password] if password else [pair, user]
        return tuple(s for s in found if len(s) >= MIN_SECRET_LEN)
    token = rest if scheme.lower() == "bearer" and rest else value
    return (token,) if len(token) >= min_token_len else ()


def remember_credential(value: str | None, min_token_len: int = MIN_SECRET_LEN) -> None:
    """Redact whatever secret this Authorization (or api-key) header value carries."""
    remember(*credential_secrets(value, min_token_len))


# --- logs -----------------------------------------------------------------------------------


def _covered(name: str) -> bool:
    return name.split(".", 1)[0] in REDACTED_LOGGERS


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact one record in place: its message (args merged in), traceback and stack.

    Only a record that actually held a secret is rewritten, so ordinary records keep their
    msg/args structure for handlers that group by message template.
    """
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: logging reports it itself, at emit time
        return record
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        text = record.exc_text or "".join(traceback.format_exception(*record.exc_info)).rstrip()
        clean_text = redact(text)
        if clean_text != text:
            # The formatted, redacted traceback replaces the live exception object: a
            # handler formatting exc_info itself would print the secret again.
            record.exc_text, record.exc_info = clean_text, None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


_installed = False


def install_log_redaction() -> None:
    """Chain a redacting step onto the current log-record factory (once per process).

    The CLI and the pytest plugin install it; a library user who logs openai, httpx or
    instructor at DEBUG calls it once. Importing newsbrief changes no process-wide state.
    """
    global _installed
    with _lock:
        if _installed:
            return
        previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            return redact_record(record) if _covered(record.name) else record

        logging.setLogRecordFactory(factory)
        _installed = True
