"""The data checks' queries as SQLite writes them. SQLite has no enums, and compares two
values with NULLs equal by ``IS``; the type changes' conditions are the dialect's (what
the rebuild's INSERT stores, see :mod:`trueup.engines.sqlite.conversion`)."""

from __future__ import annotations

from trueup.engines.probes import ProbeSQL
from trueup.model import Column
from trueup.plan.checks.conditions import CheckedTable


class SQLiteProbes(ProbeSQL):
    def column(self, over: CheckedTable, name: str) -> str:
        # Qualified: SQLite reads a double-quoted name that is no column as a string, so a
        # probe naming a column that is not there would count rows by that string instead
        # of failing.
        return f"{self.table(over)}.{self.q(name)}"

    def new_value(self, column_sql: str, old: Column, new: Column) -> str:
        # As it is: comparing it with the parent's key applies that key's affinity, as the
        # rebuild's INSERT applies the new column's (a CAST would convert what it keeps).
        return column_sql

    def same_value(self, a: str, b: str) -> str:
        return f"{a} IS {b}"
