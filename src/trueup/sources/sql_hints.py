"""Rename hints in a SQL schema file, written as comments (the form sqldef made common)::

    -- @renamed from=people
    CREATE TABLE person (        -- (or here, on the CREATE TABLE line)
        id    INTEGER PRIMARY KEY,
        email TEXT NOT NULL,     -- @renamed from=mail
        -- @renamed from=full_name
        name  TEXT
    );

A hint on the line of a column, or on comment lines right above it, renames that column; a
hint above the statement or on its first line renames the table. ``from`` is the old name in
the database. A hint that no longer fits (the rename already happened) is not applied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from trueup.diff.renames import Renames
from trueup.errors import SchemaError

_HINT = re.compile(r"--\s*@renamed\b(?P<rest>[^\n]*)")
_FROM = re.compile(r"""^\s*from\s*=\s*(?P<name>"[^"]+"|`[^`]+`|\[[^\]]+\]|'[^']+'|[^\s"'`\[]+)""")
_NAME = r"""(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+)"""
_CREATE_TABLE = re.compile(
    rf"^\s*CREATE\s+(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    rf"(?:{_NAME}\s*\.\s*)?(?P<name>{_NAME})",
    re.IGNORECASE,
)
_COLUMN = re.compile(rf"^\s*,?\s*(?P<name>{_NAME})")
#: Blank space and comments before a statement's first word: some engines' splitters
#: count the comments above a statement as part of it.
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
_NOT_COLUMNS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE", "LIKE"}


def _unquote(name: str) -> str:
    if name[:1] == '"' and name[-1:] == '"':
        return name[1:-1].replace('""', '"')
    if name[:1] in "`['" and len(name) >= 2:
        return name[1:-1]
    return name


HintError = Callable[[int, str], SchemaError]


def _hint(line: str, offset: int, fail: HintError) -> str | None:
    m = _HINT.search(line)
    if m is None:
        return None
    arg = _FROM.match(m.group("rest"))
    if arg is None:
        raise fail(
            offset + m.start(),
            "Cannot read this rename hint; write it as `-- @renamed from=old_name`.",
        )
    return _unquote(arg.group("name"))


def rename_hints(text: str, statements: Iterable[tuple[int, str]], fail: HintError) -> Renames:
    """The rename hints of a SQL schema file. ``statements`` are the file's statements with
    their offsets; ``fail(offset, message)`` makes the error for a hint that cannot be read."""
    tables: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    previous_end = 0
    for offset, statement in statements:
        lead = _LEADING.match(statement)
        if lead is not None and lead.end():
            offset, statement = offset + lead.end(), statement[lead.end() :]
        before_start, previous_end = previous_end, offset + len(statement)
        head = _CREATE_TABLE.match(statement)
        if head is None:
            continue
        table = _unquote(head.group("name"))
        # Comment lines right above the statement, and the statement's first line.
        table_hint = None
        for line_offset, line in _lines(text[before_start:offset], before_start):
            table_hint = _hint(line, line_offset, fail) or table_hint
        body_start = statement.find("(", head.end())
        first_line_end = statement.find("\n", head.end())
        if first_line_end == -1 or first_line_end > body_start:
            first_line_end = statement.find("\n", body_start)
        first_line = statement[: first_line_end if first_line_end != -1 else len(statement)]
        # A comment after the statement's `;`, on its last line, belongs to that line.
        end = offset + len(statement)
        line_end = text.find("\n", end)
        tail = text[end : line_end if line_end != -1 else len(text)]
        tail_hint = None
        if not tail.split("--", 1)[0].strip():  # nothing but the comment after the `;`
            tail_hint = _hint(tail, end, fail)
            previous_end = end + len(tail)  # not a comment above the next statement
        one_line = first_line == statement
        on_line = _hint(first_line, offset, fail) or (tail_hint if one_line else None)
        table_hint = on_line or table_hint
        if table_hint:
            tables[table_hint] = table
        pending: str | None = None
        body_offset = offset + len(first_line)
        body = statement[len(first_line) :]
        lines = _lines(body, body_offset)
        for number, (line_offset, line) in enumerate(lines, 1):
            hint = _hint(line, line_offset, fail)
            if number == len(lines) and not one_line:
                hint = hint or tail_hint
            code = line.split("--", 1)[0]
            if not code.strip():
                pending = hint or pending  # a comment line: the hint is for the next column
                continue
            m = _COLUMN.match(code)
            name = _unquote(m.group("name")) if m else None
            target = hint or pending
            pending = None
            if target and name and name.upper() not in _NOT_COLUMNS:
                columns[(table, target)] = name
    return Renames(tables, columns)


def _lines(text: str, start: int) -> list[tuple[int, str]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((start + pos, line))
        pos += len(line) + 1
    return out
