"""What a cassette must not carry, taken out of the text of a request or response.

Secrets: the API key, and what a request carries outside its body (a base URL's userinfo
and secret query values, the Basic credential httpx builds from them), harvested before the
credential headers are dropped, so a server reflecting them is scrubbed too. And the user's
paths: the embedded llama.cpp server answers with the GGUF's absolute path as the model
name; it becomes a basename, and home and cache folders `~` and `<cache>`.

No vcrpy here: `cassettes check` and the recording hooks (cassettes.py) share these rules.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from newsbrief import settings
from newsbrief.redact import SECRET_HEADERS, credential_secrets, redact, remember, url_secrets

# --- the user's paths -----------------------------------------------------------------------

# Not inside a longer path or word: "/models/x.gguf" in "a/models/x.gguf" is no path of ours.
_NOT_AFTER = r"(?<![\w.~/\\:-])"
_SEP = r"(?:/|\\{1,2})"  # "/", "\" or a JSON-escaped "\\"
# An absolute path (POSIX, or Windows with a drive) to a GGUF file: its basename is kept.
GGUF_PATH = re.compile(
    _NOT_AFTER + r"(?:[A-Za-z]:)?" + _SEP + r"[^\s\"'<>|]*?([^\s\"'<>|/\\]+\.gguf)(?![\w.-])",
    re.IGNORECASE,
)
# Somebody's home directory: /home/<name>, /Users/<name>, /root, C:\Users\<name>.
HOME_PATH = re.compile(
    _NOT_AFTER
    + r"(?:/(?:home|Users)/[^\s\"'<>|/\\]+|/root|[A-Za-z]:"
    + _SEP
    + r"Users"
    + _SEP
    + r"[^\s\"'<>|/\\]+)(?=[/\\\s\"'<>|]|$)"
)
HOME = "~"
CACHE = "<cache>"


def local_folders() -> list[tuple[str, str]]:
    """This machine's cache and home folders (the cache first: it is usually inside home),
    as written in text and as escaped in JSON. Read per call: tests move them."""
    found: list[tuple[str, str]] = []
    for where, token in ((settings.cache_dir, CACHE), (Path.home, HOME)):
        try:
            folder = str(where())
        except Exception:  # no home, or a bad NEWSBRIEF_CACHE_DIR: nothing to scrub for it
            continue
        if len(folder.strip("/\\")) < 2:  # "/" as home would garble every path
            continue
        folder = folder.rstrip("/\\")
        found += [(folder, token), (folder.replace("\\", "\\\\"), token)]
    return list(dict.fromkeys(found))


def _folder(folder: str) -> str:
    """A pattern for `folder` as a whole path, not inside a longer one."""
    return _NOT_AFTER + re.escape(folder) + r"(?![\w.-])"


def scrub_paths(text: str) -> str:
    """The user's paths out of a cassette: a GGUF's absolute path becomes its basename,
    newsbrief's cache folder `<cache>`, the home folder (this user's or anyone's) `~`."""
    text = GGUF_PATH.sub(r"\1", text)
    for folder, token in local_folders():
        text = re.sub(_folder(folder), token, text)
    return HOME_PATH.sub(HOME, text)


def private_path(text: str, local_dirs: list[tuple[str, str]] | None = None) -> bool:
    """A home-directory path (anyone's), or this machine's home or cache folder."""
    if HOME_PATH.search(text):
        return True
    return any(
        re.search(_folder(folder), text)
        for folder, _ in (local_folders() if local_dirs is None else local_dirs)
    )


# --- scrubbing ------------------------------------------------------------------------------


def scrub_text(text: str, secrets: tuple[str, ...]) -> str:
    """`text` without `secrets` (and every secret remembered), nor the user's paths."""
    return scrub_paths(redact(text, *secrets))


def scrub_body(body: Any, secrets: tuple[str, ...]) -> Any:
    """scrub_text on a body, bytes or text; bytes that are not UTF-8 are left alone."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        return scrub_text(text, secrets).encode("utf-8")
    if isinstance(body, str):
        return scrub_text(body, secrets)
    return body


def scrub_headers(headers: dict[str, Any], secrets: tuple[str, ...]) -> None:
    """Credential headers dropped, the others' values scrubbed, in place."""
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
        else:
            value = headers[name]
            if isinstance(value, list):
                headers[name] = [scrub_text(str(v), secrets) for v in value]
            else:
                headers[name] = scrub_text(str(value), secrets)


def harvest(request: Any) -> tuple[str, ...]:
    """The secrets this request carries outside the body: its URL's userinfo and query
    values, and its credential headers (a Basic credential in every form). Remembered
    process-wide too, so the response (recorded next) and every log line lose them."""
    found = list(url_secrets(str(request.uri)))
    for name, value in request.headers.items():
        if name.lower() in SECRET_HEADERS:
            values = value if isinstance(value, list) else [value]
            for v in values:
                found += credential_secrets(str(v))
    secrets = tuple(dict.fromkeys(found))
    remember(*secrets)
    return secrets
