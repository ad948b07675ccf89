"""Running the checks' probes: read-only queries on the live data, each under a savepoint
(a failed one must not spoil the push's transaction), the counts of a table taken in one
pass where the engine can, and every count asked twice read once.

A probe the engine cannot answer gives no numbers: its finding keeps the risk the change
has without data. On a live database that can be a column the push has not made yet, but
also a permission or a timeout, so a push goes on. Under test (``TRUEUP_STRICT_PROBES=1``)
only a fallible probe may fail that way: one that holds SQL from the declared schema, or
casts values (of a unique or foreign key) to a new type that some of them do not survive.
Any other failing is a bug in the SQL the checks wrote, and it raises instead of weakening
a finding.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from trueup.engines.base import Dialect, Session
from trueup.errors import TrueupError
from trueup.plan import risk
from trueup.plan.checks.conditions import (
    CheckedTable,
    Condition,
    KeyPart,
    Orphaned,
    PointsAt,
    declared,
    may_fail,
)

#: The environment variable that makes a failing probe raise (see the module).
STRICT = "TRUEUP_STRICT_PROBES"


class Measurements:
    """The probes of one push's checks, in the open transaction of ``session``."""

    def __init__(self, session: Session, dialect: Dialect) -> None:
        self.session = session
        self.dialect = dialect
        self.sql = dialect.probes(self.trial)
        self.strict = os.environ.get(STRICT) == "1"
        self._counts: dict[tuple[str | None, str, str | None], int | None] = {}
        self._trial: bool | None = None

    def trial(self) -> bool:
        """Whether the engine's trial cast is ready (made once, when first needed)."""
        if self._trial is None:
            try:
                with self.session.savepoint():
                    self._trial = self.dialect.prepare_checks(self.session)
            except TrueupError:
                raise
            except Exception:  # the engine refused (a read-only transaction): no trial cast
                self._trial = False
        return self._trial

    def query(self, sql: str, *, fallible: bool = False) -> list[tuple[Any, ...]] | None:
        """Run a read-only probe; None when the engine cannot answer it. ``fallible``: the
        probe may fail for reasons other than its SQL (see the module)."""
        try:
            with self.session.savepoint():
                return self.session.query(sql)
        except TrueupError:
            raise  # about the database itself (damaged, unreadable): not this probe's
        except Exception as exc:  # the engine's own error: this probe has no answer
            if self.strict and not fallible:
                exc.add_note(f"The data check's query that failed: {sql}")
                raise
            return None

    def expressible(self, table: CheckedTable, condition: Condition) -> bool:
        """Whether the engine can write ``condition`` at all."""
        return self.sql.where(condition, table) is not None

    def count(self, table: CheckedTable, condition: Condition | None = None) -> int | None:
        """The rows of ``table`` that ``condition`` holds for (all of them without one)."""
        where = None if condition is None else self.sql.where(condition, table)
        if condition is not None and where is None:
            return None
        key = (table.schema, table.name, where)
        if key not in self._counts:
            fallible = condition is not None and declared(condition)
            rows = self.query(self.sql.count(table, where), fallible=fallible)
            self._counts[key] = None if rows is None else int(rows[0][0])
        return self._counts[key]

    def rows(self, table: CheckedTable) -> int | None:
        return self.count(table)

    def prefetch(self, table: CheckedTable, conditions: Sequence[Condition]) -> None:
        """Count the rows and every condition in one pass over the table instead of one
        pass each (a big table is read once). If the engine refuses the combined query (one
        condition names a column that does not exist yet), the counts are taken one by one
        when asked."""
        written = [(c, self.sql.where(c, table)) for c in conditions]
        done = self._counts
        wheres = list(
            dict.fromkeys(
                w for _, w in written if w is not None and (table.schema, table.name, w) not in done
            )
        )
        if not wheres:
            return
        fallible = any(declared(c) for c, w in written if w in wheres)
        found = self.query(self.sql.counts(table, wheres), fallible=fallible)
        if found is None:
            return
        self._counts[(table.schema, table.name, None)] = int(found[0][0])
        for where, value in zip(wheres, found[0][1:], strict=True):
            self._counts[(table.schema, table.name, where)] = int(value)

    def examples(
        self, table: CheckedTable, condition: Condition | Orphaned | PointsAt
    ) -> tuple[object, ...]:
        """Some keys of the rows of ``table`` that ``condition`` holds for."""
        where = self.sql.where(condition, table)
        if where is None:
            return ()
        alias = {Orphaned: "c", PointsAt: "g"}.get(type(condition))
        return self._examples(table, where, declared(condition), alias)

    def _examples(
        self, table: CheckedTable, where: str, fallible: bool, alias: str | None = None
    ) -> tuple[object, ...]:
        sql = self.sql.examples(table, where, risk.EXAMPLES, alias)
        found = self.query(sql, fallible=fallible)
        return tuple(r[0] if len(r) == 1 else tuple(r) for r in found or [])

    def count_over(self, table: CheckedTable, condition: Orphaned | PointsAt) -> int | None:
        """The rows of ``table`` a foreign key's ``condition`` holds for (over ``table``
        named as the condition names it)."""
        where = self.sql.where(condition, table)
        alias = "c" if isinstance(condition, Orphaned) else "g"
        rows = self.query(self.sql.count(table, where, alias), fallible=declared(condition))
        return None if rows is None else int(rows[0][0])

    def duplicates(
        self,
        table: CheckedTable,
        parts: Sequence[KeyPart],
        where: str | None,
        *,
        nulls_equal: bool = False,
    ) -> tuple[int | None, tuple[object, ...]]:
        """How many groups of rows share one value of a unique key (its ``parts``, over the
        rows its declared predicate ``where`` holds for), and some of those rows."""
        keys = [self.sql.key(p, table) for p in parts]
        fallible = where is not None or may_fail(parts)
        sql = self.sql.duplicate_count(table, keys, where, nulls_equal)
        rows = self.query(sql, fallible=fallible)
        if rows is None:
            return None, ()
        n = int(rows[0][0])
        if n == 0:
            return 0, ()
        found = self.sql.duplicate_rows(table, keys, where, nulls_equal)
        return n, self._examples(table, found, fallible)

    def compares_as_before(self, table: CheckedTable, before: KeyPart, after: KeyPart) -> bool:
        """Whether a key part's values compare after a change as they did before it."""
        return self.sql.key(before, table) == self.sql.key(after, table)
