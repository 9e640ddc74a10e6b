"""cli/common.py: what the commands share. -o's format from its extension (any other is a
usage error), the output folder checked before any model is asked, -v showing a brief's
warnings, and the endpoint flags' help stating the defaults actually used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import option_help, run, usage_error

from newsbrief.model import embedded
from newsbrief.model import endpoint as endpoints
from newsbrief.model.profile import EMBEDDED, REMOTE
from tests.fakes.server import TINY_ARTICLE, FakeOpenAI


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
