"""The checks of a foreign key a plan adds: rows that point at no parent row (``DD204``),
and a key that now points at another table (``DL108``).

Rows without a parent are data loss, not an impossible step: with ``--accept-data-loss`` a
nullable key's orphans get NULL and a required key's orphan rows are deleted, after the
``-- trueup:after`` data steps, which can give them their parents instead
(:mod:`trueup.orphans` does it inside the push). Rows elsewhere that point at a row it would
delete stop it: deleting them too, or leaving them pointing nowhere, is not the push's to
decide. The counts here are taken before the push; the push counts again after the data
steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import TYPE_CHECKING

from trueup.diff import changes as ch
from trueup.model import Column, ForeignKey
from trueup.plan import risk
from trueup.plan.checks.conditions import (
    Both,
    CheckedTable,
    ChildValue,
    Condition,
    NotNull,
    Orphaned,
    PointsAt,
)
from trueup.plan.plan import Finding, Risk

if TYPE_CHECKING:
    from trueup.plan.checks.context import Checks

#: A default that is one constant value (a string, a number, a boolean, maybe cast): what
#: every existing row gets in a column the plan adds. Anything else (a function, a sequence)
#: is not evaluated by a check.
_CONSTANT = re.compile(
    r"^\s*\(*\s*('(?:[^']|'')*'|[-+]?\d+(?:\.\d+)?|true|false)\s*\)*(?:\s*::\s*[\w\s\".]+)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Orphans:
    """What a new foreign key finds: rows of ``table`` whose ``columns`` point at no row
    of ``parent``, and what ``--accept-data-loss`` does with them."""

    table: str
    columns: tuple[str, ...]
    parent: str
    count: int | None
    examples: tuple[object, ...] = ()
    key_names: Sequence[str] = ("rowid",)
    #: The key's columns that are set to NULL (its nullable ones); none: the rows are deleted.
    nulled: tuple[str, ...] = ()
    #: Rows of other tables (or of this one) pointing at the rows that would be deleted:
    #: (table, count, examples, their key names).
    blockers: tuple[tuple[str, int, tuple[object, ...], Sequence[str]], ...] = field(
        default_factory=tuple
    )
    #: Counted after the data steps, inside the push.
    after_steps: bool = False

    @property
    def risk(self) -> Risk:
        if self.count is None:
            return Risk.CAUTION
        return Risk.UNEXECUTABLE if self.blockers else Risk.DATA_LOSS

    def finding(self, rows: int | None = None) -> Finding:
        return Finding(
            risk.NEW_FOREIGN_KEY,
            self.risk,
            self.message(),
            table=self.table,
            column=", ".join(self.columns),
            rows=rows,
            count=self.count,
            examples=self.examples,
        )

    def message(self) -> str:
        cols = ", ".join(self.columns)
        added = "is added" if self.after_steps else "will be added"
        head = f"A foreign key on `{self.table}` ({cols}) referencing `{self.parent}` {added}"
        n = self.count
        if n is None:
            return (
                f"{head}. Rows that point at no row of `{self.parent}` are counted after the "
                "schema change and the data steps; the push stops if there are any."
            )
        one = n == 1
        it, its = ("it", "its") if one else ("they", "their")
        them = "it" if one else "them"
        still = "after the data steps, " if self.after_steps else ""
        point = ("row still points" if one else "rows still point") if self.after_steps else None
        point = point or ("row points" if one else "rows point")
        shown = risk.example_text(self.key_names, self.examples)
        text = f"{head}, but {still}{n} {point} at no row of `{self.parent}`{shown}"
        rows_of = f"{'its row' if one else 'their rows'} of `{self.parent}`"
        if self.blockers:
            pointing = ", and ".join(
                f"{c} {'row' if c == 1 else 'rows'} of `{table}` point"
                + ("s" if c == 1 else "")
                + f" at {them}{risk.example_text(keys, ex)}"
                for table, c, ex, keys in self.blockers
            )
            return (
                f"{text}; {it} cannot be deleted: {pointing}. Give {them} {rows_of} in an "
                "`-- trueup:after` data step, or remove the rows that point at "
                f"{them} (see docs/change-control.md)."
            )
        if self.nulled:
            names = ", ".join(self.nulled)
            verb = "is" if len(self.nulled) == 1 else "are"
            action = f"With --accept-data-loss {its} {names} {verb} set to NULL"
        else:
            action = f"With --accept-data-loss {it} {'is' if one else 'are'} deleted"
        return (
            f"{text}. {action}. To keep {them}, give {them} {rows_of} in an "
            "`-- trueup:after` data step (see docs/change-control.md)."
        )


def constant_default(column: Column) -> str | None:
    """The SQL of the one value a new column gives every existing row, or None when that
    is not a constant (or there is no default: the value is NULL)."""
    if column.default is None or column.generated is not None:
        return None
    text = column.default.text
    return text if _CONSTANT.match(text) else None


def new_foreign_key(
    checks: Checks, t: CheckedTable, fk: ForeignKey, change: ch.ModifyTable
) -> list[Finding]:
    """The findings of ``fk``, added to the table ``t`` by ``change``."""
    # A key whose actions alone change is a ModifyForeignKey, never here: its rows met it.
    key = checks.hooks.key
    dropped = [x.foreign_key for x in change.changes if isinstance(x, ch.DropForeignKey)]
    out = repointed(checks, t, fk, dropped)
    added = {key(x.column.name): x.column for x in change.changes if isinstance(x, ch.AddColumn)}
    retyped = {
        key(x.new.name): (x.old, x.new)
        for x in change.changes
        if isinstance(x, ch.ModifyColumn) and ch.ColumnChange.TYPE in x.kind
    }
    values: list[ChildValue | None] = []
    for name in fk.columns:
        if (column := added.get(key(name))) is None:
            values.append(ChildValue(column=t.column(name), retyped=retyped.get(key(name))))
        elif column.default is None:
            return out  # a new column without a default holds NULL: no parent is needed
        elif (constant := constant_default(column)) is None:
            values.append(None)  # a value the check does not compute
        else:
            values.append(ChildValue(constant=constant))
    if None in values:
        return [*out, _orphans(checks, t, fk, change, None).finding()]
    found = _count(checks, t, fk, [v for v in values if v is not None])
    if found is None:
        return [*out, _orphans(checks, t, fk, change, None).finding()]
    n, orphan = found
    if n == 0:
        return out
    examples = checks.m.examples(t, orphan)
    orphans = _orphans(checks, t, fk, change, n, examples)
    if not orphans.nulled:
        orphans = _with_blockers(checks, t, orphans, orphan)
    return [*out, orphans.finding(checks.rows(t))]


def _orphans(
    checks: Checks,
    t: CheckedTable,
    fk: ForeignKey,
    change: ch.ModifyTable,
    n: int | None,
    examples: tuple[object, ...] = (),
) -> Orphans:
    nullable = tuple(
        c for c in fk.columns if (col := change.new.column(c)) is not None and col.nullable
    )
    ref = fk.ref_table if fk.ref_schema is None else f"{fk.ref_schema}.{fk.ref_table}"
    return Orphans(t.shown, fk.columns, ref, n, examples, checks.key_label(t), nullable)


def _count(
    checks: Checks, t: CheckedTable, fk: ForeignKey, values: list[ChildValue]
) -> tuple[int, Orphaned] | None:
    """How many rows of ``t`` point nowhere (their key's ``values``), and the condition
    that finds them; None when the engine cannot tell."""
    key = checks.hooks.key
    parent_now = checks.table_names.get((fk.ref_schema, key(fk.ref_table)), fk.ref_table)
    parent = checks.current.table(parent_now, fk.ref_schema)
    # No parent table yet: every reference dangles.
    parent_table = None if parent is None else CheckedTable(parent_now, parent)
    # The parent's columns by their names now: the plan may rename them too.
    parent_columns = tuple(
        checks.column_now(fk.ref_schema, fk.ref_table, c) for c in fk.ref_columns
    )
    parent_retyped = tuple(
        checks.column_retyped(fk.ref_schema, fk.ref_table, c) for c in fk.ref_columns
    )
    orphan = Orphaned(tuple(values), parent_table, parent_columns, parent_retyped)
    n = checks.m.count_over(t, orphan)
    return None if n is None else (n, orphan)


def _with_blockers(checks: Checks, t: CheckedTable, orphans: Orphans, orphan: Orphaned) -> Orphans:
    """``orphans`` with the rows that point at the rows it would delete (``orphan``, over
    ``t``), through the keys the database has now."""
    key = checks.hooks.key
    blockers = []
    for table in checks.current.tables:
        for other in table.foreign_keys:
            if (other.ref_schema, key(other.ref_table)) != (t.schema, key(t.name)):
                continue
            g = CheckedTable(table.name, table)
            where = PointsAt(t, orphan, other.columns, other.ref_columns)
            n = checks.m.count_over(g, where) or 0
            if n:
                examples = checks.m.examples(g, where)
                blockers.append((g.shown, n, examples, checks.key_label(g)))
    return replace(orphans, blockers=tuple(blockers)) if blockers else orphans


def repointed(
    checks: Checks, t: CheckedTable, fk: ForeignKey, dropped: Iterable[ForeignKey]
) -> list[Finding]:
    """Columns whose foreign key now points at another table: the values stay, but they
    were keys of the old parent and are read as keys of the new one (a join table
    renamed so that its A and B sides trade places, say). Nothing fails; the rows
    silently mean something else, so it counts as data loss."""
    key = checks.hooks.key
    before = next(
        (
            old
            for old in dropped
            if [key(c) for c in old.columns] == [key(c) for c in fk.columns]
            and (old.ref_schema, key(old.ref_table)) != (fk.ref_schema, key(fk.ref_table))
        ),
        None,
    )
    if before is None:
        return []
    present: list[Condition] = [NotNull(t.column(c)) for c in fk.columns]
    where = reduce(Both, present)
    n = checks.count(t, where)
    if n == 0:
        return []
    cols = ", ".join(fk.columns)
    examples = checks.examples(t, where) if n else ()
    held = "the values it holds" if n is None else f"{n} {'value' if n == 1 else 'values'}"
    message = (
        f"The foreign key on `{t.shown}` ({cols}) will point at `{fk.ref_table}` instead of "
        f"`{before.ref_table}`: {held}, keys of `{before.ref_table}` until now, will be "
        f"read as keys of `{fk.ref_table}`{risk.example_text(checks.key_label(t), examples)}."
    )
    return checks.measured(
        risk.REPOINTED_FOREIGN_KEY, Risk.DATA_LOSS, message, t, n, examples, column=cols
    )
