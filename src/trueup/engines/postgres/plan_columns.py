"""The steps that change one PostgreSQL column in place: type (with ``USING`` casts where
needed), default, nullability, identity, serial counters, what it is generated from, and
its comment.

The order matters: a default goes before a type change (it may not cast), a column must be
NOT NULL before it becomes an identity column, and a column that starts counting up has its
sequence moved past the values it already holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from trueup.diff import changes as ch
from trueup.engines.postgres.plan_steps import PlanBuilder, Stage, uses_enum
from trueup.engines.postgres.quoting import literal, qualified, quote
from trueup.engines.postgres.render import column_definition, comment_on_column, table_name
from trueup.engines.postgres.sequences import identity_clause, set_identity_options
from trueup.engines.postgres.types import INTEGERS, needs_using
from trueup.model import Column, Table

K = ch.ColumnChange


def modify_column(
    b: PlanBuilder, change: ch.ModifyTable, old: Column, new: Column, kind: ch.ColumnChange
) -> None:
    steps = _ColumnSteps(b, change, old, new, kind)
    if K.GENERATED in kind and new.generated is not None:
        # PostgreSQL cannot change what a column is computed from: make it again.
        steps.add(
            f"ALTER TABLE {steps.tn} DROP COLUMN {quote(old.name)}",
            f"drop generated column {steps.label}",
        )
        steps.add(
            f"ALTER TABLE {steps.tn} ADD COLUMN {column_definition(new)}",
            f"add generated column {steps.label}",
        )
        return
    steps.unset()
    steps.retype()
    steps.default_and_counter()
    becomes_identity = K.IDENTITY in kind and new.identity is not None and not old.identity
    if K.NULLABLE in kind and becomes_identity:
        # ADD GENERATED needs the column NOT NULL already; NULLs in it are a finding.
        steps.add(f"{steps.col} SET NOT NULL", f"{steps.label} is required")
    steps.identity()
    if K.NULLABLE in kind and not becomes_identity:
        steps.nullability()
    if K.COMMENT in kind:
        b.add(
            Stage.COMMENTS,
            comment_on_column(change.new, new),
            f"comment on column {steps.label}",
            change,
        )


@dataclass
class _ColumnSteps:
    b: PlanBuilder
    change: ch.ModifyTable
    old: Column
    new: Column
    kind: ch.ColumnChange

    def __post_init__(self) -> None:
        self.tn = table_name(self.change.new)
        self.col = f"ALTER TABLE {self.tn} ALTER COLUMN {quote(self.new.name)}"
        self.label = f"{self.change.new.name}.{self.new.name}"

    @property
    def retyped(self) -> bool:
        return bool(self.kind & (K.TYPE | K.COLLATION))

    def add(self, sql: str, comment: str) -> None:
        self.b.add(Stage.COLUMNS, sql, comment, self.change)

    def unset(self) -> None:
        """What goes before the new type and default: an expression, a default that may
        not cast or is not wanted, an identity, a serial's counter."""
        old, new, kind, col, label = self.old, self.new, self.kind, self.col, self.label
        if K.GENERATED in kind:
            self.add(f"{col} DROP EXPRESSION", f"{label} is no longer generated")
        # A default goes before a type change (it may not cast) or when none is wanted;
        # a changed one is simply set.
        unset = K.DEFAULT in kind and new.default is None and not old.autoincrement
        if old.default is not None and (self.retyped or unset):
            self.add(f"{col} DROP DEFAULT", f"drop the default of {label}")
        if K.IDENTITY in kind and old.identity is not None and new.identity is None:
            self.add(f"{col} DROP IDENTITY", f"{label} is no longer an identity column")
        if K.AUTOINCREMENT in kind and old.autoincrement:
            self.add(f"{col} DROP DEFAULT", f"{label} no longer counts up")
            self.add(
                "DO $$ BEGIN EXECUTE 'DROP SEQUENCE ' || "
                f"pg_get_serial_sequence({literal(self.tn)}, {literal(new.name)}); END $$",
                "drop its sequence",
            )

    def retype(self) -> None:
        if not self.retyped:
            return
        old, new = self.old, self.new
        self.add(retype(self.b, self.col, old, new), f"change the type of {self.label}")
        if old.autoincrement and new.autoincrement and K.TYPE in self.kind:
            # A serial's sequence has a type of its own (and its maximum with it): an
            # INTEGER id made BIGINT would still stop at 2^31 - 1.
            seq_type = new.type if new.type in ("SMALLINT", "INTEGER", "BIGINT") else None
            if seq_type is not None:
                self.add(
                    "DO $$ BEGIN EXECUTE 'ALTER SEQUENCE ' || "
                    f"pg_get_serial_sequence({literal(self.tn)}, {literal(new.name)}) || "
                    f"' AS {seq_type}'; END $$",
                    f"its sequence counts in {seq_type}",
                )

    def default_and_counter(self) -> None:
        new = self.new
        default_changed = K.DEFAULT in self.kind or self.retyped
        if new.default is not None and not new.autoincrement and default_changed:
            self.add(
                f"{self.col} SET DEFAULT {new.default.text}", f"set the default of {self.label}"
            )
        if K.AUTOINCREMENT in self.kind and new.autoincrement:
            serial(self.b, self.change.new, new, self.change)

    def identity(self) -> None:
        old, new, col, label = self.old, self.new, self.col, self.label
        if K.IDENTITY not in self.kind or new.identity is None:
            return
        if old.identity is None:
            self.add(f"{col} ADD {identity_clause(new)}", f"{label} becomes an identity column")
            self.add(restart(self.tn, new.name), "continue after the highest value")
            return
        if old.identity != new.identity:
            self.add(f"{col} SET GENERATED {new.identity}", f"{label} generated {new.identity}")
        if new.identity_options is not None and old.identity_options != new.identity_options:
            self.add(
                f"{col} {set_identity_options(new.identity_options)}",
                f"the identity sequence of {label}",
            )

    def nullability(self) -> None:
        new, col, label = self.new, self.col, self.label
        if new.nullable:
            self.add(f"{col} DROP NOT NULL", f"{label} may be NULL")
            return
        if new.default is not None or new.autoincrement or new.identity:
            self.add(
                f"UPDATE {self.tn} SET {quote(new.name)} = DEFAULT WHERE {quote(new.name)} IS NULL",
                f"fill the NULLs of {label} with its default",
            )
        self.add(f"{col} SET NOT NULL", f"{label} is required")


def retype(b: PlanBuilder, col: str, old: Column, new: Column) -> str:
    sql = f"{col} TYPE {new.type}"
    if new.collation:
        sql += f" COLLATE {quote(new.collation)}"
    if any(uses_enum(new.type, e) for e in b.desired.enums):
        # Into an enum through text: from text, and from another enum too (PostgreSQL
        # has no cast between two enum types).
        via = "text[]" if old.type.endswith("[]") else "text"
        sql += f" USING {quote(new.name)}::{via}::{new.type}"
    elif needs_using(old.type, new.type):
        sql += f" USING {quote(new.name)}::{new.type}"
    return sql


def restart(tn: str, column: str) -> str:
    """Move a column's sequence past the values already in the table."""
    return (
        f"SELECT setval(pg_get_serial_sequence({literal(tn)}, {literal(column)}), "
        f"COALESCE(max({quote(column)}), 0) + 1, false) FROM {tn}"
    )


def serial(b: PlanBuilder, t: Table, col: Column, change: ch.Change) -> None:
    """A column starts counting up: a sequence of its own, past the values it holds."""
    tn = table_name(t)
    seq_name = f"{t.name}_{col.name}_seq"[:63]
    seq = qualified(seq_name, t.schema)
    as_type = f" AS {col.type}" if col.type in INTEGERS else ""
    b.add(
        Stage.COLUMNS,
        f"CREATE SEQUENCE {seq}{as_type} OWNED BY {tn}.{quote(col.name)}",
        f"a sequence for {t.name}.{col.name}",
        change,
    )
    b.add(
        Stage.COLUMNS,
        f"ALTER TABLE {tn} ALTER COLUMN {quote(col.name)} SET DEFAULT nextval({literal(seq)})",
        f"{t.name}.{col.name} counts up",
        change,
    )
    b.add(Stage.COLUMNS, restart(tn, col.name), "continue after the highest value", change)
