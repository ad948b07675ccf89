"""Turn changes into PostgreSQL statements, run in one transaction.

PostgreSQL changes tables in place (``ALTER TABLE``), so a plan is a sequence of stages
(:class:`~trueup.engines.postgres.plan_steps.Stage`) ordered so each statement finds what it
needs and nothing it would trip over:

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

from collections.abc import Sequence
from typing import assert_never

from trueup.diff import changes as ch
from trueup.engines.base import NO_EXTRAS, Extras
from trueup.engines.postgres.plan_dependents import keys_in_the_way, views
from trueup.engines.postgres.plan_enums import modify_enum
from trueup.engines.postgres.plan_steps import PlanBuilder, Stage
from trueup.engines.postgres.plan_tables import add_table, drop_table, modify_table
from trueup.engines.postgres.quoting import qualified, quote
from trueup.engines.postgres.render import create_enum, create_extension, table_name
from trueup.engines.postgres.sequences import alter_sequence, create_sequence
from trueup.errors import UnsupportedChange
from trueup.model import Schema, Table
from trueup.plan import Plan


def plan(
    changes: Sequence[ch.Change],
    current: Schema,
    desired: Schema,
    *,
    concurrent_indexes: bool = False,
    extras: Extras = NO_EXTRAS,
) -> Plan:
    b = PlanBuilder(current, desired, concurrent_indexes, extras)
    changes = tuple(changes)
    modified = [c for c in changes if isinstance(c, ch.ModifyTable)]
    dropped = [c.table for c in changes if isinstance(c, ch.DropTable)]
    b.replaced_enums = {(c.enum.schema, c.enum.name) for c in changes if isinstance(c, ch.AddEnum)}
    b.cast_into = {
        p.new.type
        for m in modified
        for p in m.changes
        if isinstance(p, ch.ModifyColumn) and ch.ColumnChange.TYPE in p.kind
    }
    views(b, changes, modified, dropped)
    for change in changes:
        _change(b, change, dropped)
    keys_in_the_way(b, modified, dropped)
    return Plan(dialect="postgresql", changes=changes, steps=b.steps())


def _change(b: PlanBuilder, change: ch.Change, dropped: list[Table]) -> None:
    match change:
        case ch.AddNamespace(name=ns):
            b.add(
                Stage.SCHEMAS,
                f"CREATE SCHEMA IF NOT EXISTS {quote(ns)}",
                f"create schema {ns}",
                change,
            )
        case ch.AddExtension(extension=e):
            b.add(Stage.EXTENSIONS, create_extension(e), f"create extension {e.name}", change)
        case ch.AddEnum(enum=e):
            b.add(Stage.ENUMS, create_enum(e), f"create enum {e.name}", change)
        case ch.DropEnum(enum=e):
            replaced = (e.schema, e.name) in b.replaced_enums
            b.add(
                Stage.DROP_REPLACED_ENUMS if replaced else Stage.DROP_ENUMS,
                f"DROP TYPE {qualified(e.name, e.schema)}",
                f"drop enum {e.name}",
                change,
            )
        case ch.ModifyEnum(old=old, new=new):
            modify_enum(b, change, old, new, dropped)
        case ch.AddSequence(sequence=seq):
            b.add(Stage.SEQUENCES, create_sequence(seq), f"create sequence {seq.name}", change)
        case ch.ModifySequence(new=seq):
            b.add(Stage.SEQUENCES, alter_sequence(seq), f"alter sequence {seq.name}", change)
        case ch.DropSequence(sequence=seq):
            b.add(
                Stage.DROP_SEQUENCES,
                f"DROP SEQUENCE {qualified(seq.name, seq.schema)}",
                f"drop sequence {seq.name}",
                change,
            )
        case ch.AddTable(table=t):
            add_table(b, change, t)
        case ch.DropTable(table=t):
            drop_table(b, change, t, dropped)
        case ch.RenameTable(old=old, new_name=new_name):
            b.add(
                Stage.RENAMES,
                f"ALTER TABLE {table_name(old)} RENAME TO {quote(new_name)}",
                f"rename table {old.name} to {new_name}",
                change,
            )
        case ch.ModifyTable():
            modify_table(b, change)
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
