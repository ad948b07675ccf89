"""Which column of a SQLite table is its rowid. Its own module: export and import need it
without loading the planner."""

from __future__ import annotations

from trueup.model import Table


def rowid_alias(table: Table) -> str | None:
    """The column that is the rowid (a lone INTEGER PRIMARY KEY of a rowid table), if any."""
    pk = table.primary_key
    if "WITHOUT ROWID" in table.options or pk is None or len(pk.columns) != 1:
        return None
    col = table.column(pk.columns[0])
    return pk.columns[0] if col is not None and col.type == "INTEGER" else None
