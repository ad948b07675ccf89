"""What an engine must do for exports and imports: read tables' rows in one consistent
snapshot, and write rows into tables inside one transaction. The file format, the order,
the checks and the schema handling are the same for every engine (:mod:`trueup.transfer`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from trueup.model import Schema, Table
from trueup.transfer.format import LineEncoder, TableRecord


class Source(ABC):
    """A database opened for export, inside one read-only snapshot."""

    schema: Schema
    #: A folder where the export may keep scratch files it deletes again (the output's
    #: folder); None keeps all of it in memory.
    scratch: str | None = None
    #: The engine's own errors (a table the user may not read, say): reported as such.
    errors: tuple[type[Exception], ...] = ()

    @abstractmethod
    def record(self, table: Table) -> TableRecord:
        """How ``table``'s rows are written: the columns exported (generated ones are
        left out), their declared types, and engine extras (rowid, counter)."""

    @abstractmethod
    def count(self, table: Table) -> int: ...

    @abstractmethod
    def batches(self, table: Table, record: TableRecord) -> Iterator[list[tuple[Any, ...]]]:
        """The rows in a stable order (by rowid or primary key), a batch at a time."""

    def lines(self, table: Table, record: TableRecord) -> Iterator[tuple[bytes | memoryview, int]]:
        """The rows of :meth:`batches` as the file's lines, a batch at a time: (the lines,
        the number of rows). An engine may write them its own faster way; the bytes must be
        the same."""
        encode = LineEncoder()
        for batch in self.batches(table, record):
            yield encode(batch), len(batch)

    @abstractmethod
    def close(self) -> None: ...


class Target(ABC):
    """A database opened for import, inside one write transaction that holds the lock."""

    @abstractmethod
    def inspect(self) -> Schema: ...

    @abstractmethod
    def run(self, statements: Sequence[str]) -> None: ...

    @abstractmethod
    def has_rows(self, table: str) -> bool: ...

    @abstractmethod
    def suspend_triggers(self, current: Schema, tables: Sequence[str]) -> tuple[str, ...]:
        """Keep the triggers of ``tables`` from firing on rows that are being put back as
        they were; return the statements that bring them back after the load."""

    @abstractmethod
    def load(
        self,
        record: TableRecord,
        rows: Iterable[list[Any]],
        *,
        table: str,
        columns: Sequence[str],
        exact: bool,
    ) -> None:
        """Insert ``rows`` (laid out as ``record`` says) into ``table``'s ``columns``.
        ``exact``: the file is of this engine, so engine extras (SQLite rowids, counters)
        are restored as they were; otherwise counters are moved past the loaded ids."""

    @abstractmethod
    def count(self, table: str) -> int: ...

    @abstractmethod
    def violations(self, tables: Sequence[str]) -> Counter[tuple[str, str]]:
        """Rows without a parent, counted per (table, parent)."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def close(self) -> None:
        """Roll back whatever was not committed, and disconnect."""
