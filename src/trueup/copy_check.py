"""The check at the end of a copy: every table's rows counted and checksummed on both sides,
each value compared in the form its column's kind gives it in the target."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trueup.convert.canonical import kind_of
from trueup.convert.checksum import Checksum, table_checksum

if TYPE_CHECKING:
    from trueup.engines.base import Session
    from trueup.model import Table
    from trueup.transfer import Progress


@dataclass(frozen=True, slots=True)
class Side:
    """One end of the copy, in an open transaction."""

    session: Session
    engine: str
    tables: dict[str, Table]  # by name folded to lower case, as the import matches them


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    rows: int
    checksum: str
    problem: str | None  # what differs, or None when the copy matches


def check_tables(
    source: Side, target: Side, names: Sequence[str], progress: Progress
) -> list[Outcome]:
    """The outcome for each of the source's tables ``names``."""
    out = []
    for name in names:
        pair = _Pair(source.tables[name.lower()], target.tables[name.lower()], target.engine)
        a = pair.checksum(source, 0, progress.advance)
        b = pair.checksum(target, 1, progress.advance)
        problem = None if a == b else pair.explain(source, target, a, b)
        out.append(Outcome(name, b.rows, f"{b.digest:032x}", problem))
    return out


@dataclass(frozen=True, slots=True)
class _Pair:
    """A source table and its copy: the columns copied and the kind of each."""

    source: Table
    target: Table
    engine: str  # the target's: its column types say what the values mean

    @property
    def columns(self) -> list[tuple[str, str, str]]:
        """(source column, target column, kind) of every copied column, matched by name as
        the import matches them. Generated columns are computed on each side, not copied."""
        by_key = {c.name.lower(): c for c in self.target.columns if c.generated is None}
        out = []
        for c in self.source.columns:
            twin = by_key.get(c.name.lower())
            if c.generated is None and twin is not None:
                out.append((c.name, twin.name, kind_of(self.engine, twin.type)))
        return out

    def checksum(
        self, side: Side, at: int, advance: Callable[[int], None] | None, only: str | None = None
    ) -> Checksum:
        """The checksum of the source's table (``at`` 0) or of the copy (1)."""
        table = self.source if at == 0 else self.target
        columns = [c for c in self.columns if only is None or c[1] == only]
        names = [c[at] for c in columns]
        kinds = [c[2] for c in columns]
        return table_checksum(side.session, side.engine, table, names, kinds, advance=advance)

    def explain(self, source: Side, target: Side, a: Checksum, b: Checksum) -> str:
        """What differs. Each column is checksummed alone to name it; that costs a read per
        column, spent only on a table that does not match."""
        name = self.target.name
        if a.rows != b.rows:
            return f"{name}: {a.rows} rows in the source, {b.rows} in the copy"
        differ = [
            column
            for _, column, _ in self.columns
            if self.checksum(source, 0, None, column) != self.checksum(target, 1, None, column)
        ]
        if not differ:
            return f"{name}: the rows differ (no single column does)"
        return f"{name}: the values of {', '.join(differ)} differ"
