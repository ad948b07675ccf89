"""A progress bar for long exports and imports, drawn on stderr when it is a terminal.

``rich`` is imported only here, and only when a bar is actually shown: a command in a
script, a container log or a test never loads it.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any


class _Bar:
    def __init__(self, label: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,  # the summary line that follows says what was done
        )
        self._label = label
        self._task: Any = None

    def start(self, total: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task(self._label, total=total)

    def advance(self, rows: int) -> None:
        if self._task is not None and rows:
            self._progress.advance(self._task, rows)

    def stop(self) -> None:
        self._progress.stop()


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass

    def stop(self) -> None:
        pass


@contextlib.contextmanager
def progress_bar(label: str, *, enabled: bool = True) -> Iterator[_Bar | _Silent]:
    """A progress reporter: a bar when stderr is a terminal (and ``enabled``), else silent."""
    bar: _Bar | _Silent = _Bar(label) if enabled and sys.stderr.isatty() else _Silent()
    try:
        yield bar
    finally:
        bar.stop()
