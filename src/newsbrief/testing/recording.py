"""Which cassette a test records into, in which vcrpy mode, and what replay says when
the cassette is missing, incomplete or stale: the pytest plugin's bookkeeping.

Imports of newsbrief's model stack stay inside the functions, as in plugin.py.
"""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path
from typing import Any

import pytest

from newsbrief import settings
from newsbrief.errors import ConfigError

# Longest cassette file name (in UTF-8 bytes) kept as is; longer ones keep this much and a
# hash of the whole name, so two long names never share a file.
MAX_NAME = 100
# Cassettes this session has started recording (resolved paths), for tests sharing one.
_RECORDED_HERE = pytest.StashKey[set[Path]]()
# The exception type of a test that failed in setup or call: its recording is incomplete
# (set by plugin.pytest_runtest_makereport).
FAILED = pytest.StashKey[str]()


def record_mode(config: pytest.Config, vcr_config: dict[str, Any] | None = None) -> str:
    """The option, else NEWSBRIEF_RECORD_MODE, else `record_mode` in newsbrief_vcr_config,
    else none (replay), as pytest-recording ranks its own."""
    try:
        mode = config.getoption("newsbrief_record_mode") or settings.RECORD_MODE.get()
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    mode = mode or (vcr_config or {}).get("record_mode") or "none"
    if mode not in settings.RECORD_MODES:
        modes = ", ".join(settings.RECORD_MODES)
        raise pytest.UsageError(f"newsbrief_vcr_config: record_mode {mode!r} is not one of {modes}")
    return str(mode)


def safe_name(name: str) -> str:
    """A file name for a test or marker name: safe characters only, and short enough for
    any file system (255 bytes is the usual limit, in bytes: "日経" is six; a parametrize
    id can run to pages). Past MAX_NAME bytes: the start and a hash of the whole, so two
    long names stay two files."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(name))
    encoded = safe.encode("utf-8")
    if len(encoded) > MAX_NAME:
        digest = hashlib.sha1(str(name).encode("utf-8"), usedforsecurity=False).hexdigest()
        start = encoded[:MAX_NAME].decode("utf-8", "ignore")  # no half a character
        safe = f"{start}-{digest[:12]}"
    return safe


def default_cassette_dir(config: pytest.Config, test_file: Path) -> Path:
    """Where a test file's cassettes go unless `newsbrief_cassette_dir` is overridden:
    <rootdir>/<ini newsbrief_cassette_dir>/<file stem>, or beside the test file with
    `newsbrief_cassettes_beside_tests`. Beside the tests, pytest-recording's folder holds
    the app's cassettes under the test names; ours go one level down, never onto them."""
    if config.getini("newsbrief_cassettes_beside_tests"):
        return test_file.parent / "cassettes" / test_file.stem / "newsbrief"
    # The test file's stem is already a file name: kept as is, so no cassette moves.
    folder = Path(str(config.rootpath)) / str(config.getini("newsbrief_cassette_dir"))
    return folder / test_file.stem


def cassette_path(request: pytest.FixtureRequest, folder: Path) -> Path:
    marker = request.node.get_closest_marker("newsbrief_cassette")
    name = marker.args[0] if marker and marker.args else request.node.name
    return folder / f"{safe_name(name)}.yaml"


def session_record_mode(config: pytest.Config, mode: str, path: Path) -> str:
    """The vcrpy record mode for this cassette in this test, given the tests before it.

    A cassette is shared through the marker, and the session's mode applies to it as a
    whole: `all` and `rewrite` empty it for the first test that uses it, not for each
    (which would keep only the last test's recording); `once` on a cassette this session
    is recording adds to it (`new_episodes`), where vcrpy would call the second test's
    requests stale. A cassette a failed recording left (incomplete_reason) is recorded
    afresh by any recording mode: it is missing, not stale.
    """
    from newsbrief.testing.inspection import cassette_incomplete

    if mode == "none":
        return mode
    mode = "all" if mode == "rewrite" else mode  # vcrpy has no "rewrite": delete, then "all"
    here = config.stash.setdefault(_RECORDED_HERE, set())
    key = path.resolve()
    if key in here:
        return "new_episodes" if mode == "once" else mode
    if path.exists() and (mode == "all" or cassette_incomplete(path)):
        path.unlink()  # vcrpy's "all" keeps unmatched (stale) interactions
    if not path.exists():  # this session writes it from scratch
        here.add(key)
    return mode


def record_command(request: pytest.FixtureRequest, mode: str) -> str:
    """The hint's command, as the README gives it: `once` records what is missing,
    `rewrite` records a stale cassette afresh. Pasteable from the rootdir; quoted because
    parametrized ids carry [ ] and spaces."""
    return f"pytest {shlex.quote(request.node.nodeid)} --newsbrief-record-mode={mode}"


def incomplete_message(path: Path, why: str, request: pytest.FixtureRequest) -> str:
    return (
        f"incomplete newsbrief cassette {path}: {why}; "
        f"record it with: {record_command(request, 'once')}"
    )


def stale_message(path: Path, request: pytest.FixtureRequest) -> str:
    """Why replay found no match, in terms the user can act on: which prompt recorded it,
    or that the cassette holds nothing at all (a recording that failed before any request,
    made before such recordings were marked): then it is missing, not stale."""
    from newsbrief.model.prompts import prompt_version
    from newsbrief.testing.inspection import inspect_cassette

    info = inspect_cassette(path)
    if info.incomplete:
        return incomplete_message(path, info.incomplete, request)
    recorded = ", ".join(sorted(info.prompt_versions)) or "unknown"
    current = prompt_version()
    why = (
        "the prompt is unchanged, so the request itself changed (article, model or options)"
        if recorded == current
        else "the prompt templates changed since it was recorded"
    )
    return (
        f"stale newsbrief cassette {path}: recorded with prompt version {recorded}, "
        f"current prompt version {current}; {why}. "
        f"Re-record with: {record_command(request, 'rewrite')}"
    )


def mark_recording(cassette: Any, item: pytest.Item, started: bool) -> None:
    """Says in the cassette whether its recording finished (RECORDING_METADATA), so a
    failed one is recorded again by the next `once`, never called stale. Only a cassette
    this test wrote to or started: a test failing on a finished cassette leaves it alone,
    and a shared cassette an earlier test's failure marked stays marked."""
    from newsbrief.testing.cassettes import RECORDING_METADATA

    if not (cassette.dirty or started):
        return
    failed = item.stash.get(FAILED, None)
    state = cassette.get_metadata(RECORDING_METADATA, {"complete": failed is None})
    if failed is not None:
        state.update(complete=False, failed=failed)
    elif started:
        state.clear()
        state.update(complete=True)
    cassette.dirty = True  # the state may be all that changed
