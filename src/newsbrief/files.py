"""Files written whole: the one atomic writer.

Every file newsbrief writes for a reader (a brief, a digest, an eval report, a batch
requests file, the embedded model's prefix record) goes through write_whole, so a reader,
or a kill in the middle, sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from newsbrief.errors import NewsbriefError


def write_whole(path: Path, text: str) -> None:
    """Write `text` (UTF-8, newlines as given) to a temporary file beside `path`, then
    replace `path` with it. The temporary file is created like any file (0666 minus the
    umask), so the result's permissions are what write_text gives.

    Args:
        path: the file to write; its folder must exist.
        text: the whole content.

    Raises:
        NewsbriefError: one line naming the file; the old file, if any, is left as it was.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except (OSError, UnicodeError) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        reason = exc.strerror if isinstance(exc, OSError) else None
        if isinstance(exc, UnicodeError):
            reason = "the text has a character UTF-8 cannot encode"
        raise NewsbriefError(f"cannot write {path}: {reason or exc}") from None
