"""Helpers for the integration tests of the push: run plans the way ``push`` does, read
facts off a database file with plain ``sqlite3`` connections, and check that a database is
in sync with a declared schema."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.helpers import schema_from_sql
from trueup.apply import apply_plan
from trueup.engines import get_dialect
from trueup.engines.sqlite.session import SQLiteSession
from trueup.model import Schema
from trueup.plan import Plan
from trueup.push import make_plan, plan_for
from trueup.urls import DatabaseURL, parse_url


@contextlib.contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain autocommit connection that is always closed."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def query(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connect(path) as conn:
        return list(conn.execute(sql, params).fetchall())


def execute(path: Path, sql: str, *, foreign_keys: bool = True) -> None:
    """Run a script on the file from a connection with foreign keys enforced (as an
    application would have it)."""
    with connect(path) as conn:
        conn.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")
        conn.executescript(sql)


def integrity(path: Path) -> list[str]:
    return [r[0] for r in query(path, "PRAGMA integrity_check")]


def fk_violations(path: Path) -> list[tuple[Any, ...]]:
    return query(path, "PRAGMA foreign_key_check")


def table_names(path: Path) -> set[str]:
    return {
        r[0].lower()
        for r in query(
            path,
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
            "AND name NOT LIKE '!_trueup!_%' ESCAPE '!'",
        )
    }


def rowids(path: Path, table: str) -> list[tuple[Any, ...]]:
    """(rowid, every column) of every row, in rowid order."""
    return query(path, f'SELECT rowid, * FROM "{table}" ORDER BY rowid')


def plan_now(path: Path, desired_sql: str) -> Plan:
    """The plan a push would run now (read-only)."""
    return plan_for(parse_url(str(path)), schema_from_sql(desired_sql, path.parent))


def assert_in_sync(path: Path, desired_sql: str) -> None:
    """A second push would have nothing to do."""
    plan = plan_now(path, desired_sql)
    assert plan.is_empty, f"not in sync after the push: {plan.changes}"
    assert integrity(path) == ["ok"]


def run_plan(
    url: DatabaseURL,
    desired: Schema,
    *,
    edit: Any = None,
    foreign_keys_on: bool = False,
) -> tuple[Plan, int]:
    """Compute and apply a plan the way ``trueup.push.push`` does (one connection, one
    BEGIN IMMEDIATE, commit on success, rollback on any error), with ``edit(plan)`` to tamper
    with the plan first. Returns the plan that ran and ``PRAGMA foreign_keys`` of the
    connection after the transaction ended (also when it raised: then it is re-raised after
    the value was read, through the ``foreign_keys_after`` attribute of the exception)."""
    dialect = get_dialect("sqlite")
    session = dialect.connect(url, create=True)
    assert isinstance(session, SQLiteSession)
    try:
        if foreign_keys_on:
            session.conn.execute("PRAGMA foreign_keys = ON")
        session.begin(write=True, timeout=5)
        try:
            plan = make_plan(session, desired, dialect)
            if edit is not None:
                plan = edit(plan)
            apply_plan(session, plan, desired, dialect.hooks)
            session.commit()
        except BaseException as exc:
            session.rollback()
            exc.foreign_keys_after = session.conn.execute(  # type: ignore[attr-defined]
                "PRAGMA foreign_keys"
            ).fetchone()[0]
            exc.in_transaction_after = session.conn.in_transaction  # type: ignore[attr-defined]
            raise
        return plan, session.conn.execute("PRAGMA foreign_keys").fetchone()[0]
    finally:
        session.close()


def foreign_keys_on_by_default(monkeypatch: Any) -> list[DatabaseURL]:
    """Make every connection trueup opens start with ``PRAGMA foreign_keys = ON``, as with a
    SQLite built with SQLITE_DEFAULT_FOREIGN_KEYS=1 or an application's connection hook.
    Returns the list of the URLs opened so, to check that the switch took effect."""
    original = SQLiteSession.open.__func__  # type: ignore[attr-defined]
    opened: list[DatabaseURL] = []

    def open_with_fks(cls: type[SQLiteSession], /, url: DatabaseURL, **kwargs: Any) -> Any:
        session = original(cls, url, **kwargs)
        session.conn.execute("PRAGMA foreign_keys = ON")
        assert session.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        opened.append(url)
        return session

    monkeypatch.setattr(SQLiteSession, "open", classmethod(open_with_fks))
    return opened
