"""`newsbrief eval`: brief a folder of documents and score every brief.

A folder laid out like ECTSum (`ects/NAME.txt` plus optional `gt_summaries/NAME.txt`
reference bullets) or a plain folder of articles; gold label files (the format of
shared/eval/gold) name articles by file name. Briefs come from the brief cache when the
same article, model and prompt were briefed before, so a report can be rebuilt for free;
tokens and time are those of the run that made each brief.

With a peer (`evaluate_peer`, `eval --peer langextract`), another extractor runs on the same
documents and model and the report gains its own table, scored by the same code (peers.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbrief.aio import run_sync
from newsbrief.errors import InputError, NewsbriefError
from newsbrief.evaluate.metrics import DocScore, GoldItem, score, score_cells
from newsbrief.evaluate.peer_scores import PeerReport, PeerScore, score_peer
from newsbrief.evaluate.peers import CHUNK_CHARS, PEERS, langextract_version, run_langextract
from newsbrief.evaluate.tables import document_rows, pct, table
from newsbrief.ingest.read import ARTICLE_SUFFIXES, read_path
from newsbrief.model.endpoint import Endpoint
from newsbrief.redact import remote_text
from newsbrief.store.briefs import brief_through
from newsbrief.store.table import BriefCache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    name: str  # file name: the key of gold files
    path: Path
    bullets: list[str] | None
    error: str | None = None  # why it cannot be scored (its reference is unreadable)


def _size(path: Path) -> int:
    """For --smallest: a file that cannot be sized (a dangling link) counts as empty, so it
    is listed and fails as its own row instead of ending the report."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _reference(ref: Path) -> tuple[list[str] | None, str | None]:
    """A document's reference bullets, or why they cannot be read."""
    if not ref.is_file():
        return None, None
    try:
        lines = ref.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return None, f"cannot read its reference {ref}: {reason}"
    return [b for b in (line.strip() for line in lines) if b], None


def discover(folder: Path, only: Sequence[str] = (), smallest: int | None = None) -> list[Document]:
    """The documents of an eval folder, by name; `smallest` keeps the N shortest files."""
    if not folder.is_dir():
        raise InputError(f"no eval folder at {folder}")
    texts = folder / "ects" if (folder / "ects").is_dir() else folder
    refs = folder / "gt_summaries"
    try:
        paths = sorted(p for p in texts.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES)
    except OSError as exc:
        raise InputError(f"cannot list {texts}: {exc.strerror or exc}") from None
    if only:
        paths = [p for p in paths if p.name in only or p.stem in only]
    if smallest is not None:
        paths = sorted(paths, key=_size)[:smallest]
        paths.sort()
    if not paths:
        raise InputError(f"no documents (.txt .md .html) in {texts}")
    return [Document(p.name, p, *_reference(refs / p.name)) for p in paths]


def _gold_items(items: object) -> list[GoldItem]:
    """One document's gold labels; ValueError when they are not the gold format."""
    if not isinstance(items, list):
        raise ValueError("not a list of labels")
    try:
        found = [GoldItem.from_json(item) for item in items]
        for item in found:
            item.value()  # a number the scorer can read
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(remote_text(f"{type(exc).__name__}: {exc}", limit=120)) from None
    return found


def load_gold(
    paths: Sequence[Path], warnings: list[str] | None = None
) -> dict[str, list[GoldItem]]:
    """Gold labels by document name. A file that cannot be read, or one document's labels
    that are not the gold format, is one warning (added to `warnings`, else logged) and is
    left out: the documents are still briefed and scored, without those labels."""
    gold: dict[str, list[GoldItem]] = {}
    found: list[str] = []
    for path in paths:
        for name, items in _documents(path, "gold labels", found).items():
            try:
                gold[name] = _gold_items(items)
            except ValueError as exc:
                found.append(f"gold labels for {name} in {path} not used: {exc}")
    _report(found, warnings)
    return gold


def load_policy(path: Path | None, warnings: list[str] | None = None) -> dict[str, bool]:
    """Which documents have a policy angle ({"name": true}, see eval/gold/README.md); a file
    or entry that cannot be read is one warning, never the end of the report."""
    found: list[str] = []
    angles: dict[str, bool] = {}
    if path is not None:
        for name, value in _documents(path, "policy angles", found).items():
            if isinstance(value, bool):
                angles[name] = value
            else:
                found.append(f"policy angle for {name} in {path} not used: not true or false")
    _report(found, warnings)
    return angles


def _documents(path: Path, what: str, found: list[str]) -> dict[str, object]:
    """A JSON object of documents (keys starting with _ left out), or {} and a warning."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object of documents")
    except (OSError, ValueError, RecursionError) as exc:  # not UTF-8, not JSON, too deep
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
        found.append(f"{what} {path} not used: {remote_text(str(reason), limit=120)}")
        return {}
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _report(found: list[str], warnings: list[str] | None) -> None:
    if warnings is None:
        for line in found:
            log.warning("%s", line)
    else:
        warnings += found


@dataclass
class Report:
    model: str
    prompt_version: str
    docs: list[DocScore]
    peer: PeerReport | None = None  # a peer's run on the same documents (eval --peer)
    notes: list[str] = field(default_factory=list)  # gold labels left out, and why

    def totals(self) -> dict[str, Any]:
        ok = [d for d in self.docs if d.error is None]
        g_total = sum(
            d.grounding.figures + d.grounding.evidence + d.grounding.stated_numbers for d in ok
        )
        g_ok = sum(
            d.grounding.figures_ok + d.grounding.evidence_ok + d.grounding.stated_ok for d in ok
        )
        recall = [d.recall for d in ok if d.recall is not None]
        labels = [d.labels for d in ok if d.labels is not None]
        judged = sum(lab.right + lab.vague + lab.wrong for lab in labels)
        keys = sum(lab.key_items for lab in labels)
        n = len(ok) or 1
        origins = [d.summary_origins for d in ok if d.summary_origins is not None]
        angled = [d for d in ok if d.policy_angle]
        return {
            "documents": len(self.docs),
            "briefed": len(ok),
            "grounding_precision": g_ok / g_total if g_total else None,
            "figure_recall": (sum(r[0] for r in recall) / sum(r[1] for r in recall))
            if recall and sum(r[1] for r in recall)
            else None,
            "label_accuracy": sum(lab.right for lab in labels) / judged if judged else None,
            "key_coverage": sum(lab.key_right for lab in labels) / keys if keys else None,
            "figures_per_doc": sum(d.figures for d in ok) / n,
            "implications_per_doc": sum(d.implications for d in ok) / n,
            "duplicate_figures": sum(d.duplicate_figures for d in ok),
            "duplicate_sentences": sum(d.duplicate_sentences for d in ok),
            "prompt_tokens_per_doc": sum(d.prompt_tokens for d in ok) / n,
            "completion_tokens_per_doc": sum(d.completion_tokens for d in ok) / n,
            "attempts_per_doc": sum(d.attempts for d in ok) / n,
            "wall_s_per_doc": sum(d.wall_s for d in ok) / n,
            "summary_written": sum(o[0] for o in origins),
            "summary_from_source": sum(o[1] for o in origins),
            "summary_dropped": sum(o[2] for o in origins),
            "short_summaries": sum(d.summary_sentences < 2 for d in ok),
            "copied_implications": sum(d.copied_implications for d in ok),
            "policy_angle_documents": len(angled),
            "policy_angle_with_implication": sum(d.implications > 0 for d in angled),
        }

    def to_json(self) -> str:
        return json.dumps(
            {
                "model": self.model,
                "prompt_version": self.prompt_version,
                "totals": self.totals(),
                "documents": [d.to_json() for d in self.docs],
                **({"peer": self.peer.to_json_data()} if self.peer is not None else {}),
                **({"notes": self.notes} if self.notes else {}),
            },
            indent=2,
        )

    def to_markdown(self) -> str:
        headers = (
            "document", "figures", "impl.", "grounded", "recall", "labels", "coverage",
            "dup fig/sent", "summary w/s/d", "prompt tok", "completion tok", "attempts", "s",
        )  # fmt: skip

        def cells(d: DocScore) -> Sequence[object]:
            recall, acc, cov = score_cells(d.recall, d.labels)
            origins = "/".join(map(str, d.summary_origins)) if d.summary_origins else "-"
            impl = f"{d.implications}" + (" (policy)" if d.policy_angle else "")
            impl += f", {d.copied_implications} copied" if d.copied_implications else ""
            return (
                d.name,
                d.figures,
                impl,
                pct(d.grounding.precision),
                recall,
                acc,
                cov,
                f"{d.duplicate_figures}/{d.duplicate_sentences}",
                origins,
                d.prompt_tokens,
                d.completion_tokens,
                d.attempts,
                f"{d.wall_s:.0f}",
            )

        lines = [f"Model `{self.model}`, prompt `{self.prompt_version}`.", ""]
        lines += table(headers, document_rows(self.docs, cells))
        t = self.totals()
        lines += [
            "",
            f"Totals over {t['briefed']} of {t['documents']} documents: grounding precision "
            f"{pct(t['grounding_precision'])}, figure recall {pct(t['figure_recall'])}, label "
            f"accuracy {pct(t['label_accuracy'])}, key coverage {pct(t['key_coverage'])}, "
            f"{t['figures_per_doc']:.1f} figures and {t['implications_per_doc']:.1f} "
            f"implications per document, {t['duplicate_figures']} duplicate figures and "
            f"{t['duplicate_sentences']} duplicate summary sentences, "
            f"{t['prompt_tokens_per_doc']:.0f} prompt and {t['completion_tokens_per_doc']:.0f} "
            f"completion tokens, {t['attempts_per_doc']:.1f} attempts and "
            f"{t['wall_s_per_doc']:.0f} s per document. Summary sentences: "
            f"{t['summary_written']} as written, {t['summary_from_source']} from their source, "
            f"{t['summary_dropped']} dropped; {t['short_summaries']} briefs with fewer than two. "
            f"Policy-angle articles with an implication: "
            f"{t['policy_angle_with_implication']}/{t['policy_angle_documents']}; "
            f"{t['copied_implications']} implications that only copy their evidence.",
        ]
        if self.notes:
            lines += ["", *(f"Note: {note}" for note in self.notes)]
        if self.peer is not None:
            lines += ["", *self.peer.markdown()]
        return "\n".join(lines) + "\n"


def _failure(exc: Exception, endpoint: Endpoint) -> str:
    """One document's error row text; a bug is named as one."""
    text = (
        str(exc)
        if isinstance(exc, NewsbriefError)
        else f"internal error: {type(exc).__name__}: {exc}"
    )
    return remote_text(text, endpoint.api_key, limit=500)


def evaluate(
    docs: Sequence[Document],
    endpoint: Endpoint,
    gold: dict[str, list[GoldItem]],
    *,
    cache: BriefCache | None = None,
    on_done: Callable[[DocScore], None] | None = None,
    policy_angles: dict[str, bool] | None = None,
) -> Report:
    """Brief each document (or take its cached brief) and score it; one failing document is
    an error row, never the end of the report. `policy_angles`: which documents have a
    policy angle (load_policy)."""
    from newsbrief.model.prompts import prompt_version

    scores: list[DocScore] = []
    for doc in docs:
        try:
            if doc.error is not None:
                raise InputError(doc.error)
            article = read_path(str(doc.path))
            brief = run_sync(brief_through(cache, article, endpoint)).brief
            result = score(
                doc.name,
                brief,
                bullets=doc.bullets,
                gold=gold.get(doc.name),
                wall_s=brief.provenance.latency_s,
                policy_angle=(policy_angles or {}).get(doc.name),
            )
        except Exception as exc:  # one document's failure (or bug) must not end the report
            result = DocScore.failed(doc.name, _failure(exc, endpoint))
        scores.append(result)
        if on_done is not None:
            on_done(result)
    return Report(model=endpoint.model, prompt_version=prompt_version(), docs=scores)


def evaluate_peer(
    docs: Sequence[Document],
    endpoint: Endpoint,
    gold: dict[str, list[GoldItem]],
    *,
    peer: str = "langextract",
    chunk_chars: int = CHUNK_CHARS,
    on_done: Callable[[PeerScore], None] | None = None,
) -> PeerReport:
    """The peer's figures for each document (the text newsbrief briefs), scored like ours;
    one failing document is an error row. Peer results are not cached: each run asks."""
    if peer not in PEERS:
        raise InputError(f"unknown peer {peer!r}; choose one of {', '.join(PEERS)}")
    version = langextract_version()  # ConfigError with the install hint, before any work
    scores: list[PeerScore] = []
    for doc in docs:
        try:
            if doc.error is not None:
                raise InputError(doc.error)
            text = read_path(str(doc.path)).text
            result = run_langextract(text, endpoint, chunk_chars=chunk_chars)
            peer_score = score_peer(
                doc.name, text, result, bullets=doc.bullets, gold=gold.get(doc.name)
            )
        except Exception as exc:  # as for our own briefs: one row, never the report
            peer_score = PeerScore(doc.name, error=_failure(exc, endpoint))
        scores.append(peer_score)
        if on_done is not None:
            on_done(peer_score)
    return PeerReport(peer, version, endpoint.model, chunk_chars, scores)
