"""The steps that change a PostgreSQL enum type.

New values are added in place (``ALTER TYPE ... ADD VALUE``) where the old ones keep their
order and nothing in the same transaction uses a new value; otherwise the type is made anew
under its name and every column of it is cast over by text (rows still holding a removed
value make the cast, and so the push, fail).
"""

from __future__ import annotations

from dataclasses import replace

from trueup.diff import changes as ch
from trueup.engines.postgres.expressions import tokens
from trueup.engines.postgres.plan_steps import PlanBuilder, Stage, uses_enum
from trueup.engines.postgres.quoting import literal, qualified, quote
from trueup.engines.postgres.render import create_enum, table_name
from trueup.model import Column, Enum, Table


def modify_enum(
    b: PlanBuilder, change: ch.Change, old: Enum, new: Enum, dropped: list[Table]
) -> None:
    name = qualified(old.name, old.schema)
    added = [v for v in new.values if v not in old.values]
    kept_order = [v for v in new.values if v in old.values] == list(old.values)
    if kept_order and not new_values_used(b, new, added):
        for v in added:
            pos = new.values.index(v)
            where = ""
            if pos > 0 and pos + 1 < len(new.values):
                where = f" AFTER {literal(new.values[pos - 1])}"
            elif pos == 0 and old.values:
                where = f" BEFORE {literal(old.values[0])}"
            b.add(
                Stage.ENUMS,
                f"ALTER TYPE {name} ADD VALUE {literal(v)}{where}",
                f"add value {v} to enum {old.name}",
                change,
            )
        return
    remake_enum(b, change, old, new, dropped)


def remake_enum(
    b: PlanBuilder, change: ch.Change, old: Enum, new: Enum, dropped: list[Table]
) -> None:
    """Values go away (or change order): a new type, every column cast to it by text."""
    temp = f"{old.name}_old"
    taken = {e.name for e in b.current.enums} | {e.name for e in b.desired.enums}
    while temp in taken:
        temp = "_" + temp
    b.add(
        Stage.ENUMS,
        f"ALTER TYPE {qualified(old.name, old.schema)} RENAME TO {quote(temp)}",
        f"recreate enum {old.name}",
        change,
    )
    b.add(Stage.ENUMS, create_enum(new), "", change)
    b.give_back(Stage.ENUMS, ("type", old.schema, old.name), "TYPE", change)
    gone = {(d.schema, d.name) for d in dropped}
    for table, col in enum_columns(b, old):
        if (table.schema, table.name) in gone:
            continue
        tn = table_name(table)
        alter = f"ALTER TABLE {tn} ALTER COLUMN {quote(col.name)}"
        if col.default is not None:
            b.add(Stage.ENUMS, f"{alter} DROP DEFAULT", "", change)
        via = "text[]" if col.type.endswith("[]") else "text"
        b.add(
            Stage.ENUMS,
            f"{alter} TYPE {col.type} USING {quote(col.name)}::{via}::{col.type}",
            f"cast {table.name}.{col.name} to the new enum",
            change,
        )
        target = b.desired.table(table.name, table.schema)
        kept = target.column(col.name) if target else None
        if kept is not None and kept.default is not None:
            b.add(Stage.ENUMS, f"{alter} SET DEFAULT {kept.default.text}", "", change)
    b.add(Stage.ENUMS, f"DROP TYPE {qualified(temp, old.schema)}", "", change)


def new_values_used(b: PlanBuilder, enum: Enum, added: list[str]) -> bool:
    """Whether a declared default names a value added now, or a column is cast into
    the enum while values are added (its rows may hold them): PostgreSQL refuses a value
    added in the same transaction, so then the type is made anew instead."""
    if added and any(uses_enum(t, enum) for t in b.cast_into):
        return True
    words = {literal(v) for v in added}
    for t in b.desired.tables:
        for c in t.columns:
            default = c.default
            if uses_enum(c.type, enum) and default and words & set(tokens(default.text)):
                return True
    return False


def enum_columns(b: PlanBuilder, enum: Enum) -> list[tuple[Table, Column]]:
    """The columns of the enum's type, as they are when the enum stage runs: current
    tables under their new names, dropped columns left out."""
    out: list[tuple[Table, Column]] = []
    renames: dict[tuple[str | None, str], str] = {}
    column_renames: dict[tuple[str | None, str, str], str] = {}
    dropped_cols: set[tuple[str | None, str, str]] = set()
    for step in b.stages[Stage.RENAMES] + b.stages[Stage.DROP_COLUMNS]:
        c = step.change
        if isinstance(c, ch.RenameTable):
            renames[(c.old.schema, c.old.name)] = c.new_name
    for t in b.current.tables:
        name = renames.get((t.schema, t.name), t.name)
        for mt in b.modified(name, t.schema):
            for p in mt.changes:
                if isinstance(p, ch.RenameColumn):
                    column_renames[(t.schema, name, p.old)] = p.new
                if isinstance(p, ch.DropColumn):
                    dropped_cols.add((t.schema, name, p.column.name))
        for col in t.columns:
            if not uses_enum(col.type, enum):
                continue
            col_name = column_renames.get((t.schema, name, col.name), col.name)
            if (t.schema, name, col_name) in dropped_cols:
                continue
            out.append((replace(t, name=name), replace(col, name=col_name)))
    return out
