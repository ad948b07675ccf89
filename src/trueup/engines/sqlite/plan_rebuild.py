"""The full table rebuild, following SQLite's own procedure (section 7 of its ALTER TABLE
page): create the new table under a temporary name, copy the rows (rowids and
AUTOINCREMENT counters included), drop the old table, rename the new one, then make its
indexes again. Foreign keys are switched off outside the transaction meanwhile."""

from __future__ import annotations

from typing import assert_never

from trueup.diff import changes as ch
from trueup.engines.sqlite.plan_steps import PlanBuilder, key
from trueup.engines.sqlite.render import (
    create_index,
    create_table,
    default_value_sql,
    literal,
    quote,
)
from trueup.engines.sqlite.rowid import rowid_alias
from trueup.model import Table

_ROWID_NAMES = ("rowid", "_rowid_", "oid")


def rebuild_all(b: PlanBuilder, rebuilds: list[ch.ModifyTable]) -> None:
    """Rebuild the tables, then make their indexes again."""
    # Tables, indexes, views and triggers share one namespace in SQLite.
    taken: set[str] = set()
    for s in (b.current, b.desired):
        taken |= {key(t.name) for t in s.tables}
        taken |= {key(i.name) for t in s.tables for i in t.indexes if i.name}
        taken |= {key(v.name) for v in s.views} | {key(t.name) for t in s.triggers}
        taken |= {key(v.name) for v in s.virtual_tables}
    b.add(
        "PRAGMA legacy_alter_table = ON",
        "rename rebuilt tables without rewriting other tables' references to them",
        None,
    )
    for change in rebuilds:
        temp = "new_" + change.new.name
        while key(temp) in taken:
            temp = "_" + temp
        taken.add(key(temp))
        rebuild(b, change, temp)
    b.add("PRAGMA legacy_alter_table = OFF", "back to the default", None)
    for change in rebuilds:
        for idx in change.new.indexes:
            if not idx.constraint:
                b.add(create_index(idx, change.new.name), f"create index {idx.name}", change)


def rebuild(b: PlanBuilder, change: ch.ModifyTable, temp: str) -> None:
    old, new = change.old, change.new
    what = ", ".join(_describe(x) for x in change.changes)
    b.add(create_table(new, name=temp), f"rebuild table {new.name}: {what}", change)
    copy = _copy_rows(old, new, temp)
    if copy:
        b.add(copy, f"copy the rows of {new.name}", change)
    old_auto = any(c.autoincrement for c in old.columns)
    new_auto = any(c.autoincrement for c in new.columns)
    if old_auto and new_auto:
        # Keep the AUTOINCREMENT counter: ids of deleted rows must never come back.
        b.add(
            f"DELETE FROM sqlite_sequence WHERE name = {literal(temp)}",
            "carry over the AUTOINCREMENT counter",
            change,
        )
        b.add(
            f"INSERT INTO sqlite_sequence (name, seq) SELECT {literal(temp)}, seq "
            f"FROM sqlite_sequence WHERE name = {literal(old.name)}",
            "",
            change,
        )
    b.add(f"DROP TABLE {quote(old.name)}", "", change)
    b.add(f"ALTER TABLE {quote(temp)} RENAME TO {quote(new.name)}", "", change)


def _copy_rows(old: Table, new: Table, temp: str) -> str | None:
    """``INSERT INTO temp (…) SELECT … FROM old`` for every column that survives, keeping
    rowids, filling NULLs with the default where a column becomes NOT NULL."""
    old_cols = {key(c.name): c for c in old.columns}
    targets: list[str] = []
    sources: list[str] = []
    for col in new.columns:
        src = old_cols.get(key(col.name))
        if col.generated is not None or src is None:
            continue
        value = quote(src.name)
        if src.nullable and not col.nullable and col.default is not None:
            value = f"COALESCE({value}, {default_value_sql(col.default.text)})"
        targets.append(quote(col.name))
        sources.append(value)
    both_rowid = "WITHOUT ROWID" not in old.options and "WITHOUT ROWID" not in new.options
    if both_rowid:
        used = {key(c.name) for c in old.columns} | {key(c.name) for c in new.columns}
        rowid = next((r for r in _ROWID_NAMES if r not in used), None)
        alias = rowid_alias(new)
        if rowid is not None:
            if alias is None:
                targets.insert(0, rowid)
                sources.insert(0, rowid)
            elif key(alias) not in old_cols:
                targets.insert(0, quote(alias))
                sources.insert(0, rowid)
    if not targets:
        return None
    # A key declared with its own conflict clause (UNIQUE ON CONFLICT REPLACE / IGNORE,
    # NOT NULL ON CONFLICT REPLACE) would resolve a clash during the copy by deleting or
    # skipping rows. OR ABORT overrides the table's clauses for this statement only: a
    # clash stops the push, which is rolled back, and no row is lost.
    conflicts = [i.on_conflict for i in new.indexes]
    conflicts += [new.primary_key.on_conflict if new.primary_key else None]
    conflicts += [c.not_null_conflict for c in new.columns]
    insert = "INSERT OR ABORT INTO" if any(conflicts) else "INSERT INTO"
    return (
        f"{insert} {quote(temp)} ({', '.join(targets)})\n"
        f"SELECT {', '.join(sources)} FROM {quote(old.name)}"
    )


def _describe(change: ch.TableChange) -> str:  # noqa: C901, PLR0911, PLR0912
    # One case per kind of change in the closed vocabulary, matched exhaustively: the
    # branches are the vocabulary's size, not tangled logic.
    match change:
        case ch.AddColumn(column=c):
            return f"add column {c.name}"
        case ch.DropColumn(column=c):
            return f"drop column {c.name}"
        case ch.ModifyColumn(new=c, kind=kind):
            return f"change the {kind.describe()} of {c.name}"
        case ch.RenameColumn(old=o, new=n):
            return f"rename {o} to {n}"
        case ch.ModifyPrimaryKey():
            return "change the primary key"
        case ch.AddIndex(index=i):
            return "add unique constraint" if i.constraint else f"add index {i.name}"
        case ch.DropIndex(index=i):
            return "drop unique constraint" if i.constraint else f"drop index {i.name}"
        case ch.RenameIndex(old=o, new=n):
            return f"rename index {o.name} to {n.name}"
        case ch.AddForeignKey(foreign_key=fk):
            return f"add foreign key to {fk.ref_table}"
        case ch.DropForeignKey(foreign_key=fk):
            return f"drop foreign key to {fk.ref_table}"
        case ch.ModifyForeignKey(new=fk):
            return f"change the foreign key to {fk.ref_table}"
        case ch.AddCheck():
            return "add check"
        case ch.DropCheck():
            return "drop check"
        case ch.ModifyCheck():
            return "change check"
        case ch.RenameConstraint(old=o, new=n):
            return f"rename constraint {o.name} to {n.name}"
        case ch.ModifyTableComment():
            return "change the comment"
        case ch.ModifyTableOptions(new=opts):
            return f"table options {' '.join(opts) or 'none'}"
        case _:
            assert_never(change)
