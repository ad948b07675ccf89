"""The rules for unique keys: a primary key changed (``DL104``), a unique index or
constraint added (``DD203``), and a key that stays while the type or collation of a column
in it changes, counted as for a new key."""

from __future__ import annotations

from collections.abc import Sequence

from trueup.diff import changes as ch
from trueup.model import Column, Index, IndexPart, PrimaryKey, Table
from trueup.plan import risk
from trueup.plan.checks.conditions import CheckedTable, KeyPart
from trueup.plan.checks.context import Checks
from trueup.plan.checks.words import nulls_equal, plural
from trueup.plan.plan import Finding, Risk

#: Columns whose type or collation changes, by the key of their new name: the old and the
#: new column, and what changes of the two.
Rekeyed = dict[str, tuple[Column, Column, ch.ColumnChange]]


def key_part(
    checks: Checks, t: CheckedTable, table: Table, part: IndexPart, keyed: Rekeyed
) -> KeyPart:
    """One part of a unique key as the new table compares it: a column whose type or
    collation changes by its new type and collation (``Dialect.key_value``)."""
    if part.column is None:
        assert part.expression is not None
        return KeyPart(expression=part.expression.text, collation=part.collation)
    column = t.column(part.column)
    if (found := keyed.get(checks.hooks.key(part.column))) is not None:
        old, new, _ = found
        collation = part.collation or new.collation
        return KeyPart(column=column, collation=collation, change=(old, new), table=table)
    return KeyPart(column=column, collation=part.collation)


def key_parts(
    checks: Checks, t: CheckedTable, table: Table, parts: Sequence[IndexPart], keyed: Rekeyed
) -> list[KeyPart]:
    return [key_part(checks, t, table, p, keyed) for p in parts]


def rekeyed_columns(
    checks: Checks, t: CheckedTable, table: Table, parts: Sequence[IndexPart], keyed: Rekeyed
) -> str:
    """What changes in how the key's columns compare, in words (``collation of
    `email```), or ``""`` when their values compare as before."""
    out = []
    for p in parts:
        found = keyed.get(checks.hooks.key(p.column)) if p.column is not None else None
        if found is None:
            continue
        old, new, kind = found
        col = t.column(new.name)
        before = KeyPart(
            column=col, collation=p.collation or old.collation, change=(old, old), table=table
        )
        after = KeyPart(
            column=col, collation=p.collation or new.collation, change=(old, new), table=table
        )
        if not checks.m.compares_as_before(t, before, after):
            out.append(f"{kind.describe()} of `{new.name}`")
    return ch.and_list(out) if out else ""


def primary_key(
    checks: Checks,
    t: CheckedTable,
    table: Table,
    had_key: bool,
    pk: PrimaryKey | None,
    added: set[str],
    keyed: Rekeyed,
) -> list[Finding]:
    n = checks.rows(t)
    columns = pk.columns if pk is not None else ()
    if n == 0 or pk is None or not columns:
        return []
    if any(checks.hooks.key(c) in added for c in columns):
        dups: int | None = None
        examples: tuple[object, ...] = ()
    else:
        parts = key_parts(checks, t, table, _pk_parts(pk), keyed)
        dups, examples = checks.m.duplicates(t, parts, None)
    label = ", ".join(columns)
    if dups:
        message = (
            f"The primary key for the `{t.shown}` table cannot be changed to ({label}): "
            f"{plural(dups, 'value is', 'values are')} shared by more than one row"
            f"{risk.example_text(checks.key_label(t), examples)}."
        )
        return [
            Finding(
                risk.PRIMARY_KEY,
                Risk.UNEXECUTABLE,
                message,
                table=t.name,
                rows=n,
                count=dups,
                examples=examples,
            )
        ]
    if not had_key:
        return []
    return [
        Finding(
            risk.PRIMARY_KEY,
            Risk.CAUTION,
            f"The primary key for the `{t.shown}` table will be changed to ({label}).",
            table=t.name,
            rows=n,
        )
    ]


def unique(
    checks: Checks,
    t: CheckedTable,
    table: Table,
    idx: Index,
    added: set[str],
    keyed: Rekeyed,
) -> list[Finding]:
    columns = "[" + ",".join(idx.columns or ("expression",)) + "]"
    if any(checks.hooks.key(c) in added for c in idx.columns):
        dups: int | None = None
        examples: tuple[object, ...] = ()
    else:
        parts = key_parts(checks, t, table, idx.parts, keyed)
        where = idx.where.text if idx.where is not None else None
        dups, examples = checks.m.duplicates(t, parts, where, nulls_equal=idx.nulls_not_distinct)
    if dups == 0:
        return []
    if dups is None:
        message = (
            f"A unique constraint covering the columns `{columns}` on the table `{t.shown}` "
            "will be added. If there are existing duplicate values, this will fail."
        )
        return [Finding(risk.NEW_UNIQUE, Risk.CAUTION, message, table=t.name)]
    message = (
        f"A unique constraint covering the columns `{columns}` on the table `{t.shown}` "
        f"cannot be added: {plural(dups, 'value is', 'values are')} shared by more than "
        f"one row{nulls_equal(idx.nulls_not_distinct)}"
        f"{risk.example_text(checks.key_label(t), examples)}."
    )
    return checks.measured(risk.NEW_UNIQUE, Risk.UNEXECUTABLE, message, t, dups, examples)


def kept_keys(
    checks: Checks, t: CheckedTable, change: ch.ModifyTable, keyed: Rekeyed
) -> list[Finding]:
    """Unique keys that stay while the type or collation of a column in them changes:
    values that were apart may become equal (``'a'`` and ``'A'`` under NOCASE, ``'1'``
    and ``'01'`` as integers), and the key cannot be built again over them. Counted as
    for a new key (a primary key as ``DL104``, a unique index or constraint as
    ``DD203``); a key that is new or changed is counted where it changes."""
    if not keyed:
        return []
    table = change.new
    new_keys = [x.index for x in change.changes if isinstance(x, ch.AddIndex)]
    new_keys += [
        x.new
        for x in change.changes
        if isinstance(x, ch.RenameConstraint) and isinstance(x.new, Index)
    ]
    pk_changed = any(
        isinstance(x, ch.ModifyPrimaryKey) and not x.renamed_only for x in change.changes
    )
    out: list[Finding] = []
    pk = table.primary_key
    if pk is not None and not pk_changed:
        what = rekeyed_columns(checks, t, table, _pk_parts(pk), keyed)
        if what:
            parts = key_parts(checks, t, table, _pk_parts(pk), keyed)
            head = "The primary key for"
            out += kept_key(checks, t, head, what, parts, None, risk.PRIMARY_KEY)
    for idx in table.indexes:
        if not idx.unique or idx in new_keys:
            continue
        what = rekeyed_columns(checks, t, table, idx.parts, keyed)
        if not what:
            continue
        kind = "constraint" if idx.constraint or idx.name is None else "index"
        name = f" `{idx.name}`" if idx.name else ""
        columns = "[" + ",".join(idx.columns or ("expression",)) + "]"
        head = f"The unique {kind}{name} covering the columns `{columns}` on"
        parts = key_parts(checks, t, table, idx.parts, keyed)
        where = idx.where.text if idx.where is not None else None
        out += kept_key(
            checks, t, head, what, parts, where, risk.NEW_UNIQUE, idx.nulls_not_distinct
        )
    return out


def kept_key(
    checks: Checks,
    t: CheckedTable,
    head: str,
    what: str,
    parts: list[KeyPart],
    where: str | None,
    code: str,
    nulls_not_distinct: bool = False,
) -> list[Finding]:
    dups, examples = checks.m.duplicates(t, parts, where, nulls_equal=nulls_not_distinct)
    if dups == 0:
        return []
    start = f"{head} the `{t.shown}` table"
    if dups is None:
        message = (
            f"{start} is built again under the new {what}. If values become equal under "
            "it, this will fail."
        )
        return [Finding(code, Risk.CAUTION, message, table=t.name, rows=checks.rows(t))]
    message = (
        f"{start} cannot be kept under the new {what}: "
        f"{plural(dups, 'value is', 'values are')} shared by more than one row"
        f"{nulls_equal(nulls_not_distinct)}{risk.example_text(checks.key_label(t), examples)}."
    )
    return checks.measured(code, Risk.UNEXECUTABLE, message, t, dups, examples)


def _pk_parts(pk: PrimaryKey) -> tuple[IndexPart, ...]:
    """A primary key's parts: as written when it has its own order or collation."""
    return pk.parts or tuple(IndexPart(column=c) for c in pk.columns)
