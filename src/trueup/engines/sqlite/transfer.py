"""Export and import for SQLite.

Rows are read and written with their storage class untouched: Python's sqlite3 gives int,
float, str, bytes and None, which the file keeps apart. A rowid table whose rowid is not a
column (no INTEGER PRIMARY KEY) exports its rowid too, and an AUTOINCREMENT table its
counter, so an imported database is the same row for row, not merely equal in content.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from trueup.cpus import usable_cpus
from trueup.engines import get_dialect
from trueup.engines.sqlite.lexer import fold
from trueup.engines.sqlite.render import quote
from trueup.engines.sqlite.rowid import rowid_alias
from trueup.engines.sqlite.session import SQLiteSession
from trueup.engines.sqlite.transfer_readers import Identity, read_lines
from trueup.engines.sqlite.transfer_rows import BATCH, RowidScan
from trueup.model import Schema, Table
from trueup.transfer.engine import Source, Target
from trueup.transfer.format import (
    SpecialRow,
    TableRecord,
    TextBytes,
    TransferError,
    decode_text,
)
from trueup.urls import DatabaseURL

#: Rows inserted at a time by an import.
LOAD_BATCH = 2000
#: The names a rowid answers to; a column of the same name hides it.
_ROWID_NAMES = ("rowid", "_rowid_", "oid")


def rowid_name(columns: Iterable[str]) -> str | None:
    """A name that reaches the rowid of a table with these columns, if one is not hidden."""
    taken = {fold(c) for c in columns}
    return next((n for n in _ROWID_NAMES if n not in taken), None)


def _has_hidden_rowid(table: Table) -> bool:
    return "WITHOUT ROWID" not in table.options and rowid_alias(table) is None


def _session(url: DatabaseURL, *, create: bool, ignore: Callable[[str], bool] | None) -> Any:
    session = get_dialect("sqlite", ignore=ignore).connect(url, create=create)
    assert isinstance(session, SQLiteSession)
    return session


class SQLiteSource(Source):
    errors = (sqlite3.Error,)

    def __init__(
        self, url: DatabaseURL, timeout: float, ignore: Callable[[str], bool] | None
    ) -> None:
        if not url.path or url.path == ":memory:" or not os.path.exists(url.path):
            raise TransferError(
                f"There is no database at {url.path or url}.",
                hint="Check --url or DATABASE_URL.",
            )
        self.path = url.path
        # Which file the path names before it is opened: reader processes must read the
        # same one (sqlite_readers).
        self._identity: Identity | None = Identity.of_path(url.path)
        self._counts: dict[str, int] = {}
        self.session: SQLiteSession = _session(url, create=False, ignore=ignore)
        # A deferred transaction: every table is read from the same committed moment, and
        # in WAL mode the app keeps writing meanwhile.
        self.session.begin(write=False, timeout=timeout)
        self.conn = self.session.conn
        # Text that is not valid UTF-8 is exported exactly instead of failing the export.
        self.conn.text_factory = decode_text
        self.schema = self.session.inspect()
        self._sequences = self._read_sequences()

    def _read_sequences(self) -> dict[str, int]:
        has = self.conn.execute(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'"
        ).fetchone()
        if not has:
            return {}
        return {fold(name): seq for name, seq in self.conn.execute("SELECT * FROM sqlite_sequence")}

    def record(self, table: Table) -> TableRecord:
        columns = [c for c in table.columns if c.generated is None]
        rowid = _has_hidden_rowid(table) and rowid_name(table.column_names) is not None
        autoincrement = any(c.autoincrement for c in table.columns)
        return TableRecord(
            name=table.name,
            columns=tuple(c.name for c in columns),
            types=tuple(c.type for c in columns),
            rowid=rowid,
            sequence=self._sequences.get(fold(table.name)) if autoincrement else None,
        )

    def count(self, table: Table) -> int:
        if table.name not in self._counts:
            query = f"SELECT count(*) FROM {quote(table.name)}"
            self._counts[table.name] = self.conn.execute(query).fetchone()[0]
        return self._counts[table.name]

    def _order(self, table: Table, record: TableRecord) -> str:
        if "WITHOUT ROWID" in table.options and table.primary_key is not None:
            return " ORDER BY " + ", ".join(quote(c) for c in table.primary_key.columns)
        name = rowid_name(table.column_names)
        alias = rowid_alias(table)
        if alias is not None:
            return f" ORDER BY {quote(alias)}"
        # Without ORDER BY a covering index could set the order; with every rowid name
        # hidden by a column, the table scan (rowid order) is what is left.
        return f" ORDER BY {name}" if name else ""

    @staticmethod
    def _columns(table: Table, record: TableRecord) -> str:
        """The exported columns as a query lists them: the hidden rowid first, if exported."""
        names = [quote(c) for c in record.columns]
        if record.rowid:
            names.insert(0, str(rowid_name(table.column_names)))
        return ", ".join(names)

    def _select(self, table: Table, record: TableRecord) -> str:
        return f"SELECT {self._columns(table, record)} FROM {quote(table.name)}"

    def batches(self, table: Table, record: TableRecord) -> Iterator[list[tuple[Any, ...]]]:
        cursor = self.conn.execute(self._select(table, record) + self._order(table, record))
        while batch := cursor.fetchmany(BATCH):
            yield batch

    def lines(self, table: Table, record: TableRecord) -> Iterator[tuple[bytes | memoryview, int]]:
        """The rows by rowid (:class:`RowidScan`), a large table with reader processes
        beside this one (:mod:`trueup.engines.sqlite.transfer_readers`). Tables that cannot be read
        again from a given row (no rowid to go by) are read with the decoder that keeps
        text that is not valid UTF-8 throughout."""
        key = self._resume_key(table, record)
        if key is None:
            yield from super().lines(table, record)
            return
        name, position = key
        columns = self._columns(table, record)
        scan = RowidScan(table.name, quote(table.name), columns, name, position)
        yield from read_lines(
            self.conn,
            self.path,
            self._identity,
            scan,
            self.count(table),
            scratch=self.scratch,
            cpus=usable_cpus(),
        )

    @staticmethod
    def _resume_key(table: Table, record: TableRecord) -> tuple[str, int] | None:
        """The rowid the rows come in order of, as it is named in the query, and where it
        is in each row: the hidden rowid comes first, an INTEGER PRIMARY KEY is a column."""
        if "WITHOUT ROWID" in table.options:
            return None
        if record.rowid:
            return str(rowid_name(table.column_names)), 0
        alias = rowid_alias(table)
        if alias is not None and alias in record.columns:
            return quote(alias), record.columns.index(alias)
        return None

    def close(self) -> None:
        self.session.close()


class SQLiteTarget(Target):
    def __init__(
        self, url: DatabaseURL, timeout: float, ignore: Callable[[str], bool] | None
    ) -> None:
        # A file the import creates is removed again if the import fails: "nothing
        # changed" includes not leaving an empty database behind.
        self._new_file = (
            url.path
            if url.path and url.path != ":memory:" and not os.path.exists(url.path)
            else None
        )
        self._committed = False
        self.session: SQLiteSession = _session(url, create=True, ignore=ignore)
        # BEGIN IMMEDIATE: the push lock, so no push or other import runs meanwhile; foreign
        # keys are off for the load and checked at the end.
        self.session.begin(write=True, timeout=timeout)
        self.conn = self.session.conn
        self._counters: set[str] = set()  # tables with an AUTOINCREMENT counter

    def inspect(self) -> Schema:
        schema = self.session.inspect()
        self._counters = {
            fold(t.name) for t in schema.tables if any(c.autoincrement for c in t.columns)
        }
        return schema

    def run(self, statements: Sequence[str]) -> None:
        for statement in statements:
            self.conn.execute(statement)

    def has_rows(self, table: str) -> bool:
        return self.conn.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1").fetchone() is not None

    def suspend_triggers(self, current: Schema, tables: Sequence[str]) -> tuple[str, ...]:
        # SQLite cannot switch a trigger off: drop it inside the transaction, make it again.
        for trigger in current.triggers:
            self.conn.execute(f"DROP TRIGGER {quote(trigger.name)}")
        return tuple(t.definition.text for t in current.triggers)

    def load(
        self,
        record: TableRecord,
        rows: Iterable[list[Any]],
        *,
        table: str,
        columns: Sequence[str],
        exact: bool,
    ) -> None:
        names = [quote(c) for c in columns]
        if record.rowid:  # only files of SQLite have rowids: exact is true
            name = rowid_name(columns)
            if name is None:
                raise TransferError(f"The table {table} has no rowid to import into.")
            names.insert(0, name)
        head = f"INSERT INTO {quote(table)} ({', '.join(names)}) VALUES "
        sql = head + "(" + ", ".join("?" * len(names)) + ")"
        batch: list[list[Any]] = []
        for row in rows:
            if type(row) is SpecialRow:
                self.conn.executemany(sql, batch)
                batch.clear()
                # Bytes bound as they are would be stored as a BLOB; CAST keeps them TEXT.
                marks = ", ".join("CAST(? AS TEXT)" if type(v) is TextBytes else "?" for v in row)
                values = [bytes(v) if type(v) is TextBytes else v for v in row]
                self.conn.execute(f"{head}({marks})", values)
                continue
            batch.append(row)
            if len(batch) >= LOAD_BATCH:
                self.conn.executemany(sql, batch)
                batch.clear()
        if batch:
            self.conn.executemany(sql, batch)
        # Explicit ids already move SQLite's counter past them; a counter that was further
        # on (rows deleted) is put back as it was.
        if record.sequence is not None and fold(table) in self._counters:
            self._set_sequence(table, record.sequence)

    def _set_sequence(self, table: str, value: int) -> None:
        # The counter is kept as it was, also when it is past the largest id (rows deleted).
        updated = self.conn.execute(
            "UPDATE sqlite_sequence SET seq = ? WHERE name = ? COLLATE NOCASE", (value, table)
        ).rowcount
        if not updated:
            self.conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, value)
            )

    def count(self, table: str) -> int:
        n: int = self.conn.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0]
        return n

    def violations(self, tables: Sequence[str]) -> Counter[tuple[str, str]]:
        return self.session.constraint_violations(tables)

    def commit(self) -> None:
        self.session.commit()
        self._committed = True

    def close(self) -> None:
        self.session.close()
        if self._new_file and not self._committed:
            for suffix in ("", "-journal", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self._new_file + suffix)
