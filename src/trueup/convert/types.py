"""Column types from one engine to the other: the closest type that keeps every value the
source engine can hold in that column, and a note whenever something is given up.

SQLite's declared types are free text with an affinity; PostgreSQL's are strict. Going to
PostgreSQL, a type is chosen by its name where SQLite apps commonly mean something by it
(``BOOLEAN``, ``DATETIME``, ``JSON``), else by its affinity. Coming back, every PostgreSQL
type gets a SQLite name that the other direction maps back to it where one exists.
"""

from __future__ import annotations

import re

from trueup.engines.sqlite.types import affinity

#: SQLite type names that carry a meaning beyond their affinity, by their first word(s).
_SQLITE_NAMED = {
    "BOOLEAN": "BOOLEAN",
    "BOOL": "BOOLEAN",
    "DATE": "DATE",
    # Six fractional digits (PostgreSQL's default): Python apps (SQLAlchemy, Django) write
    # microseconds; TIMESTAMP(3) would round them away.
    "DATETIME": "TIMESTAMP",
    "TIMESTAMP": "TIMESTAMP",
    "TIMESTAMPTZ": "TIMESTAMPTZ",
    "TIME": "TIME",
    "JSON": "JSONB",
    "JSONB": "JSONB",
    "UUID": "UUID",
    "DECIMAL": "DECIMAL",
    "NUMERIC": "DECIMAL",
    "BLOB": "BYTEA",
}
_SQLITE_REALS = ("REAL", "DOUBLE", "DOUBLE PRECISION", "FLOAT")
_VARYING = re.compile(
    r"^(?:VARCHAR|NVARCHAR|VARYING CHARACTER|CHARACTER VARYING|NATIVE CHARACTER|CHARACTER|"
    r"NCHAR|CHAR)\((\d+)\)$"
)
_MODIFIED = re.compile(r"^([A-Z ]+?)\((\d+(?:,\d+)?)\)$")

_PG_SIMPLE = {
    "SMALLINT": "INTEGER",
    "INTEGER": "INTEGER",
    "BIGINT": "INTEGER",
    "REAL": "REAL",
    "DOUBLE PRECISION": "REAL",
    "TEXT": "TEXT",
    "VARCHAR": "VARCHAR",
    "BOOLEAN": "BOOLEAN",
    "BYTEA": "BLOB",
    "DATE": "DATE",
    "TIMESTAMP": "DATETIME",
    "TIMESTAMPTZ": "TIMESTAMPTZ",
    "TIME": "TIME",
    "JSON": "JSON",
    "JSONB": "JSON",
    "UUID": "UUID",
    "DECIMAL": "DECIMAL",
}
#: PostgreSQL types whose modifiers SQLite keeps in the type's name.
_PG_MODIFIED = {
    "VARCHAR": "VARCHAR",
    "CHAR": "CHAR",
    "DECIMAL": "DECIMAL",
    "TIMESTAMP": "TIMESTAMP",
    "TIMESTAMPTZ": "TIMESTAMPTZ",
    "TIME": "TIME",
}


def to_postgres(sqlite_type: str) -> tuple[str, str | None]:
    """The PostgreSQL type for a SQLite column's declared type (canonical spelling), and a
    note when the meaning changes."""
    t = sqlite_type.strip()
    if not t:
        return "TEXT", "it has no declared type; its values become text"
    m = _VARYING.match(t)
    if m:
        # CHAR(n) too: PostgreSQL pads CHAR with blanks, SQLite does not.
        return f"VARCHAR({m.group(1)})", None
    m = _MODIFIED.match(t)
    base, mods = (m.group(1), m.group(2)) if m else (t, None)
    if base in ("DECIMAL", "NUMERIC"):
        return ("DECIMAL" if mods is None else f"DECIMAL({mods})"), None
    if base in ("TIMESTAMP", "DATETIME", "TIMESTAMPTZ", "TIME") and mods is not None:
        return f"{_SQLITE_NAMED[base]}({mods})", None
    if base in _SQLITE_NAMED:
        return _SQLITE_NAMED[base], None
    if base in _SQLITE_REALS:
        return "DOUBLE PRECISION", None
    kind = affinity(t)
    if kind == "INTEGER":
        return "BIGINT", None  # SQLite integers are 64-bit whatever the name says
    if kind == "TEXT":
        return "TEXT", None
    if kind == "REAL":
        return "DOUBLE PRECISION", None
    return "TEXT", f"PostgreSQL has no type {t}; its values become text"


def to_sqlite(pg_type: str, *, enum: bool = False) -> tuple[str, str | None]:
    """The SQLite type for a PostgreSQL column type (trueup's canonical spelling); ``enum``
    says the type is one of the database's enums. A note when the meaning changes."""
    if pg_type.endswith("[]"):
        return "TEXT", (
            f"SQLite has no arrays; the {pg_type} values are kept as PostgreSQL's array text "
            "('{a,b}')"
        )
    if enum:
        return "TEXT", f"SQLite has no enums; the values of {pg_type} are kept as text"
    if pg_type in _PG_SIMPLE:
        return _PG_SIMPLE[pg_type], None
    m = _MODIFIED.match(pg_type)
    if m and m.group(1) in _PG_MODIFIED:
        return f"{_PG_MODIFIED[m.group(1)]}({m.group(2)})", None
    return "TEXT", f"SQLite has no type {pg_type}; its values are kept as PostgreSQL's text"
