"""evaluate/tables.py: the one table writer of every evaluation report."""

from __future__ import annotations

from newsbrief.evaluate.tables import FailedRow, table


def test_one_table_writer_for_every_report() -> None:
    lines = table(
        ("document", "figures", "s"),
        [("a.txt", 3, "12"), FailedRow("b.txt", "x" * 100)],
        right_from=1,
    )
    assert lines == [
        "| document | figures | s |",
        "|---|---:|---:|",
        "| a.txt | 3 | 12 |",
        f"| b.txt | error: {'x' * 80} | |",
    ]
    assert table(("a", "b"), [])[1] == "|---|---|"
