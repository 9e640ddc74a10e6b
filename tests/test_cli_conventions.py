"""The CLI's conventions: --version, -o everywhere it writes, -q/-v, help for every option
with its default, usage errors that name what is wrong (and only that), Markdown titles on
stdin, the brief cache for `summarize`, and `cassettes check` looking only at our cassettes.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import newsbrief
from newsbrief import settings
from newsbrief.cli.main import build_parser, main
from newsbrief.contract import Brief, text_id
from newsbrief.ingest.read import from_bytes
from newsbrief.model import embedded
from newsbrief.model import endpoint as endpoints
from newsbrief.model.endpoint import resolve_endpoint
from newsbrief.model.profile import EMBEDDED, REMOTE
from newsbrief.store.table import BriefCache, cache_key
from newsbrief.testing.cassettes import make_vcr, newsbrief_cassette
from tests.fakes.digests import router, write_reports
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, FakeOpenAI, draft_reply, serve

Run = tuple[int, str, str]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Run:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Exit 2 the argparse way: a usage line, then one error line; that line is returned."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("usage: newsbrief"), err
    last = err.strip().splitlines()[-1]
    assert last.startswith("newsbrief") and ": error: " in last, err
    return last


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with serve([draft_reply(TINY_DRAFT)]) as server:  # the last reply repeats
        yield server


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text(TINY_ARTICLE, encoding="utf-8")
    return path


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_parsers() -> dict[str, argparse.ArgumentParser]:
    """Every parser a user can ask for --help: the top level and each (sub)command."""
    top = build_parser()
    found = {"newsbrief": top}
    for name, parser in subparsers(top).items():
        found[name] = parser
        for inner, sub in subparsers(parser).items():
            found[f"{name} {inner}"] = sub
    return found


# --- 1. --version ----------------------------------------------------------------------------


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"newsbrief {version('newsbrief')}\n"


def test_version_falls_back_to_the_package_version(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"newsbrief {newsbrief.__version__}\n"


# --- 2. -o/--output --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "flags", "kind"),
    [
        ("brief.json", [], "json"),
        ("brief.md", [], "md"),
        ("brief.MARKDOWN", [], "md"),
        ("brief.md", ["--format", "json"], "json"),
        ("brief.txt", ["--format", "md"], "md"),
    ],
)
def test_summarize_writes_to_output_in_the_format_of_its_extension(
    tmp_path: Path,
    article: Path,
    fake: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    name: str,
    flags: list[str],
    kind: str,
) -> None:
    out = tmp_path / "out" / name
    out.parent.mkdir()
    out.write_text("an older brief\n")
    argv = ["summarize", str(article), "-o", str(out), "--base-url", fake.base_url, *flags]

    code, stdout, err = run(argv, capsys)

    assert (code, stdout) == (0, ""), err
    assert f"newsbrief: wrote {out}" in err
    text = out.read_text(encoding="utf-8")
    if kind == "json":
        assert json.loads(text)["source"]["text"] == TINY_ARTICLE
    else:
        assert text.startswith("# Markets rallied.")
    assert [p.name for p in out.parent.iterdir()] == [name]  # no temporary file left behind


def test_summarize_output_replaces_the_file_whole(
    tmp_path: Path,
    article: Path,
    fake: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Written beside the target, then renamed over it: a reader never sees half a brief."""
    out = tmp_path / "brief.md"
    out.write_text("an older brief\n")
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any) -> None:
        replaced.append((str(src), str(dst)))
        assert out.read_text() == "an older brief\n"  # untouched until the rename
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    code, _, err = run(
        ["summarize", str(article), "-o", str(out), "--base-url", fake.base_url], capsys
    )

    assert code == 0, err
    ((src, dst),) = replaced
    assert dst == str(out) and Path(src).parent == tmp_path and src != dst
    assert out.read_text().startswith("# Markets rallied.")


def test_summarize_output_in_a_missing_folder_fails_before_asking_the_model(
    tmp_path: Path, article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nope" / "brief.md"
    code, _, err = run(
        ["summarize", str(article), "-o", str(out), "--base-url", fake.base_url], capsys
    )
    assert code == 1
    assert err.strip().splitlines()[-1].startswith(f"newsbrief: error: cannot write {out}")
    assert fake.count == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["digest", "a.txt", "-o", "x.pdf"],
        ["summarize", "a.txt", "-o", "x.pdf"],
        ["summarize", "a.txt", "-o", "x.xml"],
        ["summarize", "a.txt", "-o", "brief"],
        ["eval", "docs", "-o", "report.json"],  # its JSON goes beside the Markdown report
    ],
    ids=lambda argv: " ".join(argv),
)
def test_unknown_output_extension_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    output = str(tmp_path / argv[-1])
    line = usage_error([*argv[:-1], output, "--base-url", "http://127.0.0.1:9/v1"], capsys)
    assert line.startswith(f"newsbrief {argv[0]}: error: argument -o/--output: ")
    assert output in line
    assert not Path(output).exists()


# --- 3. -q and -v ----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_summarize_prints_nothing_on_stderr(
    article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    argv = ["summarize", str(article), "--base-url", fake.base_url]
    argv = ["-q", *argv] if where == "before" else [*argv, "-q"]

    code, out, err = run(argv, capsys)

    assert (code, err) == (0, "")
    assert out.startswith("# Markets rallied.")
    assert fake.count == 1


def test_without_quiet_summarize_says_what_it_does(
    article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["summarize", str(article), "--base-url", fake.base_url], capsys)
    assert code == 0
    assert err.startswith(f"newsbrief: summarizing {article}")


def test_quiet_still_prints_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["-q", "summarize", str(tmp_path / "missing.txt")], capsys)
    assert code == 1
    assert err == f"newsbrief: error: no such file: {tmp_path / 'missing.txt'}\n"


def test_quiet_digest_prints_nothing_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_reports(tmp_path / "in", 2)
    out = tmp_path / "digest.md"
    with serve(router()) as fake:
        argv = ["digest", str(tmp_path / "in"), "-o", str(out), "--base-url", fake.base_url]
        code, stdout, err = run([*argv, "--cache-dir", str(tmp_path / "c"), "-q"], capsys)
    assert (code, stdout, err) == (0, "", "")
    assert out.read_text().startswith("#")


# Not valid UTF-8 (a cp1252 e-acute): reading it leaves a warning on the brief.
LATIN1_ARTICLE = TINY_ARTICLE.replace("Markets rallied.", "Markets rallied at the caf\xe9.")


@pytest.mark.parametrize("verbose", [True, False])
def test_verbose_prints_the_briefs_warnings(
    tmp_path: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str], verbose: bool
) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(LATIN1_ARTICLE.encode("cp1252"))
    argv = ["summarize", str(path), "--base-url", fake.base_url, "--format", "json"]

    code, out, err = run(["-v", *argv] if verbose else argv, capsys)

    assert code == 0, err
    (warning,) = [w for w in json.loads(out)["warnings"] if "not valid UTF-8" in w]
    shown = f"newsbrief: warning: {warning}"
    assert (shown in err.splitlines()) is verbose, err


def test_verbose_logs_newsbrief_at_info_redacted(
    article: Path,
    fake: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsbrief.ingest import read

    key = "sk-proj-SENTINEL0123456789abcdef"
    real_read_path = read.read_path

    def read_path(path: str, allow_private: bool = False) -> read.Article:
        logging.getLogger("newsbrief.ingest.read").info("reading %s with %s", path, key)
        return real_read_path(path, allow_private=allow_private)

    monkeypatch.setattr(read, "read_path", read_path)
    logger = logging.getLogger("newsbrief")
    handlers, level = list(logger.handlers), logger.level

    code, _, err = run(["summarize", str(article), "--base-url", fake.base_url, "-v"], capsys)
    assert code == 0, err
    assert f"newsbrief: INFO: newsbrief.ingest.read: reading {article} with REDACTED" in err
    assert key not in err
    assert (logger.handlers, logger.level) == (handlers, level)  # nothing left behind

    code, _, err = run(["summarize", str(article), "--base-url", fake.base_url], capsys)
    assert code == 0
    assert "INFO" not in err


def test_quiet_and_verbose_together_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = usage_error(["-q", "summarize", "a.txt", "-v"], capsys)
    assert "-q/--quiet and -v/--verbose" in line


# --- 4. help for every option, with its default ------------------------------------------


@pytest.mark.parametrize("command", ["summarize", "digest", "eval", "cassettes check"])
def test_every_option_has_help_stating_its_default(command: str) -> None:
    parser = command_parsers()[command]
    missing, no_default = [], []
    for action in parser._actions:
        name = "/".join(action.option_strings) or action.dest
        if not (action.help or "").strip():
            missing.append(name)
        optional = action.option_strings or action.nargs == "?"
        meta = isinstance(action, argparse._HelpAction | argparse._VersionAction)
        if optional and not meta and "default" not in (action.help or ""):
            no_default.append(name)
    assert missing == [], f"`newsbrief {command}`: no help for {missing}"
    assert no_default == [], f"`newsbrief {command}`: no default stated for {no_default}"


def option_help(command: str, flag: str) -> str:
    parser = command_parsers()[command]
    (action,) = [a for a in parser._actions if flag in a.option_strings]
    return " ".join((action.help or "").split())


def test_help_states_the_defaults_actually_used() -> None:
    for command in ("summarize", "digest", "eval"):
        timeout = option_help(command, "--timeout")
        assert f"{EMBEDDED.timeout_s:g} s for the embedded model" in timeout
        assert f"{REMOTE.timeout_s:g} s remote" in timeout
        model = option_help(command, "--model")
        assert embedded.MODEL_NAME in model and endpoints.DEFAULT_OPENAI_MODEL in model
        assert "default json_schema" in option_help(command, "--mode")
    concurrency = f"default {EMBEDDED.concurrency} for the embedded model, {REMOTE.concurrency}"
    assert concurrency in option_help("digest", "--concurrency")
    for command, choices in (("summarize", ["md", "json"]), ("digest", ["md", "html", "json"])):
        fmt = option_help(command, "--format")
        assert all(choice in fmt for choice in choices), fmt
        assert "default: from -o's extension, else md" in fmt


# --- 5. a misspelt flag is named, and only it ---------------------------------------------


def test_misspelt_flag_is_named_without_the_path(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(["summarize", "--formt", "json", "seeds/x.txt"], capsys)
    assert (
        line == "newsbrief summarize: error: unrecognized option: --formt (did you mean --format?)"
    )


def test_abbreviated_flag_is_not_guessed(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(["digest", "--form", "json", "a.txt"], capsys)
    assert line == "newsbrief digest: error: unrecognized option: --form (did you mean --format?)"


def test_extra_path_is_still_named(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(["summarize", "a.txt", "b.txt"], capsys)
    assert line == "newsbrief summarize: error: unrecognized arguments: b.txt"


def test_usage_error_cannot_drive_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(["summarize", "a.txt", "\x1b]0;pwned\x07"], capsys)
    assert "\x1b" not in line and "\\x1b]0;pwned\\x07" in line


# --- 6. a folder to summarize points at digest --------------------------------------------


def test_summarize_directory_suggests_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["summarize", str(tmp_path)], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"newsbrief: error: {tmp_path} is a directory, not a file "
        "(to brief a folder: newsbrief digest)"
    ]


# --- 7. Markdown on stdin ------------------------------------------------------------------


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (f"# Nikkei at a record\n\n{TINY_ARTICLE}", "Nikkei at a record"),
        (f"\n  \n  # Nikkei at a record ##\n{TINY_ARTICLE}", "Nikkei at a record"),
        (TINY_ARTICLE, "Markets rallied."),  # plain text: its first line, as before
        (f"#Nikkei\n{TINY_ARTICLE}", "#Nikkei"),  # a hashtag, not a heading
    ],
    ids=["heading", "after blank lines", "plain text", "hashtag"],
)
def test_markdown_title_from_stdin(
    fake: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    title: str,
) -> None:
    stdin(monkeypatch, text.encode())
    code, out, err = run(
        ["summarize", "-", "--base-url", fake.base_url, "--format", "json"], capsys
    )
    assert code == 0, err
    brief = json.loads(out)
    assert brief["source"]["title"] == title
    assert brief["source"]["text"] == text


def test_markdown_sniffing_is_for_stdin_only() -> None:
    data = b"# Heading\n\nRates at 4.5%.\n"
    assert from_bytes(data, "standard input", sniff_markdown=True).title == "Heading"
    assert from_bytes(data, "a.txt", ".txt", sniff_markdown=True).title is None
    assert from_bytes(data, "notes", "").title is None


# --- 8. summarize uses the brief cache -------------------------------------------------------


def summarize_argv(article: Path, fake: FakeOpenAI, *flags: str) -> list[str]:
    return ["summarize", str(article), "--base-url", fake.base_url, "--format", "json", *flags]


def test_summarize_serves_a_repeat_from_the_cache(
    tmp_path: Path, article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = ["--cache-dir", str(tmp_path / "cache")]
    code, first, _ = run(summarize_argv(article, fake, *cache), capsys)
    assert (code, fake.count) == (0, 1)

    code, again, err = run(summarize_argv(article, fake, *cache), capsys)
    assert (code, fake.count) == (0, 1)  # no request
    assert again == first
    assert "cached brief" in err

    code, _, _ = run(summarize_argv(article, fake, *cache, "--refresh"), capsys)
    assert (code, fake.count) == (0, 2)
    code, _, _ = run(summarize_argv(article, fake, *cache, "--no-cache"), capsys)
    assert (code, fake.count) == (0, 3)
    code, _, _ = run(summarize_argv(article, fake, *cache), capsys)
    assert (code, fake.count) == (0, 3)


def test_summarize_and_digest_share_the_default_cache(
    tmp_path: Path, article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same cache (NEWSBRIEF_CACHE_DIR, set per test by conftest) and the same keys: a
    brief the digest made is one summarize need not ask for."""
    code, _, _ = run(["digest", str(article), "--base-url", fake.base_url], capsys)
    assert code == 0
    asked = fake.count
    code, out, _ = run(summarize_argv(article, fake), capsys)
    assert (code, fake.count) == (0, asked)
    assert json.loads(out)["source"]["text"] == TINY_ARTICLE
    assert (settings.cache_dir() / "briefs.sqlite").is_file()


def planted(tmp_path: Path, fake: FakeOpenAI, value: str) -> tuple[BriefCache, str]:
    """A row of our choosing under TINY_ARTICLE's key, as the CLI will look it up."""
    endpoint = resolve_endpoint(base_url=fake.base_url)
    key = cache_key("brief", text_id(TINY_ARTICLE), endpoint)
    cache = BriefCache(tmp_path / "cache" / "briefs.sqlite")
    cache.put(key, "brief", value)
    return cache, key


def other_brief(tmp_path: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]) -> str:
    """A valid brief of another text (the draft's quotes are in it too)."""
    other = tmp_path / "other.txt"
    other.write_text("Stocks fell elsewhere.\n" + TINY_ARTICLE)
    code, out, _ = run(summarize_argv(other, fake, "--no-cache"), capsys)
    assert code == 0
    return out


@pytest.mark.parametrize("row", ["another text's brief", "not a brief"])
def test_summarize_never_serves_a_bad_cached_row(
    tmp_path: Path,
    article: Path,
    fake: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    row: str,
) -> None:
    value = other_brief(tmp_path, fake, capsys) if row == "another text's brief" else "{oops"
    cache, key = planted(tmp_path, fake, value)
    asked = fake.count

    code, out, _ = run(
        summarize_argv(article, fake, "--cache-dir", str(tmp_path / "cache")), capsys
    )

    assert code == 0
    assert fake.count == asked + 1  # recomputed
    assert json.loads(out)["source"]["text"] == TINY_ARTICLE
    stored = cache.get(key)
    cache.close()
    assert stored is not None
    assert Brief.model_validate_json(stored).source.id == text_id(TINY_ARTICLE)  # replaced


def test_summarize_with_an_unusable_cache_is_one_line(
    tmp_path: Path, article: Path, fake: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "briefs.sqlite").write_bytes(b"this is not a database, just junk" * 100)
    code, out, err = run(summarize_argv(article, fake, "--cache-dir", str(folder)), capsys)
    assert (code, out, fake.count) == (1, "", 0)
    assert err.startswith("newsbrief: error: the brief cache at ")
    assert "--no-cache" in err
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(folder / "briefs.sqlite").execute("SELECT 1 FROM answers").fetchall()


# --- 9. cassettes check looks only at newsbrief's cassettes ----------------------------------


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("recorded") / "brief.yaml"
    with serve([draft_reply(TINY_DRAFT)]) as server, make_vcr("once").use_cassette(str(path)):
        newsbrief.summarize(TINY_ARTICLE, base_url=server.base_url, model="fake-model-1")
    return path


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


# --- 10. every command's --help lists the environment ----------------------------------------


@pytest.mark.parametrize(
    "command", ["newsbrief", "summarize", "digest", "eval", "cassettes", "cassettes check"]
)
def test_every_help_lists_the_environment_variables(command: str) -> None:
    text = command_parsers()[command].format_help()
    assert "environment variables:" in text
    missing = [v.name for v in settings.ALL if v.name not in text]
    assert missing == [], f"`{command} --help` does not list {missing}"


@pytest.mark.parametrize(
    "command", [[], ["summarize"], ["digest"], ["eval"], ["cassettes"], ["cassettes", "check"]]
)
def test_help_runs_for_every_command(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("usage: newsbrief")
