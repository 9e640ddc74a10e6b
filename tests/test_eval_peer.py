"""`newsbrief eval --peer langextract`: a peer's figures scored by our code, offline.

The scoring takes langextract-shaped data and runs without langextract; the runs through
langextract itself (against the fake OpenAI server) skip when it is not installed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from newsbrief import settings
from newsbrief.errors import ConfigError
from newsbrief.evaluate.metrics import GoldItem
from newsbrief.evaluate.peer_scores import PeerReport, PeerResult, PeerScore, score_peer
from newsbrief.evaluate.peers import figures_from_extractions, langextract_version, worked_example
from newsbrief.model import prompts
from newsbrief.model.endpoint import resolve_endpoint
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, Reply, completion, draft_reply, serve

ROOT = Path(__file__).resolve().parents[1]
# TINY_ARTICLE: "Markets rallied.\nThe Nikkei 225 closed at 57,890, up 1.5% on the day.\n"
CLOSE = TINY_ARTICLE.index("57,890")
GAIN = TINY_ARTICLE.index("1.5%")
GOLD = [
    GoldItem("57,890", True, ["nikkei"], ["close", "closing"], ["gain"]),
    GoldItem("1.5%", True, ["nikkei"], ["gain", "rise"], ["clos", "level"]),
]


def extraction(
    text: str, label: str | None, span: tuple[int, int] | None, cls: str = "key_figure"
) -> SimpleNamespace:
    """Shaped like langextract's data.Extraction."""
    return SimpleNamespace(
        extraction_class=cls,
        extraction_text=text,
        char_interval=None if span is None else SimpleNamespace(start_pos=span[0], end_pos=span[1]),
        alignment_status=SimpleNamespace(value="match_exact"),
        attributes=None if label is None else {"label": label},
    )


def test_peer_figures_are_judged_from_the_text_at_their_interval() -> None:
    extractions = [
        extraction("57,890", "Nikkei close", (CLOSE, CLOSE + 6)),  # exact
        extraction("1.5%", "Nikkei gain", (GAIN - 3, GAIN + 4)),  # "up 1.5%": right number only
        extraction("2.5%", "made up", (GAIN + 1, GAIN + 4)),  # fuzzy onto ".5%": neither
        extraction("57,890", "Nikkei close, repeated", None),  # not placed, and a duplicate
        extraction("record high", "Nikkei close", (0, 7)),  # states no number
        extraction("Nikkei", None, (20, 26), cls="index"),  # another class: not a figure
    ]
    figures = figures_from_extractions(extractions)
    assert [f.text for f in figures] == ["57,890", "1.5%", "2.5%", "57,890", "record high"]
    assert figures[2].label == "made up" and figures[0].alignment == "match_exact"
    result = PeerResult(figures, chunks=2, chunks_dropped=1, wall_s=3.04)
    s = score_peer("tiny.txt", TINY_ARTICLE, result, bullets=["closed at 57,890"], gold=GOLD)
    assert (s.figures, s.placed, s.exact, s.right_number, s.unparsed) == (5, 4, 1, 2, 1)
    assert (s.exact_share, s.right_number_share) == (0.2, 0.4)
    assert s.duplicate_figures == 1 and s.recall == (1, 1)
    assert (s.chunks, s.chunks_dropped, s.wall_s) == (2, 1, 3.0)
    assert s.labels is not None
    # 57,890 twice, right; 1.5% right; 2.5% is no gold number; "record high" states none
    assert (s.labels.right, s.labels.vague, s.labels.wrong, s.labels.unlisted) == (3, 0, 0, 1)
    assert (s.labels.key_right, s.labels.key_items) == (2, 2)
    assert len(s.failures) == 4  # every figure but the exact one is named


def test_a_label_is_scored_by_the_gold_rule_and_a_list_label_is_joined() -> None:
    figures = figures_from_extractions(
        [
            extraction("57,890", "Nikkei gain", (CLOSE, CLOSE + 6)),
            SimpleNamespace(**{**vars(extraction("1.5%", None, (GAIN, GAIN + 4))),
                               "attributes": {"label": ["Nikkei", "rise"]}}),
        ]
    )  # fmt: skip
    assert figures[1].label == "Nikkei, rise"
    s = score_peer("tiny.txt", TINY_ARTICLE, PeerResult(figures, 1, 0, 0.0), gold=GOLD)
    assert s.labels is not None
    assert (s.labels.right, s.labels.wrong, s.labels.key_right) == (1, 1, 1)
    assert s.labels.accuracy == 0.5 and s.labels.coverage == 0.5


def test_peer_report_totals_markdown_and_json() -> None:
    exact = figures_from_extractions(
        [
            extraction("57,890", "Nikkei close", (CLOSE, CLOSE + 6)),
            extraction("1.5%", "Nikkei gain", (GAIN, GAIN + 4)),
        ]
    )
    moved = figures_from_extractions([extraction("1.5%", "Nikkei gain", (GAIN - 3, GAIN + 4))])
    docs = [
        score_peer("a.txt", TINY_ARTICLE, PeerResult(exact, 1, 0, 2.0), gold=GOLD),
        score_peer("b.txt", TINY_ARTICLE, PeerResult(moved, 3, 1, 4.0), gold=GOLD),
    ]
    docs.append(PeerScore("c.txt", error="langextract: InferenceRuntimeError: boom"))
    report = PeerReport("langextract", "1.7.1", "fake", 1000, docs)
    t = report.totals()
    assert (t["documents"], t["extracted"], t["figures_per_doc"]) == (3, 2, 1.5)
    assert t["exact_share"] == 2 / 3 and t["right_number_share"] == 1.0
    assert (t["chunks"], t["chunks_dropped"], t["wall_s_per_doc"]) == (4, 1, 3.0)
    assert t["label_accuracy"] == 1.0 and t["key_coverage"] == 3 / 4
    md = "\n".join(report.markdown())
    assert "| a.txt | 2 | 1.00 | 1.00 | 0 |" in md and "| c.txt | error: langextract" in md
    assert "1 of 4 chunks dropped" in md
    data = json.loads(json.dumps(report.to_json_data()))
    assert data["documents"][1]["exact_share"] == 0.0
    assert data["documents"][1]["right_number_share"] == 1.0


def test_the_example_is_newsbriefs_worked_example() -> None:
    text, figures = worked_example()
    assert not re.search(r"\[[SC]\d+\]", text)  # plain text: our ids are gone
    assert text.startswith("Acme Bank Cuts Profit Goal\n\nAcme Bank shares fell 3.2% to $41.50")
    assert [number for number, _ in figures] == ["3.2%", "$41.50", "$2.1 billion", "15%"]
    for number, label in figures:
        assert number in text and label and label != number
    assert figures[0][1].startswith("Acme Bank")


def test_the_example_follows_the_prompts_it_is_read_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for template in (ROOT / "prompts").glob("*.md"):
        (tmp_path / template.name).write_text(template.read_text(encoding="utf-8"))
    brief = json.loads((tmp_path / "example_brief.md").read_text(encoding="utf-8"))
    brief["key_figures"] = ["C04", "C02"]
    (tmp_path / "example_brief.md").write_text(json.dumps(brief), encoding="utf-8")
    monkeypatch.setenv(settings.PROMPTS_DIR.name, str(tmp_path))
    prompts.reload()
    try:
        assert [number for number, _ in worked_example()[1]] == ["15%", "$41.50"]
    finally:
        monkeypatch.delenv(settings.PROMPTS_DIR.name)
        prompts.reload()


def test_without_langextract_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langextract", None)  # import fails
    with pytest.raises(ConfigError, match=re.escape("pip install --no-deps langextract==1.7.1")):
        langextract_version()


def test_eval_with_a_missing_peer_fails_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsbrief.cli.main import main

    monkeypatch.setitem(sys.modules, "langextract", None)
    (tmp_path / "tiny.txt").write_text(TINY_ARTICLE, encoding="utf-8")
    with serve([draft_reply(TINY_DRAFT)]) as fake:
        code = main(["eval", str(tmp_path), "--peer", "langextract", "--base-url", fake.base_url,
                     "--no-cache"])  # fmt: skip
        assert fake.count == 0
    err = capsys.readouterr().err
    assert code == 1 and "langextract==1.7.1" in err and len(err.strip().splitlines()) == 1


# --- through langextract itself -----------------------------------------------------------


def _chunk(body: dict[str, Any]) -> str:
    """The text langextract asked about: its prompt ends "Q: <chunk>\\nA: "."""
    prompt = body["messages"][-1]["content"]
    return str(prompt.rsplit("Q: ", 1)[1].rsplit("\nA:", 1)[0])


def _is_langextract(body: dict[str, Any]) -> bool:
    schema = body.get("response_format", {}).get("json_schema", {})
    return bool(schema.get("name") == "langextract_extractions")


def _answer(*figures: tuple[str, str]) -> Reply:
    items = [{"key_figure": n, "key_figure_attributes": {"label": label}} for n, label in figures]
    return Reply(body=completion(json.dumps({"extractions": items})))


def test_langextract_runs_against_the_endpoint_and_is_scored() -> None:
    pytest.importorskip("langextract")
    from newsbrief.evaluate.peers import run_langextract

    reply = _answer(("57,890", "Nikkei close"), ("1.5%", "Nikkei gain"), ("2.5%", "made up"))
    with serve([reply]) as fake:
        endpoint = resolve_endpoint(base_url=fake.base_url, model="qwen-like-local-model")
        result = run_langextract(TINY_ARTICLE, endpoint)
        body = fake.requests[0]
    assert fake.count == 1 and body["model"] == "qwen-like-local-model"  # not sent to Ollama
    assert "Acme Bank daily share price fall" in body["messages"][-1]["content"]
    assert body["seed"] == 0 and body["max_tokens"] > 0
    assert (result.chunks, result.chunks_dropped) == (1, 0)
    s = score_peer("tiny.txt", TINY_ARTICLE, result, gold=GOLD)
    # langextract places the made-up 2.5% on the ".5%" of 1.5%: our check catches it
    assert (s.figures, s.placed, s.exact, s.right_number) == (3, 3, 2, 2)
    assert s.labels is not None and (s.labels.right, s.labels.unlisted) == (2, 1)


def test_an_unparsable_chunk_answer_is_counted_as_dropped() -> None:
    pytest.importorskip("langextract")
    from newsbrief.evaluate.peers import run_langextract

    text = "The Nikkei closed at 57,890 on Monday.\n\nThe Kospi rose 2.5% on Monday to a record."

    def script(body: dict[str, Any]) -> Reply:
        if "Kospi" in _chunk(body):
            return Reply(body=completion("Sure! The Kospi rose {oops"))
        return _answer(("57,890", "Nikkei close"))

    with serve(script) as fake:
        result = run_langextract(text, resolve_endpoint(base_url=fake.base_url), chunk_chars=45)
    assert fake.count == 2
    assert (result.chunks, result.chunks_dropped) == (2, 1)
    s = score_peer("two.txt", text, result)
    assert (s.figures, s.exact, s.right_number) == (1, 1, 1)


def test_eval_command_reports_the_peer_beside_newsbrief(tmp_path: Path) -> None:
    pytest.importorskip("langextract")
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "tiny.txt").write_text(TINY_ARTICLE, encoding="utf-8")
    gold = tmp_path / "gold.json"
    gold.write_text(
        json.dumps(
            {"tiny.txt": [{"number": "57,890", "key": True, "subject": ["nikkei"],
                           "measure": ["clos"], "wrong": []},
                          {"number": "1.5%", "key": True, "subject": ["nikkei"],
                           "measure": ["gain"], "wrong": []}]}
        )
    )  # fmt: skip

    def script(body: dict[str, Any]) -> Reply:
        if _is_langextract(body):
            return _answer(("57,890", "Nikkei close"), ("1.5%", "Nikkei daily gain"))
        return draft_reply(TINY_DRAFT)

    out = tmp_path / "report.md"
    with serve(script) as fake:
        proc = subprocess.run(
            [sys.executable, "-m", "newsbrief", "eval", str(folder), "--gold", str(gold),
             "-o", str(out), "--base-url", fake.base_url, "--no-cache", "--peer", "langextract"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = out.read_text()
    assert "| tiny.txt | 2 |" in report  # newsbrief's row
    assert "## Peer: langextract" in report and "| tiny.txt | 2 | 1.00 | 1.00 | 0 |" in report
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["totals"]["label_accuracy"] == 1.0
    peer = data["peer"]
    assert peer["peer"] == "langextract" and peer["chunk_chars"] == 1000
    assert peer["totals"]["exact_share"] == 1.0 and peer["totals"]["right_number_share"] == 1.0
    assert peer["totals"]["label_accuracy"] == 1.0 and peer["totals"]["key_coverage"] == 1.0
    assert (peer["totals"]["chunks"], peer["totals"]["chunks_dropped"]) == (1, 0)
