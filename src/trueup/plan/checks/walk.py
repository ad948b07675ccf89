"""Walking a plan's changes: which rule each typed change gets. Each change type has its
own rule function (in the modules named for what they check), so a new change type is one
more case here and one more function there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from trueup.diff import changes as ch
from trueup.model import Check, Index, Table
from trueup.plan.checks import columns, constraints, enums, keys, tables
from trueup.plan.checks.conditions import Both, Breaks, CheckedTable, Condition, IsNull, NotNull
from trueup.plan.checks.context import Checks
from trueup.plan.checks.keys import Rekeyed
from trueup.plan.foreign_keys import new_foreign_key
from trueup.plan.plan import Finding


def run(checks: Checks, changes: Sequence[ch.Change]) -> tuple[Finding, ...]:
    """The findings of ``changes``, in their order."""
    _learn_names(checks, changes)
    out: list[Finding] = []
    for change in changes:
        match change:
            case ch.DropTable(table=t):
                out += tables.drop_table(checks, CheckedTable(t.name, t))
            case ch.DropVirtualTable(table=vt) | ch.ModifyVirtualTable(old=vt):
                out += tables.drop_virtual_table(checks, vt.name, change)
            case ch.ModifyTable():
                out += modify_table(checks, change)
            case ch.ModifyEnum(old=old, new=new):
                out += enums.values_removed(checks, old.name, old.schema, old.values, new.values)
            case (
                ch.AddTable()
                | ch.RenameTable()
                | ch.AddView()
                | ch.DropView()
                | ch.ModifyView()
                | ch.AddTrigger()
                | ch.DropTrigger()
                | ch.ModifyTrigger()
                | ch.AddVirtualTable()
                | ch.AddEnum()
                | ch.DropEnum()
                | ch.AddSequence()
                | ch.DropSequence()
                | ch.ModifySequence()
                | ch.AddNamespace()
                | ch.AddExtension()
            ):
                pass
            case _:
                assert_never(change)
    return tuple(out)


def _learn_names(checks: Checks, changes: Sequence[ch.Change]) -> None:
    """The enum labels usable during the push, and the names renamed tables and columns
    have now."""
    # Types columns are cast into: an enum that gains values while a column is cast into
    # it is made anew, where the added values are usable at once (see the engine's
    # planner); otherwise only the values it keeps are.
    cast_into = {
        p.new.type.removesuffix("[]")
        for m in changes
        if isinstance(m, ch.ModifyTable)
        for p in m.changes
        if isinstance(p, ch.ModifyColumn) and ch.ColumnChange.TYPE in p.kind
    }
    dialect = checks.dialect
    for c in changes:
        if isinstance(c, ch.AddEnum):
            name = dialect.enum_type_name(c.enum.name, c.enum.schema)
            checks.enum_values[name] = tuple(c.enum.values)
        elif isinstance(c, ch.ModifyEnum):
            name = dialect.enum_type_name(c.new.name, c.new.schema)
            kept = tuple(v for v in c.old.values if v in c.new.values)
            checks.enum_values[name] = tuple(c.new.values) if name in cast_into else kept
        if isinstance(c, ch.RenameTable):
            checks.table_names[(c.old.schema, checks.hooks.key(c.new_name))] = c.old.name
        if isinstance(c, ch.ModifyTable):
            key = checks.hooks.key
            renamed = {key(x.new): x.old for x in c.changes if isinstance(x, ch.RenameColumn)}
            checks.column_names[(c.new.schema, key(c.new.name))] = renamed
            checks.retyped[(c.new.schema, key(c.new.name))] = {
                key(x.new.name): (x.old, x.new)
                for x in c.changes
                if isinstance(x, ch.ModifyColumn) and ch.ColumnChange.TYPE in x.kind
            }


def modify_table(checks: Checks, change: ch.ModifyTable) -> list[Finding]:
    old, new = change.old, change.new
    key = checks.hooks.key
    name_now = checks.table_names.get((new.schema, key(new.name)), old.name)
    columns_now = {x.new: x.old for x in change.changes if isinstance(x, ch.RenameColumn)}
    # The model as it is in the database now, for the row keys of the examples.
    model_now = checks.current.table(name_now, old.schema) or old
    t = CheckedTable(name_now, model_now, columns_now)
    added = {key(x.column.name) for x in change.changes if isinstance(x, ch.AddColumn)}
    dropped = [x.column.name for x in change.changes if isinstance(x, ch.DropColumn)]
    keyed = _rekeyed(checks, change)
    checks.m.prefetch(t, _conditions(checks, t, change))
    out: list[Finding] = []
    for part in change.changes:
        match part:
            case ch.DropColumn(column=c):
                out += columns.drop_column(checks, t, c)
            case ch.ModifyColumn(old=oc, new=nc, kind=kind):
                out += columns.modify_column(checks, t, new, oc, nc, kind)
            case ch.AddColumn(column=c):
                out += columns.add_column(checks, t, new, c, dropped)
            case ch.ModifyPrimaryKey(old=old_pk, new=new_pk) if not part.renamed_only:
                out += keys.primary_key(checks, t, new, old_pk is not None, new_pk, added, keyed)
            case ch.AddIndex(index=idx) | ch.RenameConstraint(new=Index() as idx) if idx.unique:
                out += keys.unique(checks, t, new, idx, added, keyed)
            case ch.AddForeignKey(foreign_key=fk):
                out += new_foreign_key(checks, t, fk, change)
            case (
                ch.AddCheck(check=c) | ch.ModifyCheck(new=c) | ch.RenameConstraint(new=Check() as c)
            ):
                out += constraints.new_check(checks, t, c.expression.text)
            case (
                ch.AddIndex()
                | ch.DropIndex()
                | ch.RenameIndex()
                | ch.RenameColumn()
                | ch.DropForeignKey()
                | ch.ModifyForeignKey()  # the rows met it already: only its actions change
                | ch.RenameConstraint()
                | ch.DropCheck()
                | ch.ModifyTableOptions()
                | ch.ModifyTableComment()
                | ch.ModifyPrimaryKey()  # renamed only
            ):
                pass
            case _:
                assert_never(part)
    return out + keys.kept_keys(checks, t, change, keyed)


def _rekeyed(checks: Checks, change: ch.ModifyTable) -> Rekeyed:
    """The columns whose type or collation changes (old, new, what changes), by the key of
    their new name: a unique key over them may find values equal that were not. Generated
    columns are computed anew, and a value cast into an enum keeps its label, so neither is
    among them."""
    out: Rekeyed = {}
    for x in change.changes:
        if not isinstance(x, ch.ModifyColumn) or x.old.generated or x.new.generated:
            continue
        kind = x.kind & (ch.ColumnChange.TYPE | ch.ColumnChange.COLLATION)
        if kind and x.new.type.removesuffix("[]") not in checks.enum_values:
            out[checks.hooks.key(x.new.name)] = (x.old, x.new, kind)
    return out


def _conditions(checks: Checks, t: CheckedTable, change: ch.ModifyTable) -> list[Condition]:
    """The row conditions the checks of ``change`` will count (see ``prefetch``)."""
    out: list[Condition] = []
    table: Table = change.new
    for part in change.changes:
        match part:
            case ch.DropColumn(column=c) if c.generated is None:
                out.append(NotNull(t.column(c.name)))
            case ch.ModifyColumn(old=oc, new=nc, kind=kind) if (
                oc.generated is None and nc.generated is None
            ):
                col = t.column(oc.name)
                if ch.ColumnChange.TYPE in kind and checks.dialect.checks_type_change(
                    oc, nc, table
                ):
                    out.append(NotNull(col))
                    out.append(Both(NotNull(col), checks.not_kept(col, oc, nc, table)))
                if ch.ColumnChange.NULLABLE in kind and oc.nullable and not nc.nullable:
                    out.append(IsNull(col))
            case (
                ch.AddCheck(check=c) | ch.ModifyCheck(new=c) | ch.RenameConstraint(new=Check() as c)
            ):
                out.append(Breaks(c.expression.text))
            case _:
                pass
    return out
