"""testing/scrub.py: the user's paths out of what a cassette records (the secrets: the
recording tests in test_secrets.py and test_hostile_secrets.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsbrief.testing.scrub import scrub_paths

GGUF = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def test_scrub_paths_keeps_basenames_and_tokens_not_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home" / "carol"
    cache = tmp_path / "somewhere" / "nb-cache"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NEWSBRIEF_CACHE_DIR", str(cache))
    text = json.dumps(
        {
            "model": f"/root/.cache/newsbrief/models/{GGUF}",
            "a": f"{home}/notes/today.txt",
            "b": f"{cache}/briefs.sqlite",
            "c": "/home/alice/x and /Users/bob/y",
            "d": f"C:\\Users\\dave\\models\\{GGUF}",
            "e": "relative/models/x.gguf and /rootless and https://hf.co/org/m/x.gguf",
        }
    )
    clean = json.loads(scrub_paths(text))
    assert clean == {
        "model": GGUF,
        "a": "~/notes/today.txt",
        "b": "<cache>/briefs.sqlite",
        "c": "~/x and ~/y",
        "d": GGUF,
        "e": "relative/models/x.gguf and /rootless and https://hf.co/org/m/x.gguf",
    }
