"""The lowered model goes through the engine itself, the same normaliser as the live side
and every other source (:mod:`trueup.sources.scratch`): it is rendered to DDL, run in a
scratch database and read back by the inspector, so a database made by ``prisma db push``
and the declared schema compare as the engine sees them (type spelling, default text,
implied keys), and the engine judges anything passed through verbatim (``Unsupported("…")``
types, ``dbgenerated("…")`` SQL).

On an engine that can (see :meth:`~trueup.engines.base.Dialect.scratch_in_place`), the
scratch session is the target database itself, in a transaction that is always rolled
back: what ``dbgenerated("…")`` SQL names of the database's own (a function, a sequence, a
type) is there as it is for the push.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TypeVar

from trueup.engines import get_dialect
from trueup.engines.base import Dialect, Session
from trueup.errors import SchemaError
from trueup.model import Extension, Schema, Table
from trueup.sources.prisma.datamodel import REJECTED_HINTS, DataModel
from trueup.sources.prisma.lower import lower
from trueup.sources.prisma.source import fail
from trueup.sources.scratch import normalise
from trueup.urls import DatabaseURL

_T = TypeVar("_T", Extension, Table)


def normalize(schema: Schema, data: DataModel, url: DatabaseURL | None = None) -> Schema:
    """``schema`` (the lowering of ``data``) as the engine of the datasource's provider
    makes it, in a scratch database on the server of ``url`` where the engine needs one."""
    dialect = get_dialect(data.datasource.provider)
    run: list[Schema] = []

    def statements(scratch: Session) -> list[tuple[None, str]]:
        placed = _placed_schema(schema, data, scratch.place)
        run.append(placed)
        return [(None, sql) for sql in dialect.render_schema(placed)]

    def rejected(_: None, statement: str, error: Exception) -> SchemaError:
        return _rejected(dialect, data, run[0], statement, error)

    normalised = normalise(dialect, statements, rejected, url=url, in_place=schema.namespaces)
    # The extensions are the declared ones (a scratch database may have the live one's too).
    return dataclasses.replace(normalised.schema, extensions=schema.extensions)


def _placed_schema(
    schema: Schema, data: DataModel, place: Callable[[str | None], str | None]
) -> Schema:
    """``schema`` with every schema name where the scratch session puts it."""
    source = data.datasource
    names = {*source.schemas, *(m.schema for m in data.models), *(e.schema for e in data.enums)}
    if all(place(name) == name for name in names):
        return schema
    schemas = tuple(p for p in map(place, source.schemas) if p is not None)
    return lower(
        dataclasses.replace(
            data,
            datasource=dataclasses.replace(source, schemas=schemas),
            models=tuple(dataclasses.replace(m, schema=place(m.schema)) for m in data.models),
            enums=tuple(dataclasses.replace(e, schema=place(e.schema)) for e in data.enums),
        )
    )


def _rejected(
    dialect: Dialect, data: DataModel, placed: Schema, statement: str, error: Exception
) -> SchemaError:
    """The error for the engine refusing ``statement`` of the DDL made from ``data``: at
    the model it was made from, when it can be told."""
    said = str(error).rstrip()
    ext = _making(dialect, statement, placed.extensions, lambda e: Schema(extensions=(e,)))
    if ext is not None:
        return fail(
            data.datasource.pos,
            f"{dialect.label} cannot make the extension `{ext.name}` the datasource lists: {said}",
            hint="Install the extension on the database server, check the version and schema "
            "given, or take it out of `extensions`.",
        )
    table = _making(dialect, statement, placed.tables, lambda t: Schema(tables=(t,)))
    if table is None:  # named in it, at least
        table = next((t for t in placed.tables if dialect.quote(t.name) in statement), None)
    positions = {m.db_name: m.pos for m in data.models if not m.is_view}
    what = f"the table `{table.name}`" if table is not None else "the DDL"
    return fail(
        positions.get(table.name, data.datasource.pos) if table else data.datasource.pos,
        f"{dialect.label} rejected {what} made from this model: "
        + (said if "\n" in said or said.endswith(".") else said + "."),
        hint=REJECTED_HINTS[data.datasource.provider],
    )


def _making(
    dialect: Dialect, statement: str, objects: tuple[_T, ...], alone: Callable[[_T], Schema]
) -> _T | None:
    """The object of ``objects`` whose own DDL (``alone`` in a schema) has ``statement``."""
    return next((o for o in objects if statement in dialect.render_schema(alone(o))), None)
