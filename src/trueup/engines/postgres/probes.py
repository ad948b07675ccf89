"""The data checks' queries as PostgreSQL writes them: enums (the labels a cast into an
enum keeps, the removed labels a column still holds), arrays of them included."""

from __future__ import annotations

from collections.abc import Sequence

from trueup.engines.postgres.quoting import literal
from trueup.engines.probes import ProbeSQL


class PostgresProbes(ProbeSQL):
    def not_in_enum(self, column_sql: str, values: Sequence[str], *, array: bool) -> str | None:
        listed = ", ".join(literal(v) for v in values) or "NULL"
        if array:
            return f"NOT (CAST({column_sql} AS TEXT[]) <@ ARRAY[{listed}]::TEXT[])"
        return f"CAST({column_sql} AS TEXT) NOT IN ({listed})"

    def holds_any_of(self, column_sql: str, values: Sequence[str], *, array: bool) -> str | None:
        listed = ", ".join(literal(v) for v in values)
        if array:
            return f"CAST({column_sql} AS TEXT[]) && ARRAY[{listed}]::TEXT[]"
        return f"CAST({column_sql} AS TEXT) IN ({listed})"
