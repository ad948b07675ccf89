"""Which column of a SQLite table is its rowid. Its own module: export and import need it
without loading the planner."""

from __future__ import annotations

from trueup.model import PrimaryKey, Table


def written_descending(pk: PrimaryKey) -> bool:
    """Whether the key is one column written ``PRIMARY KEY DESC`` in its own definition:
    a key of one descending part, with no collation of its own (a key column can only have
    one in a table constraint)."""
    return len(pk.parts) == 1 and pk.parts[0].descending and pk.parts[0].collation is None


def rowid_alias(table: Table) -> str | None:
    """The column that is the rowid (a lone INTEGER PRIMARY KEY of a rowid table), if any.

    Not one written ``INTEGER PRIMARY KEY DESC``: SQLite keeps that as an ordinary key with
    an index of its own (a quirk it documents and keeps for compatibility), while ``PRIMARY
    KEY (id DESC)`` as a table constraint is the rowid like any other."""
    pk = table.primary_key
    if "WITHOUT ROWID" in table.options or pk is None or len(pk.columns) != 1:
        return None
    if written_descending(pk):
        return None
    col = table.column(pk.columns[0])
    return pk.columns[0] if col is not None and col.type == "INTEGER" else None
