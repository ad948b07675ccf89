"""A progress bar for long exports and imports, drawn on stderr when it is a terminal.

``rich`` draws it when it is installed (it is optional: ``pip install 'trueup[progress]'``);
without it, a plain line of counts does the same job. ``rich`` is imported only here, and
only when a bar is actually shown: a command in a script, a container log or a test never
loads it.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any, Protocol


class Bar(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, rows: int) -> None: ...
    def stop(self) -> None: ...


class _RichBar:
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


class _PlainBar:
    """``Exporting 1,200/5,000 rows (24%)``, rewritten in place at most five times a
    second, and wiped at the end as rich's is."""

    INTERVAL = 0.2

    def __init__(self, label: str) -> None:
        self._label = label
        self._total = 0
        self._done = 0
        self._drawn = 0.0
        self._shown = False

    def start(self, total: int) -> None:
        self._total = total
        self._draw()

    def advance(self, rows: int) -> None:
        self._done += rows
        if time.monotonic() - self._drawn >= self.INTERVAL or self._done >= self._total:
            self._draw()

    def _draw(self) -> None:
        share = f" ({100 * self._done // self._total}%)" if self._total else ""
        sys.stderr.write(f"\r{self._label} {self._done:,}/{self._total:,} rows{share}\x1b[K")
        sys.stderr.flush()
        self._drawn = time.monotonic()
        self._shown = True

    def stop(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass

    def stop(self) -> None:
        pass


def _drawn_bar(label: str) -> Bar:
    try:
        return _RichBar(label)
    except ImportError:  # rich is optional
        return _PlainBar(label)


@contextlib.contextmanager
def progress_bar(label: str, *, enabled: bool = True) -> Iterator[Bar]:
    """A progress reporter: a bar when stderr is a terminal (and ``enabled``), else silent."""
    bar: Bar = _drawn_bar(label) if enabled and sys.stderr.isatty() else _Silent()
    try:
        yield bar
    finally:
        bar.stop()
