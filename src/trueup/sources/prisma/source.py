"""Schema text and positions in it, and the one way this front end reports a problem:
a :class:`~trueup.errors.SchemaError` that names ``file:line:col`` and shows the line (or,
for what Prisma only advises against, a :class:`~trueup.sources.declared.SchemaWarning`)."""

from __future__ import annotations

from dataclasses import dataclass

from trueup.errors import Location, SchemaError
from trueup.sources.declared import SchemaWarning


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One ``.prisma`` file: its path as the user named it, and its text."""

    path: str
    text: str

    def line_text(self, line: int) -> str:
        # Lines are counted at each `\n`, as Prisma numbers them (a lone `\r` ends a line
        # for the grammar but not for the numbering): shown with any `\r` as a space.
        lines = self.text.split("\n")
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return text.removesuffix("\r").replace("\r", " ")


@dataclass(frozen=True, slots=True)
class Pos:
    """Where something starts: the file and a line and column counted from 1."""

    source: SourceFile
    line: int
    column: int


def fail(pos: Pos | None, message: str, hint: str | None = None) -> SchemaError:
    """The error to raise for ``message`` at ``pos`` (or without a place when the problem
    belongs to no line, like a missing datasource)."""
    if pos is None:
        return SchemaError(message, hint=hint)
    return SchemaError(
        message,
        location=Location(pos.source.path, pos.line, pos.column),
        source_line=pos.source.line_text(pos.line),
        hint=hint,
    )


def warn(pos: Pos, message: str) -> SchemaWarning:
    """The warning for ``message`` at ``pos``: the schema is accepted, the person told."""
    return SchemaWarning(message, Location(pos.source.path, pos.line, pos.column))
