"""Which tables a statement reads or writes, as SQLite itself resolves them.

SQLite calls a connection's authorizer while it compiles a statement, once for every table
(and column) the statement reads, writes, alters, drops or indexes
(https://sqlite.org/c3ref/set_authorizer.html). ``EXPLAIN`` compiles a statement without
running it, so the two together name a statement's tables without changing anything; a
statement that names a table that does not exist does not compile ("no such table").
"""

from __future__ import annotations

import re
import sqlite3

#: The authorizer's actions that name a table, and which argument names it.
_TABLE_ARGUMENT = {
    sqlite3.SQLITE_READ: 0,
    sqlite3.SQLITE_INSERT: 0,
    sqlite3.SQLITE_UPDATE: 0,
    sqlite3.SQLITE_DELETE: 0,
    sqlite3.SQLITE_DROP_TABLE: 0,
    sqlite3.SQLITE_DROP_VIEW: 0,
    sqlite3.SQLITE_ANALYZE: 0,
    sqlite3.SQLITE_ALTER_TABLE: 1,  # the first argument is the database's name
    sqlite3.SQLITE_CREATE_INDEX: 1,
    sqlite3.SQLITE_DROP_INDEX: 1,
    sqlite3.SQLITE_CREATE_TRIGGER: 1,
    sqlite3.SQLITE_DROP_TRIGGER: 1,
}
_MISSING = re.compile(r"^no such table: (?:main\.)?(?P<name>.+)$")


def named_tables(conn: sqlite3.Connection, sql: str) -> frozenset[str]:
    """The tables and views of the main database that ``sql`` reads or writes, in lower
    case. Raises the engine's error when ``sql`` does not compile."""
    found: set[str] = set()

    def note(action: int, a: str | None, b: str | None, db: str | None, via: str | None) -> int:
        position = _TABLE_ARGUMENT.get(action)
        name = (a, b)[position] if position is not None else None
        if db != "temp":
            # A view read through is named as the source of the reads of its tables.
            found.update(n.lower() for n in (name, via) if n)
        return sqlite3.SQLITE_OK

    conn.set_authorizer(note)
    try:
        conn.execute("EXPLAIN " + sql).fetchall()
    finally:
        conn.set_authorizer(None)
    return frozenset(found)


def relation_names(conn: sqlite3.Connection) -> frozenset[str]:
    """The tables and views of the main database, in lower case (SQLite's own and
    trueup's left out)."""
    rows = conn.execute(
        "SELECT lower(name) FROM sqlite_schema WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name NOT LIKE '!_trueup!_%' ESCAPE '!'"
    )
    return frozenset(str(r[0]) for r in rows)


def missing_table(error: Exception) -> str | None:
    """The table a "no such table" error names."""
    if not isinstance(error, sqlite3.OperationalError):
        return None
    m = _MISSING.match(str(error))
    return m["name"] if m else None
