"""Turn changes into SQLite statements: ``ALTER TABLE`` where SQLite can change a table in
place (:mod:`~trueup.engines.sqlite.plan_in_place`), the full table rebuild everywhere else
(:mod:`~trueup.engines.sqlite.plan_rebuild`).

SQLite does not track what views and triggers depend on, so those that read a table changing
shape under them are dropped first and made again at the end. Foreign keys are checked
before the transaction commits, in the tables where the plan can break them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import assert_never

from trueup.diff import changes as ch
from trueup.engines.sqlite.lexer import references
from trueup.engines.sqlite.plan_in_place import alter, alterable
from trueup.engines.sqlite.plan_rebuild import rebuild_all
from trueup.engines.sqlite.plan_steps import PlanBuilder, key
from trueup.engines.sqlite.render import create_index, create_table, drop_index, quote
from trueup.errors import UnsupportedChange
from trueup.model import Schema, Trigger, View, VirtualTable
from trueup.plan import Plan


def plan(changes: Sequence[ch.Change], current: Schema, desired: Schema) -> Plan:
    b = PlanBuilder(current, desired)
    changes = tuple(changes)
    c = _Sorted()
    for change in changes:
        c.sort(b, change)
    _dependents(b, c)
    _drops_and_renames(b, c)
    for m in c.in_place:
        alter(b, m)
    for a in c.added:
        b.add(create_table(a.table), f"create table {a.table.name}", a)
    if c.rebuilds:
        rebuild_all(b, c.rebuilds)
    _creates(b, c)
    return Plan(
        dialect="sqlite",
        changes=changes,
        steps=tuple(b.steps),
        checked_tables=_checked_tables(b, c),
    )


@dataclass
class _Sorted:
    """The changes, sorted by what the plan does with them."""

    rebuilds: list[ch.ModifyTable] = field(default_factory=list)
    in_place: list[ch.ModifyTable] = field(default_factory=list)
    renamed: list[ch.RenameTable] = field(default_factory=list)
    added: list[ch.AddTable] = field(default_factory=list)
    dropped: list[ch.DropTable] = field(default_factory=list)
    view_drops: dict[str, View] = field(default_factory=dict)
    view_creates: dict[str, tuple[View, ch.Change | None]] = field(default_factory=dict)
    trigger_drops: dict[str, Trigger] = field(default_factory=dict)
    trigger_creates: dict[str, tuple[Trigger, ch.Change | None]] = field(default_factory=dict)
    vt_drops: list[tuple[VirtualTable, ch.Change]] = field(default_factory=list)
    vt_creates: list[tuple[VirtualTable, ch.Change]] = field(default_factory=list)

    def sort(self, b: PlanBuilder, change: ch.Change) -> None:
        match change:
            case ch.ModifyTable():
                (self.in_place if alterable(b, change) else self.rebuilds).append(change)
            case ch.RenameTable():
                self.renamed.append(change)
            case ch.AddTable():
                self.added.append(change)
            case ch.DropTable():
                self.dropped.append(change)
            case ch.AddView(view=v):
                self.view_creates[key(v.name)] = (v, change)
            case ch.DropView(view=v):
                self.view_drops[key(v.name)] = v
            case ch.ModifyView(old=old, new=new):
                self.view_drops[key(old.name)] = old
                self.view_creates[key(new.name)] = (new, change)
            case ch.AddTrigger(trigger=t):
                self.trigger_creates[key(t.name)] = (t, change)
            case ch.DropTrigger(trigger=t):
                self.trigger_drops[key(t.name)] = t
            case ch.ModifyTrigger(old=old, new=new):
                self.trigger_drops[key(old.name)] = old
                self.trigger_creates[key(new.name)] = (new, change)
            case ch.AddVirtualTable(table=vt):
                self.vt_creates.append((vt, change))
            case ch.DropVirtualTable(table=vt):
                self.vt_drops.append((vt, change))
            case ch.ModifyVirtualTable(old=old, new=new):
                self.vt_drops.append((old, change))
                self.vt_creates.append((new, change))
            case (
                ch.AddEnum()
                | ch.DropEnum()
                | ch.ModifyEnum()
                | ch.AddSequence()
                | ch.DropSequence()
                | ch.ModifySequence()
                | ch.AddNamespace()
                | ch.AddExtension()
            ):
                raise _unsupported(change)
            case _:
                assert_never(change)


def _unsupported(
    change: ch.AddEnum
    | ch.DropEnum
    | ch.ModifyEnum
    | ch.AddSequence
    | ch.DropSequence
    | ch.ModifySequence
    | ch.AddNamespace
    | ch.AddExtension,
) -> UnsupportedChange:
    match change:
        case ch.AddEnum() | ch.DropEnum() | ch.ModifyEnum():
            return UnsupportedChange(
                "SQLite has no enum types.",
                hint="Declare the column as TEXT (with a CHECK constraint if the "
                "values must be limited).",
            )
        case ch.AddSequence() | ch.DropSequence() | ch.ModifySequence():
            return UnsupportedChange(
                "SQLite has no sequences.",
                hint="An INTEGER PRIMARY KEY numbers the rows by itself.",
            )
        case ch.AddNamespace(name=ns):
            return UnsupportedChange(f"SQLite has no schemas (namespaces); cannot create {ns!r}.")
        case ch.AddExtension(extension=ext):
            return UnsupportedChange(f"SQLite has no extensions; cannot create {ext.name!r}.")
        case _:
            assert_never(change)


def _dependents(b: PlanBuilder, c: _Sorted) -> None:
    """SQLite does not track what views and triggers depend on, but an in-place ALTER
    re-reads the whole schema and fails on any view or trigger that names something
    missing. So every view or trigger that reads a table changing shape under it (or a
    view that goes away) is dropped first and made again at the end from the declared
    schema. Triggers on a rebuilt table or a dropped view would vanish with it anyway."""
    touched = {key(m.new.name) for m in c.rebuilds}
    touched |= {key(d.table.name) for d in c.dropped}
    touched |= {key(r.old.name) for r in c.renamed} | {key(r.new_name) for r in c.renamed}
    for m in c.in_place:
        if any(isinstance(x, ch.DropColumn | ch.RenameColumn) for x in m.changes):
            touched.add(key(m.new.name))
    desired_views = {key(v.name): v for v in b.desired.views}
    desired_triggers = {key(t.name): t for t in b.desired.triggers}
    grown = True
    while grown:
        grown = False
        gone = touched | set(c.view_drops)
        for view in b.current.views:
            k = key(view.name)
            if k not in c.view_drops and references(view.definition.text) & gone:
                c.view_drops[k] = view
                if k in desired_views and k not in c.view_creates:
                    c.view_creates[k] = (desired_views[k], None)
                grown = True
    gone = touched | set(c.view_drops)
    for trig in b.current.triggers:
        k = key(trig.name)
        if key(trig.table) in gone or references(trig.definition.text) & gone:
            c.trigger_drops.setdefault(k, trig)
            if k in desired_triggers and k not in c.trigger_creates:
                c.trigger_creates[k] = (desired_triggers[k], None)


def _drops_and_renames(b: PlanBuilder, c: _Sorted) -> None:
    for trig in c.trigger_drops.values():
        b.add(f"DROP TRIGGER {quote(trig.name)}", f"drop trigger {trig.name}", None)
    for view in c.view_drops.values():
        b.add(f"DROP VIEW {quote(view.name)}", f"drop view {view.name}", None)
    for vt, change in c.vt_drops:
        b.add(f"DROP TABLE {quote(vt.name)}", f"drop virtual table {vt.name}", change)
    for m in c.in_place:
        for x in m.changes:
            if isinstance(x, ch.DropIndex):
                b.add(drop_index(x.index), f"drop index {x.index.name}", m)
    for r in c.renamed:
        _rename_table(b, r)
    for m in c.in_place + c.rebuilds:
        for x in m.changes:
            if isinstance(x, ch.RenameColumn):
                b.add(
                    f"ALTER TABLE {quote(m.new.name)} RENAME COLUMN {quote(x.old)} "
                    f"TO {quote(x.new)}",
                    f"rename column {m.new.name}.{x.old} to {x.new}",
                    m,
                )
    for d in c.dropped:
        b.add(f"DROP TABLE {quote(d.table.name)}", f"drop table {d.table.name}", d)


def _rename_table(b: PlanBuilder, r: ch.RenameTable) -> None:
    old_name = r.old.name
    if key(old_name) == key(r.new_name):
        # SQLite refuses a rename that only changes the case ("there is already
        # another table ... with this name"): it goes through a name of its own.
        taken = {key(t.name) for s in (b.current, b.desired) for t in s.tables}
        step = f"{old_name}_trueup_case"
        while key(step) in taken:
            step = "_" + step
        b.add(
            f"ALTER TABLE {quote(old_name)} RENAME TO {quote(step)}",
            f"rename table {old_name} to {r.new_name}, through another name",
            r,
        )
        old_name = step
    b.add(
        f"ALTER TABLE {quote(old_name)} RENAME TO {quote(r.new_name)}",
        f"rename table {r.old.name} to {r.new_name}",
        r,
    )


def _creates(b: PlanBuilder, c: _Sorted) -> None:
    for a in c.added:
        for idx in a.table.indexes:
            if not idx.constraint:
                b.add(create_index(idx, a.table.name), f"create index {idx.name}", a)
    for m in c.in_place:
        for x in m.changes:
            if isinstance(x, ch.AddIndex):
                b.add(create_index(x.index, m.new.name), f"create index {x.index.name}", m)
    for vt, change in c.vt_creates:
        b.add(vt.definition.text, f"create virtual table {vt.name}", change)
    for view, vchange in c.view_creates.values():
        b.add(view.definition.text, f"create view {view.name}", vchange)
    for trig, tchange in c.trigger_creates.values():
        b.add(trig.definition.text, f"create trigger {trig.name}", tchange)


def _checked_tables(b: PlanBuilder, c: _Sorted) -> tuple[str, ...]:
    """Foreign keys are checked where the plan can break them: in rebuilt tables, and in
    the tables that point at a rebuilt or dropped table."""
    rebuilt = {key(m.new.name) for m in c.rebuilds}
    parents = rebuilt | {key(d.table.name) for d in c.dropped}
    checked = sorted(
        rebuilt
        | {
            key(t.name)
            for t in b.desired.tables
            if any(key(fk.ref_table) in parents for fk in t.foreign_keys)
        }
    )
    names = {key(t.name): t.name for t in b.desired.tables}
    return tuple(names.get(n, n) for n in checked)
