from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import ROOT

from newsbrief.brief.extract import messages
from newsbrief.model import prompts
from newsbrief.text.article import ArticleText


def test_version_is_a_hash_of_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for f in (ROOT / "prompts").glob("*.md"):
        (tmp_path / f.name).write_text(f.read_text())
    monkeypatch.setenv("NEWSBRIEF_PROMPTS_DIR", str(tmp_path))
    before = prompts.prompt_version()
    (tmp_path / "brief_system.md").write_text("edited")
    prompts.reload()
    assert prompts.prompt_version() != before


def test_fixed_instructions_come_before_the_article() -> None:
    turns = messages(ArticleText("ARTICLE BODY"))
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert turns[0]["content"].startswith("You are a careful financial news analyst")
    assert all("ARTICLE BODY" not in t["content"] for t in turns[:-1])
    assert turns[-1]["content"].index("ARTICLE BODY") > 0


def test_article_text_is_not_interpreted_as_a_template() -> None:
    user = messages(ArticleText("{{ 7 * 7 }} {% if x %}"))[-1]
    assert "{{ 7 * 7 }} {% if x %}" in user["content"]


def test_wheel_ships_the_prompts_and_licence_notice(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("newsbrief-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for f in (ROOT / "prompts").glob("*.md"):
        assert f"newsbrief/prompts/{f.name}" in names
    assert "newsbrief/LICENSES/QWEN-NOTICE.txt" in names
