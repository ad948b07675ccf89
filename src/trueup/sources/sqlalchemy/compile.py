"""The DDL ``metadata.create_all()`` runs, made by SQLAlchemy itself for the target engine
(a mock engine records the statements instead of running them): tables, their indexes and
constraints, enum types, sequences and comments, in create_all's order.

SQLAlchemy writes some DDL by the server's version (generated and identity columns): the
dialect is told what a connection would report, by the engine (``prepare_sqlalchemy``).
create_all() does not make schemas; for an engine that has them, they are made first.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from trueup.errors import SchemaError


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
    """The DDL of ``metadata`` for ``engine`` (an engine's name) at server ``version``
    (default: the engine's ``key_version``)."""
    from sqlalchemy import create_mock_engine
    from sqlalchemy import exc as sa_exc

    from trueup.engines import get_dialect

    dialect = get_dialect(engine)
    statements: list[tuple[str | None, str]] = []

    def record(element: Any, *args: Any, **kwargs: Any) -> None:
        table = getattr(getattr(element, "element", None), "name", None)
        sql = str(element.compile(dialect=mock.dialect)).strip()
        if sql:
            statements.append((table if _makes_table(element) else None, sql))

    hooks = dialect.source_hooks
    mock = create_mock_engine(hooks.sqlalchemy_url, record)
    hooks.prepare_sqlalchemy(mock.dialect, version or hooks.key_version)
    if dialect.capabilities.namespaces:
        quote = mock.dialect.identifier_preparer.quote_schema
        statements += [(None, f"CREATE SCHEMA IF NOT EXISTS {quote(s)}") for s in schemas(metadata)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", sa_exc.SAWarning)
        try:
            metadata.create_all(mock, checkfirst=False)
        except sa_exc.SQLAlchemyError as exc:
            raise SchemaError(
                f"SQLAlchemy cannot make the models' DDL for {dialect.label}: {_first_line(exc)}",
                hint="Use types and options the engine has (a type of sqlalchemy.dialects.NAME "
                "is that engine's only; `.with_variant()` gives another engine its own). "
                "Nothing was changed.",
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


def _first_line(exc: Exception) -> str:
    text = str(exc)
    # SQLAlchemy adds "(Background on this error at: https://sqlalche.me/...)".
    return text.split(" (Background on this error", 1)[0].strip()
