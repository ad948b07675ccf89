"""A checksum of a table's rows that two engines agree on when they hold the same values.

Every value is put in the canonical form of its column's kind (:mod:`trueup.convert.
canonical`), each row is hashed, and the row hashes are added up modulo 2**128. The sum
does not depend on the order the rows are read in: SQLite and PostgreSQL sort text
differently (byte order against the database's collation), so "in key order" would not be
the same order on both sides, and no sort is needed on either. A row that is missing, extra
or different on one side changes the sum; so does a row that is there twice instead of
once.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from trueup.convert.canonical import canonical
from trueup.engines.base import Session
from trueup.model import Table

BATCH = 2000
_MASK = (1 << 128) - 1
#: Types PostgreSQL gives as Python values; every other one is read as its text, as the
#: export reads it.
_PG_NATIVE = {"SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE PRECISION", "BOOLEAN", "BYTEA"}
_cursors = itertools.count(1)
# SQLite can hold text that is not UTF-8; it is read as it is instead of failing the read.
_decode = partial(str, encoding="utf-8", errors="surrogateescape")


@dataclass(frozen=True, slots=True)
class Checksum:
    rows: int
    digest: int

    def __str__(self) -> str:
        return f"{self.rows} rows, {self.digest:032x}"


def table_checksum(
    session: Session,
    engine: str,
    table: Table,
    columns: Sequence[str],
    kinds: Sequence[str],
    *,
    advance: Callable[[int], None] | None = None,
) -> Checksum:
    """The checksum of ``columns`` of ``table``, read in the session's open transaction,
    each column's values in the canonical form of its kind. ``advance(n)`` is told as rows
    are read."""
    types = {c.name: c.type for c in table.columns}
    # Only the columns whose values may not be in their canonical form yet are converted.
    forms = [
        (i, canonical(kind))
        for i, (column, kind) in enumerate(zip(columns, kinds, strict=True))
        if not _canonical_as_read(engine, types.get(column, ""), kind)
    ]
    total = 0
    rows = 0
    blake = hashlib.blake2b
    for batch in _batches(session, engine, table, columns):
        for row in batch:
            values = list(row)
            for i, form in forms:
                values[i] = form(values[i])
            digest = blake(
                repr(values).encode("utf-8", "backslashreplace"), digest_size=16
            ).digest()
            total += int.from_bytes(digest, "big")
        total &= _MASK
        rows += len(batch)
        if advance is not None:
            advance(len(batch))
    return Checksum(rows, total)


def _canonical_as_read(engine: str, column_type: str, kind: str) -> bool:
    """Whether every value of such a column reads in its kind's canonical form already:
    PostgreSQL gives an integer column ints, a text column str (or None), and so on.
    SQLite can hold any value in any column, so its values are always converted."""
    if engine != "postgresql":
        return False
    base = column_type.split("(", 1)[0]
    if kind == "text":
        return base in ("TEXT", "VARCHAR", "CHAR")
    return kind in ("integer", "real", "boolean", "blob") and base in _PG_NATIVE


def _batches(
    session: Session, engine: str, table: Table, columns: Sequence[str]
) -> Iterator[Sequence[tuple[Any, ...]]]:
    if engine == "sqlite":
        yield from _sqlite_batches(session, table, columns)
    else:
        yield from _postgres_batches(session, table, columns)


def _sqlite_batches(
    session: Session, table: Table, columns: Sequence[str]
) -> Iterator[Sequence[tuple[Any, ...]]]:
    from trueup.engines.sqlite.render import quote
    from trueup.engines.sqlite.session import SQLiteSession

    assert isinstance(session, SQLiteSession)
    conn = session.conn
    sql = f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table.name)}"
    before = conn.text_factory
    conn.text_factory = _decode
    try:
        cursor = conn.execute(sql)
        while batch := cursor.fetchmany(BATCH):
            yield batch
    finally:
        conn.text_factory = before


def _postgres_batches(
    session: Session, table: Table, columns: Sequence[str]
) -> Iterator[Sequence[tuple[Any, ...]]]:
    from trueup.engines.postgres.quoting import quote
    from trueup.engines.postgres.render import table_name
    from trueup.engines.postgres.session import PostgresSession

    assert isinstance(session, PostgresSession)
    types = {c.name: c.type for c in table.columns}
    exprs = [quote(c) if types.get(c) in _PG_NATIVE else f"{quote(c)}::text" for c in columns]
    sql = f"SELECT {', '.join(exprs)} FROM {table_name(table)}"
    # A server-side cursor: the rows stream however many there are.
    with session.conn.cursor(name=f"trueup_checksum_{next(_cursors)}") as cursor:
        cursor.execute(sql.encode())
        while batch := cursor.fetchmany(BATCH):
            yield batch
