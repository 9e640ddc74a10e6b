"""Every bad or hostile input in tests/corpus/ through the real CLI, as expected.toml says.

The model is a scripted fake on 127.0.0.1, and where it matters a hostile one. It answers
with the ids the prompt marks (a figure is "C07", evidence is "S03"), so the only ungrounded
thing it can propose is an id the prompt never listed: it obeys a prompt injection whose
sentence has no id, reaches past the 40 cells of a table the prompt lists, names numbers
glued to kanji or written with decimal commas, which our parser (so the prompt) has none
for. Each outcome is either exit 0 with a Brief whose every span is text[start:end] ==
quote and whose every figure is the number its id follows in the prompt, or exit 1 with
exactly one "newsbrief: error:" line, no traceback, and no model call at all.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from support import CORPUS, no_wait
from support import run_cli as run_process

from newsbrief.brief.drafts import BriefDraft
from newsbrief.brief.policy import POLICY as BRIEF_POLICY
from newsbrief.cli.main import main
from newsbrief.contract import Brief
from newsbrief.model import transport as retry
from tests.fakes.server import Reply, draft_reply, serve

MAX_REASKS = BRIEF_POLICY.max_reasks

MANIFEST: dict[str, Any] = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = MANIFEST["case"]
MODELS: dict[str, dict[str, Any]] = MANIFEST["models"]
DEFAULT_MAX_BYTES = 2 * 1024 * 1024  # expected.toml's messages say "2.1 MB"
NOT_INPUTS = {".gitattributes", "expected.toml", "make_corpus.py"}
REQUIRED = {
    "empty.txt", "whitespace_only.txt", "png_renamed.txt", "pdf_renamed.txt", "latin1.txt",
    "utf16le_bom.txt", "utf8_bom.txt", "huge_20mb.txt", "html_nav_only.html",
    "html_article_in_nav.html", "no_numbers.txt", "german.txt", "japanese.txt", "table_500.txt",
    "injection.txt", "nul_late.txt", "directory.txt", "missing.txt", "unreadable.txt",
    "markdown.md", "crlf.txt", "one_line.txt",
}  # fmt: skip
NEVER_CALLED = Reply(status=500, body={"error": {"message": "an input error must not reach me"}})


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["file"] for c in cases]


@pytest.fixture(autouse=True)
def _fast_and_default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "_asleep", no_wait)
    monkeypatch.setenv("NEWSBRIEF_MAX_BYTES", str(DEFAULT_MAX_BYTES))
    monkeypatch.delenv("NEWSBRIEF_MAX_BYTES", raising=False)


def make_input(case: dict[str, Any], tmp_path: Path) -> str:
    """The path to pass to the CLI: the committed file, or one made here."""
    make = case.get("make")
    path = tmp_path / case["file"]
    if make is None:
        return str(CORPUS / case["file"])
    if make == "huge":
        line = b"Stocks rose 1.5% as the Nikkei 225 closed at 57,890 on Tuesday.\n"
        path.write_bytes(line * (20_000_000 // len(line) + 1))
    elif make == "unreadable":
        path.write_text("Stocks rose 1.5% on Tuesday.\n")
        path.chmod(0)
        if os.geteuid() == 0 and os.access(path, os.R_OK):
            pytest.skip("running as root: a mode-000 file is still readable")
    elif make == "dev_zero":
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero here")
        return "/dev/zero"
    elif make == "symlink_loop":
        path.symlink_to(path)
    else:
        raise AssertionError(f"unknown make = {make!r}")
    return str(path)


def run_cli(
    argv: list[str], capsys: pytest.CaptureFixture[str], script: list[Reply]
) -> tuple[int, str, str, list[dict[str, Any]]]:
    """(exit code, stdout, stderr, the requests the model endpoint received)."""
    with serve(script) as fake:
        code = main([*argv, "--base-url", fake.base_url, "--model", "fake", "--timeout", "10"])
        requests = list(fake.requests)
    out, err = capsys.readouterr()
    return code, out, err, requests


def error_line(code: int, err: str) -> str:
    """The message of the one and only stderr line; an input error prints nothing else."""
    assert code == 1, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsbrief: error: "), err
    return lines[0].removeprefix("newsbrief: error: ")


def check_brief(out: str, case: dict[str, Any]) -> dict[str, Any]:
    Brief.model_validate_json(out)  # re-verifies ids, spans and parsed values itself
    brief: dict[str, Any] = json.loads(out)
    text: str = brief["source"]["text"]
    spans = brief["key_figures"] + [p["evidence"] for p in brief["policy_implications"]]
    for span in spans:
        assert text[span["start"] : span["end"]] == span["quote"]
    assert "\r" not in text and "\x00" not in text and not text.startswith("\ufeff")
    values = sorted(f["value"] for f in brief["key_figures"])
    warnings: list[str] = brief["warnings"]
    if "values" in case:
        assert values == sorted(float(v) for v in case["values"]), warnings
    if "allowed_values" in case:
        assert set(values) <= {float(v) for v in case["allowed_values"]}, values
    for value in case.get("forbid_values", []):
        assert float(value) not in values
    if "figures" in case:
        assert len(values) == case["figures"]
    if "implications" in case:
        assert len(brief["policy_implications"]) == case["implications"], warnings
    for fragment in case.get("warnings", []):
        assert any(fragment in w for w in warnings), (fragment, warnings)
    if "title" in case:
        assert brief["source"]["title"] == case["title"]
    for fragment in case.get("text_contains", []):
        assert fragment in text
    for fragment in case.get("text_excludes", []):
        assert fragment not in text
    for fragment in case.get("summary_excludes", []):
        assert fragment not in brief["summary"]
    return brief


def prompt_of(request: dict[str, Any]) -> str:
    """The article as the model saw it: the last user message of a brief request."""
    users = [m["content"] for m in request["messages"] if m["role"] == "user"]
    assert users and isinstance(users[-1], str), request
    return users[-1]


def check_ids(case: dict[str, Any], brief: dict[str, Any], requests: list[dict[str, Any]]) -> None:
    """The scripted answer's ids against the prompt the model was sent: a listed id becomes
    the figure whose number the prompt marks with it; an id never listed becomes nothing."""
    assert requests, "the model was never asked"
    prompt = prompt_of(requests[0])
    listed = re.findall(r" \[(C[0-9]{2,3})\]", prompt)
    assert len(listed) == len(set(listed))
    answer = MODELS[case["model"]]
    for choice in answer["key_figures"]:
        if choice["id"] not in listed:  # an unlisted id grounds nothing, and is named
            assert any(repr(choice["id"]) in w for w in brief["warnings"]), brief["warnings"]
            continue
        # The figure is the number the prompt marks with the id, and its quote states it.
        marks = f" [{choice['id']}]"
        figure = next(
            (f for f in brief["key_figures"] if f"{f['number_text']}{marks}" in prompt), None
        )
        assert figure is not None, (choice, brief["warnings"])
        assert f"{figure['number_text']} [{choice['id']}]" in prompt, (choice, figure)
        assert figure["number_text"] in figure["quote"]
    assert len(brief["key_figures"]) <= len(answer["key_figures"])
    for fragment in case.get("prompt_unmarked", []):
        at = prompt.find(fragment)
        assert at >= 0, f"{fragment!r} is not in the prompt verbatim (an id inside it?)"
        assert not re.search(r"\[S[0-9]{2,3}\] $", prompt[:at]), "it was given a sentence id"


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_corpus_entry(
    case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_input(case, tmp_path)
    script = [draft_reply(MODELS[case["model"]])] if "model" in case else [NEVER_CALLED]
    code, out, err, requests = run_cli(["summarize", path, "--format", "json"], capsys, script)
    if case["expect"] == "error":
        assert case["message"] in error_line(code, err)
        assert out == ""
        assert requests == []  # refused before any model call
        return
    assert case["expect"] == "brief"
    assert code == 0, err
    assert "Traceback" not in err
    brief = check_brief(out, case)
    check_ids(case, brief, requests)
    # A fully grounded answer is taken at once; ungrounded proposals are re-asked, then dropped.
    # Labels that fit their numbers' clauses: no focused label question follows; a policy
    # article whose answer kept no implication is asked for one, once.
    brief_calls = MAX_REASKS + 1 if case.get("reasked") else 1
    assert len(requests) == brief_calls + bool(case.get("asked_again"))
    if case.get("asked_again"):
        follow_up = prompt_of(requests[-1])
        assert "bears on economic policy" in follow_up and "[S" in follow_up


def test_manifest_covers_the_corpus() -> None:
    listed = _ids(CASES)
    assert len(listed) == len(set(listed)) >= 22
    assert set(listed) >= REQUIRED
    on_disk = {p.name for p in CORPUS.iterdir()} - NOT_INPUTS - {"__pycache__"}
    committed = {c["file"] for c in CASES if "make" not in c and c["file"] != "missing.txt"}
    assert on_disk == committed
    assert not (CORPUS / "missing.txt").exists()
    used = {c["model"] for c in CASES if "model" in c}
    assert used == set(MODELS)
    for answer in MODELS.values():
        # Hostile, but possible: the answer fits BriefDraft. The ids each article allows are
        # advertised in its schema's enums, which an endpoint without a grammar may ignore.
        BriefDraft.model_validate(answer)
        for choice in answer["key_figures"]:
            assert re.fullmatch(r"C[0-9]{2,3}", choice["id"]), choice
        for implication in answer["policy_implications"]:
            assert all(re.fullmatch(r"S[0-9]{2,3}", e) for e in implication["evidence"])
    for case in CASES:
        assert case["expect"] in {"error", "brief"}
        assert ("message" in case) == (case["expect"] == "error"), case["file"]
        assert ("model" in case) == (case["expect"] == "brief"), case["file"]


def test_committed_files_are_what_the_script_makes() -> None:
    made: dict[str, bytes] = runpy.run_path(str(CORPUS / "make_corpus.py"))["files"]()
    for name, data in made.items():
        assert (CORPUS / name).read_bytes() == data, f"{name} drifted: rerun make_corpus.py"
        assert len(data) < 100_000
    assert {name.split("/")[0] for name in made} == {
        p.name for p in CORPUS.iterdir() if p.name not in NOT_INPUTS | {"__pycache__"}
    }


# The real process runs with the defaults a user gets, whatever this shell had set.
UNSET = ("NEWSBRIEF_MAX_BYTES", "NEWSBRIEF_DEBUG", "OPENAI_API_KEY", "NEWSBRIEF_BASE_URL")


def test_real_process_binary_input_is_one_line() -> None:
    proc = run_process(["summarize", str(CORPUS / "png_renamed.txt")], timeout=60, unset=UNSET)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"newsbrief: error: {CORPUS / 'png_renamed.txt'} is a PNG image, not text"
    ]


def test_real_process_huge_stdin_is_refused_after_a_bounded_read() -> None:
    proc = run_process(
        ["summarize", "-"],
        stdin="Stocks rose 1.5%.\n" * 1_200_000,  # 21.6 MB
        timeout=60,
        unset=UNSET,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "newsbrief: error: standard input is over the 2.1 MB limit "
        "(set NEWSBRIEF_MAX_BYTES to raise it)"
    ]


def test_real_process_injection_article_is_grounded() -> None:
    case = next(c for c in CASES if c["file"] == "injection.txt")
    with serve([draft_reply(MODELS[case["model"]])]) as fake:
        proc = run_process(
            [
                "summarize",
                str(CORPUS / "injection.txt"),
                "--format",
                "json",
                "--base-url",
                fake.base_url,
                "--model",
                "fake",
                "--timeout",
                "10",
            ],
            timeout=120,
            unset=UNSET,
        )
        requests = list(fake.requests)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    brief = check_brief(proc.stdout, case)
    check_ids(case, brief, requests)
    assert 999e12 not in {f["value"] for f in brief["key_figures"]}
