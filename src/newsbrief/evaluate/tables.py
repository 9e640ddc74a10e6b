"""Report tables: the one Markdown table writer of every evaluation report (newsbrief's, a
peer's, the story clusterer's), and the cells they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar


def pct(x: float | None) -> str:
    """A share in a report table: two decimals, "-" when there is nothing to share."""
    return "-" if x is None else f"{x:.2f}"


@dataclass(frozen=True)
class FailedRow:
    """A report table's row for a document that failed: its name, then the reason."""

    name: str
    error: str


class _Scored(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def error(self) -> str | None: ...


S = TypeVar("S", bound=_Scored)


def document_rows(
    docs: Iterable[S], cells: Callable[[S], Sequence[object]]
) -> list[Sequence[object] | FailedRow]:
    """Each document's row of a report table: its cells, or the reason it failed."""
    return [cells(d) if d.error is None else FailedRow(d.name, d.error) for d in docs]


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object] | FailedRow],
    *,
    right_from: int | None = None,
) -> list[str]:
    """A Markdown table, the one writer of every evaluation report (newsbrief's, a peer's,
    the story clusterer's): one cell per header, failed rows as the reason and empty cells.

    Args:
        headers: the column names.
        rows: cells (str() of each), or a FailedRow.
        right_from: columns from this index on are right-aligned (numbers).
    """
    width = len(headers)
    rule = ["---:" if right_from is not None and i >= right_from else "---" for i in range(width)]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(rule) + "|"]
    for row in rows:
        if isinstance(row, FailedRow):
            lines.append(f"| {row.name} | error: {row.error[:80]} |" + " |" * (width - 2))
        else:
            lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return lines
