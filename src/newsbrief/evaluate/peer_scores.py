"""A peer's key figures scored by our own code, and its report: what `newsbrief eval --peer`
measures (see evaluate/peers.py for how the peer is run). Needs no peer installed: the
scores are computed from PeerFigures, the article and the gold labels alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from newsbrief.evaluate.metrics import (
    GoldItem,
    Labels,
    recall_of,
    score_cells,
    score_figure_labels,
)
from newsbrief.evaluate.tables import document_rows, pct, table
from newsbrief.text.numbers import NumberMatch, find_numbers, quantity_key, same_quantity


@dataclass(frozen=True)
class PeerFigure:
    text: str  # the peer's extraction text: the number as it quoted it
    label: str
    start: int | None  # its char_interval in the article; None when it could not place it
    end: int | None
    alignment: str | None = None  # langextract's alignment status (match_exact, ...)


@dataclass
class PeerResult:
    figures: list[PeerFigure]
    chunks: int  # model calls: one per chunk
    chunks_dropped: int  # answers the peer could not parse, dropped with their figures
    wall_s: float


# --- scoring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    """A peer figure with the number its extraction text states (for gold scoring)."""

    number_text: str
    value: float
    unit: str
    label: str


def stated_number(extraction_text: str) -> NumberMatch | None:
    """The number an extraction text states: its one number expression ("3.2%", or "fell
    3.2%"); None when it states none or several."""
    numbers = find_numbers(extraction_text)
    return numbers[0] if len(numbers) == 1 else None


@dataclass
class PeerScore:
    name: str
    figures: int = 0
    placed: int = 0  # with a char_interval
    exact: int = 0  # text[start:end] == extraction text
    right_number: int = 0  # the number at the interval is the number of the extraction text
    unparsed: int = 0  # extraction texts stating no number, or several
    recall: tuple[int, int] | None = None
    labels: Labels | None = None
    duplicate_figures: int = 0
    chunks: int = 0
    chunks_dropped: int = 0
    wall_s: float = 0.0
    failures: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def exact_share(self) -> float | None:
        return self.exact / self.figures if self.figures else None

    @property
    def right_number_share(self) -> float | None:
        return self.right_number / self.figures if self.figures else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["exact_share"] = self.exact_share
        data["right_number_share"] = self.right_number_share
        data["labels"] = self.labels.to_json() if self.labels is not None else None
        return data


def score_peer(
    name: str,
    text: str,
    result: PeerResult,
    *,
    bullets: list[str] | None = None,
    gold: list[GoldItem] | None = None,
) -> PeerScore:
    """A peer's figures judged against the article text it was given, never its own flags."""
    s = PeerScore(
        name,
        figures=len(result.figures),
        chunks=result.chunks,
        chunks_dropped=result.chunks_dropped,
        wall_s=round(result.wall_s, 1),
    )
    parsed: list[_Parsed] = []
    stated: list[NumberMatch] = []
    for f in result.figures:
        number = stated_number(f.text)
        if number is None:
            s.unparsed += 1
        else:
            stated.append(number)
            parsed.append(_Parsed(number.text, number.value, number.unit, f.label))
        if f.start is None or f.end is None:
            s.failures.append(f"figure {f.text!r} ({f.label!r}) not placed")
            continue
        s.placed += 1
        here = text[f.start : f.end]
        s.exact += here == f.text
        right = number is not None and any(
            same_quantity(n, number.value, number.unit) for n in find_numbers(here)
        )
        s.right_number += right
        if here != f.text or not right:
            s.failures.append(f"figure {f.text!r} ({f.label!r}) at [{f.start}:{f.end}]: {here!r}")
    keys = [quantity_key(p.value, p.unit) for p in parsed]
    s.duplicate_figures = len(keys) - len(set(keys))
    s.recall = recall_of(stated, bullets) if bullets else None
    s.labels = score_figure_labels(parsed, gold) if gold else None
    return s


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class PeerReport:
    peer: str
    version: str
    model: str
    chunk_chars: int
    docs: list[PeerScore]

    def totals(self) -> dict[str, Any]:
        ok = [d for d in self.docs if d.error is None]
        figures = sum(d.figures for d in ok)
        recall = [d.recall for d in ok if d.recall is not None]
        labels = [d.labels for d in ok if d.labels is not None]
        judged = sum(lab.right + lab.vague + lab.wrong for lab in labels)
        n = len(ok) or 1
        return {
            "documents": len(self.docs),
            "extracted": len(ok),
            "figures_per_doc": figures / n,
            "exact_share": _share(sum(d.exact for d in ok), figures),
            "right_number_share": _share(sum(d.right_number for d in ok), figures),
            "unparsed": sum(d.unparsed for d in ok),
            "figure_recall": _share(sum(r[0] for r in recall), sum(r[1] for r in recall)),
            "label_accuracy": _share(sum(lab.right for lab in labels), judged),
            "key_coverage": _share(
                sum(lab.key_right for lab in labels), sum(lab.key_items for lab in labels)
            ),
            "duplicate_figures": sum(d.duplicate_figures for d in ok),
            "chunks": sum(d.chunks for d in ok),
            "chunks_dropped": sum(d.chunks_dropped for d in ok),
            "wall_s_per_doc": sum(d.wall_s for d in ok) / n,
        }

    def to_json_data(self) -> dict[str, Any]:
        return {
            "peer": self.peer,
            "version": self.version,
            "model": self.model,
            "chunk_chars": self.chunk_chars,
            "totals": self.totals(),
            "documents": [d.to_json() for d in self.docs],
        }

    def markdown(self) -> list[str]:
        lines = [
            f"## Peer: {self.peer} {self.version}",
            "",
            f"Same model `{self.model}` and documents; {self.peer}'s OpenAI provider, chunks of "
            f"{self.chunk_chars} characters, newsbrief's worked example. Exact: the text at a "
            "figure's interval is its extraction text; right number: the number there is the "
            "one it states.",
            "",
        ]
        headers = (
            "document", "figures", "exact", "right number", "unparsed", "recall", "labels",
            "coverage", "dup fig", "chunks", "dropped", "s",
        )  # fmt: skip

        def cells(d: PeerScore) -> Sequence[object]:
            recall, acc, cov = score_cells(d.recall, d.labels)
            return (
                d.name,
                d.figures,
                pct(d.exact_share),
                pct(d.right_number_share),
                d.unparsed,
                recall,
                acc,
                cov,
                d.duplicate_figures,
                d.chunks,
                d.chunks_dropped,
                f"{d.wall_s:.0f}",
            )

        lines += table(headers, document_rows(self.docs, cells))
        t = self.totals()
        lines += [
            "",
            f"Totals over {t['extracted']} of {t['documents']} documents: "
            f"{t['figures_per_doc']:.1f} figures per document, exact {pct(t['exact_share'])}, "
            f"right number {pct(t['right_number_share'])}, {t['unparsed']} unparsed, figure "
            f"recall {pct(t['figure_recall'])}, label accuracy {pct(t['label_accuracy'])}, key "
            f"coverage {pct(t['key_coverage'])}, {t['duplicate_figures']} duplicate figures, "
            f"{t['chunks_dropped']} of {t['chunks']} chunks dropped, "
            f"{t['wall_s_per_doc']:.0f} s per document.",
        ]
        return lines
