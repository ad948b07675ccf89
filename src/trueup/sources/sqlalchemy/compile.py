"""The DDL ``metadata.create_all()`` runs, made by SQLAlchemy itself for the target engine
(a mock engine records the statements instead of running them): tables, their indexes and
constraints, enum types, sequences and comments, in create_all's order.

SQLAlchemy writes some DDL by the server's version (PostgreSQL 18's virtual generated
columns, identity columns from 10): the dialect is told the version a connection would
report. create_all() does not make schemas; a push makes those the tables are in.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from trueup.errors import SchemaError

#: The SQLAlchemy dialect for each engine (the driver matters not: only DDL is compiled).
_DIALECTS = {"sqlite": "sqlite+pysqlite://", "postgresql": "postgresql+psycopg://"}
#: The server a key is compiled for (it only has to change when the models do).
KEY_VERSIONS = {"sqlite": (3, 45, 0), "postgresql": (16, 0)}
_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True, slots=True)
class Compiled:
    """The statements, in order, each with the table it makes (None for other objects),
    and SQLAlchemy's warnings about them."""

    statements: tuple[tuple[str | None, str], ...]
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return ";\n".join(sql for _, sql in self.statements)


def create_ddl(metadata: Any, engine: str, version: tuple[int, ...] | None = None) -> Compiled:
    """The DDL of ``metadata`` for ``engine`` (``sqlite`` or ``postgresql``) at server
    ``version`` (default: :data:`KEY_VERSIONS`)."""
    from sqlalchemy import create_mock_engine
    from sqlalchemy import exc as sa_exc

    statements: list[tuple[str | None, str]] = []

    def record(element: Any, *args: Any, **kwargs: Any) -> None:
        table = getattr(getattr(element, "element", None), "name", None)
        sql = str(element.compile(dialect=mock.dialect)).strip()
        if sql:
            statements.append((table if _makes_table(element) else None, sql))

    mock = create_mock_engine(_DIALECTS[engine], record)
    _set_version(mock.dialect, engine, version or KEY_VERSIONS[engine])
    if engine == "postgresql":
        quote = mock.dialect.identifier_preparer.quote_schema
        statements += [(None, f"CREATE SCHEMA IF NOT EXISTS {quote(s)}") for s in schemas(metadata)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", sa_exc.SAWarning)
        try:
            metadata.create_all(mock, checkfirst=False)
        except sa_exc.SQLAlchemyError as exc:
            raise SchemaError(
                f"SQLAlchemy cannot make the models' DDL for {_LABELS[engine]}: {_first_line(exc)}",
                hint="Use types and options the engine has (a type of sqlalchemy.dialects."
                "postgresql is PostgreSQL's; `.with_variant()` gives another engine its "
                "own). Nothing was changed.",
            ) from None
    said: list[str] = []
    for w in caught:
        if issubclass(w.category, sa_exc.SAWarning):
            said.append(str(w.message))
        else:  # not about the models: as it would be without trueup
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return Compiled(tuple(statements), tuple(dict.fromkeys(said)))


def schemas(metadata: Any) -> list[str]:
    """The schemas (namespaces) the metadata's tables, sequences and types name."""
    from sqlalchemy.sql.sqltypes import SchemaType

    found = {t.schema for t in metadata.tables.values()}
    found |= {s.schema for s in metadata._sequences.values()}
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, SchemaType):
                found.add(getattr(column.type, "schema", None))
    return sorted(s for s in found if s)


def _makes_table(element: Any) -> bool:
    from sqlalchemy.schema import CreateTable

    return isinstance(element, CreateTable)


def _set_version(dialect: Any, engine: str, version: tuple[int, ...]) -> None:
    """What ``dialect.initialize()`` would learn from a server of ``version`` and that
    changes the DDL it writes."""
    dialect.server_version_info = version
    if engine == "postgresql":
        dialect.supports_identity_columns = version >= (10,)
        dialect.supports_virtual_generated_columns = version >= (18,)
        dialect.supports_smallserial = version >= (9, 2)


def _first_line(exc: Exception) -> str:
    text = str(exc)
    # SQLAlchemy adds "(Background on this error at: https://sqlalche.me/...)".
    return text.split(" (Background on this error", 1)[0].strip()
