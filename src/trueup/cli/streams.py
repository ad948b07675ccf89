"""The command's output streams, made so that what happens to them never changes what the
command does: text the encoding cannot hold is written escaped, and a reader that goes
away (``trueup push | head -1``) is let go of silently.

Output comes while the work is under way ("Schema loaded from …" before the push); an
error from writing it would stop a push half-way, or turn a committed one into exit 1.
The work goes on, its exit code says how it went, and what it writes after the reader
has gone is dropped."""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO


class _ReaderMayGo:
    """A text stream whose writes never raise BrokenPipeError: once the reader is gone,
    the stream's descriptor points at the null device and every write is dropped."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._let_go()
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._let_go()

    def _let_go(self) -> None:
        self._gone = True
        # What is still buffered is flushed again at exit: let that go to the null device.
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, self._stream.fileno())
        finally:
            os.close(null)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def forgiving_output() -> None:
    """Escape what the encoding cannot hold, and survive a reader that goes away, on
    stdout and stderr."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None or isinstance(stream, _ReaderMayGo):
            continue
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
        if hasattr(stream, "fileno"):
            setattr(sys, name, _ReaderMayGo(stream))
