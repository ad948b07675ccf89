"""The data checks' queries as SQLite writes them. SQLite has no enums, and compares two
values with NULLs equal by ``IS``; the type changes' conditions are the dialect's (what
the rebuild's INSERT stores, see :mod:`trueup.engines.sqlite.conversion`)."""

from __future__ import annotations

from trueup.engines.probes import ProbeSQL


class SQLiteProbes(ProbeSQL):
    def same_value(self, a: str, b: str) -> str:
        return f"{a} IS {b}"
