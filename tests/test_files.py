"""newsbrief.files.write_whole: the one atomic writer, old file or new, never half."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from newsbrief.errors import NewsbriefError
from newsbrief.files import whole_file, write_whole


def test_writes_the_whole_text_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    write_whole(target, "first\r\nline é\n")
    write_whole(target, "second\n")
    assert target.read_bytes() == b"second\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]
    write_whole(target, "kept\r\n")  # newlines as given, never translated
    assert target.read_bytes() == b"kept\r\n"


def test_permissions_are_those_write_text_gives(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    write_whole(ours, "x")
    theirs.write_text("x")
    assert stat.S_IMODE(ours.stat().st_mode) == stat.S_IMODE(theirs.stat().st_mode)


def test_a_missing_folder_is_one_line_naming_the_file(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "out.md"
    with pytest.raises(NewsbriefError) as caught:
        write_whole(target, "x")
    assert str(caught.value).startswith(f"cannot write {target}: ")
    assert "\n" not in str(caught.value)


def test_a_folder_in_the_way_keeps_it_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.mkdir()
    (target / "inside.txt").write_text("kept")
    with pytest.raises(NewsbriefError, match="cannot write"):
        write_whole(target, "x")
    assert (target / "inside.txt").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


def test_a_failed_replace_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.md"
    target.write_text("old")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(NewsbriefError, match="Permission denied"):
        write_whole(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


def test_text_that_cannot_be_encoded_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old")
    with pytest.raises(NewsbriefError, match="cannot encode"):
        write_whole(target, "lone surrogate \ud800")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


def test_a_file_written_piece_by_piece_appears_whole_at_the_end(tmp_path: Path) -> None:
    target = tmp_path / "requests.jsonl"
    target.write_text("old\n")
    with whole_file(target) as out:
        for n in range(3):
            out.write(f"line {n}\n")
            assert target.read_text() == "old\n"  # nothing shows before the block ends
    assert target.read_text() == "line 0\nline 1\nline 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requests.jsonl"]


def test_an_error_inside_the_block_is_the_callers_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "requests.jsonl"
    target.write_text("old\n")
    with pytest.raises(KeyError), whole_file(target) as out:
        out.write("half\n")
        raise KeyError("the caller's own failure")
    with pytest.raises(OSError, match="own OSError"), whole_file(target) as out:
        raise OSError("the caller's own OSError, not a write failure")  # not renamed
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requests.jsonl"]


def test_a_piece_that_cannot_be_encoded_is_one_line_naming_the_file(tmp_path: Path) -> None:
    target = tmp_path / "requests.jsonl"
    said = f"cannot write {target}: .*cannot encode"
    with pytest.raises(NewsbriefError, match=said), whole_file(target) as out:
        out.write("fine\n")
        out.write("lone surrogate \ud800\n")
    assert not target.exists() and list(tmp_path.iterdir()) == []
