"""Export and import for PostgreSQL.

An export reads in one ``REPEATABLE READ READ ONLY`` transaction (one snapshot, writers are
not blocked) through a server-side cursor, so rows stream whatever the table's size.
Integers, floats, booleans and ``bytea`` are read as such; every other type (numeric,
dates and times, json, uuid, arrays, enums, ...) as PostgreSQL's own text for it, which
its input function reads back exactly: numerics keep every digit, timestamps every
microsecond.

An import loads each table with ``COPY ... FROM STDIN`` inside the push's transaction (it
holds the push's advisory lock). Foreign keys are enforced row by row, which the
parents-first order of the file satisfies.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from trueup.engines import get_dialect
from trueup.engines.postgres.connection import connect, connection_info, missing_database
from trueup.engines.postgres.driver import psycopg
from trueup.engines.postgres.quoting import literal, qualified, quote
from trueup.engines.postgres.render import table_name
from trueup.engines.postgres.session import PostgresSession
from trueup.errors import ConnectionError
from trueup.model import Schema, Table
from trueup.transfer.engine import Source, Target
from trueup.transfer.format import TableRecord, TransferError
from trueup.urls import DatabaseURL

BATCH = 2000
#: Types read as Python values; everything else is read as PostgreSQL's text for it.
_NATIVE = {"SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE PRECISION", "BOOLEAN", "BYTEA"}


def _session(url: DatabaseURL, *, create: bool, ignore: Callable[[str], bool] | None) -> Any:
    session = get_dialect("postgresql", ignore=ignore).connect(url, create=create)
    assert isinstance(session, PostgresSession)
    return session


def _sequence_column(table: Table) -> str | None:
    for col in table.columns:
        if col.autoincrement or col.identity:
            return col.name
    return None


class PostgresSource(Source):
    errors = (psycopg.Error,)

    def __init__(
        self, url: DatabaseURL, timeout: float, ignore: Callable[[str], bool] | None
    ) -> None:
        self.session: PostgresSession = _session(url, create=False, ignore=ignore)
        self.session.begin(write=False, timeout=timeout)  # one snapshot for every table
        self.conn = self.session.conn
        self.schema = self.session.inspect()
        self._cursors = 0

    def _sequence(self, table: Table) -> int | None:
        column = _sequence_column(table)
        if column is None:
            return None
        row = self.conn.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", (table_name(table), column)
        ).fetchone()
        if not row or not row[0]:
            return None
        last, called = self.conn.execute(f"SELECT last_value, is_called FROM {row[0]}").fetchone()
        return int(last) if called else None

    def record(self, table: Table) -> TableRecord:
        columns = [c for c in table.columns if c.generated is None]
        return TableRecord(
            name=table.name,
            columns=tuple(c.name for c in columns),
            types=tuple(c.type for c in columns),
            sequence=self._sequence(table),
        )

    def count(self, table: Table) -> int:
        n: int = self.conn.execute(f"SELECT count(*) FROM {table_name(table)}").fetchone()[0]
        return n

    def batches(self, table: Table, record: TableRecord) -> Iterator[list[tuple[Any, ...]]]:
        types = dict(zip(record.columns, record.types, strict=True))
        exprs = [
            quote(c) if types[c] in _NATIVE else f"{quote(c)}::text AS {quote(c)}"
            for c in record.columns
        ]
        if table.primary_key is not None:
            order = ", ".join(quote(c) for c in table.primary_key.columns)
        else:  # positions of the selected values: text sorts even where json does not
            order = ", ".join(str(i) for i in range(1, len(exprs) + 1))
        sql = f"SELECT {', '.join(exprs)} FROM {table_name(table)}"
        if order:
            sql += f" ORDER BY {order}"
        self._cursors += 1
        with self.conn.cursor(name=f"trueup_export_{self._cursors}") as cursor:
            cursor.execute(sql.encode())
            while batch := cursor.fetchmany(BATCH):
                yield batch

    def close(self) -> None:
        self.session.close()


class PostgresTarget(Target):
    def __init__(
        self, url: DatabaseURL, timeout: float, ignore: Callable[[str], bool] | None
    ) -> None:
        # A database the import creates is dropped again if the import fails: "nothing
        # changed" includes not leaving an empty database behind.
        session, created = _open_or_create(url, ignore)
        self.session: PostgresSession = session
        self._new = url if created else None
        self._committed = False
        self.session.begin(write=True, timeout=timeout)  # the push lock, then BEGIN
        self.conn = self.session.conn
        self._tables: dict[str, Table] = {}

    def inspect(self) -> Schema:
        schema = self.session.inspect()
        self._tables = {t.name: t for t in schema.tables}
        return schema

    def run(self, statements: Sequence[str]) -> None:
        for statement in statements:
            self.session.execute(statement)

    def has_rows(self, table: str) -> bool:
        sql = f"SELECT 1 FROM {quote(table)} LIMIT 1"
        return self.conn.execute(sql.encode()).fetchone() is not None

    def suspend_triggers(self, current: Schema, tables: Sequence[str]) -> tuple[str, ...]:
        # Constraint triggers (foreign keys) stay on: only USER triggers are set aside.
        names = [quote(t) for t in tables]
        self.run([f"ALTER TABLE {n} DISABLE TRIGGER USER" for n in names])
        return tuple(f"ALTER TABLE {n} ENABLE TRIGGER USER" for n in names)

    def load(
        self,
        record: TableRecord,
        rows: Iterable[list[Any]],
        *,
        table: str,
        columns: Sequence[str],
        exact: bool,
    ) -> None:
        skip = 1 if record.rowid else 0  # a SQLite rowid has nowhere to go here
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        try:
            with self.conn.cursor() as cur, cur.copy(sql.encode()) as copy:
                for row in rows:
                    copy.write_row(row[skip:] if skip else row)
        except TransferError:
            raise
        except Exception as exc:  # psycopg's DataError, CheckViolation, ...
            raise TransferError(
                f"PostgreSQL refused the rows of {table}: {str(exc).strip()}",
                hint="Nothing was imported. A value does not fit its column's type here.",
            ) from exc
        self._set_sequence(table, record, exact)

    def _set_sequence(self, table: str, record: TableRecord, exact: bool) -> None:
        live = self._tables.get(table)
        column = _sequence_column(live) if live else None
        if column is None:
            return
        name = qualified(table, None)
        row = self.conn.execute("SELECT pg_get_serial_sequence(%s, %s)", (name, column)).fetchone()
        if not row or not row[0]:
            return
        if exact:  # the counter exactly as it was, or untouched if it was never used
            if record.sequence is not None:
                self.conn.execute("SELECT setval(%s, %s, true)", (row[0], record.sequence))
            return
        # From another engine: past every id loaded, or the next insert collides.
        top = self.conn.execute(f"SELECT max({quote(column)}) FROM {name}").fetchone()[0]
        value = max(record.sequence or 0, int(top or 0))
        if value > 0:
            self.conn.execute(f"SELECT setval({literal(row[0])}, {value}, true)".encode())

    def count(self, table: str) -> int:
        n: int = self.conn.execute(f"SELECT count(*) FROM {quote(table)}".encode()).fetchone()[0]
        return n

    def violations(self, tables: Sequence[str]) -> Counter[tuple[str, str]]:
        return Counter()  # enforced row by row: a violation already failed the load

    def commit(self) -> None:
        self.session.commit()
        self._committed = True

    def close(self) -> None:
        self.session.close()
        if self._new is not None and not self._committed:
            _drop_database(self._new)


def _open_or_create(url: DatabaseURL, ignore: Callable[[str], bool] | None) -> tuple[Any, bool]:
    """A session on the database of ``url``, and whether the database had to be created."""
    try:
        return _session(url, create=False, ignore=ignore), False
    except ConnectionError as exc:
        cause = exc.__cause__
        if not (isinstance(cause, psycopg.Error) and missing_database(cause)):
            raise
    return _session(url, create=True, ignore=ignore), True


def _drop_database(url: DatabaseURL) -> None:
    """Drop the (new, empty) database of ``url``, from the server's maintenance database.
    Best effort: if someone else is connected to it by now, it stays."""
    conninfo, _ = connection_info(url)
    name = str(psycopg.conninfo.conninfo_to_dict(conninfo).get("dbname") or "")
    if not name:
        return
    with contextlib.suppress(psycopg.Error, ConnectionError):
        admin = connect(conninfo, url, dbname="postgres")
        try:
            admin.execute(f"DROP DATABASE IF EXISTS {quote(name)}".encode())
        finally:
            admin.close()
