"""Time stamps from one engine into the other, in an import of another engine's export.

SQLite has no time stamp type: a ``DATETIME`` column holds what the app wrote. Prisma
writes its ``DateTime`` there in one of two forms: integer milliseconds since 1970 (its
native engine, and driver adapters set to ``unixepoch-ms``) or ISO 8601 text in UTC,
``2026-12-07T10:00:00.000+00:00`` (driver adapters, by default); a column default gives
``CURRENT_TIMESTAMP``'s ``2026-12-07 10:00:00``. PostgreSQL refuses the integers, and takes
text with an offset into a ``TIMESTAMP`` by dropping the offset. So the values of a column
the target holds as time stamps are read here, each form for what it means, and written in
UTC: into PostgreSQL as its text for the moment (with ``+00:00`` for a ``TIMESTAMPTZ``). Back
into SQLite, the values of a ``TIMESTAMP(3)`` (Prisma's ``DateTime``) or a ``TIMESTAMPTZ``
are written in the adapters' form, which every Prisma engine reads, with every digit of the
fraction kept. A value that is no time stamp at all (other text, a real, a blob) is
collected; once the table's rows are read the import stops, naming the table, the column,
the rows' keys and the values, and its transaction leaves nothing written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from trueup.convert.canonical import stamp
from trueup.engines import engine_names, find_engine
from trueup.engines.kinds import MomentWriter, Values, ValueType
from trueup.model import Table
from trueup.transfer.format import TableRecord, TransferError

#: How many of the values that are no time stamps an error shows.
SHOWN = 5

Write = MomentWriter


def _writer(
    values: Values, source: Values | None, column_type: str, source_type: str
) -> Write | None:
    """How a time stamp of a ``source_type`` column (of the engine whose values are
    ``source``; None for one trueup does not know) is written into a column of
    ``column_type``, or None when it goes as it is."""
    if values.kind_of(column_type) != "timestamp":
        return None
    neutral = ValueType("other", name=source_type)
    if source is not None:
        neutral = source.neutral_type(source_type.upper().replace(" (", "("), frozenset())
    return values.moment_writer(column_type, neutral)


def converted(
    rows: Iterable[list[Any]],
    record: TableRecord,
    table: Table,
    columns: Sequence[str],
    engine: str,
    source: str,
) -> Iterable[list[Any]]:
    """``rows`` of ``record`` (an export of a ``source`` database) for ``table``'s
    ``columns`` of a database of ``engine``, their time stamps written its way. Raises
    TransferError after the last row if a value is no time stamp."""
    values = find_engine(engine).values
    exported = find_engine(source).values if source in engine_names() else None
    types = {c.name: c.type for c in table.columns}
    skip = 1 if record.rowid else 0
    writers = [
        (skip + i, w)
        for i, (name, source_type) in enumerate(zip(columns, record.types, strict=True))
        if (w := _writer(values, exported, types.get(name, ""), source_type)) is not None
    ]
    if not writers:
        return rows
    return _Conversion(record, table, columns, skip).run(rows, writers)


class _Conversion:
    def __init__(
        self, record: TableRecord, table: Table, columns: Sequence[str], skip: int
    ) -> None:
        self.record = record
        self.table = table
        self.columns = columns
        self.skip = skip
        self.bad: dict[int, list[tuple[object, Any]]] = {}  # by position: (key, value)
        self.counts: dict[int, int] = {}

    def run(
        self, rows: Iterable[list[Any]], writers: list[tuple[int, Write]]
    ) -> Iterator[list[Any]]:
        number = 0
        for row in rows:
            number += 1
            for at, write in writers:
                value = row[at]
                if value is None:
                    continue
                found = stamp(value) if type(value) in (int, str) else None
                if found is None:
                    self.note(at, row, number, value)
                else:
                    row[at] = write(*found)
            if not self.bad:
                yield row
        if self.bad:
            raise self.error()

    def note(self, at: int, row: list[Any], number: int, value: Any) -> None:
        self.counts[at] = self.counts.get(at, 0) + 1
        shown = self.bad.setdefault(at, [])
        if len(shown) < SHOWN:
            shown.append((self.key(row, number), value))

    def key(self, row: list[Any], number: int) -> object:
        """The row's key as the message names it: its primary key, its SQLite rowid, or
        its number in the export."""
        pk = self.table.primary_key
        positions = {c.lower(): self.skip + i for i, c in enumerate(self.columns)}
        if pk is not None and all(c.lower() in positions for c in pk.columns):
            values = [row[positions[c.lower()]] for c in pk.columns]
            label = pk.columns[0] if len(values) == 1 else "(" + ", ".join(pk.columns) + ")"
            shown = values[0] if len(values) == 1 else tuple(values)
            return f"{label} {shown!r}"
        if self.record.rowid:
            return f"rowid {row[0]}"
        return f"row {number}"

    def error(self) -> TransferError:
        lines = []
        for at, shown in self.bad.items():
            column = self.columns[at - self.skip]
            n = self.counts[at]
            values = ", ".join(f"{key}: {value!r}" for key, value in shown)
            more = f", and {n - len(shown)} more" if n > len(shown) else ""
            lines.append(
                f"  {self.table.name}.{column}: {n} value(s) that are no time stamp "
                f"({values}{more})"
            )
        return TransferError(
            "Values of time stamp columns are neither milliseconds since 1970 (an integer) nor "
            "ISO 8601 text (2026-12-07T10:00:00.000+00:00, 2026-12-07 10:00:00):\n"
            + "\n".join(lines),
            hint="Nothing was written. Correct those values in the source (UPDATE them, or "
            "set them to NULL where the column allows it), then run this again.",
        )
