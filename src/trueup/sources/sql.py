"""A plain SQL schema file: its statements run in an empty scratch database of the target
engine, which is then inspected with the same inspector as the live database (see
:mod:`trueup.sources.scratch`). So both sides of a diff come out of one normaliser, and the
engine itself judges the SQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from trueup.engines.base import Dialect
from trueup.engines.source_hooks import ColumnProblem
from trueup.errors import Location, SchemaError
from trueup.model import Schema
from trueup.sources.declared import Declared
from trueup.sources.scratch import normalise
from trueup.sources.sql_hints import rename_hints
from trueup.sources.sql_unmodelled import refuse_unmodelled
from trueup.urls import DatabaseURL

# Statements a schema dump may carry around its CREATE statements; they mean nothing here.
_IGNORED = {"BEGIN", "COMMIT", "END", "ROLLBACK", "PRAGMA", "ANALYZE", "VACUUM"}
_SCHEMA = {"CREATE", "ALTER", "DROP", "COMMENT"}


_COMMENT = re.compile(r"--[^\n]*|/\*.*?(?:\*/|\Z)", re.DOTALL)
_WORD = re.compile(r'"[^"]*"|\[[^\]]*\]|`[^`]*`|\w+')


def _first_words(statement: str, n: int) -> list[str]:
    """The first ``n`` words of a statement, comments skipped, upper-cased, unquoted."""
    words = _WORD.findall(_COMMENT.sub(" ", statement))[:n]
    return [w.strip('"[]`').upper() for w in words]


def _location(path: str, text: str, offset: int) -> tuple[Location, str]:
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    source_line = text[line_start : line_end if line_end != -1 else len(text)]
    return Location(path, line, offset - line_start + 1), source_line


def _references_offset(statements: list[tuple[int, str]], child: str, parent: str) -> int:
    """Where the CREATE TABLE of ``child`` names ``parent`` after REFERENCES (or where that
    statement starts; 0 if there is none)."""
    refers = re.compile(
        r"\bREFERENCES\s+(?:\w+\s*\.\s*)?[\"\[`]?" + re.escape(parent) + r"\b", re.IGNORECASE
    )
    for offset, statement in statements:
        words = [w for w in _first_words(statement, 8) if w not in ("TEMP", "TEMPORARY")]
        if words[:2] != ["CREATE", "TABLE"]:
            continue
        name = words[5] if words[2:5] == ["IF", "NOT", "EXISTS"] else words[2]
        if name.lower() != child.lower():
            continue
        found = refers.search(statement)
        return offset + (found.start() if found else 0)
    return 0


#: The error for ``message`` at an offset in the file (with a hint).
Fail = Callable[..., SchemaError]


def load_sql(path: str, dialect: Dialect, url: DatabaseURL | None = None) -> Declared:
    """Read the SQL schema file at ``path`` the way ``dialect`` reads it. ``url`` is the
    database it is for (an engine with a server makes its scratch database there)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{path} is not UTF-8 text ({exc.reason}).") from exc
    except OSError as exc:
        raise SchemaError(f"Cannot read {path}: {exc.strerror}.") from exc

    def fail(offset: int, message: str, hint: str | None = None) -> SchemaError:
        location, source_line = _location(path, text, offset)
        return SchemaError(message, location=location, source_line=source_line, hint=hint)

    def rejected(offset: int, statement: str, error: Exception) -> SchemaError:
        located = dialect.locate_error(statement, error)
        start_line = text.count("\n", 0, offset) + 1
        head = statement.strip().splitlines()[0]
        head = head if len(head) <= 60 else head[:57] + "..."
        return fail(
            offset + (located.offset or 0),
            f"{dialect.label} rejected the statement at line {start_line} (`{head}`): "
            f"{located.message}",
            hint="Nothing was changed in the database.",
        )

    statements = _schema_statements(text, dialect, fail)
    # A statement may name a table made further down the file (a trigger or index written
    # before its table): what fails runs again while that makes progress.
    normalised = normalise(
        dialect, lambda _: statements, rejected, url=url, reorder=True, references=True
    )
    schema = normalised.schema
    refuse_unmodelled(schema.unmodelled, statements, fail)
    if normalised.unusable:
        _refuse_unusable(normalised.unusable[0], schema, dialect, statements, fail)
    _refuse_column_problems(dialect.source_hooks.column_problems(schema), statements, fail)
    renames = rename_hints(text, statements, lambda offset, message: fail(offset, message))
    return Declared(schema=schema, path=path, renames=renames)


def _schema_statements(text: str, dialect: Dialect, fail: Fail) -> list[tuple[int, str]]:
    """The statements of the file to run, each with its offset; refuses what does not
    belong in a schema file, or that the engine's model has no place for."""
    statements: list[tuple[int, str]] = []
    for offset, statement in dialect.split_statements(text):
        words = _first_words(statement, 3)
        if not words:
            continue
        if words[0] in _IGNORED:
            continue
        if words[0] not in _SCHEMA:
            raise fail(
                offset,
                f"Only schema statements belong in a schema file; found {words[0]}.",
                hint="Keep CREATE / ALTER / DROP statements here; load data with "
                "`trueup import` or your application.",
            )
        unmanaged = dialect.unmanaged_statement(_first_words(statement, 6), statement)
        if unmanaged is not None:
            raise fail(
                offset,
                f"trueup does not manage {unmanaged} on {dialect.label} yet: a push would "
                "neither make nor compare this, and `trueup diff` would not see what differs.",
                hint="Leave it out of the schema file and make it by hand or from your app. "
                "Nothing was changed in the database.",
            )
        # A schema dump lists the tables the engine makes itself.
        if (
            len(words) >= 3
            and words[1] == "TABLE"
            and dialect.source_hooks.made_by_engine(words[2].strip('"[`'))
        ):
            continue
        statements.append((offset, statement))
    return statements


def _refuse_unusable(
    reference: tuple[str, str],
    schema: Schema,
    dialect: Dialect,
    statements: list[tuple[int, str]],
    fail: Fail,
) -> None:
    """Refuse a foreign key of ``child`` on ``parent`` that the engine would refuse every
    write through."""
    child, parent = reference
    same = dialect.hooks.key
    keys = [
        f"{child}({', '.join(fk.columns)}) -> {parent}"
        + (f"({', '.join(fk.ref_columns)})" if fk.ref_columns else "")
        for table in schema.tables
        if table.name == child
        for fk in table.foreign_keys
        if same(fk.ref_table) == same(parent)
    ]
    key = " / ".join(keys) or f"of {child} on {parent}"
    if any(same(t.name) == same(parent) for t in schema.tables):
        problem = f"points at columns of {parent} that are neither its primary key nor unique"
        fix = (
            f"Reference the primary key of {parent}, or give the referenced columns a "
            "UNIQUE constraint or unique index on exactly those columns."
        )
    else:
        problem = f"points at the table {parent}, which this schema does not make"
        fix = f"Add the table {parent} to the schema, or drop the foreign key."
    raise fail(
        _references_offset(statements, child, parent),
        f"The foreign key {key} {problem}, so {dialect.label} would refuse every write to {child}.",
        hint=f"{fix} Nothing was changed in the database.",
    )


def _refuse_column_problems(
    problems: list[ColumnProblem],
    statements: list[tuple[int, str]],
    fail: Fail,
) -> None:
    """Refuse the first (in the file) of the columns the engine took but would not make
    as they were meant."""
    if not problems:
        return
    offset, problem = min(
        ((_written_at(statements, p.column, p.type), p) for p in problems), key=lambda f: f[0]
    )
    raise fail(offset, problem.message, hint=problem.hint)


def _written_at(statements: list[tuple[int, str]], column: str, type_: str) -> int:
    """Where the file declares ``column`` with ``type_`` (its first statement if not
    found)."""
    written = re.compile(rf"[\"`\[]?{re.escape(column)}[\"`\]]?\s+{type_}\b", re.IGNORECASE)
    for offset, statement in statements:
        m = written.search(statement)
        if m:
            return offset + m.start()
    return statements[0][0]
