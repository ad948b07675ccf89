"""Changes SQLite can make to a table in place: ``ALTER TABLE ... ADD COLUMN``, ``DROP
COLUMN``, ``RENAME COLUMN`` and ``CREATE`` / ``DROP INDEX``, each within SQLite's own rules
for them. Everything else rebuilds the table."""

from __future__ import annotations

from typing import assert_never

from trueup.diff import changes as ch
from trueup.engines.sqlite.lexer import references
from trueup.engines.sqlite.plan_steps import PlanBuilder, key
from trueup.engines.sqlite.render import column_definition, is_literal, literal_kind, quote
from trueup.model import Column, Table


def alterable(b: PlanBuilder, change: ch.ModifyTable) -> bool:
    """Whether every part of the change can be done with ALTER TABLE / CREATE INDEX."""
    for x in change.changes:
        match x:
            case ch.RenameColumn() | ch.ModifyTableComment():
                pass  # SQLite tables have no comments: nothing to run
            case ch.AddIndex(index=idx) | ch.DropIndex(index=idx):
                if idx.constraint:
                    return False
            case ch.AddColumn(column=col):
                if not addable(col, strict="STRICT" in change.new.options):
                    return False
            case ch.DropColumn(column=col):
                if not droppable(b, change.old, col):
                    return False
            case (
                ch.ModifyColumn()
                | ch.ModifyPrimaryKey()
                | ch.RenameIndex()
                | ch.AddForeignKey()
                | ch.DropForeignKey()
                | ch.ModifyForeignKey()
                | ch.AddCheck()
                | ch.DropCheck()
                | ch.ModifyCheck()
                | ch.RenameConstraint()
                | ch.ModifyTableOptions()
            ):
                return False
            case _:
                assert_never(x)
    return True


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


def droppable(b: PlanBuilder, table: Table, col: Column) -> bool:
    """Whether DROP COLUMN will work: nothing else in the schema may use the column."""
    name = key(col.name)
    if table.primary_key and name in {key(c) for c in table.primary_key.columns}:
        return False
    for idx in table.indexes:
        if idx.constraint and name in {key(c) for c in idx.columns}:
            return False
    for fk in table.foreign_keys:
        if name in {key(c) for c in fk.columns}:
            return False
    for check in table.checks:
        if name in references(check.expression.text):
            return False
    for other in table.columns:
        if other.generated and name in references(other.generated.expression.text):
            return False
    for schema in (b.current, b.desired):
        for t in schema.tables:
            for fk in t.foreign_keys:
                if key(fk.ref_table) == key(table.name) and name in {
                    key(c) for c in fk.ref_columns
                }:
                    return False
    for trig in b.current.triggers:
        words = references(trig.definition.text)
        if name in words and key(table.name) in words:
            return False
    return True


def alter(b: PlanBuilder, change: ch.ModifyTable) -> None:
    """Drop and add columns in place (``alterable`` said it can be done)."""
    t = quote(change.new.name)
    for x in change.changes:
        if isinstance(x, ch.DropColumn):
            b.add(
                f"ALTER TABLE {t} DROP COLUMN {quote(x.column.name)}",
                f"drop column {change.new.name}.{x.column.name}",
                change,
            )
    for x in change.changes:
        if isinstance(x, ch.AddColumn):
            b.add(
                f"ALTER TABLE {t} ADD COLUMN {column_definition(x.column)}",
                f"add column {change.new.name}.{x.column.name}",
                change,
            )


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
