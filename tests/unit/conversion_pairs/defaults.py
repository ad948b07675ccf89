"""Column defaults from one engine to the other, by name of the pair (see
:func:`trueup.convert.convert_default`).

Only defaults whose meaning is the same on both engines carry over: literals (a number, a
string, a blob, a boolean) and the current date and time. Anything else is an expression
in one engine's functions (``datetime('now', 'localtime')``, ``gen_random_uuid()``): the
functions below return None for it, and the caller reports it as dropped.
"""

from __future__ import annotations

from trueup.convert import convert_default


def to_postgres(text: str, pg_type: str) -> str | None:
    """A SQLite default (as SQLite keeps it) for a column of ``pg_type``, or None."""
    return convert_default(text, pg_type, "sqlite", "postgresql")


def to_sqlite(text: str) -> str | None:
    """A PostgreSQL default (as ``pg_get_expr`` prints it) for SQLite, or None."""
    return convert_default(text, "", "postgresql", "sqlite")
