"""The SQLite engine as the rest of trueup sees it."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from trueup.engines.base import NO_EXTRAS, Dialect, Extras, StatementError
from trueup.engines.sqlite.engine import ENGINE
from trueup.engines.sqlite.quoting import literal, quote
from trueup.engines.sqlite.session import SQLiteSession

if TYPE_CHECKING:
    from trueup.diff.changes import Change
    from trueup.engines.probes import ProbeSQL
    from trueup.engines.source_hooks import SourceHooks
    from trueup.engines.sqlite.hooks import SQLiteHooks
    from trueup.model import Column, Schema, Table
    from trueup.plan import Plan
    from trueup.urls import DatabaseURL

# The planner, the renderer and the differ's hooks are imported when first used: opening a
# session (all a push on an in-sync database needs) must not load them.


class SQLiteDialect(Dialect):
    name = ENGINE.name
    label = ENGINE.label
    capabilities = ENGINE.capabilities

    @cached_property
    def source_hooks(self) -> SourceHooks:  # type: ignore[override]
        # Read only when a declared schema is loaded: not on the quick path.
        from trueup.engines.sqlite.source_hooks import SQLiteSourceHooks

        return SQLiteSourceHooks()

    @cached_property
    def hooks(self) -> SQLiteHooks:  # type: ignore[override]
        from trueup.engines.sqlite.hooks import SQLiteHooks

        return SQLiteHooks()

    def __init__(self, ignore: Callable[[str], bool] | None = None) -> None:
        self.ignore = ignore

    def connect(self, url: DatabaseURL, *, create: bool) -> SQLiteSession:
        return SQLiteSession.open(url, create=create, ignore=self.ignore)

    def database_missing(self, url: DatabaseURL) -> bool:
        path = url.path
        if not path or path == ":memory:":
            return False
        # In a folder that does not exist either, connecting fails and says so.
        return not os.path.lexists(path) and os.path.isdir(os.path.dirname(os.path.abspath(path)))

    def remove_created(self, url: DatabaseURL) -> None:
        path = url.path
        if not path or path == ":memory:":
            return
        try:
            if os.path.getsize(path) != 0:
                return  # something was committed into it after all: it stays
        except OSError:
            return
        # A file of no bytes holds nothing, not even a header; a journal beside it belongs
        # to the rolled-back push.
        for name in (path, path + "-journal", path + "-wal", path + "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(name)

    def scratch(self, url: DatabaseURL | None = None) -> SQLiteSession:
        # In memory: no server to find, so ``url`` is not needed.
        return SQLiteSession(sqlite3.connect(":memory:", isolation_level=None), None)

    def split_statements(self, sql: str) -> list[tuple[int, str]]:
        from trueup.engines.sqlite.lexer import Kind, tokenize

        out: list[tuple[int, str]] = []
        start: int | None = None
        for tok in tokenize(sql):
            if start is None:
                start = tok.start
            if tok.kind is Kind.PUNCT and tok.text == ";":
                text = sql[start : tok.end]
                # A ";" inside a trigger body does not end the statement.
                if sqlite3.complete_statement(text):
                    out.append((start, text))
                    start = None
        if start is not None:
            out.append((start, sql[start:]))
        return out

    def locate_error(self, statement: str, error: Exception) -> StatementError:
        from trueup.engines.sqlite.lexer import Kind, fold, tokenize

        message = str(error)
        if "syntax error" in message or "unrecognized token" in message:
            return StatementError(message, _syntax_error_offset(statement))
        if "incomplete input" in message:
            return StatementError(message, len(statement.rstrip().rstrip(";")))
        # "duplicate column name: x", "no such table: main.t": point at the name.
        m = re.search(r":\s*(?:main\.)?([^\s:]+)\s*$", message)
        if m:
            name = fold(m.group(1))
            hits = [
                t
                for t in tokenize(statement)
                if t.kind in (Kind.WORD, Kind.QUOTED, Kind.STRING) and fold(t.name) == name
            ]
            if hits:
                hit = hits[-1] if message.startswith("duplicate") else hits[0]
                return StatementError(message, hit.start)
        return StatementError(message, None)

    def is_narrowing(self, old_type: str, new_type: str) -> bool:
        from trueup.engines.sqlite.types import is_narrowing

        return is_narrowing(old_type, new_type)

    def checks_type_change(self, old: Column, new: Column, table: Table) -> bool:
        from trueup.engines.sqlite.conversion import required_class

        # A column that refuses what is not of its type (a STRICT table's, the rowid
        # alias) may refuse values the old one held under the same affinity: 1.5 in an
        # INTEGER column, a blob in a TEXT one. A STRICT table's ANY column holds values
        # as they came, unconverted (the old table's options are not known here; counting
        # costs one query).
        if required_class(new, table) is not None or old.type.upper() == "ANY":
            return True
        return self.is_narrowing(old.type, new.type)

    def quote(self, name: str) -> str:
        return quote(name)

    def literal(self, value: str) -> str:
        return literal(value)

    def row_key(self, table: Table) -> tuple[str, ...]:
        if table.primary_key is not None:
            return tuple(quote(c) for c in table.primary_key.columns)
        return ("rowid",)

    def unconvertible(
        self,
        column_sql: str,
        old: Column,
        new: Column,
        *,
        trial: bool = False,
        table: Table | None = None,
    ) -> str | None:
        from trueup.engines.sqlite.conversion import not_kept
        from trueup.model import Table

        # Judged by what the rebuild's INSERT stores, not by CAST (see the module).
        return not_kept(column_sql, new, table or Table(""))

    def uncastable(
        self, column_sql: str, old: Column, new: Column, table: Table, *, trial: bool = False
    ) -> str | None:
        from trueup.engines.sqlite.conversion import refused

        # Only a STRICT table or the rowid alias (INTEGER PRIMARY KEY) refuses a value;
        # others keep what their affinity cannot convert, as it is.
        return refused(column_sql, new, table)

    def probes(self, trial: Callable[[], bool]) -> ProbeSQL:
        from trueup.engines.sqlite.probes import SQLiteProbes

        return SQLiteProbes(self, trial)

    def kept_as_other_class(self, column_sql: str, new: Column, table: Table) -> str | None:
        from trueup.engines.sqlite.conversion import kept_as_other_class

        return kept_as_other_class(column_sql, new, table)

    def key_value(
        self, column_sql: str, old: Column, new: Column, collation: str | None, table: Table
    ) -> str:
        from trueup.engines.sqlite.conversion import column_affinity, stored
        from trueup.engines.sqlite.types import affinity

        # The value as the rebuild's INSERT stores it under the new type's affinity (a
        # STRICT table's ANY column keeps every value).
        value = column_sql
        after = column_affinity(new, table)
        if after is not None and after != affinity(old.type):
            value = stored(column_sql, after)
        # Always under an explicit collation: the column's own would otherwise apply (the
        # old one), and an expression has none.
        return f"{value} COLLATE {quote(collation or 'BINARY')}"

    def table_exists_sql(self) -> str:
        return "SELECT 1 FROM sqlite_schema WHERE name = ?"

    def auto_filled(self, table: Table, column: Column) -> bool:
        from trueup.engines.sqlite.rowid import rowid_alias

        # An INTEGER PRIMARY KEY of a rowid table is the rowid: every row has one already.
        return column.autoincrement or rowid_alias(table) == column.name

    def plan(
        self,
        changes: Sequence[Change],
        current: Schema,
        desired: Schema,
        extras: Extras = NO_EXTRAS,
    ) -> Plan:
        # SQLite has no owners, privileges or comments to lose when a table is rebuilt.
        from trueup.engines.sqlite import plan as planner

        return planner.plan(changes, current, desired)

    def render_schema(self, schema: Schema) -> list[str]:
        from trueup.engines.sqlite.render import schema_statements

        return schema_statements(schema)

    def script(self, plan: Plan) -> str:
        from trueup.plan import Phase, script_lines

        lines = [
            "PRAGMA foreign_keys = OFF;",
            *script_lines(plan.in_phase(Phase.BEFORE_TRANSACTION)),
        ]
        lines.append("BEGIN IMMEDIATE;")
        lines += script_lines(plan.in_phase(Phase.IN_TRANSACTION))
        for table in plan.checked_tables:
            lines.append(f"PRAGMA foreign_key_check({quote(table)});")
        lines += ["COMMIT;", *script_lines(plan.in_phase(Phase.AFTER_COMMIT))]
        lines.append("PRAGMA foreign_keys = ON;")
        return "\n".join(lines) + "\n"


def _syntax_error_offset(statement: str) -> int | None:
    """The offset of the token where SQLite's parser gives up: the shortest prefix of the
    statement that SQLite already reports as a syntax error ends with it. ``EXPLAIN`` on a
    private in-memory database prepares each prefix without running anything."""
    from trueup.engines.sqlite.lexer import tokenize

    tokens = [t for t in tokenize(statement) if t.text != ";"]
    probe = sqlite3.connect(":memory:")

    def broken(k: int) -> bool:
        try:
            probe.execute("EXPLAIN " + statement[: tokens[k].end])
        except sqlite3.Error as exc:
            text = str(exc)
            return "syntax error" in text or "unrecognized token" in text
        return False

    try:
        lo, hi = 0, len(tokens) - 1
        if hi < 0 or not broken(hi):
            return None
        while lo < hi:
            mid = (lo + hi) // 2
            if broken(mid):
                hi = mid
            else:
                lo = mid + 1
        return tokens[lo].start
    finally:
        probe.close()
