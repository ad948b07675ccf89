"""Column types from one engine to the other, by name of the pair: each is the source
engine's mapping to a neutral kind followed by the target's mapping from it (see
:func:`trueup.convert.convert_type`); the knowledge is in the engines' value mappings."""

from __future__ import annotations

from trueup.convert import convert_type


def to_postgres(sqlite_type: str) -> tuple[str, str | None]:
    """The PostgreSQL type for a SQLite column's declared type (canonical spelling), and a
    note when the meaning changes."""
    return convert_type(sqlite_type, "sqlite", "postgresql")


def to_sqlite(pg_type: str, *, enum: bool = False) -> tuple[str, str | None]:
    """The SQLite type for a PostgreSQL column type (trueup's canonical spelling); ``enum``
    says the type is one of the database's enums. A note when the meaning changes."""
    enums = frozenset({pg_type}) if enum else frozenset()
    return convert_type(pg_type, "postgresql", "sqlite", enums)
