"""Synthetic articles and a fake model that answers brief and synthesis requests by content."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.fakes.server import Reply, completion


def write_articles(
    folder: Path, texts: Sequence[str], suffix: str = ".txt", name: str = "a{}"
) -> list[Path]:
    """One file per text, in order, named name.format(n) + suffix for n = 1, 2...
    (a1.txt, a2.txt... by default; "{:03d}" keeps sorted order numeric)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(texts, 1):
        path = folder / f"{name.format(i)}{suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


DIGEST_MARKER = "editor writing a morning briefing"


def article(i: int, index_level: str = "57,890") -> str:
    return (
        f"Market report {i}\n"
        f"The Nikkei 225 closed at {index_level} on day {i}, up 1.{i}% on the session. "
        f"Exporters gained {i + 2}.5% as the yen weakened past 149.50 per dollar. "
        "The Bank of Japan is expected to keep its policy rate unchanged.\n"
    )


def write_reports(
    folder: Path, n: int, index_level: str = "57,890", name: str = "{:02d}"
) -> list[Path]:
    """Market reports 1..n as files 01.txt, 02.txt...: sorted order is input order."""
    return write_articles(folder, [article(i, index_level) for i in range(1, n + 1)], name=name)


def brief_answer(text: str) -> dict[str, Any]:
    """The answer a good model gives: the ids the prompt put after each number."""
    level = re.search(r"closed at [0-9,.]+ \[(C[0-9]+)\]", text)
    gain = re.search(r"up 1\.[0-9]+% \[(C[0-9]+)\]", text)
    exporters = re.search(r"Exporters gained [0-9.]+% \[(C[0-9]+)\]", text)
    yen = re.search(r"past [0-9.]+ \[(C[0-9]+)\] per dollar", text)
    bank = re.search(r"\[(S[0-9]+)\] The Bank of Japan", text)
    figures = [
        {"id": m.group(1), "label": label}
        for m, label in (
            (level, "Nikkei 225 close"),
            (gain, "Nikkei 225 daily gain"),
            (exporters, "Exporters gain"),
            (yen, "yen per dollar"),
        )
        if m
    ]
    return {
        "key_figures": figures,
        "summary": ["Japanese stocks rose.", "The yen weakened."],
        "policy_implications": [
            {
                "statement": "Borrowing costs in Japan stay low while the policy rate holds.",
                "actor": "central bank",
                "evidence": [bank.group(1)],
            }
        ]
        if bank
        else [],
    }


def synthesis_answer(ids: list[str], extra_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "headline": "Japanese stocks at records as the yen slides",
        "themes": [
            {"title": "Record highs", "summary": "The Nikkei kept climbing.", "article_ids": ids},
            {
                "title": "Weak yen",
                "summary": "Exporters benefit.",
                "article_ids": [*ids[:1], *extra_ids],
            },
        ],
        "implications": [
            {"statement": "The BoJ holds.", "actor": "central bank", "article_ids": ids[:1]}
        ],
        "discrepancies": [],
    }


def router(extra_ids: tuple[str, ...] = (), fail_if: str | None = None) -> Any:
    """A fake-server script: answers by what the request asks."""

    def reply(body: dict[str, Any]) -> Reply:
        messages = body.get("messages", [])
        last = messages[-1]["content"] if messages else ""
        if DIGEST_MARKER in messages[0]["content"]:
            first = messages[0]["content"]  # the briefs; a re-ask appends its own turns
            ids = sorted(set(re.findall(r"^\[(A[0-9]+)\]", first, flags=re.M)))
            return Reply(body=completion(json.dumps(synthesis_answer(ids, extra_ids))))
        if fail_if and fail_if in last:
            return Reply(status=400, body={"error": {"message": "this article is refused"}})
        return Reply(body=completion(json.dumps(brief_answer(last))))

    return reply


def brief_requests(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in bodies if DIGEST_MARKER not in b["messages"][0]["content"]]
