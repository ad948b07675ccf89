"""Turn changes into SQLite statements: ``ALTER TABLE`` where SQLite can change a table in
place, the full table rebuild everywhere else.

The rebuild follows SQLite's own procedure (section 7 of its ALTER TABLE page): with foreign
keys switched off outside the transaction, create the new table under a temporary name, copy
the rows (rowids and AUTOINCREMENT counters included), drop the old table, rename the new one,
then recreate its indexes, its triggers and the views that read it. Foreign keys are checked
before the transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import assert_never

from trueup.diff import changes as ch
from trueup.engines.sqlite.lexer import fold, references
from trueup.engines.sqlite.render import (
    column_definition,
    create_index,
    create_table,
    default_value_sql,
    drop_index,
    is_literal,
    literal,
    literal_kind,
    quote,
)
from trueup.engines.sqlite.rowid import rowid_alias
from trueup.errors import UnsupportedChange
from trueup.model import Column, Schema, Table, Trigger, View, VirtualTable
from trueup.plan import Plan, Step

_ROWID_NAMES = ("rowid", "_rowid_", "oid")


def _k(name: str) -> str:
    return fold(name)


def plan(changes: Sequence[ch.Change], current: Schema, desired: Schema) -> Plan:
    return _Planner(current, desired).run(tuple(changes))


@dataclass
class _Planner:
    current: Schema
    desired: Schema
    steps: list[Step] = field(default_factory=list)

    def add(self, sql: str, comment: str, change: ch.Change | None) -> None:
        self.steps.append(Step(sql, comment, change))

    def run(self, changes: tuple[ch.Change, ...]) -> Plan:
        rebuilds: list[ch.ModifyTable] = []
        in_place: list[ch.ModifyTable] = []
        renamed: list[ch.RenameTable] = []
        added: list[ch.AddTable] = []
        dropped: list[ch.DropTable] = []
        view_drops: dict[str, View] = {}
        view_creates: dict[str, tuple[View, ch.Change | None]] = {}
        trigger_drops: dict[str, Trigger] = {}
        trigger_creates: dict[str, tuple[Trigger, ch.Change | None]] = {}
        vt_drops: list[tuple[VirtualTable, ch.Change]] = []
        vt_creates: list[tuple[VirtualTable, ch.Change]] = []

        for change in changes:
            match change:
                case ch.ModifyTable():
                    (in_place if self.alterable(change) else rebuilds).append(change)
                case ch.RenameTable():
                    renamed.append(change)
                case ch.AddTable():
                    added.append(change)
                case ch.DropTable():
                    dropped.append(change)
                case ch.AddView(view=v):
                    view_creates[_k(v.name)] = (v, change)
                case ch.DropView(view=v):
                    view_drops[_k(v.name)] = v
                case ch.ModifyView(old=old, new=new):
                    view_drops[_k(old.name)] = old
                    view_creates[_k(new.name)] = (new, change)
                case ch.AddTrigger(trigger=t):
                    trigger_creates[_k(t.name)] = (t, change)
                case ch.DropTrigger(trigger=t):
                    trigger_drops[_k(t.name)] = t
                case ch.ModifyTrigger(old=old, new=new):
                    trigger_drops[_k(old.name)] = old
                    trigger_creates[_k(new.name)] = (new, change)
                case ch.AddVirtualTable(table=vt):
                    vt_creates.append((vt, change))
                case ch.DropVirtualTable(table=vt):
                    vt_drops.append((vt, change))
                case ch.ModifyVirtualTable(old=old, new=new):
                    vt_drops.append((old, change))
                    vt_creates.append((new, change))
                case ch.AddEnum() | ch.DropEnum() | ch.ModifyEnum():
                    raise UnsupportedChange(
                        "SQLite has no enum types.",
                        hint="Declare the column as TEXT (with a CHECK constraint if the "
                        "values must be limited).",
                    )
                case ch.AddSequence() | ch.DropSequence() | ch.ModifySequence():
                    raise UnsupportedChange(
                        "SQLite has no sequences.",
                        hint="An INTEGER PRIMARY KEY numbers the rows by itself.",
                    )
                case ch.AddNamespace(name=ns):
                    raise UnsupportedChange(
                        f"SQLite has no schemas (namespaces); cannot create {ns!r}."
                    )
                case ch.AddExtension(extension=ext):
                    raise UnsupportedChange(
                        f"SQLite has no extensions; cannot create {ext.name!r}."
                    )
                case _:
                    assert_never(change)

        rebuilt = {_k(c.new.name) for c in rebuilds}
        # SQLite does not track what views and triggers depend on, but an in-place ALTER
        # re-reads the whole schema and fails on any view or trigger that names something
        # missing. So every view or trigger that reads a table changing shape under it (or a
        # view that goes away) is dropped first and made again at the end from the declared
        # schema. Triggers on a rebuilt table or a dropped view would vanish with it anyway.
        touched = set(rebuilt)
        touched |= {_k(c.table.name) for c in dropped}
        touched |= {_k(c.old.name) for c in renamed} | {_k(c.new_name) for c in renamed}
        for c in in_place:
            if any(isinstance(x, ch.DropColumn | ch.RenameColumn) for x in c.changes):
                touched.add(_k(c.new.name))
        desired_views = {_k(v.name): v for v in self.desired.views}
        desired_triggers = {_k(t.name): t for t in self.desired.triggers}
        grown = True
        while grown:
            grown = False
            gone = touched | set(view_drops)
            for view in self.current.views:
                k = _k(view.name)
                if k not in view_drops and references(view.definition.text) & gone:
                    view_drops[k] = view
                    if k in desired_views and k not in view_creates:
                        view_creates[k] = (desired_views[k], None)
                    grown = True
        gone = touched | set(view_drops)
        for trig in self.current.triggers:
            k = _k(trig.name)
            if _k(trig.table) in gone or references(trig.definition.text) & gone:
                trigger_drops.setdefault(k, trig)
                if k in desired_triggers and k not in trigger_creates:
                    trigger_creates[k] = (desired_triggers[k], None)

        for trig in trigger_drops.values():
            self.add(f"DROP TRIGGER {quote(trig.name)}", f"drop trigger {trig.name}", None)
        for view in view_drops.values():
            self.add(f"DROP VIEW {quote(view.name)}", f"drop view {view.name}", None)
        for vt, change in vt_drops:
            self.add(f"DROP TABLE {quote(vt.name)}", f"drop virtual table {vt.name}", change)
        for c in in_place:
            for x in c.changes:
                if isinstance(x, ch.DropIndex):
                    self.add(drop_index(x.index), f"drop index {x.index.name}", c)
        for r in renamed:
            old_name = r.old.name
            if _k(old_name) == _k(r.new_name):
                # SQLite refuses a rename that only changes the case ("there is already
                # another table ... with this name"): it goes through a name of its own.
                taken = {_k(t.name) for s in (self.current, self.desired) for t in s.tables}
                step = f"{old_name}_trueup_case"
                while _k(step) in taken:
                    step = "_" + step
                self.add(
                    f"ALTER TABLE {quote(old_name)} RENAME TO {quote(step)}",
                    f"rename table {old_name} to {r.new_name}, through another name",
                    r,
                )
                old_name = step
            self.add(
                f"ALTER TABLE {quote(old_name)} RENAME TO {quote(r.new_name)}",
                f"rename table {r.old.name} to {r.new_name}",
                r,
            )
        for c in in_place + rebuilds:
            for x in c.changes:
                if isinstance(x, ch.RenameColumn):
                    self.add(
                        f"ALTER TABLE {quote(c.new.name)} RENAME COLUMN {quote(x.old)} "
                        f"TO {quote(x.new)}",
                        f"rename column {c.new.name}.{x.old} to {x.new}",
                        c,
                    )
        for d in dropped:
            self.add(f"DROP TABLE {quote(d.table.name)}", f"drop table {d.table.name}", d)
        for c in in_place:
            self.alter(c)
        for a in added:
            self.add(create_table(a.table), f"create table {a.table.name}", a)
        if rebuilds:
            self.rebuild_all(rebuilds)
        for a in added:
            for idx in a.table.indexes:
                if not idx.constraint:
                    self.add(create_index(idx, a.table.name), f"create index {idx.name}", a)
        for c in in_place:
            for x in c.changes:
                if isinstance(x, ch.AddIndex):
                    self.add(create_index(x.index, c.new.name), f"create index {x.index.name}", c)
        for vt, change in vt_creates:
            self.add(vt.definition.text, f"create virtual table {vt.name}", change)
        for view, vchange in view_creates.values():
            self.add(view.definition.text, f"create view {view.name}", vchange)
        for trig, tchange in trigger_creates.values():
            self.add(trig.definition.text, f"create trigger {trig.name}", tchange)

        # Foreign keys are checked where the plan can break them: in rebuilt tables, and in
        # the tables that point at a rebuilt or dropped table.
        parents = rebuilt | {_k(d.table.name) for d in dropped}
        checked = sorted(
            rebuilt
            | {
                _k(t.name)
                for t in self.desired.tables
                if any(_k(fk.ref_table) in parents for fk in t.foreign_keys)
            }
        )
        names = {_k(t.name): t.name for t in self.desired.tables}
        return Plan(
            dialect="sqlite",
            changes=changes,
            steps=tuple(self.steps),
            checked_tables=tuple(names.get(n, n) for n in checked),
        )

    # --- in place --------------------------------------------------------------------------

    def alterable(self, change: ch.ModifyTable) -> bool:
        """Whether every part of the change can be done with ALTER TABLE / CREATE INDEX."""
        for x in change.changes:
            match x:
                case ch.RenameColumn() | ch.ModifyTableComment():
                    pass  # SQLite tables have no comments: nothing to run
                case ch.AddIndex(index=idx) | ch.DropIndex(index=idx):
                    if idx.constraint:
                        return False
                case ch.AddColumn(column=col):
                    if not self.addable(col, strict="STRICT" in change.new.options):
                        return False
                case ch.DropColumn(column=col):
                    if not self.droppable(change.old, col):
                        return False
                case (
                    ch.ModifyColumn()
                    | ch.ModifyPrimaryKey()
                    | ch.RenameIndex()
                    | ch.AddForeignKey()
                    | ch.DropForeignKey()
                    | ch.AddCheck()
                    | ch.DropCheck()
                    | ch.ModifyTableOptions()
                ):
                    return False
                case _:
                    assert_never(x)
        return True

    @staticmethod
    def addable(col: Column, *, strict: bool) -> bool:
        """SQLite's rules for ADD COLUMN (minus PRIMARY KEY / UNIQUE / REFERENCES, which
        arrive as their own changes and force a rebuild)."""
        if col.generated is not None:
            return not col.generated.stored
        if col.default is None:
            return col.nullable
        if not is_literal(col.default.text):
            return False  # CURRENT_TIMESTAMP and (expressions) are refused by ADD COLUMN
        if col.default.key == "null":
            return col.nullable
        # ADD COLUMN does not check the default against a STRICT type, and existing rows
        # would then hold a value of the wrong type; a rebuild makes SQLite check it.
        return not strict or fits_strict_type(col.default.text, col.type)

    def droppable(self, table: Table, col: Column) -> bool:
        """Whether DROP COLUMN will work: nothing else in the schema may use the column."""
        name = _k(col.name)
        if table.primary_key and name in {_k(c) for c in table.primary_key.columns}:
            return False
        for idx in table.indexes:
            if idx.constraint and name in {_k(c) for c in idx.columns}:
                return False
        for fk in table.foreign_keys:
            if name in {_k(c) for c in fk.columns}:
                return False
        for check in table.checks:
            if name in references(check.expression.text):
                return False
        for other in table.columns:
            if other.generated and name in references(other.generated.expression.text):
                return False
        for schema in (self.current, self.desired):
            for t in schema.tables:
                for fk in t.foreign_keys:
                    if _k(fk.ref_table) == _k(table.name) and name in {
                        _k(c) for c in fk.ref_columns
                    }:
                        return False
        for trig in self.current.triggers:
            words = references(trig.definition.text)
            if name in words and _k(table.name) in words:
                return False
        return True

    def alter(self, change: ch.ModifyTable) -> None:
        t = quote(change.new.name)
        for x in change.changes:
            if isinstance(x, ch.DropColumn):
                self.add(
                    f"ALTER TABLE {t} DROP COLUMN {quote(x.column.name)}",
                    f"drop column {change.new.name}.{x.column.name}",
                    change,
                )
        for x in change.changes:
            if isinstance(x, ch.AddColumn):
                self.add(
                    f"ALTER TABLE {t} ADD COLUMN {column_definition(x.column)}",
                    f"add column {change.new.name}.{x.column.name}",
                    change,
                )

    # --- rebuild ---------------------------------------------------------------------------

    def rebuild_all(self, rebuilds: list[ch.ModifyTable]) -> None:
        # Tables, indexes, views and triggers share one namespace in SQLite.
        taken: set[str] = set()
        for s in (self.current, self.desired):
            taken |= {_k(t.name) for t in s.tables}
            taken |= {_k(i.name) for t in s.tables for i in t.indexes if i.name}
            taken |= {_k(v.name) for v in s.views} | {_k(t.name) for t in s.triggers}
            taken |= {_k(v.name) for v in s.virtual_tables}
        self.add(
            "PRAGMA legacy_alter_table = ON",
            "rename rebuilt tables without rewriting other tables' references to them",
            None,
        )
        for change in rebuilds:
            temp = "new_" + change.new.name
            while _k(temp) in taken:
                temp = "_" + temp
            taken.add(_k(temp))
            self.rebuild(change, temp)
        self.add("PRAGMA legacy_alter_table = OFF", "back to the default", None)
        for change in rebuilds:
            for idx in change.new.indexes:
                if not idx.constraint:
                    self.add(create_index(idx, change.new.name), f"create index {idx.name}", change)

    def rebuild(self, change: ch.ModifyTable, temp: str) -> None:
        old, new = change.old, change.new
        what = ", ".join(_describe(x) for x in change.changes)
        self.add(create_table(new, name=temp), f"rebuild table {new.name}: {what}", change)
        copy = _copy_rows(old, new, temp)
        if copy:
            self.add(copy, f"copy the rows of {new.name}", change)
        old_auto = any(c.autoincrement for c in old.columns)
        new_auto = any(c.autoincrement for c in new.columns)
        if old_auto and new_auto:
            # Keep the AUTOINCREMENT counter: ids of deleted rows must never come back.
            self.add(
                f"DELETE FROM sqlite_sequence WHERE name = {literal(temp)}",
                "carry over the AUTOINCREMENT counter",
                change,
            )
            self.add(
                f"INSERT INTO sqlite_sequence (name, seq) SELECT {literal(temp)}, seq "
                f"FROM sqlite_sequence WHERE name = {literal(old.name)}",
                "",
                change,
            )
        self.add(f"DROP TABLE {quote(old.name)}", "", change)
        self.add(f"ALTER TABLE {quote(temp)} RENAME TO {quote(new.name)}", "", change)


def fits_strict_type(literal_sql: str, declared: str) -> bool:
    """Whether a literal default can be stored in a STRICT column of this type."""
    kind = literal_kind(literal_sql)
    wanted = declared.upper()
    if wanted == "ANY":
        return True
    if wanted in ("INT", "INTEGER"):
        return kind == "integer"
    if wanted == "REAL":
        return kind in ("integer", "real")
    if wanted == "TEXT":
        return kind == "text"
    if wanted == "BLOB":
        return kind == "blob"
    return False


def _copy_rows(old: Table, new: Table, temp: str) -> str | None:
    """``INSERT INTO temp (…) SELECT … FROM old`` for every column that survives, keeping
    rowids, filling NULLs with the default where a column becomes NOT NULL."""
    old_cols = {_k(c.name): c for c in old.columns}
    targets: list[str] = []
    sources: list[str] = []
    for col in new.columns:
        src = old_cols.get(_k(col.name))
        if col.generated is not None or src is None:
            continue
        value = quote(src.name)
        if src.nullable and not col.nullable and col.default is not None:
            value = f"COALESCE({value}, {default_value_sql(col.default.text)})"
        targets.append(quote(col.name))
        sources.append(value)
    both_rowid = "WITHOUT ROWID" not in old.options and "WITHOUT ROWID" not in new.options
    if both_rowid:
        used = {_k(c.name) for c in old.columns} | {_k(c.name) for c in new.columns}
        rowid = next((r for r in _ROWID_NAMES if r not in used), None)
        alias = rowid_alias(new)
        if rowid is not None:
            if alias is None:
                targets.insert(0, rowid)
                sources.insert(0, rowid)
            elif _k(alias) not in old_cols:
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


def _describe(change: ch.TableChange) -> str:
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
        case ch.AddCheck():
            return "add check"
        case ch.DropCheck():
            return "drop check"
        case ch.ModifyTableComment():
            return "change the comment"
        case ch.ModifyTableOptions(new=opts):
            return f"table options {' '.join(opts) or 'none'}"
        case _:
            assert_never(change)
