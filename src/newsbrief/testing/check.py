"""`newsbrief cassettes check`: which YAML files under a folder are newsbrief's cassettes,
and what is wrong with each (stale, incomplete, unsafe, unreadable).

The command (cli/cassettes.py) prints what these return; the rules are all here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from newsbrief.errors import InputError
from newsbrief.testing.inspection import (
    NEWSBRIEF_MARKERS,
    CassetteInfo,
    inspect_cassette,
    newsbrief_cassette,
)

_VCR_START = re.compile(r"^interactions:", re.MULTILINE)


def looks_like_ours(path: Path) -> bool:
    """A file that names newsbrief's markers or begins a vcrpy `interactions:` list."""
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(marker in raw for marker in NEWSBRIEF_MARKERS) or bool(_VCR_START.search(raw))


def cassettes_to_check(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(newsbrief's cassettes, other YAML files).

    A file newsbrief_cassette() cannot read as a cassette is whose we cannot tell. It
    counts as ours, and is reported UNREADABLE, when it lies beside one of our cassettes,
    names newsbrief's markers, or begins a vcrpy `interactions:` list (a torn cassette: for
    a gate that keeps secrets out of git, flagged rather than passed over). Anything else
    (a virtualenv's YAML, another tool's readable cassette) is skipped."""
    kinds = {path: newsbrief_cassette(path) for path in paths}
    ours_beside = {path.parent for path, kind in kinds.items() if kind}
    ours: list[Path] = []
    others: list[Path] = []
    for path, kind in kinds.items():
        if kind is None:
            kind = path.parent in ours_beside or looks_like_ours(path)
        (ours if kind else others).append(path)
    return ours, others


def cassettes_under(folder: Path) -> tuple[list[Path], list[Path]]:
    """cassettes_to_check on the *.yaml and *.yml files under `folder` and its subfolders.

    Raises:
        InputError: no such folder, no YAML file in it, or none of newsbrief's.
    """
    if not folder.is_dir():
        raise InputError(f"no cassette folder at {folder}")
    paths = sorted(folder.rglob("*.yaml")) + sorted(folder.rglob("*.yml"))
    if not paths:
        raise InputError(f"no cassettes (*.yaml) under {folder}")
    cassettes, skipped = cassettes_to_check(paths)
    if not cassettes:
        raise InputError(
            f"no newsbrief cassettes under {folder} "
            f"({len(skipped)} YAML file(s) skipped: not recorded by newsbrief)"
        )
    return cassettes, skipped


@dataclass(frozen=True)
class Checked:
    """One cassette's verdict: `line` is what `cassettes check` prints for it."""

    ok: bool
    line: str


def _status(info: CassetteInfo) -> str:
    """The worst thing about a cassette, or "ok"."""
    if info.error:
        return f"UNREADABLE ({info.error})"
    if info.secrets:
        return f"UNSAFE: secret-looking value at {', '.join(info.secrets[:5])}"
    if info.incomplete:
        return f"INCOMPLETE: {info.incomplete}; record it with --newsbrief-record-mode=once"
    if info.stale:
        return "STALE: re-record it with --newsbrief-record-mode=rewrite"
    return "ok"


def check(path: Path) -> Checked:
    """Inspect one cassette; damage of any kind is a verdict, never an exception."""
    try:
        info = inspect_cassette(path)
    except RecursionError:  # YAML nested past Python's stack: reported, like any damage
        info = CassetteInfo(path=path, error="not valid YAML: nested too deeply")
    status = _status(info)
    versions = ",".join(sorted(info.prompt_versions)) or "-"
    models = ",".join(sorted(info.models)) or "-"
    line = f"{status:6} {path}  prompt={versions} model={models} requests={info.interactions}"
    return Checked(ok=status == "ok", line=line)


def summary(checked: int, bad: int, skipped: int) -> str:
    """The closing line: how many cassettes, how many bad, how many files skipped."""
    line = f"{checked} cassette(s), {bad} stale, incomplete or unsafe"
    if skipped:
        line += f", {skipped} skipped (not a newsbrief cassette)"
    return line
