"""SQL text for PostgreSQL: the shapes of ``CREATE TABLE`` / ``CREATE INDEX`` / constraints
rendered from the model. Names and literals are quoted by :mod:`.quoting`.
"""

from __future__ import annotations

import re

from trueup.engines.postgres.expressions import tokens
from trueup.engines.postgres.keywords import KEYWORDS
from trueup.engines.postgres.quoting import literal, qualified, quote
from trueup.engines.postgres.sequences import create_sequence, identity_clause
from trueup.engines.postgres.types import SERIALS
from trueup.model import (
    Action,
    Check,
    Column,
    Deferral,
    Enum,
    Extension,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    View,
)

INDENT = "    "


def ident(name: str) -> str:
    """A name the way PostgreSQL prints it (``quote_ident``): bare when it can be."""
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) and name not in KEYWORDS:
        return name
    return quote(name)


def type_name(name: str, schema: str | None) -> str:
    """A user type's name as ``format_type`` gives it (``status``, ``"Role"``,
    ``audit."Mood"``): the spelling of enum columns' types in the model."""
    return ident(name) if schema is None else f"{ident(schema)}.{ident(name)}"


def names(columns: tuple[str, ...] | list[str]) -> str:
    return ", ".join(quote(c) for c in columns)


def table_name(table: Table) -> str:
    return qualified(table.name, table.schema)


def column_type(col: Column) -> str:
    """The type as it goes into a column definition: ``SERIAL`` for an autoincrement
    integer (the sequence and its default come with it)."""
    if col.autoincrement and col.type in SERIALS:
        return SERIALS[col.type]
    return col.type


def column_definition(col: Column) -> str:
    parts = [quote(col.name), column_type(col)]
    if col.collation:
        parts.append("COLLATE " + quote(col.collation))
    if col.generated is not None:
        parts.append(f"GENERATED ALWAYS AS ({col.generated.expression.text}) STORED")
    if col.identity:
        parts.append(identity_clause(col))
    if not col.nullable:
        parts.append("NOT NULL")
    if col.default is not None and not col.autoincrement:
        parts.append("DEFAULT " + col.default.text)
    return " ".join(parts)


def primary_key_clause(pk: PrimaryKey) -> str:
    head = f"CONSTRAINT {quote(pk.name)} " if pk.name else ""
    return f"{head}PRIMARY KEY ({names(pk.columns)})"


def index_part(part: IndexPart) -> str:
    if part.column is not None:
        text = quote(part.column)
    else:
        assert part.expression is not None
        text = f"({part.expression.text})"
    if part.collation:
        text += " COLLATE " + quote(part.collation)
    if part.opclass:
        text += " " + part.opclass
    if part.descending:
        text += " DESC"
    if part.nulls:
        text += f" NULLS {part.nulls}"
    return text


def unique_clause(index: Index) -> str:
    head = f"CONSTRAINT {quote(index.name)} " if index.name else ""
    nulls = "NULLS NOT DISTINCT " if index.nulls_not_distinct else ""
    text = f"{head}UNIQUE {nulls}({', '.join(index_part(p) for p in index.parts)})"
    if index.include:
        text += f" INCLUDE ({names(index.include)})"
    return text


def check_clause(check: Check) -> str:
    head = f"CONSTRAINT {quote(check.name)} " if check.name else ""
    return f"{head}CHECK ({check.expression.text})"


def foreign_key_clause(fk: ForeignKey) -> str:
    head = f"CONSTRAINT {quote(fk.name)} " if fk.name else ""
    text = (
        f"{head}FOREIGN KEY ({names(fk.columns)}) "
        f"REFERENCES {qualified(fk.ref_table, fk.ref_schema)}"
    )
    if fk.ref_columns:
        text += f" ({names(fk.ref_columns)})"
    if fk.on_delete is not Action.NO_ACTION:
        text += f" ON DELETE {fk.on_delete.value}"
    if fk.on_update is not Action.NO_ACTION:
        text += f" ON UPDATE {fk.on_update.value}"
    if fk.deferral is not Deferral.IMMEDIATE:
        text += " " + fk.deferral.value
    return text


def create_table(table: Table) -> str:
    """``CREATE TABLE`` with its columns, primary key, unique constraints and checks;
    foreign keys and indexes come as statements of their own."""
    lines = [column_definition(c) for c in table.columns]
    if table.primary_key is not None:
        lines.append(primary_key_clause(table.primary_key))
    lines += [unique_clause(i) for i in table.indexes if i.constraint]
    lines += [check_clause(c) for c in table.checks]
    body = ",\n".join(INDENT + line for line in lines)
    return f"CREATE TABLE {table_name(table)} (\n{body}\n)"


def create_index(index: Index, table: Table, *, concurrently: bool = False) -> str:
    assert index.name is not None, "a CREATE INDEX needs a name"
    unique = "UNIQUE " if index.unique else ""
    how = "CONCURRENTLY " if concurrently else ""
    using = f" USING {index.method}" if index.method else ""
    parts = ", ".join(index_part(p) for p in index.parts)
    sql = f"CREATE {unique}INDEX {how}{quote(index.name)} ON {table_name(table)}{using} ({parts})"
    if index.include:
        sql += f" INCLUDE ({names(index.include)})"
    if index.nulls_not_distinct:
        sql += " NULLS NOT DISTINCT"
    if index.where is not None:
        sql += f" WHERE {index.where.text}"
    return sql


def drop_index(index: Index, schema: str | None) -> str:
    assert index.name is not None
    return f"DROP INDEX {qualified(index.name, schema)}"


def add_foreign_key(table: Table, fk: ForeignKey) -> str:
    return f"ALTER TABLE {table_name(table)} ADD {foreign_key_clause(fk)}"


def create_enum(enum: Enum, name: str | None = None) -> str:
    values = ", ".join(literal(v) for v in enum.values)
    return f"CREATE TYPE {qualified(name or enum.name, enum.schema)} AS ENUM ({values})"


def create_view(view: View) -> str:
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    sql = f"CREATE {kind} {qualified(view.name, view.schema)} AS\n{view.definition.text}"
    return sql + ("\nWITH NO DATA" if view.materialized and not view.populated else "")


def drop_view(view: View) -> str:
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return f"DROP {kind} {qualified(view.name, view.schema)}"


def comment_on_table(table: Table) -> str:
    value = "NULL" if table.comment is None else literal(table.comment)
    return f"COMMENT ON TABLE {table_name(table)} IS {value}"


def comment_on_column(table: Table, col: Column) -> str:
    value = "NULL" if col.comment is None else literal(col.comment)
    return f"COMMENT ON COLUMN {table_name(table)}.{quote(col.name)} IS {value}"


def create_extension(ext: Extension) -> str:
    """``CREATE EXTENSION``, spelled as Prisma spells it; one the database already has
    (wherever, in whichever version) is left as it is."""
    sql = f"CREATE EXTENSION IF NOT EXISTS {quote(ext.name)}"
    if ext.schema is not None or ext.version is not None:
        sql += " WITH"
    if ext.schema is not None:
        sql += f" SCHEMA {quote(ext.schema)}"
    if ext.version is not None:
        sql += f" VERSION {quote(ext.version)}"
    return sql


def schema_statements(schema: Schema, default_schema: str = "public") -> list[str]:
    """The whole schema as statements PostgreSQL accepts in this order: schemas,
    extensions, enums, sequences, tables, indexes, foreign keys, comments, views."""
    out = [
        f"CREATE SCHEMA IF NOT EXISTS {quote(ns)}"
        for ns in schema.namespaces
        if ns != default_schema
    ]
    out += [create_extension(e) for e in schema.extensions]
    out += [create_enum(e) for e in schema.enums]
    out += [create_sequence(s) for s in schema.sequences]
    for table in schema.tables:
        out.append(create_table(table))
    for table in schema.tables:
        out += [create_index(i, table) for i in table.indexes if not i.constraint]
    for table in schema.tables:
        out += [add_foreign_key(table, fk) for fk in table.foreign_keys]
    for table in schema.tables:
        if table.comment is not None:
            out.append(comment_on_table(table))
        out += [comment_on_column(table, c) for c in table.columns if c.comment is not None]
    out += [create_view(v) for v in views_in_order(schema.views)]
    return out


def views_in_order(views: tuple[View, ...] | list[View]) -> list[View]:
    """Views ordered so that a view comes after the views its query names."""
    pending = list(views)
    done: list[View] = []
    placed: set[str] = set()
    while pending:
        progress = False
        for view in list(pending):
            words = set(tokens(view.definition.text))
            needs = {
                v.name
                for v in pending
                if v is not view and (v.name.lower() in words or quote(v.name) in words)
            }
            if not needs - placed:
                done.append(view)
                placed.add(view.name)
                pending.remove(view)
                progress = True
        if not progress:
            done += pending
            break
    return done
