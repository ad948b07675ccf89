"""Scratch databases on a PostgreSQL server, where declared DDL runs to be read the way
PostgreSQL reads it: a temporary database made from ``template0`` (dropped on close), or,
for a user who may not create databases, a schema of the database itself inside a
transaction that is always rolled back."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import secrets
from typing import TYPE_CHECKING, Any

from trueup.engines.postgres.connection import connect, connection_info
from trueup.engines.postgres.driver import pg_errors, psycopg
from trueup.engines.postgres.quoting import literal, quote
from trueup.engines.postgres.session import PostgresSession
from trueup.errors import ConfigError, ConnectionError
from trueup.urls import DatabaseURL, parse_url

if TYPE_CHECKING:
    from psycopg import Connection

    from trueup.model import Schema


def scratch_url(url: DatabaseURL | None) -> DatabaseURL:
    """The server a scratch database is made on: ``url`` (the database being pushed to),
    else $TRUEUP_SCRATCH_URL, else $DATABASE_URL."""
    if url is not None and url.engine == "postgresql":
        return url
    for name in ("TRUEUP_SCRATCH_URL", "DATABASE_URL"):
        value = os.environ.get(name, "").strip()
        if value:
            parsed = parse_url(value)
            if parsed.engine == "postgresql":
                return parsed
    raise ConfigError(
        "A PostgreSQL schema is normalised by PostgreSQL itself, in a scratch database, and "
        "no PostgreSQL server was given for it.",
        hint="Set DATABASE_URL (or TRUEUP_SCRATCH_URL) to a PostgreSQL URL; trueup makes a "
        "temporary database there and drops it right after.",
    )


class ScratchSession(PostgresSession):
    """A temporary database on the server of ``url``, made from ``template0`` with the
    extensions of the database of ``url`` installed, dropped again on close. Statements run
    in autocommit mode: there is nothing to protect, and a failed statement must not abort
    the ones after it (declared DDL is run again until its order no longer matters)."""

    def __init__(
        self, conn: Connection[Any], admin: Connection[Any], name: str, default_schema: str
    ) -> None:
        self.admin = admin
        self.name = name
        super().__init__(conn, None, default_schema)
        self.baseline: set[str] = set()

    @classmethod
    def create(cls, url: DatabaseURL | None) -> PostgresSession:
        server = scratch_url(url)
        conninfo, schema = connection_info(server)
        admin = connect(conninfo, server)
        name = scratch_name()
        try:
            encoding, collate, ctype = admin.execute(
                "SELECT pg_encoding_to_char(encoding), datcollate, datctype "
                "FROM pg_database WHERE datname = current_database()"
            ).fetchone() or ("UTF8", "C", "C")
            extensions = admin.execute(
                "SELECT e.extname, n.nspname FROM pg_extension AS e "
                "JOIN pg_namespace AS n ON n.oid = e.extnamespace "
                "WHERE e.extname <> 'plpgsql' ORDER BY e.oid"
            ).fetchall()
            admin.execute(
                f"CREATE DATABASE {quote(name)} TEMPLATE template0 ENCODING {literal(encoding)} "
                f"LC_COLLATE {literal(collate)} LC_CTYPE {literal(ctype)}".encode()
            )
        except pg_errors.InsufficientPrivilege:
            admin.close()
            # No CREATEDB right: the schema is read in a schema of this database instead.
            return SchemaScratchSession.create(server)
        except psycopg.Error as exc:
            admin.close()
            raise ConnectionError(
                f"Cannot make a scratch database on {server.redacted()}: {exc}",
                hint="trueup runs the declared schema in a temporary database to read it the "
                "way PostgreSQL does; the user needs the CREATEDB right (or point "
                "TRUEUP_SCRATCH_URL at a server where it has it).",
            ) from exc
        except BaseException:  # interrupted (SIGTERM, Ctrl-C): the server may have made it
            _drop(admin, name)
            admin.close()
            raise
        try:
            conn = connect(conninfo, server, dbname=name)
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}".encode())
            for ext, ext_schema in extensions:
                with contextlib.suppress(psycopg.Error):
                    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(ext_schema)}".encode())
                    conn.execute(
                        f"CREATE EXTENSION IF NOT EXISTS {quote(ext)} "
                        f"SCHEMA {quote(ext_schema)}".encode()
                    )
        except BaseException:
            _drop(admin, name)
            raise
        session = cls(conn, admin, name, schema)
        session.baseline = _namespaces(conn)
        return session

    def begin(self, *, write: bool, timeout: float) -> None:
        self.conn.execute(f"SET lock_timeout = {max(1, int(timeout * 1000))}")
        self.conn.execute("BEGIN")

    def inspect(self) -> Schema:
        # The declared schema's namespaces: the default one, those its DDL created, and any
        # other that now holds something of its own (not of an extension).
        rows = self.conn.execute(
            "SELECT n.nspname, EXISTS (SELECT 1 FROM pg_class AS c WHERE c.relnamespace = n.oid "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend AS d WHERE d.classid = 'pg_class'::regclass "
            "AND d.objid = c.oid AND d.deptype = 'e')) "
            "FROM pg_namespace AS n WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"
        ).fetchall()
        self.namespaces = tuple(
            sorted(
                n
                for n, used in rows
                if n != self.default_schema and (used or n not in self.baseline)
            )
        )
        return super().inspect()

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self.conn.close()
        _drop(self.admin, self.name)
        self.admin.close()


class SchemaScratchSession(PostgresSession):
    """Where the user may not create databases: the declared schema runs in a new schema of
    the database itself, inside a transaction that is always rolled back, so none of it is
    ever seen by another connection or kept. Each statement runs under a savepoint, so a
    failed one does not abort the ones after it. The database's default schema comes second
    in ``search_path``, so its extensions' types resolve (and print) as they do in a push.

    A declared schema that names schemas of its own cannot be read this way (they would
    collide with the database's), and is refused. A statement that reaches the database's
    own tables (``DROP TABLE IF EXISTS t`` before ``t`` is made here) changes nothing either,
    being rolled back, but it locks them meanwhile: the lock timeout keeps that wait short.
    """

    _SAVEPOINT = "trueup_scratch_statement"
    _LOCK_TIMEOUT_MS = 5000

    def __init__(self, conn: Connection[Any], name: str, home: str) -> None:
        self.home = home
        super().__init__(conn, None, name)
        self.baseline: set[str] = set()

    @classmethod
    def create(cls, server: DatabaseURL) -> SchemaScratchSession:
        conninfo, home = connection_info(server)
        conn = connect(conninfo, server)
        name = scratch_name()
        try:
            conn.execute("BEGIN")
            conn.execute(f"SET LOCAL lock_timeout = {cls._LOCK_TIMEOUT_MS}")
            conn.execute(f"CREATE SCHEMA {quote(name)}".encode())
            session = cls(conn, name, home)
            session.baseline = _namespaces(conn)
        except psycopg.Error as exc:
            conn.close()
            raise ConnectionError(
                f"Cannot read the declared schema on {server.redacted()}: this user may not "
                f"create a database, nor a schema in the database ({exc}).",
                hint="trueup runs the declared schema where PostgreSQL can judge it: give the "
                "user the CREATEDB right, or CREATE on the database, or point "
                "TRUEUP_SCRATCH_URL at a server where it has one of them.",
            ) from exc
        return session

    def _set_search_path(self) -> None:
        self.conn.execute(
            f"SET LOCAL search_path TO {quote(self.default_schema)}, {quote(self.home)}"
        )

    def begin(self, *, write: bool, timeout: float) -> None:
        # The transaction is open from the start, and is never committed.
        self.conn.execute(f"SET LOCAL lock_timeout = {max(1, int(timeout * 1000))}")

    def execute(self, sql: str) -> None:
        if re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)\b", sql, re.IGNORECASE):
            # A caller's own savepoints (releasing ours would release theirs too).
            self.conn.execute(sql.encode())
            return
        self.conn.execute(f"SAVEPOINT {self._SAVEPOINT}")
        try:
            self.conn.execute(sql.encode())
        except psycopg.Error:
            self.conn.execute(f"ROLLBACK TO SAVEPOINT {self._SAVEPOINT}")
            self.conn.execute(f"RELEASE SAVEPOINT {self._SAVEPOINT}")
            raise
        self.conn.execute(f"RELEASE SAVEPOINT {self._SAVEPOINT}")

    def commit(self) -> None:
        """Never: nothing of the scratch schema may be kept."""

    def inspect(self) -> Schema:
        made = sorted(_namespaces(self.conn) - self.baseline)
        if made:
            raise ConfigError(
                f"The declared schema makes the PostgreSQL schemas {', '.join(made)}; "
                "trueup can read it only in a scratch database, and this user may not "
                "create one.",
                hint="Give the user the CREATEDB right, or point TRUEUP_SCRATCH_URL at a "
                "server where it has it.",
            )
        # Read as the default schema: objects in it carry no schema name, and the managed
        # schemas the model lists name the database's default one, not this stand-in.
        schema = super().inspect()
        namespaces = (self.home if n == self.default_schema else n for n in schema.namespaces)
        return dataclasses.replace(schema, namespaces=tuple(namespaces))

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self.conn.execute("ROLLBACK")
        self.conn.close()


def scratch_name() -> str:
    """A name no other push uses at the same time (a killed push's is found by its pid)."""
    return f"trueup_scratch_{os.getpid()}_{secrets.token_hex(4)}"


def _namespaces(conn: Connection[Any]) -> set[str]:
    return {r[0] for r in conn.execute("SELECT nspname FROM pg_namespace")}


def _drop(admin: Connection[Any], name: str) -> None:
    with contextlib.suppress(psycopg.Error):
        admin.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)".encode())
