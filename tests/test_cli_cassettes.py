"""cli/cassettes.py and testing/check.py: `newsbrief cassettes check`, the CI gate that keeps
secrets and stale prompts out of git, looking only at newsbrief's cassettes.

The clean cassette is recorded for real (fake server, the shared vcr config), then each
test plants one problem in a copy of it, the way a hand edit or a careless recording would;
or lays it among YAML files that are not ours (a virtualenv's, another tool's cassette).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from cli_support import run
from support import ROOT

from newsbrief import summarize
from newsbrief.cli.main import main
from newsbrief.model import prompts
from newsbrief.testing.cassettes import make_vcr
from newsbrief.testing.inspection import newsbrief_cassette
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, draft_reply, serve

SENTINEL = "sk-SENTINEL-0123456789abcdef"
MODEL = "fake-model-1"
TEXT = TINY_ARTICLE
DRAFT = TINY_DRAFT


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("recorded") / "brief.yaml"
    with serve([draft_reply(DRAFT)]) as fake:
        with make_vcr("once", secrets=(SENTINEL,)).use_cassette(str(path)):
            summarize(TEXT, base_url=fake.base_url, api_key=SENTINEL, model=MODEL)
        assert fake.headers[0]["authorization"] == f"Bearer {SENTINEL}"
    return path


@pytest.fixture
def folder(tmp_path: Path, recorded: Path) -> Path:
    """A cassettes/ folder holding one clean copy, nested as the pytest plugin nests them."""
    (tmp_path / "cassettes" / "test_news").mkdir(parents=True)
    shutil.copy(recorded, tmp_path / "cassettes" / "test_news" / "brief.yaml")
    return tmp_path / "cassettes"


@pytest.fixture
def cassette(folder: Path) -> Path:
    return folder / "test_news" / "brief.yaml"


@pytest.fixture(autouse=True)
def _fresh_prompt_cache() -> Iterator[None]:
    prompts.reload()
    yield
    prompts.reload()


def check(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["cassettes", "check", str(folder)])
    out, err = capsys.readouterr()
    return code, out, err


def edit(path: Path, change: str) -> None:
    """Plant something in the cassette the way a hand edit would: parse, change, dump."""
    data = yaml.safe_load(path.read_text())
    request = data["interactions"][0]["request"]
    if change == "auth header":
        request["headers"]["Authorization"] = ["Bearer sk-live-0123456789abcdefXYZ"]
    elif change == "plain api-key header":
        request["headers"]["api-key"] = ["hunter2"]  # not key-shaped: only the name tells
    elif change == "key in body":
        body = request["body"].replace(
            "Markets rallied.", "Markets rallied sk-proj-abcdef0123456789."
        )
        assert body != request["body"]
        request["body"] = body
    elif change == "cookie in response":
        data["interactions"][0]["response"]["headers"]["Set-Cookie"] = ["session=abc"]
    path.write_text(yaml.safe_dump(data))


def test_clean_folder_lists_prompt_version_and_model(
    folder: Path, cassette: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = check(folder, capsys)

    version = prompts.prompt_version()
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"current prompt version {version}"
    assert lines[1].split() == [
        "ok",
        str(cassette),
        f"prompt={version}",
        f"model={MODEL}",
        "requests=1",
    ]
    assert lines[-1] == "1 cassette(s), 0 stale, incomplete or unsafe"
    assert SENTINEL not in cassette.read_text()


@pytest.mark.parametrize(
    "change", ["auth header", "plain api-key header", "key in body", "cookie in response"]
)
def test_secret_in_a_cassette_is_unsafe(
    folder: Path, cassette: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    edit(cassette, change)

    code, out, _ = check(folder, capsys)

    assert code == 1
    (line,) = [line for line in out.splitlines() if str(cassette) in line]
    assert line.startswith("UNSAFE: secret-looking value at ")
    for secret in ("sk-live-0123456789abcdefXYZ", "hunter2", "sk-proj-abcdef0123456789"):
        assert secret not in out  # the report must not leak what it found
    assert out.splitlines()[-1] == "1 cassette(s), 1 stale, incomplete or unsafe"


def test_cassette_from_an_older_prompt_is_stale(
    folder: Path,
    cassette: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorded_with = prompts.prompt_version()
    edited = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", edited)
    with (edited / "brief_system.md").open("a") as f:
        f.write("\nBe brief.\n")
    monkeypatch.setenv("NEWSBRIEF_PROMPTS_DIR", str(edited))

    code, out, _ = check(folder, capsys)

    assert code == 1
    assert out.splitlines()[0] == f"current prompt version {prompts.prompt_version()}"
    (line,) = [line for line in out.splitlines() if str(cassette) in line]
    assert line.startswith("STALE")
    assert f"prompt={recorded_with}" in line


def test_missing_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(tmp_path / "nope", capsys)

    assert (code, out) == (1, "")
    assert err.splitlines() == [f"newsbrief: error: no cassette folder at {tmp_path / 'nope'}"]


def test_empty_folder_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(tmp_path, capsys)

    assert (code, out) == (1, "")
    assert err.splitlines() == [f"newsbrief: error: no cassettes (*.yaml) under {tmp_path}"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("interactions: [\n  - request: {body: 'sk-live-0123456789abcdefXYZ\n", "not valid YAML"),
        ("- just\n- a list\n", "not a vcrpy cassette"),
        ("interactions: 3\n", "not a vcrpy cassette"),
    ],
    ids=["invalid YAML", "a list", "interactions not a list"],
)
def test_unreadable_cassette_is_reported_not_a_traceback(
    folder: Path, cassette: Path, capsys: pytest.CaptureFixture[str], content: str, reason: str
) -> None:
    broken = folder / "test_news" / "broken.yaml"
    broken.write_text(content)

    code, out, err = check(folder, capsys)

    assert (code, err) == (1, "")
    lines = out.splitlines()
    (bad,) = [line for line in lines if str(broken) in line]
    assert bad.startswith(f"UNREADABLE ({reason}")
    assert "sk-live-0123456789abcdefXYZ" not in out  # a parse error must not quote the line
    assert any(line.startswith("ok ") and str(cassette) in line for line in lines)
    assert lines[-1] == "2 cassette(s), 1 stale, incomplete or unsafe"


# --- only newsbrief's cassettes are checked ---------------------------------------------------


OTHER_TOOLS_CASSETTE = {
    "version": 1,
    "interactions": [
        {
            "request": {"method": "GET", "uri": "http://127.0.0.1/x", "body": None, "headers": {}},
            "response": {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {}},
        }
    ],
}


def unrelated_yaml(root: Path) -> list[Path]:
    """What a project folder holds besides our cassettes: a virtualenv's YAML (one of it not
    even valid YAML), another tool's vcrpy cassette."""
    site = root / ".venv" / "lib" / "python3.11" / "site-packages" / "pkg"
    site.mkdir(parents=True)
    (site / "config.yaml").write_text("name: pkg\nlevels: [1, 2]\n")
    (site / "template.yml").write_text("{{ jinja: [not yaml\n")
    (root / "other").mkdir()
    (root / "other" / "tool.yaml").write_text(yaml.safe_dump(OTHER_TOOLS_CASSETTE))
    return [site / "config.yaml", site / "template.yml", root / "other" / "tool.yaml"]


def test_newsbrief_cassette_tells_ours_from_others(recorded: Path, tmp_path: Path) -> None:
    others = unrelated_yaml(tmp_path)
    assert newsbrief_cassette(recorded) is True
    assert [newsbrief_cassette(p) for p in others] == [None, None, False]


def test_check_skips_yaml_that_is_not_a_newsbrief_cassette(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = tmp_path / "cassettes" / "test_news" / "brief.yaml"
    ours.parent.mkdir(parents=True)
    shutil.copy(recorded, ours)
    others = unrelated_yaml(tmp_path)

    code, out, err = run(["cassettes", "check", str(tmp_path)], capsys)

    assert (code, err) == (0, ""), out
    assert "UNREADABLE" not in out
    assert [line.split()[:2] for line in out.splitlines()[1:-1]] == [["ok", str(ours)]]
    assert out.splitlines()[-1] == (
        "1 cassette(s), 0 stale, incomplete or unsafe, 3 skipped (not a newsbrief cassette)"
    )

    code, out, _ = run(["cassettes", "check", str(tmp_path), "-v"], capsys)
    assert code == 0
    assert {f"skipped {p} (not a newsbrief cassette)" for p in others} <= set(out.splitlines())


def test_check_with_no_newsbrief_cassette_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unrelated_yaml(tmp_path)
    code, out, err = run(["cassettes", "check", str(tmp_path)], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"newsbrief: error: no newsbrief cassettes under {tmp_path} "
        "(3 YAML file(s) skipped: not recorded by newsbrief)"
    ]


@pytest.mark.parametrize(
    "content",
    [
        # the tail of one of ours: no interactions key left, but our header is there
        "      x-newsbrief-prompt-version: [abc]\n    body: 'cut off here\n  response: {\n",
        # a vcrpy cassette torn before any header: whose, nobody can tell, so flagged
        "interactions: [[[\n",
    ],
    ids=["names our header", "torn vcrpy cassette"],
)
def test_check_still_flags_a_damaged_cassette(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    """Alone in its folder (no cassette of ours beside it), and not YAML any more."""
    ours = tmp_path / "cassettes" / "test_news" / "brief.yaml"
    ours.parent.mkdir(parents=True)
    shutil.copy(recorded, ours)
    damaged = tmp_path / "cassettes" / "test_old" / "torn.yaml"
    damaged.parent.mkdir()
    damaged.write_text(content)
    unrelated_yaml(tmp_path)

    code, out, _ = run(["cassettes", "check", str(tmp_path)], capsys)

    assert code == 1
    (line,) = [line for line in out.splitlines() if str(damaged) in line]
    assert line.startswith("UNREADABLE (not valid YAML")
    assert out.splitlines()[-1] == (
        "2 cassette(s), 1 stale, incomplete or unsafe, 3 skipped (not a newsbrief cassette)"
    )


def test_check_survives_yaml_nested_past_the_stack(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Skipped in a virtualenv, UNREADABLE beside our cassettes: never a crash (libyaml's
    C loader overflows its stack on this) nor an internal error."""
    ours = tmp_path / "cassettes" / "test_news" / "brief.yaml"
    ours.parent.mkdir(parents=True)
    shutil.copy(recorded, ours)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "deep.yaml").write_text("[" * 100_000)
    beside = ours.parent / "deep.yaml"
    beside.write_text("[" * 100_000)

    code, out, err = run(["cassettes", "check", str(tmp_path)], capsys)

    assert (code, err) == (1, "")
    (line,) = [line for line in out.splitlines() if str(beside) in line]
    assert line.startswith("UNREADABLE (not valid YAML")
    assert out.splitlines()[-1] == (
        "2 cassette(s), 1 stale, incomplete or unsafe, 1 skipped (not a newsbrief cassette)"
    )
