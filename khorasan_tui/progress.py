"""Progress of long work (generate, convert, import, export of big stores) on
stderr: one line per phase with its counts, the time spent and the time left.

Drawn only when stderr is a terminal and the work is big enough to be worth
watching; otherwise every call is a no-op, so code at any layer can report
progress without asking first. Rich's progress module is imported only when
a bar is actually drawn: the quick lookups never load it.
"""

from __future__ import annotations

import sys
import time
from typing import Any

# Below this many records the work takes about a second: a bar would only flicker.
MIN_WORK = 20_000
# The bar is redrawn at most this often; advancing it on every record would cost
# more than many of the records themselves.
_REFRESH_S = 0.1


class Progress:
    """Work in phases ("actors", "ties", "indexing"), each with an optional
    total. This base class draws nothing: what quiet work gets."""

    def phase(self, description: str, total: int | None = None) -> None:
        """Start the next phase; the previous one is complete."""

    def advance(self, count: int = 1) -> None:
        """`count` more items of the current phase are done."""

    def close(self) -> None:
        """The work is over (or failed): stop drawing."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


QUIET = Progress()


class _Bars(Progress):
    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress
        from rich.text import Text

        class TimeLeft(TimeRemainingColumn):
            """'left 0:01:23' while a counted phase runs; nothing for the others."""

            def render(self, task):
                if task.total is None or task.finished:
                    return Text("")
                return Text("left ") + super().render(task)

        self._rich = RichProgress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TimeElapsedColumn(),
            TimeLeft(),
            console=console,
            transient=False,
        )
        self._rich.start()
        self._task: Any = None
        self._total: int | None = None
        self._done = 0
        self._pending = 0
        self._last = 0.0

    def _flush(self) -> None:
        if self._task is not None and self._pending:
            self._done += self._pending
            count = f"{self._done:,}/{self._total:,}" if self._total is not None else f"{self._done:,}"
            self._rich.update(self._task, advance=self._pending, count=count)
            self._pending = 0
        self._last = time.monotonic()

    def _finish_task(self) -> None:
        if self._task is None:
            return
        self._flush()
        # A phase without a total (indexing) is done when the next one starts.
        done = max(self._done, 1)
        self._rich.update(self._task, total=done, completed=done)
        self._rich.stop_task(self._task)

    def phase(self, description: str, total: int | None = None) -> None:
        self._finish_task()
        self._total, self._done, self._pending = total, 0, 0
        count = f"0/{total:,}" if total is not None else ""
        self._task = self._rich.add_task(description, total=total, count=count)

    def advance(self, count: int = 1) -> None:
        self._pending += count
        if time.monotonic() - self._last >= _REFRESH_S:
            self._flush()

    def close(self) -> None:
        self._finish_task()
        self._rich.stop()


def for_work(records: int, console: Any = None, min_work: int = MIN_WORK) -> Progress:
    """A progress display on stderr for work over `records` records: drawn when
    stderr (or the `console` given) is a terminal and the work is at least
    `min_work` records; `QUIET` otherwise, and always when piped."""
    if records < min_work:
        return QUIET
    if console is None:
        if not sys.stderr.isatty():
            return QUIET  # decided before importing rich at all
        from rich.console import Console

        console = Console(stderr=True)
    if not console.is_terminal or console.is_dumb_terminal:
        return QUIET
    return _Bars(console)
