"""Progress for long runs: a rich bar on a terminal, one plain line per article otherwise.

File names and error messages are untrusted: they are shown through safe_for_terminal (no
escape sequence reaches the terminal) and never parsed as rich markup (the bar's description
column has markup off, so a file named `q[/bold]z.txt` is just a name).

Quiet (-q): no bar and no progress lines; an article that failed is still named, since that
is an error, not progress.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from newsbrief.cli.terminal import safe_for_terminal
from newsbrief.digest.contract import ArticleResult


class Reporter:
    def __init__(self, console: Console | None = None, quiet: bool = False) -> None:
        self.console = console or Console(stderr=True)
        self.quiet = quiet
        self.total = 0
        self.finished = 0
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        self.total = total
        if self.quiet or total == 0:  # nothing to brief: the run's one line says why
            return
        if self.console.is_terminal:
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", style="progress.description", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("Briefing articles", total=total)
        else:
            print(f"newsbrief: briefing {total} article(s)", file=sys.stderr, flush=True)

    def done(self, result: ArticleResult) -> None:
        self.finished += 1
        status = "failed" if result.brief is None else ("cached" if result.cached else "ok")
        if self.quiet and result.brief is not None:
            return
        if self._bar is not None and self._task is not None:
            origin = result.origin if len(result.origin) <= 40 else "…" + result.origin[-39:]
            description = f"{result.article_id} {status} {origin}"
            self._bar.update(self._task, advance=1, description=safe_for_terminal(description))
        else:
            detail = f": {result.error}" if result.error else ""
            line = (
                f"newsbrief: [{self.finished}/{self.total}] {result.article_id} {status} "
                f"{result.origin}{detail}"
            )
            print(safe_for_terminal(line), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
