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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trueup.convert.canonical import canonical
from trueup.engines import find_engine
from trueup.engines.base import Session
from trueup.model import Table

BATCH = 2000
_MASK = (1 << 128) - 1


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
    found = find_engine(engine)
    types = {c.name: c.type for c in table.columns}
    # Only the columns whose values may not be in their canonical form yet are converted.
    forms = [
        (i, canonical(kind))
        for i, (column, kind) in enumerate(zip(columns, kinds, strict=True))
        if not found.values.canonical_as_read(types.get(column, ""), kind)
    ]
    total = 0
    rows = 0
    blake = hashlib.blake2b
    for batch in found.read_rows(session, table, columns, BATCH):
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
