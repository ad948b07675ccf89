"""The rules for columns: one dropped (``DL102``), made generated over the values it holds
(``DL107``), its type changed (``DL103``), made required (``DD201``), and a required one
added without a default (``DD202``)."""

from __future__ import annotations

from trueup.diff import changes as ch
from trueup.model import Column, Table
from trueup.plan import risk
from trueup.plan.checks.conditions import (
    Both,
    CheckedTable,
    DiffersFromComputed,
    IsNull,
    KeptAsOtherClass,
    NotNull,
)
from trueup.plan.checks.context import Checks
from trueup.plan.checks.words import maybe_renamed, plural
from trueup.plan.plan import Finding, Risk


def drop_column(checks: Checks, t: CheckedTable, c: Column) -> list[Finding]:
    if c.generated is not None:
        return []  # computed from other columns: nothing of its own is lost
    where = NotNull(t.column(c.name))
    n = checks.count(t, where)
    if n == 0:
        return []
    if n is None:
        message = (
            f"You are about to drop the column `{c.name}` on the `{t.shown}` table. All the "
            "data in the column will be lost."
        )
        examples: tuple[object, ...] = ()
    else:
        examples = checks.examples(t, where)
        message = (
            f"You are about to drop the column `{c.name}` on the `{t.shown}` table, which "
            f"still contains {n} non-null values"
            f"{risk.example_text(checks.key_label(t), examples)}."
        )
    return checks.measured(risk.DROP_COLUMN, Risk.DATA_LOSS, message, t, n, examples, column=c.name)


def computed_over_values(
    checks: Checks, t: CheckedTable, c: Column, expression: str
) -> list[Finding]:
    """A stored column becomes a generated one: the values it holds give way to the
    computed ones. Values equal to what the expression gives lose nothing."""
    where = DiffersFromComputed(t.column(c.name), expression)
    n = checks.count(t, where)
    if n == 0:
        return []
    start = (
        f"The column `{c.name}` on the `{t.shown}` table becomes a generated column, "
        f"computed as {expression}"
    )
    examples: tuple[object, ...] = ()
    if n is None:
        message = f"{start}. The values it holds will be replaced."
    else:
        examples = checks.examples(t, where)
        message = (
            f"{start}; {plural(n, 'value', 'values')} it holds will be replaced by the "
            f"computed ones{risk.example_text(checks.key_label(t), examples)}."
        )
    return checks.measured(
        risk.COMPUTED_OVER_VALUES, Risk.DATA_LOSS, message, t, n, examples, column=c.name
    )


def modify_column(
    checks: Checks,
    t: CheckedTable,
    new_table: Table,
    old: Column,
    new: Column,
    kind: ch.ColumnChange,
) -> list[Finding]:
    if new.generated is not None and old.generated is None:
        return computed_over_values(checks, t, old, new.generated.expression.text)
    if new.generated is not None or old.generated is not None:
        return []
    out: list[Finding] = []
    if ch.ColumnChange.TYPE in kind and checks.dialect.checks_type_change(old, new, new_table):
        out += narrowing(checks, t, new_table, old, new)
    if ch.ColumnChange.NULLABLE in kind and old.nullable and not new.nullable:
        out += made_required(checks, t, old, new)
    return out


def made_required(checks: Checks, t: CheckedTable, old: Column, new: Column) -> list[Finding]:
    """A nullable column made required: its NULLs get the default, or stop the step."""
    where = IsNull(t.column(old.name))
    n = checks.count(t, where)
    if n is None:
        return [
            Finding(
                risk.MADE_REQUIRED,
                Risk.CAUTION,
                f"Made the column `{new.name}` on table `{t.shown}` required. This step "
                "will fail if there are existing NULL values in that column.",
                table=t.name,
                column=new.name,
            )
        ]
    if not n:
        return []
    examples = checks.examples(t, where)
    shown = risk.example_text(checks.key_label(t), examples)
    if new.default is not None:
        message = (
            f"Made the column `{new.name}` on table `{t.shown}` required; its "
            f"{plural(n, 'NULL value', 'NULL values')}{shown} will be set to the "
            f"default {new.default.text}."
        )
        level = Risk.CAUTION
    else:
        there = plural(n, "existing NULL value", "existing NULL values")
        message = (
            f"Made the column `{new.name}` on table `{t.shown}` required, but there "
            f"{'is' if n == 1 else 'are'} {there}{shown}."
        )
        level = Risk.UNEXECUTABLE
    return checks.measured(risk.MADE_REQUIRED, level, message, t, n, examples, column=new.name)


def narrowing(
    checks: Checks, t: CheckedTable, new_table: Table, old: Column, new: Column
) -> list[Finding]:
    """A type change that may not keep every value: the values it would refuse or change,
    and of those the ones that make the step fail."""
    col = t.column(old.name)
    cast = (
        f"The data in that column will be cast from `{old.type or 'no type'}` to "
        f"`{new.type or 'no type'}`."
    )
    nonnull = checks.count(t, NotNull(col))
    if nonnull == 0:
        return []
    changed = Both(NotNull(col), checks.not_kept(col, old, new, new_table))
    bad = checks.count(t, changed)
    if bad == 0:
        return kept_as_other_class(checks, t, new_table, old, new, nonnull)
    if bad is None or nonnull is None:
        message = (
            f"You are about to alter the column `{new.name}` on the `{t.shown}` table. The "
            f"data in that column could be lost. {cast}"
        )
        return [
            Finding(
                risk.NARROWING_TYPE,
                Risk.DATA_LOSS,
                message,
                table=t.name,
                column=new.name,
                rows=checks.rows(t),
            )
        ]
    examples = checks.examples(t, changed)
    failing = checks.refused(col, old, new, new_table)
    fails = checks.count(t, Both(NotNull(col), failing)) if checks.m.expressible(t, failing) else 0
    message = (
        f"You are about to alter the column `{new.name}` on the `{t.shown}` table, which "
        f"contains {nonnull} non-null values. {cast} {bad} of them would not convert or "
        f"would change{risk.example_text(checks.key_label(t), examples)}."
    )
    if fails is None or fails:
        many = "some" if fails is None else plural(fails, "value", "values")
        message += f" The cast fails for {many} of them, so this step cannot be executed."
    level = Risk.UNEXECUTABLE if fails else Risk.DATA_LOSS
    return checks.measured(risk.NARROWING_TYPE, level, message, t, bad, examples, column=new.name)


def kept_as_other_class(
    checks: Checks,
    t: CheckedTable,
    new_table: Table,
    old: Column,
    new: Column,
    nonnull: int | None,
) -> list[Finding]:
    """Values the change keeps as they are although they are not of the new type (text in
    an INTEGER column, where the engine stores any value in any column): nothing is lost,
    but an application reading the column as the new type finds them."""
    col = t.column(old.name)
    where = Both(NotNull(col), KeptAsOtherClass(col, new, new_table))
    n = checks.count(t, where)
    if not n:
        return []
    examples = checks.examples(t, where)
    message = (
        f"You are about to alter the column `{new.name}` on the `{t.shown}` table, which "
        f"contains {nonnull} non-null values. The data in that column will be cast from "
        f"`{old.type or 'no type'}` to `{new.type or 'no type'}`. "
        f"{plural(n, 'value stays', 'values stay')} as {'it is' if n == 1 else 'they are'}"
        f", not of the new type{risk.example_text(checks.key_label(t), examples)}: nothing "
        "is lost, but an application that reads the column as the new type will find them."
    )
    return checks.measured(
        risk.NARROWING_TYPE, Risk.CAUTION, message, t, n, examples, column=new.name
    )


def add_column(
    checks: Checks, t: CheckedTable, new_table: Table, c: Column, dropped: list[str]
) -> list[Finding]:
    """A required column without a default, added to a table with rows. Prisma's words;
    and when a column of the table is dropped in the same push, the likely cause: a rename
    nobody told trueup about."""
    if (
        c.nullable
        or c.default is not None
        or c.generated is not None
        or checks.dialect.auto_filled(new_table, c)
    ):
        return []
    n = checks.rows(t)
    if n == 0:
        return []
    rows = (
        "This is not possible if the table is not empty."
        if n is None
        else f"There are {n} rows in this table, it is not possible to execute this step."
    )
    if (new_table.schema, new_table.name, c.name) in checks.client_defaults:
        message = (
            f"The required column `{c.name}` was added to the `{t.shown}` table with a "
            f"prisma-level default value. {rows} Please add this column as optional, "
            "then populate it before making it required."
        )
    else:
        message = (
            f"Added the required column `{c.name}` to the `{t.shown}` table without a "
            f"default value. {rows}"
        )
    if dropped:
        message += " " + maybe_renamed(t.name, c.name, dropped)
    return [
        Finding(
            risk.REQUIRED_WITHOUT_DEFAULT,
            Risk.UNEXECUTABLE,
            message,
            table=t.name,
            column=c.name,
            rows=n,
            count=n,
        )
    ]
