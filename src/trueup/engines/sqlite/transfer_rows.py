"""Reading a SQLite table's rows, in rowid order, as the export file's lines.

Shared by the export itself and by the reader processes that read part of a large table
beside it (:mod:`trueup.engines.sqlite.transfer_readers`), so that every part is written the same
way, byte for byte. Imports only what that needs: a reader process starts with it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from trueup.transfer.format import LineEncoder, TransferError, decode_text

#: Rows read (and encoded) at a time for an export. Few enough that a batch's text stays
#: under glibc's 128 KiB mmap and trim thresholds: with 2,000 rows every batch took fresh
#: pages from the kernel again, 89,000 page faults for a million rows (0.2 s of system
#: time, 7% of the export).
BATCH = 256


@dataclass(frozen=True)
class RowidScan:
    """How a table's rows are read by rowid: ``columns`` are the exported columns as the
    query lists them (the hidden rowid first when it is exported), ``key`` names the rowid
    in the query, and ``position`` is where it is in each row."""

    table: str
    quoted: str  # the table's name as the query writes it
    columns: str
    key: str
    position: int

    @property
    def select(self) -> str:
        return f"SELECT {self.columns} FROM {self.quoted}"

    def bound(self, conn: sqlite3.Connection, offset: int) -> int:
        """The rowid of the row ``offset`` rows after the first."""
        row = conn.execute(
            f"SELECT {self.key} FROM {self.quoted} ORDER BY {self.key} LIMIT 1 OFFSET ?",
            (offset,),
        ).fetchone()
        return self.rowid([row] if row else [])

    def cursor(
        self, conn: sqlite3.Connection, after: int | None, upto: int | None, limit: str = ""
    ) -> sqlite3.Cursor:
        where = []
        args: list[int] = []
        if after is not None:
            where.append(f"{self.key} > ?")
            args.append(after)
        if upto is not None:
            where.append(f"{self.key} <= ?")
            args.append(upto)
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        return conn.execute(f"{self.select}{condition} ORDER BY {self.key}{limit}", args)

    def rowid(self, rows: list[Any]) -> int:
        value = rows[-1][self.position] if rows else None
        if not isinstance(value, int):  # an INTEGER PRIMARY KEY DESC is no rowid, and can be NULL
            raise TransferError(f"{self.table}: rows cannot be read again from a given row.")
        return value

    def lines(
        self, conn: sqlite3.Connection, after: int | None = None, upto: int | None = None
    ) -> Iterator[tuple[bytes | memoryview, int]]:
        """The lines of the rows with a rowid in (``after``, ``upto``], a batch at a time,
        with the number of rows in each. Text is read with Python's own UTF-8 decoder, the
        fast one. A value that is not valid UTF-8 makes it fail: the batch from there is
        read again with the decoder that keeps such text, then reading goes on the fast
        way."""
        encode = LineEncoder()
        last = after  # the rowid of the last row written
        while True:
            cursor = self.cursor(conn, last, upto)
            try:
                while rows := _fetch_fast(conn, cursor):
                    yield encode(rows), len(rows)
                    last = self.rowid(rows)
                return
            except sqlite3.OperationalError as exc:
                if not str(exc).startswith("Could not decode to UTF-8"):
                    raise
            rows = self.cursor(conn, last, upto, f" LIMIT {BATCH}").fetchall()
            yield encode(rows), len(rows)
            last = self.rowid(rows)


def _fetch_fast(conn: sqlite3.Connection, cursor: sqlite3.Cursor) -> list[Any]:
    conn.text_factory = str
    try:
        return cursor.fetchmany(BATCH)
    finally:
        conn.text_factory = decode_text
