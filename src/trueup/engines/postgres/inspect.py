"""Read a live PostgreSQL database into the model, in one catalog query per kind of object
(tables, columns, constraints, indexes, enums, views, sequences,
extensions, and what the model has no place for) for all tables at once.

Only the managed schemas are read: the default one (the URL's ``?schema=``, else
``public``) and those the declared schema names. Objects in the default schema carry
``schema=None``; names are compared exactly as PostgreSQL stores them. Types, defaults and
expressions come from PostgreSQL's own deparser (``format_type``, ``pg_get_expr``...), read
with ``search_path`` set to the default schema, so the same schema reads the same in any
database and a declared schema run in a scratch database reads like the live one.
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from functools import lru_cache
from typing import Any

from trueup.engines.postgres.catalog_queries import query_text
from trueup.engines.postgres.expressions import expr as _parse_expr
from trueup.engines.postgres.expressions import view_expr
from trueup.engines.postgres.sequences import options_from_catalog, options_from_text
from trueup.engines.postgres.types import canonical_type as _canonical_type
from trueup.model import (
    Action,
    Check,
    Column,
    Deferral,
    Enum,
    Extension,
    ForeignKey,
    Generated,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    SequenceGenerator,
    Table,
    Unmodelled,
    View,
)

#: Tables that belong to trueup itself (or Prisma's migration history) and are never part of
#: a user's schema.
INTERNAL_PREFIXES = ("_trueup_",)
INTERNAL_NAMES = ("_prisma_migrations",)

_ACTIONS = {
    "a": Action.NO_ACTION,
    "r": Action.RESTRICT,
    "c": Action.CASCADE,
    "n": Action.SET_NULL,
    "d": Action.SET_DEFAULT,
}
_IDENTITY = {"a": "ALWAYS", "d": "BY DEFAULT"}
#: The bits of ``pg_index.indoption`` (a key sorts DESC; its NULLs come first).
_DESC = 1
_NULLS_FIRST = 2
_SERIAL_DEFAULT = re.compile(r"^nextval\('.*'::regclass\)$", re.DOTALL)

#: Runs queries (SQL text and parameters) and gives each one's rows in turn, reading a result
#: only when it is asked for.
Queries = Callable[
    [Sequence[tuple[str, dict[str, Any]]]], Generator[list[tuple[Any, ...]], None, None]
]
#: The catalog queries, in the order their results are used.
QUERIES = (
    "schemas",
    "tables",
    "opclasses",
    "columns",
    "constraints",
    "indexes",
    "enums",
    "views",
    "sequences",
    "extensions",
    "unmodelled",
)
#: The queries that read the whole database, not the managed schemas.
_DATABASE_WIDE = ("opclasses", "extensions")

#: Defaults, CHECKs and index expressions repeat from table to table (``now()``, ``0``,
#: ``lower(email)``): each distinct text is normalised once.
expr = lru_cache(maxsize=4096)(_parse_expr)
# A database has few distinct column types and many columns of each.
canonical_type = lru_cache(maxsize=1024)(_canonical_type)


def is_internal(name: str) -> bool:
    return name.startswith(INTERNAL_PREFIXES) or name in INTERNAL_NAMES


def inspect(
    run_all: Queries,
    default_schema: str,
    namespaces: Sequence[str] = (),
    *,
    server_version: int,
    ignore: Callable[[str], bool] | None = None,
) -> Schema:
    """The schema of the managed namespaces (``default_schema`` plus ``namespaces``) of a
    server of ``server_version`` (``server_version_num``)."""
    # The rows and the model are hundreds of thousands of objects without cycles for a
    # large database: the cycle collector's passes over them would only add time (a
    # quarter of it for 5,000 tables).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _inspect(run_all, default_schema, namespaces, server_version, ignore)
    finally:
        if collecting:
            gc.enable()


def _inspect(
    run_all: Queries,
    default_schema: str,
    namespaces: Sequence[str],
    server_version: int,
    ignore: Callable[[str], bool] | None,
) -> Schema:
    managed = sorted({default_schema, *namespaces})
    params = {"schemas": managed}

    def skip(name: str) -> bool:
        return is_internal(name) or (ignore is not None and ignore(name))

    def ns(name: str | None) -> str | None:
        return None if name == default_schema else name

    queries = [
        (query_text(name, server_version), params if name not in _DATABASE_WIDE else {})
        for name in QUERIES
    ]
    parts: dict[int, _Parts] = defaultdict(_Parts)
    catalog: dict[str, dict[int, str]] = {"opclass": {}, "collation": {}}
    # Each result is built on as it comes, while the server runs the next query (the
    # constraints while the columns are made, and so on).
    with closing(run_all(queries)) as results:
        existing = tuple(r[0] for r in next(results))
        table_rows = next(results)
        for kind, oid, name in next(results):
            catalog[kind][oid] = name
        for row in next(results):
            parts[row[0]].add_column(row)
        for row in next(results):
            parts[row[0]].add_constraint(row, ns, parts)
        for row in next(results):
            parts[row[0]].add_index(row, catalog)
        enum_rows = next(results)
        view_rows = next(results)
        sequence_rows = next(results)
        extension_rows = next(results)
        unmodelled_rows = next(results)

    tables = tuple(
        parts[oid].table(name, ns(schema_name), comment)
        for oid, schema_name, name, comment in table_rows
        if not skip(name)
    )
    enums = tuple(Enum(name, tuple(values), ns(schema)) for schema, name, values in enum_rows)
    views = tuple(
        View(name, view_expr(definition), ns(schema), materialized=bool(mat), populated=populated)
        for schema, name, mat, definition, populated in view_rows
        if not skip(name)
    )
    sequences = tuple(
        SequenceGenerator(name, options_from_catalog(*params), ns(schema))
        for schema, name, *params in sequence_rows
        if not skip(name)
    )
    extensions = tuple(
        Extension(name, ns(schema), version) for name, schema, version in extension_rows
    )
    return Schema(
        tables=tables,
        views=views,
        enums=enums,
        namespaces=existing,
        sequences=sequences,
        extensions=extensions,
        unmodelled=tuple(
            Unmodelled(table, kind, name, what, written, ns(schema))
            for schema, table, kind, name, what, written in unmodelled_rows
            if not skip(table)
        ),
    )


class _Parts:
    """What the rows of one table give, gathered as each query's rows come."""

    __slots__ = (
        "checks",
        "collations",
        "columns",
        "foreign_keys",
        "indexes",
        "names",
        "primary_key",
    )

    def __init__(self) -> None:
        self.columns: list[Column] = []
        self.names: dict[int, str] = {}  # by column number
        self.collations: dict[int, str | None] = {}  # a collation not the type's own
        self.primary_key: PrimaryKey | None = None
        self.foreign_keys: list[ForeignKey] = []
        self.checks: list[Check] = []
        self.indexes: list[Index] = []

    def add_column(self, row: tuple[Any, ...]) -> None:
        num = row[1]
        self.names[num] = row[2]  # attname
        self.collations[num] = row[8]
        self.columns.append(shared_column(row[2:]))

    def add_constraint(
        self,
        row: tuple[Any, ...],
        ns: Callable[[str | None], str | None],
        tables: dict[int, _Parts],
    ) -> None:
        (_, con_name, kind, con_nums, ref_schema, ref_table, ref_cols, on_delete, on_update,
         deferrable, deferred, check_expr, _conindid, ref_oid, ref_nums) = row  # fmt: skip
        con_cols = tuple(self.names[n] for n in con_nums or ())
        if kind == "p":
            self.primary_key = PrimaryKey(con_cols, con_name)
        elif kind == "c":
            self.checks.append(Check(expr(check_expr), con_name))
        elif kind == "f":
            if ref_cols is None:  # a table columns.sql read
                ref_names = tables[ref_oid].names
                ref_cols = [ref_names[n] for n in ref_nums]
            deferral = Deferral.IMMEDIATE
            if deferrable:
                deferral = Deferral.DEFERRED if deferred else Deferral.DEFERRABLE
            self.foreign_keys.append(
                ForeignKey(
                    columns=con_cols,
                    ref_table=ref_table,
                    ref_columns=tuple(ref_cols),
                    name=con_name,
                    ref_schema=ns(ref_schema),
                    on_delete=_ACTIONS[on_delete],
                    on_update=_ACTIONS[on_update],
                    deferral=deferral,
                )
            )
        # Unique constraints come as indexes (indexes.sql).

    def add_index(self, row: tuple[Any, ...], catalog: dict[str, dict[int, str]]) -> None:
        self.indexes.append(_index(row, self.names, self.collations, catalog))

    def table(self, name: str, schema: str | None, comment: str | None) -> Table:
        return Table(
            name=name,
            columns=tuple(self.columns),
            primary_key=self.primary_key,
            indexes=tuple(sorted(self.indexes, key=lambda i: (i.constraint, i.name or ""))),
            foreign_keys=tuple(self.foreign_keys),
            checks=tuple(self.checks),
            schema=schema,
            comment=comment,
        )


def _column(row: tuple[Any, ...]) -> Column:
    """The column of a columns.sql row without its table and number (``row[2:]``)."""
    (name, formatted, notnull, default, identity, generated, collation, comment, serial,
     identity_options) = row  # fmt: skip
    autoincrement = bool(serial) and default is not None and bool(_SERIAL_DEFAULT.match(default))
    gen = None
    if generated == "s" and default is not None:
        gen = Generated(expr(default), stored=True)
    return Column(
        name=name,
        type=canonical_type(formatted),
        nullable=not notnull,
        default=None if autoincrement or gen or default is None else expr(default),
        autoincrement=autoincrement,
        generated=gen,
        identity=_IDENTITY.get(identity or ""),
        collation=collation,
        comment=comment,
        identity_options=options_from_text(identity_options),
    )


#: Tables repeat columns (``name text NOT NULL``, ``created_at ... DEFAULT now()``), and two
#: inspections of like databases repeat each other's: equal rows share one immutable Column,
#: made once, which also lets comparisons stop at identity.
shared_column = lru_cache(maxsize=16384)(_column)


def _part(
    column: str | None,
    expression: str | None,
    option: int,
    collation: str | None,
    opclass: str | None,
) -> IndexPart:
    """An index key; ``expression`` as PostgreSQL deparses it, ``option`` its
    ``indoption`` bits (DESC, NULLS FIRST)."""
    # IndexPart keeps ``nulls`` only where it is not the default for the order.
    return IndexPart(
        column=column,
        expression=None if expression is None else expr(expression),
        descending=bool(option & _DESC),
        collation=collation,
        opclass=opclass,
        nulls="FIRST" if option & _NULLS_FIRST else "LAST",
    )


#: Index keys repeat the same way.
shared_part = lru_cache(maxsize=16384)(_part)


def _index(
    row: tuple[Any, ...],
    names_by_num: dict[int, str],
    collations: dict[int, str | None],
    catalog: dict[str, dict[int, str]],
) -> Index:
    (_, name, unique, key_count, _count, method, predicate, contype, defs, keys, options,
     opclass_oids, collation_oids, valid, nulls_not_distinct) = row  # fmt: skip
    opclass_names = catalog["opclass"]
    collation_names = catalog["collation"]
    parts: list[IndexPart] = []
    for pos in range(key_count):
        num = keys[pos]
        collation = collation_names.get(collation_oids[pos])
        own: str | None = None
        if num:
            column: str | None = names_by_num.get(num)
            expression = None
            own = collations.get(num)
        else:
            column, expression = None, defs[pos]
        # The column's own collation (or the database default) is no choice of the index.
        if collation in (None, "default", own):
            collation = None
        parts.append(
            shared_part(
                column,
                expression,
                options[pos],
                collation,
                opclass_names.get(opclass_oids[pos]),
            )
        )
    include = tuple(names_by_num.get(n, "") for n in keys[key_count:])
    return Index(
        name=name,
        parts=tuple(parts),
        unique=bool(unique),
        where=expr(predicate) if predicate else None,
        constraint=contype == "u",
        method=None if method == "btree" else method,
        include=include,
        valid=bool(valid),
        nulls_not_distinct=bool(nulls_not_distinct),
    )
