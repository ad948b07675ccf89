"""One exception tree for everything trueup reports to people.

Every error carries a message written for the person running the command: what went wrong,
where, and what to do next. The command line prints ``str(error)`` and exits with
``error.exit_code``; it never shows a traceback for these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trueup.plan import Plan


class TrueupError(Exception):
    """Base class: an error with a message meant for people."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n{self.hint}"
        return self.message

    def to_data(self) -> dict[str, object]:
        """The error for JSON output: what went wrong, what to do, and the exit code."""
        return {
            "type": type(self).__name__,
            "message": self.message,
            "hint": self.hint,
            "exit_code": self.exit_code,
        }


@dataclass(frozen=True, slots=True)
class Location:
    """A position in a schema file; line and column count from 1."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class SchemaError(TrueupError):
    """The declared schema cannot be read: bad syntax, unknown names, invalid definitions."""

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        source_line: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.location = location
        self.source_line = source_line

    def __str__(self) -> str:
        parts = []
        head = f"{self.location}: error: {self.message}" if self.location else self.message
        parts.append(head)
        if self.location and self.source_line is not None:
            line = self.source_line.rstrip("\n")
            gutter = f"{self.location.line} | "
            parts.append(f"{gutter}{line}")
            # The caret sits under the column; tabs are kept so it lines up in a terminal.
            prefix = "".join(ch if ch == "\t" else " " for ch in line[: self.location.column - 1])
            parts.append(" " * len(gutter) + prefix + "^")
        if self.hint:
            parts.append(self.hint)
        return "\n".join(parts)

    def to_data(self) -> dict[str, object]:
        return {**super().to_data(), "location": str(self.location) if self.location else None}


class ConfigError(TrueupError):
    """Bad command-line options, settings or database URL."""


class ConnectionError(TrueupError):
    """The database cannot be reached or opened."""


class LockTimeout(TrueupError):
    """Another push held the database for longer than the lock timeout."""


class UnsupportedChange(TrueupError):
    """The declared schema asks for something this engine cannot do."""


class UnsafePlan(TrueupError):
    """The plan would lose data (or cannot run on the current data) and was not accepted.
    ``plan`` is the refused plan, findings included."""

    exit_code = 3

    def __init__(self, message: str, *, hint: str | None = None, plan: Plan | None = None) -> None:
        super().__init__(message, hint=hint)
        self.plan = plan


class ApplyError(TrueupError):
    """A statement failed, or the result did not match the declared schema; nothing was changed."""
