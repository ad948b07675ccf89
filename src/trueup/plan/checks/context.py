"""What every rule of the checks reads: the schema now, the engine's answers, the names the
plan's renames leave, the labels each enum has during the push, and the measurements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.engines.base import Dialect, Session
from trueup.model import Column, Schema, Table
from trueup.plan.checks.conditions import (
    CheckedTable,
    Condition,
    NotInEnum,
    NotKept,
    Refused,
)
from trueup.plan.checks.runner import Measurements
from trueup.plan.plan import Finding, Risk

if TYPE_CHECKING:
    from trueup.plan.checks import ClientDefaults


class Checks:
    """The state the rules share while they walk one plan's changes."""

    def __init__(
        self,
        current: Schema,
        session: Session,
        dialect: Dialect,
        client_defaults: ClientDefaults = frozenset(),
    ) -> None:
        self.current = current
        self.dialect = dialect
        self.hooks = dialect.hooks
        self.m = Measurements(session, dialect)
        # (schema, key of the declared name) -> name now
        self.table_names: dict[tuple[str | None, str], str] = {}
        # (schema, key of a table's declared name) -> {key of a declared column: name now}
        self.column_names: dict[tuple[str | None, str], dict[str, str]] = {}
        # The same -> {key of a declared column: (old, new)} for the columns it retypes
        self.retyped: dict[tuple[str | None, str], dict[str, tuple[Column, Column]]] = {}
        #: The values each enum takes during the push (its type's name -> values). A cast
        #: into an enum is judged by them, not tried: the type may not exist yet, and there
        #: may be no cast from another enum. A value added in the same push cannot
        #: be used before it commits, so a changed enum counts the values it keeps.
        self.enum_values: dict[str, tuple[str, ...]] = {
            dialect.enum_type_name(e.name, e.schema): tuple(e.values) for e in current.enums
        }
        self.client_defaults = client_defaults

    def column_now(self, schema: str | None, table: str, column: str) -> str:
        """The name a column of the declared table ``table`` has in the database now: the
        plan may rename it."""
        key = self.hooks.key
        return self.column_names.get((schema, key(table)), {}).get(key(column), column)

    def column_retyped(
        self, schema: str | None, table: str, column: str
    ) -> tuple[Column, Column] | None:
        """A column of the declared table ``table`` whose type the plan changes: its old
        and new column; None when the type stays."""
        key = self.hooks.key
        return self.retyped.get((schema, key(table)), {}).get(key(column))

    def not_kept(self, column: str, old: Column, new: Column, table: Table) -> Condition:
        """The values of ``column`` a type change would refuse or change: a cast into an
        enum by its labels, any other by the engine."""
        if (enum := self._enum(column, new)) is not None:
            return enum
        return NotKept(column, old, new, table)

    def refused(self, column: str, old: Column, new: Column, table: Table) -> Condition:
        """Among those, the values that make the change fail."""
        if (enum := self._enum(column, new)) is not None:
            return enum
        return Refused(column, old, new, table)

    def _enum(self, column: str, new: Column) -> Condition | None:
        values = self.enum_values.get(new.type.removesuffix("[]"))
        if values is None:
            return None
        return NotInEnum(column, values, array=new.type.endswith("[]"))

    # --- what most findings carry ------------------------------------------------------------

    def rows(self, table: CheckedTable) -> int | None:
        return self.m.rows(table)

    def count(self, table: CheckedTable, condition: Condition | None = None) -> int | None:
        return self.m.count(table, condition)

    def examples(self, table: CheckedTable, condition: Condition) -> tuple[object, ...]:
        return self.m.examples(table, condition)

    def key_label(self, table: CheckedTable) -> list[str]:
        pk = table.model.primary_key
        return list(pk.columns) if pk else ["rowid"]

    def measured(
        self,
        code: str,
        level: Risk,
        message: str,
        t: CheckedTable,
        count: int | None,
        examples: tuple[object, ...],
        column: str | None = None,
    ) -> list[Finding]:
        """A finding with its numbers: the table's rows, the count, the example keys."""
        return [
            Finding(
                code,
                level,
                message,
                table=t.name,
                column=column,
                rows=self.rows(t),
                count=count,
                examples=examples,
            )
        ]
