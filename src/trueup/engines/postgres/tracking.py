"""Which tables a statement reads or writes, as PostgreSQL itself resolves them.

Two of the server's own answers, together. ``EXPLAIN (VERBOSE)`` of a query or a
data-changing statement names every relation its plan reads or writes, without running it.
Every relation a statement reads or writes, DDL included, is locked by it to the end of the
transaction (https://www.postgresql.org/docs/current/explicit-locking.html): the locks this
backend holds after a statement, less those it held before, are relations it named. A
relation that an earlier statement of the push locked in the same mode is not seen again
that way; a statement that cannot be explained (DDL) and took no new lock is therefore
counted as naming what was locked before it, so a step is never judged to have touched
nothing when it may have. Savepoints rolled back let go of what a look took.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import errors as pg_errors

if TYPE_CHECKING:
    from psycopg import Connection

_RELATIONS = """
SELECT n.nspname || '.' || c.relname
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
    AND c.relname NOT LIKE '\\_trueup\\_%'
"""
_LOCKS = """
SELECT n.nspname || '.' || c.relname, l.mode
FROM pg_locks AS l
JOIN pg_class AS c ON c.oid = l.relation
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.granted
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND c.relname NOT LIKE '\\_trueup\\_%'
"""
_PROBE = "trueup_probe"
_MISSING = re.compile(r'relation "(?P<name>[^"]+)" does not exist')


def relation_names(conn: Connection[Any]) -> frozenset[str]:
    """The tables and views of the database as ``schema.name`` (PostgreSQL's own and
    trueup's left out)."""
    return frozenset(str(r[0]) for r in conn.execute(_RELATIONS))


def _locks(conn: Connection[Any]) -> set[tuple[str, str]]:
    return {(str(name), str(mode)) for name, mode in conn.execute(_LOCKS)}


def run_tracked(conn: Connection[Any], execute: Callable[[str], None], sql: str) -> frozenset[str]:
    """Run ``sql`` through ``execute``; return the relations it named."""
    explained = _explained(conn, sql)
    before = _locks(conn)
    execute(sql)
    named = {name for name, _ in _locks(conn) - before}
    if explained is None and not named:
        named = {name for name, _ in before}
    return frozenset(named | (explained or set()))


def probe(conn: Connection[Any], sql: str) -> frozenset[str]:
    """The relations ``sql`` would name, from ``EXPLAIN`` alone; empty for a statement that
    cannot be explained (DDL) or does not compile."""
    return frozenset(_explained(conn, sql) or ())


def _explained(conn: Connection[Any], sql: str) -> set[str] | None:
    """The relations of ``EXPLAIN (VERBOSE)``'s plan of ``sql``, and those it locked, under
    a savepoint rolled back at once; None when ``sql`` cannot be explained."""
    conn.execute(f"SAVEPOINT {_PROBE}")
    try:
        before = _locks(conn)
        row = conn.execute(("EXPLAIN (VERBOSE, FORMAT JSON) " + sql).encode()).fetchone()
        locked = {name for name, _ in _locks(conn) - before}
    except psycopg.Error:
        return None
    finally:
        conn.execute(f"ROLLBACK TO SAVEPOINT {_PROBE}")
        conn.execute(f"RELEASE SAVEPOINT {_PROBE}")
    return locked | set(_plan_relations(row[0] if row else None))


def _plan_relations(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if "Relation Name" in node and "Schema" in node:
            yield f"{node['Schema']}.{node['Relation Name']}"
        for value in node.values():
            yield from _plan_relations(value)
    elif isinstance(node, list):
        for value in node:
            yield from _plan_relations(value)


def missing_table(error: Exception) -> str | None:
    """The relation an "undefined table" error names."""
    if not isinstance(error, pg_errors.UndefinedTable):
        return None
    m = _MISSING.search(str(error))
    return m["name"] if m else ""
