"""The lowered model goes through the engine itself, the same normaliser as the live side:
it is rendered to DDL, run where the engine keeps it (SQLite: an empty in-memory database;
PostgreSQL: see :func:`normalize_postgres`) and read back by the inspector, so a database
made by ``prisma db push`` and the declared schema compare as the engine sees them (type
spelling, default text, implied keys), and the engine judges anything passed through
verbatim (``Unsupported("…")`` types, ``dbgenerated("…")`` SQL).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from trueup.engines import get_dialect
from trueup.model import Extension, Schema
from trueup.sources.prisma.datamodel import DataModel
from trueup.sources.prisma.lower import lower
from trueup.sources.prisma.source import Pos, fail


def normalize_sqlite(schema: Schema, data: DataModel) -> Schema:
    dialect = get_dialect("sqlite")
    positions: dict[str, Pos] = {m.db_name: m.pos for m in data.models if not m.is_view}
    scratch = dialect.scratch()
    try:
        for table in schema.tables:
            for statement in dialect.render_schema(Schema(tables=(table,))):
                try:
                    scratch.execute(statement)
                except Exception as exc:  # sqlite3's errors, whatever the kind
                    pos = positions.get(table.name, data.datasource.pos)
                    raise fail(
                        pos,
                        f"SQLite rejected the table `{table.name}` made from this model: {exc}.",
                        hint='Check Unsupported("…") types, dbgenerated("…") and Json defaults '
                        "(written after DEFAULT as they are, as Prisma writes them: an "
                        "expression needs its parentheses, dbgenerated(\"(lower('X'))\")) "
                        "and names (SQLite reserves names starting with sqlite_).",
                    ) from None
        return scratch.inspect()
    finally:
        scratch.close()


def normalize_postgres(schema: Schema, data: DataModel, url: str) -> Schema:
    """Run the lowered model's DDL where PostgreSQL reads it back with the live inspector,
    so both sides of the diff spell types, defaults and names alike: in the database of
    ``url`` itself, in a transaction that is always rolled back (so that what
    ``dbgenerated("…")`` SQL names of the database's own, a function, a sequence, a type,
    is there as it is for the push), else in a scratch database on its server."""
    from trueup.urls import parse_url

    dialect = get_dialect("postgresql")
    target = parse_url(url)
    positions = {m.db_name: m.pos for m in data.models if not m.is_view}
    scratch = dialect.scratch_in_place(target, schema.namespaces) or dialect.scratch(target)
    try:
        placed = lower(_placed(data, scratch.place))
        for statement in dialect.render_schema(placed):
            try:
                scratch.execute(statement)
            except Exception as exc:  # psycopg's errors, whatever the kind
                ext = next((e for e in schema.extensions if _creates(statement, e)), None)
                if ext is not None:
                    raise fail(
                        data.datasource.pos,
                        f"PostgreSQL cannot make the extension `{ext.name}` the datasource "
                        f"lists: {exc}".rstrip(),
                        hint="Install the extension on the database server, check the "
                        "version and schema given, or take it out of `extensions`.",
                    ) from None
                table = next((t.name for t in schema.tables if f'"{t.name}"' in statement), "")
                raise fail(
                    positions.get(table, data.datasource.pos),
                    f"PostgreSQL rejected the DDL made from this model: {exc}".rstrip(),
                    hint='Check Unsupported("…") types, dbgenerated("…") defaults and native '
                    "type arguments.",
                ) from None
        # The extensions are the declared ones (the scratch database has the live one's too).
        return dataclasses.replace(scratch.inspect(), extensions=schema.extensions)
    finally:
        scratch.close()


def _placed(data: DataModel, place: Callable[[str | None], str | None]) -> DataModel:
    """``data`` with every schema name replaced by where ``place`` puts it."""
    source = data.datasource
    schemas = tuple(p for p in map(place, source.schemas) if p is not None)
    return dataclasses.replace(
        data,
        datasource=dataclasses.replace(source, schemas=schemas),
        models=tuple(dataclasses.replace(m, schema=place(m.schema)) for m in data.models),
        enums=tuple(dataclasses.replace(e, schema=place(e.schema)) for e in data.enums),
    )


def _creates(statement: str, ext: Extension) -> bool:
    quoted = '"' + ext.name.replace('"', '""') + '"'
    return statement.startswith(f"CREATE EXTENSION IF NOT EXISTS {quoted}")
