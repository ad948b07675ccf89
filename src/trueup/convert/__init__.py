"""A schema of one engine as the closest schema of the other (SQLite to PostgreSQL and back),
for ``trueup copy`` without a declared schema.

The conversion is explicit and pure: every column type, default, key, index, check and view
is mapped by the rules in :mod:`trueup.convert.types` and :mod:`trueup.convert.defaults`,
and whatever cannot be mapped is left out with a note saying so. Whether the target engine
accepts what was mapped (a CHECK or a view written in the other engine's SQL) is tried in a
scratch database afterwards (:mod:`trueup.convert.fit`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from trueup.convert import defaults, types
from trueup.engines.postgres import expressions as pg
from trueup.engines.postgres.render import type_name
from trueup.engines.sqlite import lexer as sq
from trueup.engines.sqlite.quoting import quote as sqlite_quote
from trueup.engines.sqlite.rowid import rowid_alias
from trueup.errors import TrueupError
from trueup.model import (
    Check,
    Column,
    Expr,
    Generated,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    View,
)

__all__ = ["Conversion", "ConversionError", "convert_schema"]

#: PostgreSQL collations that compare as SQLite's default (BINARY) does.
_BYTEWISE = {"C", "POSIX", "default"}


class ConversionError(TrueupError):
    """The schema cannot be moved to the other engine."""


@dataclass(frozen=True, slots=True)
class Conversion:
    schema: Schema
    #: What changed meaning or was left out, one line each, for the person copying.
    notes: tuple[str, ...]


def convert_schema(schema: Schema, source: str, target: str) -> Conversion:
    """``schema`` (inspected from a ``source`` database) for a ``target`` database."""
    notes: list[str] = []
    if source == target:
        return Conversion(schema, ())
    if (source, target) == ("sqlite", "postgresql"):
        out = _sqlite_to_postgres(schema, notes)
    elif (source, target) == ("postgresql", "sqlite"):
        out = _postgres_to_sqlite(schema, notes)
    else:
        raise ConversionError(f"trueup cannot convert a {source} schema for {target}.")
    return Conversion(out, tuple(notes))


# --- SQLite to PostgreSQL ---------------------------------------------------------------------


def _sqlite_to_postgres(schema: Schema, notes: list[str]) -> Schema:
    tables = tuple(_table_to_postgres(t, notes) for t in schema.tables)
    views = []
    for view in schema.views:
        query = _view_query(view.definition.text)
        if query is None:
            notes.append(f"view {view.name}: not copied (its column list has no PostgreSQL form)")
        else:
            views.append(View(view.name, pg.view_expr(query)))
    for trigger in schema.triggers:
        notes.append(
            f"trigger {trigger.name}: not copied (a SQLite trigger's body cannot run in "
            "PostgreSQL, which runs trigger functions)"
        )
    for virtual in schema.virtual_tables:
        notes.append(f"virtual table {virtual.name}: not copied (it is a SQLite module)")
    return Schema(tables=tables, views=tuple(views))


def _table_to_postgres(t: Table, notes: list[str]) -> Table:
    # SQLite numbers an INTEGER PRIMARY KEY itself (AUTOINCREMENT or not): a serial here.
    numbered = rowid_alias(t)
    columns = []
    for c in t.columns:
        pg_type, note = types.to_postgres(c.type)
        where = f"{t.name}.{c.name}"
        auto = c.name == numbered
        if auto:
            pg_type, note = "BIGINT", None
        elif note:
            notes.append(f"{where}: {note}")
        default = None
        if c.default is not None and not auto:
            text = defaults.to_postgres(c.default.text, pg_type)
            if text is None:
                notes.append(f"{where}: default {c.default.text} dropped (no PostgreSQL form)")
            else:
                default = pg.expr(text)
        if c.collation:
            notes.append(f"{where}: COLLATE {c.collation} dropped (PostgreSQL has no such one)")
        generated = None
        if c.generated is not None:  # PostgreSQL stores generated columns
            generated = Generated(pg.expr(c.generated.expression.text), stored=True)
        columns.append(
            Column(c.name, pg_type, c.nullable, default, autoincrement=auto, generated=generated)
        )
        if c.not_null_conflict:
            clause = f"ON CONFLICT {c.not_null_conflict}"
            notes.append(f"{t.name}.{c.name}: {clause} of NOT NULL dropped")
    pk = None
    if t.primary_key is not None:
        pk = PrimaryKey(t.primary_key.columns, t.primary_key.name)
        if t.primary_key.on_conflict:
            notes.append(f"{t.name}: ON CONFLICT {t.primary_key.on_conflict} of the key dropped")
    indexes = []
    for index in t.indexes:
        if index.on_conflict:
            notes.append(f"{t.name}: ON CONFLICT {index.on_conflict} of a unique key dropped")
        parts = tuple(_part(p, pg.expr) for p in index.parts)
        predicate = pg.expr(index.where.text) if index.where else None
        indexes.append(Index(index.name, parts, index.unique, predicate, index.constraint))
    return Table(
        t.name,
        tuple(columns),
        pk,
        tuple(indexes),
        tuple(replace(fk, ref_schema=None) for fk in t.foreign_keys),
        tuple(Check(pg.expr(c.expression.text), c.name) for c in t.checks),
    )


def _view_query(statement: str) -> str | None:
    """The query of a SQLite ``CREATE VIEW``, or None when it names its columns."""
    toks = sq.tokenize(statement)
    for i, tok in enumerate(toks):
        if tok.is_word("AS"):
            if any(t.text == "(" for t in toks[:i]):
                return None
            return statement[tok.end :].strip().rstrip(";").strip()
    return None


# --- PostgreSQL to SQLite ---------------------------------------------------------------------


def _postgres_to_sqlite(schema: Schema, notes: list[str]) -> Schema:
    enums = {type_name(e.name, e.schema) for e in schema.enums}
    tables = tuple(_table_to_sqlite(t, enums, notes) for t in schema.tables)
    views = []
    for view in schema.views:
        if view.materialized:
            notes.append(f"materialized view {view.name}: not copied (SQLite has none)")
            continue
        text = f"CREATE VIEW {sqlite_quote(view.name)} AS {view.definition.text}"
        views.append(View(view.name, sq.statement_expr(text)))
    return Schema(tables=tables, views=tuple(views))


def _table_to_sqlite(t: Table, enums: set[str], notes: list[str]) -> Table:
    key = t.primary_key.columns if t.primary_key else ()
    columns = []
    for c in t.columns:
        where = f"{t.name}.{c.name}"
        sqlite_type, note = types.to_sqlite(c.type, enum=c.type in enums)
        numbered = c.autoincrement or c.identity is not None
        auto = numbered and key == (c.name,) and sqlite_type == "INTEGER"
        if note:
            notes.append(f"{where}: {note}")
        if numbered and not auto:
            notes.append(
                f"{where}: numbered by a sequence in PostgreSQL; SQLite numbers only an "
                "INTEGER PRIMARY KEY, so inserts must give it a value"
            )
        default = None
        if c.default is not None:
            text = defaults.to_sqlite(c.default.text)
            if text is None:
                notes.append(f"{where}: default {c.default.text} dropped (no SQLite form)")
            elif text != "NULL":
                default = sq.expr(text)
        if c.collation and c.collation not in _BYTEWISE:
            notes.append(f"{where}: COLLATE {c.collation} dropped (SQLite has no such one)")
        generated = None
        if c.generated is not None:
            generated = Generated(sq.expr(c.generated.expression.text), stored=True)
        columns.append(
            Column(
                c.name, sqlite_type, c.nullable, default, autoincrement=auto, generated=generated
            )
        )
    if t.comment is not None or any(c.comment is not None for c in t.columns):
        notes.append(f"{t.name}: comments dropped (SQLite has none)")
    indexes = []
    for index in t.indexes:
        if index.method is not None:
            notes.append(f"index {index.name}: not copied (SQLite has no {index.method} indexes)")
            continue
        if index.include:
            notes.append(f"index {index.name}: INCLUDE columns dropped (SQLite has none)")
        if index.nulls_not_distinct:
            notes.append(
                f"index {index.name}: NULLS NOT DISTINCT dropped (SQLite has none: its unique "
                "keys take any number of NULLs)"
            )
        if any(p.nulls for p in index.parts):
            notes.append(
                f"index {index.name}: NULLS FIRST / LAST of its keys dropped (SQLite has none)"
            )
        parts = tuple(_part(p, sq.expr) for p in index.parts)
        predicate = sq.expr(index.where.text) if index.where else None
        indexes.append(Index(index.name, parts, index.unique, predicate, index.constraint))
    fks = []
    for fk in t.foreign_keys:
        if fk.ref_schema is not None:
            notes.append(
                f"{t.name}: the foreign key to {fk.ref_schema}.{fk.ref_table} not copied "
                "(SQLite has one schema)"
            )
            continue
        fks.append(fk)
    return Table(
        t.name,
        tuple(columns),
        # Unnamed: SQLite numbers an INTEGER PRIMARY KEY with AUTOINCREMENT only when the key
        # is declared on the column, and a name would make it a table constraint.
        PrimaryKey(key) if t.primary_key else None,
        tuple(indexes),
        tuple(fks),
        tuple(Check(sq.expr(c.expression.text), c.name) for c in t.checks),
    )


def _part(part: IndexPart, make: Callable[[str], Expr]) -> IndexPart:
    """An index key without its engine's collation and operator class (the other engine
    has neither of them by those names), nor the order of its NULLs (SQLite has none)."""
    expression = make(part.expression.text) if part.expression is not None else None
    return IndexPart(part.column, expression, part.descending)
