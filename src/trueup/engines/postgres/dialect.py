"""The PostgreSQL engine as the rest of trueup sees it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from trueup.engines.base import NO_EXTRAS, Dialect, Extras, Session, StatementError
from trueup.engines.postgres.engine import ENGINE
from trueup.engines.postgres.quoting import literal, quote
from trueup.engines.postgres.scratch import ScratchSession
from trueup.engines.postgres.session import PostgresSession
from trueup.engines.postgres.types import base_name, is_narrowing, modifiers

if TYPE_CHECKING:
    from trueup.diff.changes import Change
    from trueup.diff.differ import DiffHooks
    from trueup.engines.probes import ProbeSQL
    from trueup.engines.source_hooks import SourceHooks
    from trueup.model import Column, Schema, Table
    from trueup.plan import Plan
    from trueup.urls import DatabaseURL

# The planner and the differ's hooks are imported when first used: a push on a database
# that is in sync (every container start) opens a session and nothing more.

# Pieces of a script that may hold a ";" that does not end a statement.
_SCRIPT = re.compile(
    r"""
    --[^\n]*
  | /\*.*?(?:\*/|\Z)
  | [eE]?'(?:[^']|'')*'?
  | "(?:[^"]|"")*"?
  | \$(?P<tag>[A-Za-z_][A-Za-z_0-9]*|)\$.*?(?:\$(?P=tag)\$|\Z)
  | ;
  | [^-/'"$;eE]+
  | .
    """,
    re.VERBOSE | re.DOTALL,
)
_INT_RANGE = {"SMALLINT": 2**15, "INTEGER": 2**31, "BIGINT": 2**63}


class PostgresDialect(Dialect):
    name = ENGINE.name
    label = ENGINE.label
    capabilities = ENGINE.capabilities

    @cached_property
    def source_hooks(self) -> SourceHooks:  # type: ignore[override]
        # Read only when a declared schema is loaded: not on the quick path.
        from trueup.engines.postgres.source_hooks import PostgresSourceHooks

        return PostgresSourceHooks()

    @cached_property
    def hooks(self) -> DiffHooks:  # type: ignore[override]
        # PostgreSQL compares names exactly and names every constraint: the defaults.
        from trueup.diff.differ import DiffHooks

        return DiffHooks()

    def __init__(
        self, ignore: Callable[[str], bool] | None = None, *, concurrent_indexes: bool = False
    ) -> None:
        self.ignore = ignore
        self.concurrent_indexes = concurrent_indexes

    def connect(self, url: DatabaseURL, *, create: bool) -> PostgresSession:
        return PostgresSession.open(url, create=create, ignore=self.ignore)

    def remove_created(self, url: DatabaseURL) -> None:
        from trueup.engines.postgres.connection import drop_created_database

        drop_created_database(url)

    def scratch(self, url: DatabaseURL | None = None) -> Session:
        return ScratchSession.create(url)

    def scratch_in_place(self, url: DatabaseURL, namespaces: Sequence[str]) -> Session | None:
        from trueup.engines.postgres.live_scratch import LiveScratchSession

        return LiveScratchSession.create(url, namespaces)

    def split_statements(self, sql: str) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        start = 0
        for m in _SCRIPT.finditer(sql):
            if m.group(0) == ";":
                out.append((start, sql[start : m.end()]))
                start = m.end()
        if sql[start:].strip():
            out.append((start, sql[start:]))
        # Leading whitespace belongs to no statement: offsets point at the first word.
        trimmed = []
        for offset, text in out:
            lead = len(text) - len(text.lstrip())
            if text.strip():
                trimmed.append((offset + lead, text[lead:]))
        return trimmed

    def unmanaged_statement(self, words: list[str], statement: str) -> str | None:
        from trueup.engines.postgres.unmanaged_statements import unmanaged_statement

        return unmanaged_statement(words, statement)

    def locate_error(self, statement: str, error: Exception) -> StatementError:
        diag = getattr(error, "diag", None)
        message = str(error).strip()
        if diag is not None and diag.message_primary:
            message = diag.message_primary
        position = getattr(diag, "statement_position", None) if diag is not None else None
        offset = int(position) - 1 if position else None
        return StatementError(message, offset)

    def is_narrowing(self, old_type: str, new_type: str) -> bool:
        return is_narrowing(old_type, new_type)

    def quote(self, name: str) -> str:
        return quote(name)

    def literal(self, value: str) -> str:
        return literal(value)

    def enum_type_name(self, name: str, schema: str | None) -> str:
        from trueup.engines.postgres.render import type_name

        return type_name(name, schema)

    def row_key(self, table: Table) -> tuple[str, ...]:
        if table.primary_key is not None:
            return tuple(quote(c) for c in table.primary_key.columns)
        return ("ctid",)

    def prepare_checks(self, session: Session) -> bool:
        # A trial cast per value: cast to the new type and back, and compare. PostgreSQL 13
        # to 15 have no pg_input_is_valid, and a failing cast must not abort the push's
        # transaction, so the cast runs in a function that catches its own error. The
        # function is temporary: it lives in this session only (and a rolled-back
        # transaction takes it away).
        session.execute(
            "CREATE OR REPLACE FUNCTION pg_temp.trueup_cast(value text, old_type text, "
            "new_type text) RETURNS text LANGUAGE plpgsql AS $fn$\n"
            "DECLARE same boolean;\n"
            "BEGIN\n"
            "  EXECUTE format('SELECT (%L::%s)::%s::%s = %L::%s', value, old_type, new_type, "
            "old_type, value, old_type) INTO same;\n"
            "  RETURN CASE WHEN same THEN 'keeps' ELSE 'changes' END;\n"
            "EXCEPTION WHEN others THEN\n"
            "  RETURN 'fails';\n"
            "END\n$fn$"
        )
        return True

    def probes(self, trial: Callable[[], bool]) -> ProbeSQL:
        from trueup.engines.postgres.probes import PostgresProbes

        return PostgresProbes(self, trial)

    def _trial(self, column_sql: str, old: Column, new: Column) -> str:
        return f"pg_temp.trueup_cast({column_sql}::text, {literal(old.type)}, {literal(new.type)})"

    def uncastable(
        self, column_sql: str, old: Column, new: Column, table: Table, *, trial: bool = False
    ) -> str | None:
        # ALTER ... TYPE without USING converts by assignment, and an assignment to a
        # shorter VARCHAR / CHAR is an error where a cast (the trial's) cuts the text short.
        mods = modifiers(new.type)
        too_long = None
        if base_name(new.type) in ("VARCHAR", "CHAR") and mods and not new.type.endswith("[]"):
            too_long = f"length({column_sql}::text) > {mods[0]}"
        if trial:
            fails = f"{self._trial(column_sql, old, new)} = 'fails'"
            return fails if too_long is None else f"({too_long} OR {fails})"
        return too_long or self._known_unconvertible(column_sql, old, new)

    def unconvertible(
        self,
        column_sql: str,
        old: Column,
        new: Column,
        *,
        trial: bool = False,
        table: Table | None = None,
    ) -> str | None:
        """A condition for the values a type change would refuse or change: a direct test
        where one is known, else the trial cast made by ``prepare_checks``."""
        if trial:
            return f"{self._trial(column_sql, old, new)} <> 'keeps'"
        return self._known_unconvertible(column_sql, old, new)

    def _known_unconvertible(self, column_sql: str, old: Column, new: Column) -> str | None:
        """The cases PostgreSQL can tell without trying the cast."""
        ob, nb = base_name(old.type), base_name(new.type)
        mods = modifiers(new.type)
        if nb in ("VARCHAR", "CHAR") and mods:
            return f"length({column_sql}::text) > {mods[0]}"
        if nb in _INT_RANGE:
            limit = _INT_RANGE[nb]
            if ob in ("TEXT", "VARCHAR", "CHAR"):
                return f"{column_sql}::text !~ '^\\s*[-+]?[0-9]+\\s*$'"
            if ob in _INT_RANGE or ob in ("DECIMAL", "REAL", "DOUBLE PRECISION"):
                return (
                    f"({column_sql} < {-limit} OR {column_sql} > {limit - 1}"
                    f" OR {column_sql} <> trunc({column_sql}::numeric))"
                )
        if nb == "DECIMAL" and mods:
            digits = mods[0] - (mods[1] if len(mods) > 1 else 0)
            if ob in ("TEXT", "VARCHAR", "CHAR"):
                return None
            return f"abs({column_sql}::numeric) >= 1e{digits}"
        return None

    def auto_filled(self, table: Table, column: Column) -> bool:
        # A serial or identity column numbers the existing rows itself.
        return column.autoincrement or column.identity is not None

    def plan(
        self,
        changes: Sequence[Change],
        current: Schema,
        desired: Schema,
        extras: Extras = NO_EXTRAS,
    ) -> Plan:
        from trueup.engines.postgres import plan as planner

        return planner.plan(
            changes,
            current,
            desired,
            concurrent_indexes=self.concurrent_indexes,
            extras=extras,
        )

    def render_schema(self, schema: Schema) -> list[str]:
        from trueup.engines.postgres.render import schema_statements

        return schema_statements(schema)

    def script(self, plan: Plan) -> str:
        from trueup.plan import Phase, script_lines

        lines = script_lines(plan.in_phase(Phase.BEFORE_TRANSACTION))
        lines.append("BEGIN;")
        lines += script_lines(plan.in_phase(Phase.IN_TRANSACTION))
        lines.append("COMMIT;")
        if after := plan.in_phase(Phase.AFTER_COMMIT):
            lines.append("-- after the transaction: these cannot run inside one")
            lines += script_lines(after)
        return "\n".join(lines) + "\n"
