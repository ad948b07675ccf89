"""Turn changes into PostgreSQL statements, all run in one transaction.

PostgreSQL changes tables in place (``ALTER TABLE``), so a plan is a sequence of phases
ordered so each statement finds what it needs and nothing it would trip over:

 1. drop the views that read something about to change (made again at the end)
 2. create schemas
 3. drop foreign keys (those removed, and those in the way of a key that changes)
 4. drop indexes, unique constraints, checks and primary keys that go
 5. renames (tables, columns, indexes, constraints)
 6. drop tables, then 7. drop columns
 8. enums: create, add values, recreate where values are removed or reordered; sequences:
    create and alter
 9. add and alter columns (type changes with ``USING`` casts where needed)
10. add primary keys, unique constraints and checks
11. create tables, 12. create indexes, 13. add foreign keys
14. drop enums and sequences, 15. create views, 16. comments

A view or enum type the plan drops and makes again gets back what the catalog held on the
old one besides what the model holds (a materialized view's indexes, its owner, privileges,
comment and options: see :mod:`trueup.engines.postgres.extras`), right after it is made.

With ``concurrent_indexes`` new indexes on existing tables are built ``CONCURRENTLY`` by steps
of the after-commit phase, so writes to a big table are not blocked while they build.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import assert_never

from trueup.diff import changes as ch
from trueup.engines.base import NO_EXTRAS, Extras
from trueup.engines.postgres.expressions import tokens
from trueup.engines.postgres.extras import give_back
from trueup.engines.postgres.quoting import literal, qualified, quote
from trueup.engines.postgres.render import (
    add_foreign_key,
    check_clause,
    column_definition,
    comment_on_column,
    comment_on_table,
    create_enum,
    create_extension,
    create_index,
    create_table,
    create_view,
    drop_index,
    drop_view,
    primary_key_clause,
    table_name,
    type_name,
    unique_clause,
    views_in_order,
)
from trueup.engines.postgres.sequences import (
    alter_sequence,
    create_sequence,
    identity_clause,
    set_identity_options,
)
from trueup.engines.postgres.types import INTEGERS, needs_using
from trueup.errors import UnsupportedChange
from trueup.model import Column, Enum, ForeignKey, Index, Schema, Table, View
from trueup.plan import Phase, Plan, Step


class Stage(enum.Enum):
    """Where a step goes in the plan: stages run in this order."""

    DROP_VIEWS = enum.auto()
    SCHEMAS = enum.auto()
    EXTENSIONS = enum.auto()
    DROP_FOREIGN_KEYS = enum.auto()
    DROP_INDEXES = enum.auto()
    RENAMES = enum.auto()
    DROP_TABLES = enum.auto()
    DROP_COLUMNS = enum.auto()
    DROP_REPLACED_ENUMS = enum.auto()
    ENUMS = enum.auto()
    SEQUENCES = enum.auto()
    COLUMNS = enum.auto()
    KEYS = enum.auto()
    CREATE_TABLES = enum.auto()
    CREATE_INDEXES = enum.auto()
    ADD_FOREIGN_KEYS = enum.auto()
    DROP_ENUMS = enum.auto()
    DROP_SEQUENCES = enum.auto()
    CREATE_VIEWS = enum.auto()
    COMMENTS = enum.auto()
    VALIDATE_FOREIGN_KEYS = enum.auto()


def plan(
    changes: Sequence[ch.Change],
    current: Schema,
    desired: Schema,
    *,
    concurrent_indexes: bool = False,
    extras: Extras = NO_EXTRAS,
) -> Plan:
    return _Planner(current, desired, concurrent_indexes, extras).run(tuple(changes))


def _fk_key(fk: ForeignKey) -> object:
    return (
        fk.columns,
        fk.ref_table,
        fk.ref_schema,
        fk.ref_columns,
        fk.on_delete,
        fk.on_update,
        fk.deferral,
    )


def _link(fk: ForeignKey) -> object:
    return (fk.columns, fk.ref_table, fk.ref_schema, fk.ref_columns)


def _new_link(fk: ForeignKey, change: ch.ModifyTable) -> bool:
    """Whether ``fk`` links columns to a parent they were not linked to (not a key whose
    actions alone change: the rows met the old one)."""
    dropped = {_link(x.foreign_key) for x in change.changes if isinstance(x, ch.DropForeignKey)}
    return _link(fk) not in dropped


def _index_key(idx: Index) -> object:
    return replace(idx, name=None)


def _uses_enum(col_type: str, enum: Enum) -> bool:
    base = col_type[:-2] if col_type.endswith("[]") else col_type
    return base in (type_name(enum.name, enum.schema), qualified(enum.name, enum.schema))


@dataclass
class _Planner:
    current: Schema
    desired: Schema
    concurrent_indexes: bool
    #: What the current objects have besides the model, given back to those made again.
    extras: Extras = field(default_factory=dict)
    stages: dict[Stage, list[Step]] = field(default_factory=lambda: {s: [] for s in Stage})
    #: Enums dropped and created again under the same name (a reset): the old type must go
    #: before the new one is made, once the tables that used it are gone.
    replaced_enums: set[tuple[str | None, str]] = field(default_factory=set)
    #: Column types the plan casts columns into from another type.
    cast_into: set[str] = field(default_factory=set)

    def add(self, stage: Stage, sql: str, comment: str, change: ch.Change | None) -> None:
        self.stages[stage].append(Step(sql, comment, change, stage is Stage.VALIDATE_FOREIGN_KEYS))

    def give_back(
        self,
        stage: Stage,
        key: tuple[str, str | None, str],
        kind: str,
        change: ch.Change | None,
        *,
        same_columns: bool = True,
        same_kind: bool = True,
    ) -> None:
        """The steps that give the object ``key`` (made again, as a ``kind``) its indexes,
        owner, privileges, comment and options back. Options and indexes are a kind's own
        (a view's options are not a materialized view's, and a view has no indexes), and go
        only to an object of the same kind."""
        extras = self.extras.get(key)
        if extras is None:
            return
        if not same_kind:
            extras = replace(extras, options=(), indexes=())
        name = qualified(key[2], key[1])
        for sql, comment in give_back(
            kind, name, key[2], extras, same_columns=same_columns, schema=key[1]
        ):
            self.add(stage, sql, comment, change)

    def run(self, changes: tuple[ch.Change, ...]) -> Plan:
        modified = [c for c in changes if isinstance(c, ch.ModifyTable)]
        dropped = [c.table for c in changes if isinstance(c, ch.DropTable)]
        self.replaced_enums = {
            (c.enum.schema, c.enum.name) for c in changes if isinstance(c, ch.AddEnum)
        }
        self.cast_into = {
            p.new.type
            for m in modified
            for p in m.changes
            if isinstance(p, ch.ModifyColumn) and ch.ColumnChange.TYPE in p.kind
        }
        self.views(changes, modified, dropped)
        for change in changes:
            self.change(change, dropped)
        self.keys_in_the_way(modified, dropped)
        steps = tuple(s for p in Phase for t in Stage for s in self.stages[t] if s.phase is p)
        return Plan(dialect="postgresql", changes=changes, steps=steps)

    # --- one change -------------------------------------------------------------------------

    def change(self, change: ch.Change, dropped: list[Table]) -> None:
        match change:
            case ch.AddNamespace(name=ns):
                self.add(
                    Stage.SCHEMAS,
                    f"CREATE SCHEMA IF NOT EXISTS {quote(ns)}",
                    f"create schema {ns}",
                    change,
                )
            case ch.AddExtension(extension=e):
                self.add(
                    Stage.EXTENSIONS, create_extension(e), f"create extension {e.name}", change
                )
            case ch.AddEnum(enum=e):
                self.add(Stage.ENUMS, create_enum(e), f"create enum {e.name}", change)
            case ch.DropEnum(enum=e):
                replaced = (e.schema, e.name) in self.replaced_enums
                self.add(
                    Stage.DROP_REPLACED_ENUMS if replaced else Stage.DROP_ENUMS,
                    f"DROP TYPE {qualified(e.name, e.schema)}",
                    f"drop enum {e.name}",
                    change,
                )
            case ch.ModifyEnum(old=old, new=new):
                self.modify_enum(change, old, new, dropped)
            case ch.AddSequence(sequence=seq):
                self.add(
                    Stage.SEQUENCES, create_sequence(seq), f"create sequence {seq.name}", change
                )
            case ch.ModifySequence(new=seq):
                self.add(Stage.SEQUENCES, alter_sequence(seq), f"alter sequence {seq.name}", change)
            case ch.DropSequence(sequence=seq):
                self.add(
                    Stage.DROP_SEQUENCES,
                    f"DROP SEQUENCE {qualified(seq.name, seq.schema)}",
                    f"drop sequence {seq.name}",
                    change,
                )
            case ch.AddTable(table=t):
                self.add_table(change, t)
            case ch.DropTable(table=t):
                for fk in t.foreign_keys:
                    # A foreign key between two dropped tables would stop the first DROP.
                    if any(
                        d.name == fk.ref_table and d.schema == fk.ref_schema and d is not t
                        for d in dropped
                    ):
                        self.drop_constraint(Stage.DROP_FOREIGN_KEYS, t, fk.name, change)
                self.add(
                    Stage.DROP_TABLES, f"DROP TABLE {table_name(t)}", f"drop table {t.name}", change
                )
            case ch.RenameTable(old=old, new_name=new_name):
                self.add(
                    Stage.RENAMES,
                    f"ALTER TABLE {table_name(old)} RENAME TO {quote(new_name)}",
                    f"rename table {old.name} to {new_name}",
                    change,
                )
            case ch.ModifyTable():
                self.modify_table(change)
            case ch.AddView() | ch.DropView() | ch.ModifyView():
                pass  # handled with the views that depend on changed tables
            case (
                ch.AddTrigger()
                | ch.DropTrigger()
                | ch.ModifyTrigger()
                | ch.AddVirtualTable()
                | ch.DropVirtualTable()
                | ch.ModifyVirtualTable()
            ):
                raise UnsupportedChange(
                    "trueup does not manage triggers or virtual tables on PostgreSQL.",
                    hint="Leave them out of the declared schema; existing ones are left alone.",
                )
            case _:
                assert_never(change)

    def add_table(self, change: ch.Change, t: Table) -> None:
        self.add(Stage.CREATE_TABLES, create_table(t), f"create table {t.name}", change)
        for idx in t.indexes:
            if not idx.constraint:
                self.add(
                    Stage.CREATE_INDEXES, create_index(idx, t), f"create index {idx.name}", change
                )
        for fk in t.foreign_keys:
            self.add(
                Stage.ADD_FOREIGN_KEYS, add_foreign_key(t, fk), f"add foreign key {fk.name}", change
            )
        if t.comment is not None:
            self.add(Stage.COMMENTS, comment_on_table(t), f"comment on table {t.name}", change)
        for col in t.columns:
            if col.comment is not None:
                self.add(
                    Stage.COMMENTS,
                    comment_on_column(t, col),
                    f"comment on column {t.name}.{col.name}",
                    change,
                )

    def drop_constraint(
        self, stage: Stage, t: Table, name: str | None, change: ch.Change | None
    ) -> None:
        assert name is not None, "PostgreSQL names every constraint"
        self.add(
            stage,
            f"ALTER TABLE {table_name(t)} DROP CONSTRAINT {quote(name)}",
            f"drop constraint {name} of {t.name}",
            change,
        )

    # --- tables -------------------------------------------------------------------------------

    def modify_table(self, change: ch.ModifyTable) -> None:
        t = change.new
        tn = table_name(t)
        parts = list(change.changes)
        # A constraint that only changed its name is renamed, not dropped and added.
        renamed: list[tuple[str, str]] = []
        for drop in [
            p for p in parts if isinstance(p, ch.DropForeignKey | ch.DropCheck | ch.DropIndex)
        ]:
            for add in parts:
                pair = self._same_but_name(drop, add)
                if pair is not None:
                    renamed.append(pair)
                    parts.remove(drop)
                    parts.remove(add)
                    break
        for old_name, new_name in renamed:
            self.add(
                Stage.RENAMES,
                f"ALTER TABLE {tn} RENAME CONSTRAINT {quote(old_name)} TO {quote(new_name)}",
                f"rename constraint {old_name} to {new_name}",
                change,
            )
        for part in parts:
            match part:
                case ch.RenameColumn(old=o, new=n):
                    self.add(
                        Stage.RENAMES,
                        f"ALTER TABLE {tn} RENAME COLUMN {quote(o)} TO {quote(n)}",
                        f"rename column {t.name}.{o} to {n}",
                        change,
                    )
                case ch.AddColumn(column=c):
                    self.add(
                        Stage.COLUMNS,
                        f"ALTER TABLE {tn} ADD COLUMN {column_definition(c)}",
                        f"add column {t.name}.{c.name}",
                        change,
                    )
                    if c.comment is not None:
                        self.add(
                            Stage.COMMENTS,
                            comment_on_column(t, c),
                            f"comment on column {t.name}.{c.name}",
                            change,
                        )
                case ch.DropColumn(column=c):
                    self.add(
                        Stage.DROP_COLUMNS,
                        f"ALTER TABLE {tn} DROP COLUMN {quote(c.name)}",
                        f"drop column {t.name}.{c.name}",
                        change,
                    )
                case ch.ModifyColumn(old=old, new=new, kind=kind):
                    self.modify_column(change, old, new, kind)
                case ch.ModifyPrimaryKey(old=old_pk, new=new_pk):
                    if part.renamed_only and old_pk is not None and new_pk is not None:
                        self.add(
                            Stage.RENAMES,
                            f"ALTER TABLE {tn} RENAME CONSTRAINT {quote(old_pk.name or '')} "
                            f"TO {quote(new_pk.name or '')}",
                            "rename the primary key",
                            change,
                        )
                        continue
                    if old_pk is not None:
                        self.drop_constraint(Stage.DROP_INDEXES, t, old_pk.name, change)
                    if new_pk is not None:
                        self.add(
                            Stage.KEYS,
                            f"ALTER TABLE {tn} ADD {primary_key_clause(new_pk)}",
                            f"add the primary key of {t.name}",
                            change,
                        )
                case ch.AddIndex(index=idx):
                    if idx.constraint:
                        self.add(
                            Stage.KEYS,
                            f"ALTER TABLE {tn} ADD {unique_clause(idx)}",
                            f"add unique constraint {idx.name}",
                            change,
                        )
                    elif self.concurrent_indexes:
                        self.stages[Stage.CREATE_INDEXES].append(
                            Step(
                                create_index(idx, t, concurrently=True),
                                f"create index {idx.name}, without blocking writes",
                                change,
                                phase=Phase.AFTER_COMMIT,
                                part=part,
                            )
                        )
                    else:
                        self.add(
                            Stage.CREATE_INDEXES,
                            create_index(idx, t),
                            f"create index {idx.name}",
                            change,
                        )
                case ch.DropIndex(index=idx):
                    if idx.constraint:
                        self.drop_constraint(Stage.DROP_INDEXES, t, idx.name, change)
                    else:
                        self.add(
                            Stage.DROP_INDEXES,
                            drop_index(idx, t.schema),
                            f"drop index {idx.name}",
                            change,
                        )
                case ch.RenameIndex(old=o, new=n):
                    self.add(
                        Stage.RENAMES,
                        f"ALTER INDEX {qualified(o.name or '', t.schema)} "
                        f"RENAME TO {quote(n.name or '')}",
                        f"rename index {o.name} to {n.name}",
                        change,
                    )
                case ch.AddForeignKey(foreign_key=fk) if fk.name and _new_link(fk, change):
                    # Over rows already there: checked once the data steps have run (they
                    # may make the parent rows), and rows without a parent have been
                    # counted (trueup.orphans).
                    self.add(
                        Stage.ADD_FOREIGN_KEYS,
                        add_foreign_key(t, fk) + " NOT VALID",
                        f"add foreign key {fk.name}, checked at the end",
                        change,
                    )
                    self.add(
                        Stage.VALIDATE_FOREIGN_KEYS,
                        f"ALTER TABLE {tn} VALIDATE CONSTRAINT {quote(fk.name)}",
                        f"check foreign key {fk.name}",
                        change,
                    )
                case ch.AddForeignKey(foreign_key=fk):
                    self.add(
                        Stage.ADD_FOREIGN_KEYS,
                        add_foreign_key(t, fk),
                        f"add foreign key {fk.name}",
                        change,
                    )
                case ch.DropForeignKey(foreign_key=fk):
                    self.drop_constraint(Stage.DROP_FOREIGN_KEYS, t, fk.name, change)
                case ch.AddCheck(check=c):
                    self.add(
                        Stage.KEYS,
                        f"ALTER TABLE {tn} ADD {check_clause(c)}",
                        f"add check {c.name}",
                        change,
                    )
                case ch.DropCheck(check=c):
                    self.drop_constraint(Stage.DROP_INDEXES, t, c.name, change)
                case ch.ModifyTableOptions():
                    raise UnsupportedChange("PostgreSQL tables have no options trueup manages.")
                case ch.ModifyTableComment():
                    self.add(
                        Stage.COMMENTS,
                        comment_on_table(change.new),
                        f"comment on table {tn}",
                        change,
                    )
                case _:
                    assert_never(part)

    @staticmethod
    def _same_but_name(drop: ch.TableChange, add: ch.TableChange) -> tuple[str, str] | None:
        match drop, add:
            case ch.DropForeignKey(foreign_key=a), ch.AddForeignKey(foreign_key=b):
                same = _fk_key(a) == _fk_key(b)
            case ch.DropCheck(check=a), ch.AddCheck(check=b):
                same = a.expression == b.expression
            case ch.DropIndex(index=a), ch.AddIndex(index=b):
                same = a.constraint and b.constraint and _index_key(a) == _index_key(b)
            case _:
                return None
        old_name, new_name = getattr(a, "name", None), getattr(b, "name", None)
        if same and old_name and new_name and old_name != new_name:
            return (old_name, new_name)
        return None

    def modify_column(
        self, change: ch.ModifyTable, old: Column, new: Column, kind: ch.ColumnChange
    ) -> None:
        t = change.new
        tn = table_name(t)
        col = f"ALTER TABLE {tn} ALTER COLUMN {quote(new.name)}"
        label = f"{t.name}.{new.name}"
        K = ch.ColumnChange

        def add(sql: str, comment: str) -> None:
            self.add(Stage.COLUMNS, sql, comment, change)

        if K.GENERATED in kind and new.generated is not None:
            # PostgreSQL cannot change what a column is computed from: make it again.
            add(f"ALTER TABLE {tn} DROP COLUMN {quote(old.name)}", f"drop generated column {label}")
            add(
                f"ALTER TABLE {tn} ADD COLUMN {column_definition(new)}",
                f"add generated column {label}",
            )
            return
        if K.GENERATED in kind:
            add(f"{col} DROP EXPRESSION", f"{label} is no longer generated")
        retyped = bool(kind & (K.TYPE | K.COLLATION))
        default_changed = K.DEFAULT in kind or retyped
        # A default goes before a type change (it may not cast) or when none is wanted;
        # a changed one is simply set.
        unset = K.DEFAULT in kind and new.default is None and not old.autoincrement
        if old.default is not None and (retyped or unset):
            add(f"{col} DROP DEFAULT", f"drop the default of {label}")
        if K.IDENTITY in kind and old.identity is not None and new.identity is None:
            add(f"{col} DROP IDENTITY", f"{label} is no longer an identity column")
        if K.AUTOINCREMENT in kind and old.autoincrement:
            add(f"{col} DROP DEFAULT", f"{label} no longer counts up")
            add(
                "DO $$ BEGIN EXECUTE 'DROP SEQUENCE ' || "
                f"pg_get_serial_sequence({literal(tn)}, {literal(new.name)}); END $$",
                "drop its sequence",
            )
        if retyped:
            add(self.retype(col, old, new), f"change the type of {label}")
            if old.autoincrement and new.autoincrement and K.TYPE in kind:
                # A serial's sequence has a type of its own (and its maximum with it): an
                # INTEGER id made BIGINT would still stop at 2^31 - 1.
                seq_type = new.type if new.type in ("SMALLINT", "INTEGER", "BIGINT") else None
                if seq_type is not None:
                    add(
                        "DO $$ BEGIN EXECUTE 'ALTER SEQUENCE ' || "
                        f"pg_get_serial_sequence({literal(tn)}, {literal(new.name)}) || "
                        f"' AS {seq_type}'; END $$",
                        f"its sequence counts in {seq_type}",
                    )
        if new.default is not None and not new.autoincrement and default_changed:
            add(f"{col} SET DEFAULT {new.default.text}", f"set the default of {label}")
        if K.AUTOINCREMENT in kind and new.autoincrement:
            self.serial(t, new, change)
        becomes_identity = K.IDENTITY in kind and new.identity is not None and not old.identity
        if K.NULLABLE in kind and becomes_identity:
            # ADD GENERATED needs the column NOT NULL already; NULLs in it are a finding.
            add(f"{col} SET NOT NULL", f"{label} is required")
        if K.IDENTITY in kind and new.identity is not None:
            if old.identity is not None:
                if old.identity != new.identity:
                    add(f"{col} SET GENERATED {new.identity}", f"{label} generated {new.identity}")
                if (
                    new.identity_options is not None
                    and old.identity_options != new.identity_options
                ):
                    add(
                        f"{col} {set_identity_options(new.identity_options)}",
                        f"the identity sequence of {label}",
                    )
            else:
                add(f"{col} ADD {identity_clause(new)}", f"{label} becomes an identity column")
                add(self.restart(tn, new.name), "continue after the highest value")
        if K.NULLABLE in kind and not becomes_identity:
            if new.nullable:
                add(f"{col} DROP NOT NULL", f"{label} may be NULL")
            else:
                if new.default is not None or new.autoincrement or new.identity:
                    add(
                        f"UPDATE {tn} SET {quote(new.name)} = DEFAULT "
                        f"WHERE {quote(new.name)} IS NULL",
                        f"fill the NULLs of {label} with its default",
                    )
                add(f"{col} SET NOT NULL", f"{label} is required")
        if K.COMMENT in kind:
            self.add(
                Stage.COMMENTS, comment_on_column(t, new), f"comment on column {label}", change
            )

    def retype(self, col: str, old: Column, new: Column) -> str:
        sql = f"{col} TYPE {new.type}"
        if new.collation:
            sql += f" COLLATE {quote(new.collation)}"
        if any(_uses_enum(new.type, e) for e in self.desired.enums):
            # Into an enum through text: from text, and from another enum too (PostgreSQL
            # has no cast between two enum types).
            via = "text[]" if old.type.endswith("[]") else "text"
            sql += f" USING {quote(new.name)}::{via}::{new.type}"
        elif needs_using(old.type, new.type):
            sql += f" USING {quote(new.name)}::{new.type}"
        return sql

    @staticmethod
    def restart(tn: str, column: str) -> str:
        """Move a column's sequence past the values already in the table."""
        return (
            f"SELECT setval(pg_get_serial_sequence({literal(tn)}, {literal(column)}), "
            f"COALESCE(max({quote(column)}), 0) + 1, false) FROM {tn}"
        )

    def serial(self, t: Table, col: Column, change: ch.Change) -> None:
        tn = table_name(t)
        seq_name = f"{t.name}_{col.name}_seq"[:63]
        seq = qualified(seq_name, t.schema)
        as_type = f" AS {col.type}" if col.type in INTEGERS else ""
        self.add(
            Stage.COLUMNS,
            f"CREATE SEQUENCE {seq}{as_type} OWNED BY {tn}.{quote(col.name)}",
            f"a sequence for {t.name}.{col.name}",
            change,
        )
        self.add(
            Stage.COLUMNS,
            f"ALTER TABLE {tn} ALTER COLUMN {quote(col.name)} SET DEFAULT nextval({literal(seq)})",
            f"{t.name}.{col.name} counts up",
            change,
        )
        self.add(
            Stage.COLUMNS, self.restart(tn, col.name), "continue after the highest value", change
        )

    # --- enums --------------------------------------------------------------------------------

    def modify_enum(self, change: ch.Change, old: Enum, new: Enum, dropped: list[Table]) -> None:
        name = qualified(old.name, old.schema)
        added = [v for v in new.values if v not in old.values]
        kept_order = [v for v in new.values if v in old.values] == list(old.values)
        if kept_order and not self.new_values_used(new, added):
            for v in added:
                pos = new.values.index(v)
                where = ""
                if pos > 0 and pos + 1 < len(new.values):
                    where = f" AFTER {literal(new.values[pos - 1])}"
                elif pos == 0 and old.values:
                    where = f" BEFORE {literal(old.values[0])}"
                self.add(
                    Stage.ENUMS,
                    f"ALTER TYPE {name} ADD VALUE {literal(v)}{where}",
                    f"add value {v} to enum {old.name}",
                    change,
                )
            return
        # Values go away (or change order): a new type, every column cast to it by text.
        # Rows still holding a removed value make the cast, and so the push, fail.
        temp = f"{old.name}_old"
        taken = {e.name for e in self.current.enums} | {e.name for e in self.desired.enums}
        while temp in taken:
            temp = "_" + temp
        self.add(
            Stage.ENUMS,
            f"ALTER TYPE {name} RENAME TO {quote(temp)}",
            f"recreate enum {old.name}",
            change,
        )
        self.add(Stage.ENUMS, create_enum(new), "", change)
        self.give_back(Stage.ENUMS, ("type", old.schema, old.name), "TYPE", change)
        gone = {(d.schema, d.name) for d in dropped}
        for table, col in self.enum_columns(old):
            if (table.schema, table.name) in gone:
                continue
            tn = table_name(table)
            alter = f"ALTER TABLE {tn} ALTER COLUMN {quote(col.name)}"
            if col.default is not None:
                self.add(Stage.ENUMS, f"{alter} DROP DEFAULT", "", change)
            via = "text[]" if col.type.endswith("[]") else "text"
            self.add(
                Stage.ENUMS,
                f"{alter} TYPE {col.type} USING {quote(col.name)}::{via}::{col.type}",
                f"cast {table.name}.{col.name} to the new enum",
                change,
            )
            target = self.desired.table(table.name, table.schema)
            kept = target.column(col.name) if target else None
            if kept is not None and kept.default is not None:
                self.add(Stage.ENUMS, f"{alter} SET DEFAULT {kept.default.text}", "", change)
        self.add(Stage.ENUMS, f"DROP TYPE {qualified(temp, old.schema)}", "", change)

    def new_values_used(self, enum: Enum, added: list[str]) -> bool:
        """Whether a declared default names a value added now, or a column is cast into
        the enum while values are added (its rows may hold them): PostgreSQL refuses a value
        added in the same transaction, so then the type is made anew instead."""
        if added and any(_uses_enum(t, enum) for t in self.cast_into):
            return True
        words = {literal(v) for v in added}
        for t in self.desired.tables:
            for c in t.columns:
                default = c.default
                if _uses_enum(c.type, enum) and default and words & set(tokens(default.text)):
                    return True
        return False

    def enum_columns(self, enum: Enum) -> list[tuple[Table, Column]]:
        """The columns of the enum's type, as they are when the enum phase runs: current
        tables under their new names, dropped columns left out."""
        out: list[tuple[Table, Column]] = []
        renames: dict[tuple[str | None, str], str] = {}
        column_renames: dict[tuple[str | None, str, str], str] = {}
        dropped_cols: set[tuple[str | None, str, str]] = set()
        for step in self.stages[Stage.RENAMES] + self.stages[Stage.DROP_COLUMNS]:
            c = step.change
            if isinstance(c, ch.RenameTable):
                renames[(c.old.schema, c.old.name)] = c.new_name
        for t in self.current.tables:
            name = renames.get((t.schema, t.name), t.name)
            for mt in self._modified(name, t.schema):
                for p in mt.changes:
                    if isinstance(p, ch.RenameColumn):
                        column_renames[(t.schema, name, p.old)] = p.new
                    if isinstance(p, ch.DropColumn):
                        dropped_cols.add((t.schema, name, p.column.name))
            for col in t.columns:
                if not _uses_enum(col.type, enum):
                    continue
                col_name = column_renames.get((t.schema, name, col.name), col.name)
                if (t.schema, name, col_name) in dropped_cols:
                    continue
                out.append((replace(t, name=name), replace(col, name=col_name)))
        return out

    def _modified(self, name: str, schema: str | None) -> list[ch.ModifyTable]:
        return [
            c
            for p in Stage
            for s in self.stages[p]
            if isinstance(c := s.change, ch.ModifyTable)
            and c.new.name == name
            and c.new.schema == schema
        ][:1]

    # --- keys other tables' foreign keys depend on --------------------------------------------

    def keys_in_the_way(self, modified: list[ch.ModifyTable], dropped: list[Table]) -> None:
        """A primary key or unique constraint cannot be dropped while a foreign key uses it,
        and a column of a foreign key (on either side) cannot change its type while the key
        holds (the two types would no longer match half way): such foreign keys are dropped
        first and added again at the end."""
        going: set[tuple[str | None, str, tuple[str, ...]]] = set()
        retyped: set[tuple[str | None, str, str]] = set()
        for m in modified:
            for p in m.changes:
                if isinstance(p, ch.ModifyPrimaryKey) and p.old is not None:
                    if p.new is None or p.new.columns != p.old.columns:
                        going.add((m.new.schema, m.new.name, p.old.columns))
                elif isinstance(p, ch.DropIndex) and p.index.unique:
                    going.add((m.new.schema, m.new.name, p.index.columns))
                elif isinstance(p, ch.ModifyColumn) and ch.ColumnChange.TYPE in p.kind:
                    retyped.add((m.old.schema, m.old.name, p.old.name))
        if not going and not retyped:
            return
        already = {
            (s.change.new.schema, s.change.new.name, s.sql)
            for s in self.stages[Stage.DROP_FOREIGN_KEYS]
            if isinstance(s.change, ch.ModifyTable)
        }
        gone = {(t.schema, t.name) for t in dropped}
        for t in self.current.tables:
            if (t.schema, t.name) in gone:
                continue
            for fk in t.foreign_keys:
                in_the_way = (
                    (fk.ref_schema, fk.ref_table, fk.ref_columns) in going
                    or any((t.schema, t.name, c) in retyped for c in fk.columns)
                    or any((fk.ref_schema, fk.ref_table, c) in retyped for c in fk.ref_columns)
                )
                if not in_the_way:
                    continue
                sql = f"ALTER TABLE {table_name(t)} DROP CONSTRAINT {quote(fk.name or '')}"
                if (t.schema, t.name, sql) in already:
                    continue
                self.add(
                    Stage.DROP_FOREIGN_KEYS, sql, f"drop {fk.name} while its key changes", None
                )
                target = self.desired.table(t.name, t.schema)
                if target is not None and fk in target.foreign_keys:
                    self.add(
                        Stage.ADD_FOREIGN_KEYS,
                        add_foreign_key(target, fk),
                        f"add {fk.name} again",
                        None,
                    )

    # --- views --------------------------------------------------------------------------------

    def views(
        self, changes: tuple[ch.Change, ...], modified: list[ch.ModifyTable], dropped: list[Table]
    ) -> None:
        """Views are dropped when they go or change, and also (to be made again from the
        declared schema) when they read a table whose columns change or that is dropped:
        PostgreSQL refuses those changes under a view."""
        drops: dict[tuple[str | None, str], View] = {}
        creates: dict[tuple[str | None, str], tuple[View, ch.Change | None]] = {}
        for c in changes:
            match c:
                case ch.DropView(view=v):
                    drops[(v.schema, v.name)] = v
                case ch.AddView(view=v):
                    creates[(v.schema, v.name)] = (v, c)
                case ch.ModifyView(old=o, new=n):
                    drops[(o.schema, o.name)] = o
                    creates[(n.schema, n.name)] = (n, c)
        touched = {t.name for t in dropped}
        for m in modified:
            if any(
                isinstance(p, ch.DropColumn | ch.RenameColumn)
                or (
                    isinstance(p, ch.ModifyColumn)
                    and p.kind
                    & (ch.ColumnChange.TYPE | ch.ColumnChange.COLLATION | ch.ColumnChange.GENERATED)
                )
                for p in m.changes
            ):
                touched.add(m.old.name)
        wanted = {(v.schema, v.name): v for v in self.desired.views}
        grown = True
        while grown:
            grown = False
            names = touched | {v.name for v in drops.values()}
            for v in self.current.views:
                k = (v.schema, v.name)
                if k in drops:
                    continue
                words = set(tokens(v.definition.text))
                if any(n.lower() in words or quote(n) in words for n in names):
                    drops[k] = v
                    if k in wanted and k not in creates:
                        creates[k] = (wanted[k], None)
                    grown = True
        sources: dict[tuple[str | None, str], ch.Change] = {}
        for c in changes:
            if isinstance(c, ch.DropView):
                sources[(c.view.schema, c.view.name)] = c
            elif isinstance(c, ch.ModifyView):
                sources[(c.old.schema, c.old.name)] = c
        for v in reversed(views_in_order(list(drops.values()))):
            change = sources.get((v.schema, v.name))
            self.add(Stage.DROP_VIEWS, drop_view(v), f"drop view {v.name}", change)
        ordered = views_in_order([v for v, _ in creates.values()])
        for v in ordered:
            k = (v.schema, v.name)
            _, change = creates[k]
            self.add(Stage.CREATE_VIEWS, create_view(v), f"create view {v.name}", change)
            old = drops.get(k)
            if old is not None:  # made again: what it had goes back on it
                kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
                same_kind = old.materialized == v.materialized
                self.give_back(
                    Stage.CREATE_VIEWS,
                    ("relation", *k),
                    kind,
                    change,
                    same_columns=same_kind and old.definition == v.definition,
                    same_kind=same_kind,
                )
