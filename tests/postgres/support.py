"""Helpers for the PostgreSQL tests: databases per test, schemas from SQL text through the
scratch database, plain psycopg connections to look at what a push did."""

from __future__ import annotations

import itertools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from trueup.diff.differ import diff
from trueup.engines import get_dialect
from trueup.engines.postgres.dialect import PostgresDialect
from trueup.engines.postgres.session import PostgresSession
from trueup.model import Schema
from trueup.plan import Plan
from trueup.push import PushResult, make_plan, push
from trueup.sources.sql import load_sql
from trueup.urls import DatabaseURL, parse_url

DIALECT = PostgresDialect()
_numbers = itertools.count()


def with_database(url: str, name: str, **query: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    params.update(query)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, urlencode(params), ""))


@dataclass(frozen=True)
class Server:
    """A PostgreSQL server (``url`` names its maintenance database), or one database on it."""

    url: str
    name: str = "postgres"

    @property
    def database_url(self) -> DatabaseURL:
        return parse_url(self.url)

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(_plain(self.url), autocommit=True)

    def create_database(self) -> Server:
        name = f"t_{os.getpid()}_{next(_numbers)}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0'.encode())
        return Server(with_database(self.url, name), name)

    def drop_database(self, db: Server) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)'.encode())

    def execute(self, sql: str) -> None:
        """Run a script (several statements) in one transaction."""
        with self.connect() as conn, conn.transaction():
            conn.execute(sql.encode())

    def query(self, sql: str, params: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
        with self.connect() as conn:
            return list(conn.execute(sql, params).fetchall())

    def at_schema(self, schema: str) -> Server:
        """The same database with another default schema (``?schema=``)."""
        return Server(with_database(self.url, self.name, schema=schema), self.name)


def _plain(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def schema_from_sql(db: Server, sql: str) -> Schema:
    """The model of a SQL schema, through the same path a schema file takes (a scratch
    database on ``db``'s server)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schema_under_test.sql"
        path.write_text(sql)
        return load_sql(str(path), DIALECT, db.database_url).schema


def inspect_db(db: Server, namespaces: tuple[str, ...] = ()) -> Schema:
    with get_dialect("postgresql").connect(db.database_url, create=False) as session:
        session.manage(namespaces)
        return session.inspect()


def plan_now(db: Server, desired: Schema) -> Plan:
    """The plan a push would run now (read-only)."""
    with DIALECT.connect(db.database_url, create=False) as session:
        session.manage(desired.namespaces)
        session.begin(write=False, timeout=5)
        try:
            return make_plan(session, desired, DIALECT)
        finally:
            session.rollback()


def push_sql(db: Server, desired_sql: str, **kwargs: Any) -> PushResult:
    return push(db.database_url, schema_from_sql(db, desired_sql), **kwargs)


def remaining_diff(db: Server, desired: Schema) -> list[Any]:
    return diff(inspect_db(db, desired.namespaces), desired, DIALECT.hooks)


def open_session(db: Server) -> PostgresSession:
    return DIALECT.connect(db.database_url, create=False)


def rows(db: Server, table: str, order: str = "1") -> list[tuple[Any, ...]]:
    return db.query(f"SELECT * FROM {table} ORDER BY {order}")
