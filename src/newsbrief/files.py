"""Files written whole: the one atomic writer.

Every file newsbrief writes for a reader (a brief, a digest, an eval report, a batch
requests file, the embedded model's prefix record) goes through write_whole, so a reader,
or a kill in the middle, sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from newsbrief.errors import NewsbriefError


class _Failed(Exception):
    """Our own open, write or replace failed (not the caller's code inside the block)."""


class Writer:
    """What whole_file yields: write() appends text; a failure to write ends the block."""

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle

    def write(self, text: str) -> None:
        try:
            self._handle.write(text)
        except (OSError, UnicodeError) as exc:
            raise _Failed() from exc


def _reason(exc: BaseException | None) -> str:
    if isinstance(exc, UnicodeError):
        return "the text has a character UTF-8 cannot encode"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


@contextlib.contextmanager
def whole_file(path: Path) -> Iterator[Writer]:
    """A writer on a temporary file beside `path` (UTF-8, newlines as given), which replaces
    `path` when the block ends without an exception; on one, `path` is left as it was and
    the temporary file removed. For a file written piece by piece (a batch requests file of
    100,000 lines) without holding it all in memory. The temporary file is created like any
    file (0666 minus the umask), so the result's permissions are what write_text gives.

    Args:
        path: the file to write; its folder must exist.

    Raises:
        NewsbriefError: one line naming the file, when it cannot be written; an exception
            of the block itself propagates as it is.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            handle = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115  # closed below
        except OSError as exc:
            raise _Failed() from exc
        with handle:
            yield Writer(handle)
            try:
                handle.flush()
            except (OSError, UnicodeError) as exc:
                raise _Failed() from exc
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise _Failed() from exc
    except _Failed as failed:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise NewsbriefError(f"cannot write {path}: {_reason(failed.__cause__)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_whole(path: Path, text: str) -> None:
    """Write `text` (UTF-8, newlines as given) to a temporary file beside `path`, then
    replace `path` with it (whole_file).

    Args:
        path: the file to write; its folder must exist.
        text: the whole content.

    Raises:
        NewsbriefError: one line naming the file; the old file, if any, is left as it was.
    """
    with whole_file(path) as handle:
        handle.write(text)
