"""Joining the model's byte chunks: verified, atomic, and refused on a mismatch."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from newsbrief.errors import EmbeddedModelError
from newsbrief.model.embedded import MODEL_SHA256, PART_COUNT, join_parts


def parts(tmp_path: Path, chunks: list[bytes]) -> list[Path]:
    paths = []
    for i, chunk in enumerate(chunks):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(chunk)
        paths.append(p)
    return paths


def test_parts_are_joined_in_order_and_verified(tmp_path: Path) -> None:
    chunks = [b"alpha-", b"beta-", b"gamma"]
    expected = hashlib.sha256(b"".join(chunks)).hexdigest()
    target = tmp_path / "cache" / "model.gguf"
    assert join_parts(parts(tmp_path, chunks), target, expected) == target
    assert target.read_bytes() == b"alpha-beta-gamma"
    assert target.with_suffix(".gguf.sha256").read_text().strip() == expected


def test_mismatch_is_refused_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "model.gguf"
    with pytest.raises(EmbeddedModelError, match="corrupt: SHA-256"):
        join_parts(parts(tmp_path, [b"tampered"]), target, MODEL_SHA256)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_a_corrupted_cached_file_is_rebuilt(tmp_path: Path) -> None:
    chunks = [b"one", b"two"]
    expected = hashlib.sha256(b"onetwo").hexdigest()
    target = tmp_path / "model.gguf"
    target.write_bytes(b"garbage")  # no marker: must be re-verified, then replaced
    join_parts(parts(tmp_path, chunks), target, expected)
    assert target.read_bytes() == b"onetwo"


def test_the_installed_parts_are_the_official_model() -> None:
    """The real 1.1 GB file: the cache copy must carry the official hash marker."""
    from newsbrief.model.embedded import model_path, part_paths

    assert len(part_paths()) == PART_COUNT
    path = model_path()
    assert path.with_suffix(".gguf.sha256").read_text().strip() == MODEL_SHA256
    assert path.stat().st_size == sum(p.stat().st_size for p in part_paths())
