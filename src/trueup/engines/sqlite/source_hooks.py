"""What the declared sources ask of SQLite (see :mod:`trueup.engines.source_hooks`)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from trueup.engines.source_hooks import ColumnProblem, SourceHooks

if TYPE_CHECKING:
    from trueup.engines.base import Session
    from trueup.model import Schema
    from trueup.urls import DatabaseURL

#: PostgreSQL's numbering types: SQLite takes any type name.
_SERIAL = ("SERIAL", "SMALLSERIAL", "BIGSERIAL", "SERIAL2", "SERIAL4", "SERIAL8")


class SQLiteSourceHooks(SourceHooks):
    sqlalchemy_url = "sqlite+pysqlite://"
    key_version = (3, 45, 0)

    def server_version(self, session: Session) -> tuple[int, ...]:
        return sqlite3.sqlite_version_info

    def made_by_engine(self, table: str) -> bool:
        # `sqlite3 app.db .schema` prints SQLite's own tables; they are made automatically.
        return table.lower().startswith("sqlite_")

    def column_problems(self, schema: Schema) -> list[ColumnProblem]:
        """PostgreSQL's SERIAL types. SERIAL gives a plain NUMERIC column: it numbers
        nothing, and as a primary key (not INTEGER, so not the rowid) it even takes NULLs. A
        schema written for PostgreSQL would seem to work."""
        found = []
        for table in schema.tables:
            for column in table.columns:
                if column.type.upper() not in _SERIAL:
                    continue
                key = table.primary_key is not None and column.name in table.primary_key.columns
                message = (
                    f"SQLite has no {column.type.upper()} type (it is PostgreSQL's): the column "
                    f"{table.name}.{column.name} would be a plain NUMERIC column that numbers "
                    "nothing" + (", and as the primary key it would take NULLs." if key else ".")
                )
                hint = (
                    f"For a key SQLite numbers itself, write `{column.name} INTEGER PRIMARY "
                    "KEY` (add AUTOINCREMENT to never reuse a number). Nothing was changed in "
                    "the database."
                )
                found.append(ColumnProblem(table.name, column.name, column.type, message, hint))
        return found

    def in_memory(self, url: DatabaseURL) -> bool:
        return url.path in (None, ":memory:")
