"""The steps that make, drop and change PostgreSQL tables in place (``ALTER TABLE``)."""

from __future__ import annotations

from typing import TypeVar, assert_never

from trueup.diff import changes as ch
from trueup.engines.postgres.plan_columns import modify_column
from trueup.engines.postgres.plan_steps import PlanBuilder, Stage
from trueup.engines.postgres.quoting import qualified, quote
from trueup.engines.postgres.render import (
    add_foreign_key,
    check_clause,
    column_definition,
    comment_on_column,
    comment_on_table,
    create_index,
    create_table,
    drop_index,
    primary_key_clause,
    table_name,
    unique_clause,
)
from trueup.errors import UnsupportedChange
from trueup.model import Check, ForeignKey, Table

C = TypeVar("C", ForeignKey, Check)


def add_table(b: PlanBuilder, change: ch.Change, t: Table) -> None:
    b.add(Stage.CREATE_TABLES, create_table(t), f"create table {t.name}", change)
    for idx in t.indexes:
        if not idx.constraint:
            b.add(Stage.CREATE_INDEXES, create_index(idx, t), f"create index {idx.name}", change)
    for fk in t.foreign_keys:
        b.add(Stage.ADD_FOREIGN_KEYS, add_foreign_key(t, fk), f"add foreign key {fk.name}", change)
    if t.comment is not None:
        b.add(Stage.COMMENTS, comment_on_table(t), f"comment on table {t.name}", change)
    for col in t.columns:
        if col.comment is not None:
            b.add(
                Stage.COMMENTS,
                comment_on_column(t, col),
                f"comment on column {t.name}.{col.name}",
                change,
            )


def drop_table(b: PlanBuilder, change: ch.Change, t: Table, dropped: list[Table]) -> None:
    for fk in t.foreign_keys:
        # A foreign key between two dropped tables would stop the first DROP.
        if any(
            d.name == fk.ref_table and d.schema == fk.ref_schema and d is not t for d in dropped
        ):
            b.drop_constraint(Stage.DROP_FOREIGN_KEYS, t, fk.name, change)
    b.add(Stage.DROP_TABLES, f"DROP TABLE {table_name(t)}", f"drop table {t.name}", change)


def modify_table(b: PlanBuilder, change: ch.ModifyTable) -> None:
    """Constraints that only change their name are renamed first; foreign keys and checks
    are added in the order the table declares them."""
    for part in change.changes:
        if isinstance(part, ch.RenameConstraint):
            b.add(
                Stage.RENAMES,
                f"ALTER TABLE {table_name(change.new)} RENAME CONSTRAINT "
                f"{quote(part.old_name)} TO {quote(part.new_name)}",
                f"rename constraint {part.old_name} to {part.new_name}",
                change,
            )
    for part in change.changes:
        _table_part(b, change, part)
    _add_foreign_keys(b, change)
    _add_checks(b, change)


def _table_part(b: PlanBuilder, change: ch.ModifyTable, part: ch.TableChange) -> None:
    t = change.new
    tn = table_name(t)
    match part:
        case ch.RenameColumn(old=o, new=n):
            b.add(
                Stage.RENAMES,
                f"ALTER TABLE {tn} RENAME COLUMN {quote(o)} TO {quote(n)}",
                f"rename column {t.name}.{o} to {n}",
                change,
            )
        case ch.AddColumn(column=c):
            b.add(
                Stage.COLUMNS,
                f"ALTER TABLE {tn} ADD COLUMN {column_definition(c)}",
                f"add column {t.name}.{c.name}",
                change,
            )
            if c.comment is not None:
                comment = f"comment on column {t.name}.{c.name}"
                b.add(Stage.COMMENTS, comment_on_column(t, c), comment, change)
        case ch.DropColumn(column=c):
            b.add(
                Stage.DROP_COLUMNS,
                f"ALTER TABLE {tn} DROP COLUMN {quote(c.name)}",
                f"drop column {t.name}.{c.name}",
                change,
            )
        case ch.ModifyColumn(old=old, new=new, kind=kind):
            modify_column(b, change, old, new, kind)
        case ch.ModifyPrimaryKey():
            _primary_key(b, change, part)
        case ch.AddIndex() | ch.DropIndex() | ch.RenameIndex():
            _index(b, change, part)
        case ch.DropForeignKey(foreign_key=fk) | ch.ModifyForeignKey(old=fk):
            b.drop_constraint(Stage.DROP_FOREIGN_KEYS, t, fk.name, change)
        case ch.DropCheck(check=c) | ch.ModifyCheck(old=c):
            b.drop_constraint(Stage.DROP_INDEXES, t, c.name, change)
        case ch.AddForeignKey() | ch.AddCheck():
            pass  # added in the order the table declares them (_add_foreign_keys, _add_checks)
        case ch.RenameConstraint():
            pass  # renamed before the rest (modify_table)
        case ch.ModifyTableOptions():
            raise UnsupportedChange("PostgreSQL tables have no options trueup manages.")
        case ch.ModifyTableComment():
            b.add(Stage.COMMENTS, comment_on_table(t), f"comment on table {tn}", change)
        case _:
            assert_never(part)


def _primary_key(b: PlanBuilder, change: ch.ModifyTable, part: ch.ModifyPrimaryKey) -> None:
    t = change.new
    old, new = part.old, part.new
    if part.renamed_only and old is not None and new is not None:
        b.add(
            Stage.RENAMES,
            f"ALTER TABLE {table_name(t)} RENAME CONSTRAINT {quote(old.name or '')} "
            f"TO {quote(new.name or '')}",
            "rename the primary key",
            change,
        )
        return
    if old is not None:
        b.drop_constraint(Stage.DROP_INDEXES, t, old.name, change)
    if new is not None:
        b.add(
            Stage.KEYS,
            f"ALTER TABLE {table_name(t)} ADD {primary_key_clause(new)}",
            f"add the primary key of {t.name}",
            change,
        )


def _index(
    b: PlanBuilder, change: ch.ModifyTable, part: ch.AddIndex | ch.DropIndex | ch.RenameIndex
) -> None:
    t = change.new
    tn = table_name(t)
    match part:
        case ch.AddIndex(index=idx) if idx.constraint:
            sql = f"ALTER TABLE {tn} ADD {unique_clause(idx)}"
            b.add(Stage.KEYS, sql, f"add unique constraint {idx.name}", change)
        case ch.AddIndex(index=idx) if b.concurrent_indexes:
            sql = create_index(idx, t, concurrently=True)
            comment = f"create index {idx.name}, without blocking writes"
            b.add_after_commit(Stage.CREATE_INDEXES, sql, comment, change, part)
        case ch.AddIndex(index=idx):
            b.add(Stage.CREATE_INDEXES, create_index(idx, t), f"create index {idx.name}", change)
        case ch.DropIndex(index=idx) if idx.constraint:
            b.drop_constraint(Stage.DROP_INDEXES, t, idx.name, change)
        case ch.DropIndex(index=idx):
            b.add(Stage.DROP_INDEXES, drop_index(idx, t.schema), f"drop index {idx.name}", change)
        case ch.RenameIndex(old=o, new=n):
            b.add(
                Stage.RENAMES,
                f"ALTER INDEX {qualified(o.name or '', t.schema)} RENAME TO {quote(n.name or '')}",
                f"rename index {o.name} to {n.name}",
                change,
            )
        case _:
            assert_never(part)


def _declared_order(
    declared: tuple[C, ...], added: list[tuple[C, ch.TableChange]]
) -> list[tuple[C, ch.TableChange]]:
    """``added`` in the order of ``declared``."""
    pending = list(added)
    out = []
    for x in declared:
        at = next((i for i, (y, _) in enumerate(pending) if y == x), None)
        if at is not None:
            out.append(pending.pop(at))
    assert not pending, "every added constraint is declared"
    return out


def _add_foreign_keys(b: PlanBuilder, change: ch.ModifyTable) -> None:
    t = change.new
    added: list[tuple[ForeignKey, ch.TableChange]] = []
    for part in change.changes:
        if isinstance(part, ch.AddForeignKey):
            added.append((part.foreign_key, part))
        elif isinstance(part, ch.ModifyForeignKey):
            added.append((part.new, part))
    for fk, part in _declared_order(t.foreign_keys, added):
        if isinstance(part, ch.AddForeignKey) and fk.name:
            # Over rows already there: checked once the data steps have run (they may make
            # the parent rows), and rows without a parent have been counted (trueup.orphans).
            b.add(
                Stage.ADD_FOREIGN_KEYS,
                add_foreign_key(t, fk) + " NOT VALID",
                f"add foreign key {fk.name}, checked at the end",
                change,
            )
            b.add(
                Stage.VALIDATE_FOREIGN_KEYS,
                f"ALTER TABLE {table_name(t)} VALIDATE CONSTRAINT {quote(fk.name)}",
                f"check foreign key {fk.name}",
                change,
            )
        else:  # only its actions change (ModifyForeignKey): the rows met it already
            comment = f"add foreign key {fk.name}"
            b.add(Stage.ADD_FOREIGN_KEYS, add_foreign_key(t, fk), comment, change)


def _add_checks(b: PlanBuilder, change: ch.ModifyTable) -> None:
    added: list[tuple[Check, ch.TableChange]] = []
    for part in change.changes:
        if isinstance(part, ch.AddCheck):
            added.append((part.check, part))
        elif isinstance(part, ch.ModifyCheck):
            added.append((part.new, part))
    for c, _ in _declared_order(change.new.checks, added):
        sql = f"ALTER TABLE {table_name(change.new)} ADD {check_clause(c)}"
        b.add(Stage.KEYS, sql, f"add check {c.name}", change)
