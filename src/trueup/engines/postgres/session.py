"""Connections to PostgreSQL, set up the way a push needs them.

The connection runs in autocommit mode and trueup issues ``BEGIN`` / ``COMMIT`` itself, so
the whole push is one transaction, as on SQLite. A write push first takes a session-level
advisory lock, which keeps two pushes to the same database apart (and stays held for work
that must run after the commit, such as concurrent index builds); ``lock_timeout`` bounds
the wait for it and for every lock a statement needs, so a push stuck behind a long query
fails cleanly instead of queueing (and making everyone behind it queue) forever.

psycopg is imported here only (through ``driver``), so the SQLite path never loads it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import secrets
import zlib
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from trueup.engines.base import NO_EXTRAS, Extras, Session
from trueup.engines.postgres.catalog_queries import query_text
from trueup.engines.postgres.driver import conninfo_to_dict, make_conninfo, pg_errors, psycopg
from trueup.engines.postgres.quoting import literal, quote
from trueup.errors import ConfigError, ConnectionError, LockTimeout
from trueup.urls import DatabaseURL, parse_url

if TYPE_CHECKING:
    from psycopg import Connection

    from trueup.model import Schema

DEFAULT_SCHEMA = "public"
#: Query parameters of Prisma's connection strings that are not libpq's.
_PRISMA_PARAMS = {
    "schema",
    "connection_limit",
    "pool_timeout",
    "pgbouncer",
    "sslaccept",
    "sslidentity",
    "sslpassword",
    "socket_timeout",
    "statement_cache_size",
}
_LOCK_CLASS = 0x74727565  # "true": the first half of every trueup advisory lock key
#: Seconds connecting may take when neither the URL (``?connect_timeout=N``) nor
#: $PGCONNECT_TIMEOUT says: libpq would wait for ever on a server that never answers, and a
#: container's start would hang instead of failing (Prisma's own default is 5 s).
CONNECT_TIMEOUT = 10


def connection_info(url: DatabaseURL) -> tuple[str, str]:
    """The libpq connection string of ``url`` and its default schema (``?schema=``)."""
    assert url.dsn is not None, "a PostgreSQL URL"
    parts = urlsplit(url.dsn)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema" and v), DEFAULT_SCHEMA)
    kept = [(k, v) for k, v in query if k not in _PRISMA_PARAMS]
    dsn = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))
    return dsn, schema


def with_connect_timeout(conninfo: str) -> str:
    """``conninfo`` with ``connect_timeout`` set to CONNECT_TIMEOUT unless it sets one or
    $PGCONNECT_TIMEOUT does."""
    if os.environ.get("PGCONNECT_TIMEOUT") or "connect_timeout" in conninfo_to_dict(conninfo):
        return conninfo
    return make_conninfo(conninfo, connect_timeout=str(CONNECT_TIMEOUT))


def lock_key(schema: str) -> int:
    """The advisory lock of pushes to one schema of one database (a signed 64-bit key)."""
    key = (_LOCK_CLASS << 32) | zlib.crc32(schema.encode())
    return key - (1 << 64) if key >= 1 << 63 else key


def _connection_error(where: str, exc: psycopg.Error) -> ConnectionError:
    hint = (
        "Check the host, port, user, password and database name of the URL, and that the "
        "server is running."
    )
    if "timeout expired" in str(exc):
        hint += " To wait longer for it, add ?connect_timeout=SECONDS to the URL."
    return ConnectionError(
        f"Cannot connect to the PostgreSQL database {where}: "
        f"{str(exc).strip() or type(exc).__name__}",
        hint=hint,
    )


def _connect(conninfo: str, url: DatabaseURL | None, **extra: Any) -> Connection[Any]:
    try:
        return psycopg.connect(
            with_connect_timeout(make_conninfo(conninfo, **extra)), autocommit=True
        )
    except psycopg.Error as exc:
        raise _connection_error(url.redacted() if url else "(scratch)", exc) from exc


def _placeholders(sql: str, params: Sequence[Any]) -> str:
    """``?`` placeholders (as SQLite writes them) to psycopg's ``%s``, outside quotes, so
    the same data checks can run on both engines; ``%`` elsewhere is escaped."""
    if not params or "%s" in sql:
        return sql
    out: list[str] = []
    for m in re.finditer(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%|[^'\"?%]+", sql):
        piece = m.group(0)
        out.append("%s" if piece == "?" else piece.replace("%", "%%"))
    return "".join(out)


class PostgresSession(Session):
    """One connection to one PostgreSQL database (``url``'s), its default schema set as
    ``search_path`` so unqualified names mean the default schema."""

    inspects_remotely = True  # the catalog queries wait on the server

    def __init__(
        self,
        conn: Connection[Any],
        url: DatabaseURL | None,
        default_schema: str = DEFAULT_SCHEMA,
        *,
        ignore: Callable[[str], bool] | None = None,
    ) -> None:
        self.conn = conn
        self.url = url
        self.default_schema = default_schema
        self.ignore = ignore
        self.namespaces: tuple[str, ...] = ()
        self._locked = False
        self._set_search_path()

    @classmethod
    def open(
        cls,
        url: DatabaseURL,
        *,
        create: bool,
        ignore: Callable[[str], bool] | None = None,
    ) -> PostgresSession:
        conninfo, schema = connection_info(url)
        try:
            conn = psycopg.connect(with_connect_timeout(conninfo), autocommit=True)
        except psycopg.Error as exc:
            if not _missing_database(exc):
                raise _connection_error(url.redacted(), exc) from exc
            if not create:
                raise ConnectionError(
                    f"The database of {url.redacted()} does not exist.",
                    hint="Create it, or run `trueup push`, which creates it.",
                ) from exc
            _create_database(conninfo, url)
            try:
                conn = _connect(conninfo, url)
            except BaseException:
                drop_created_database(url)
                raise
            session = cls(conn, url, schema, ignore=ignore)
            session.created = True
            return session
        return cls(conn, url, schema, ignore=ignore)

    def _set_search_path(self) -> None:
        self.conn.execute(f"SET search_path TO {quote(self.default_schema)}")

    def manage(self, namespaces: Sequence[str]) -> None:
        self.namespaces = tuple(n for n in namespaces if n != self.default_schema)

    def managed(self) -> tuple[str, ...]:
        return self.namespaces

    def _run_all(
        self, queries: Sequence[tuple[str, dict[str, Any]]]
    ) -> Generator[list[tuple[Any, ...]], None, None]:
        """The rows of each query in turn. In pipeline mode each query is sent as soon as the
        rows of the one before are in, so that the server runs it while the caller builds on
        those rows; without (a libpq older than 14) one after the other."""
        if not psycopg.Pipeline.is_supported():
            for sql, params in queries:
                yield self.conn.execute(sql, params).fetchall()
            return
        with self.conn.pipeline():
            cursor = self.conn.cursor().execute(*queries[0])
            for sql, params in queries[1:]:
                # Reading a result in a pipeline waits for every query sent so far: the next
                # one goes only once this one's rows are in.
                rows = cursor.fetchall()
                cursor = self.conn.cursor().execute(sql, params)
                yield rows
            yield cursor.fetchall()

    def inspect(self) -> Schema:
        # The reader and the model load only here: a push that the digest finds in sync
        # (every container start) never needs them.
        from trueup.engines.postgres.inspect import inspect

        return inspect(
            self._run_all,
            self.default_schema,
            self.namespaces,
            server_version=self.conn.info.server_version,
            ignore=self.ignore,
        )

    def extras(self, current: Schema) -> Extras:
        # Only views and enum types are ever made again by a push.
        if not current.views and not current.enums:
            return NO_EXTRAS
        from trueup.engines.postgres.extras import read_extras

        params = {"schemas": sorted({self.default_schema, *self.namespaces})}
        rows = self.conn.execute(query_text("extras"), params).fetchall()
        return read_extras(rows, self.default_schema)

    def schema_digest(self) -> str | None:
        row = self.conn.execute(query_text("digest")).fetchone()
        return str(row[0]) if row else None

    def begin(self, *, write: bool, timeout: float) -> None:
        ms = max(1, int(timeout * 1000))
        self.conn.execute(f"SET lock_timeout = {ms}")
        if write and not self._locked:
            try:
                self.conn.execute("SELECT pg_advisory_lock(%s)", (lock_key(self.default_schema),))
            except pg_errors.LockNotAvailable as exc:
                raise LockTimeout(
                    f"Another push to {self.url} is running (waited {timeout:g} s). "
                    "Nothing was changed.",
                    hint="Try again when it ends, or raise the lock timeout (--lock-timeout).",
                ) from exc
            self._locked = True
        # A read (diff, dry run) sees one snapshot and is always rolled back; it is not READ
        # ONLY because the data checks make a temporary function and a dry run tries the
        # pending data steps, as the push will.
        self.conn.execute("BEGIN" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ")

    def execute(self, sql: str) -> None:
        try:
            self.conn.execute(sql.encode())
        except pg_errors.LockNotAvailable as exc:
            raise LockTimeout(
                "A table the push must change is in use by another connection, and its lock "
                "was not granted within the lock timeout. Nothing was changed.",
                hint="A long query or an open transaction holds it: try again when it ends, "
                "or raise the lock timeout (--lock-timeout).",
            ) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.execute(_placeholders(sql, params), tuple(params) or None)
        return list(cur.fetchall()) if cur.description is not None else []

    @property
    def in_transaction(self) -> bool:
        return self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def commit(self) -> None:
        if self.in_transaction:
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction and not self.conn.closed:
            self.conn.execute("ROLLBACK")

    def relation_names(self) -> frozenset[str]:
        from trueup.engines.postgres import tracking

        return tracking.relation_names(self.conn)

    def run_tracked(self, sql: str) -> frozenset[str]:
        from trueup.engines.postgres import tracking

        return tracking.run_tracked(self.conn, self.execute, sql)

    def probe(self, sql: str) -> frozenset[str]:
        from trueup.engines.postgres import tracking

        return tracking.probe(self.conn, sql)

    def missing_table(self, error: Exception) -> str | None:
        from trueup.engines.postgres import tracking

        return tracking.missing_table(error)

    def unlock(self) -> None:
        """Let the next push go (the lock is also released when the connection closes)."""
        if self._locked and not self.in_transaction:
            self.conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(self.default_schema),))
            self._locked = False

    def run_outside_transaction(self, statements: Sequence[str]) -> None:
        """Statements that cannot run in a transaction block (``CREATE INDEX
        CONCURRENTLY``), after the push committed and while it still holds the lock."""
        assert not self.in_transaction, "commit first"
        for sql in statements:
            self.execute(sql)

    def close(self) -> None:
        if self.conn.closed:
            return
        with contextlib.suppress(psycopg.Error):
            self.rollback()
            self.unlock()
        self.conn.close()


def _missing_database(exc: psycopg.Error) -> bool:
    """Whether connecting failed because the database does not exist (3D000; a failed
    connection carries the code only in the server's message)."""
    if exc.sqlstate == "3D000":
        return True
    return bool(re.search(r'database ".*" does not exist', str(exc)))


def _create_database(conninfo: str, url: DatabaseURL) -> None:
    """Create the database of ``conninfo`` from the server's maintenance database."""
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    name = str(params.get("dbname") or params.get("user") or "")
    admin = _connect(conninfo, url, dbname="postgres")
    try:
        admin.execute(f"CREATE DATABASE {quote(name)}".encode())
    except psycopg.Error as exc:
        raise ConnectionError(
            f"The database of {url.redacted()} does not exist, and creating it failed: {exc}",
            hint="Create the database (createdb NAME), or give the user the CREATEDB right.",
        ) from exc
    finally:
        admin.close()


#: Whether a database holds a relation of its own (not PostgreSQL's, not an extension's).
_HOLDS_RELATIONS = """
SELECT EXISTS (
    SELECT 1 FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
        AND NOT EXISTS (
            SELECT 1 FROM pg_depend AS d
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
        )
)
"""


def drop_created_database(url: DatabaseURL) -> None:
    """Drop the database of ``url``, which a push made and then failed in, when it still
    holds nothing of its own (no table, view, sequence, type or function outside the
    system's schemas). Anyone else connected to it keeps it: it is then left as it is."""
    conninfo, _ = connection_info(url)
    params = conninfo_to_dict(conninfo)
    name = str(params.get("dbname") or params.get("user") or "")
    try:
        with _connect(conninfo, url) as conn:
            row = conn.execute(_HOLDS_RELATIONS).fetchone()
        if row is None or row[0]:
            return
        with _connect(conninfo, url, dbname="postgres") as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {quote(name)}".encode())
    except (psycopg.Error, ConnectionError):
        return  # it stays; the push's own error is the one to report


# --- scratch databases ------------------------------------------------------------------------


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
        admin = _connect(conninfo, server)
        name = _scratch_name()
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
            conn = _connect(conninfo, server, dbname=name)
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
        conn = _connect(conninfo, server)
        name = _scratch_name()
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


def _scratch_name() -> str:
    """A name no other push uses at the same time (a killed push's is found by its pid)."""
    return f"trueup_scratch_{os.getpid()}_{secrets.token_hex(4)}"


def _namespaces(conn: Connection[Any]) -> set[str]:
    return {r[0] for r in conn.execute("SELECT nspname FROM pg_namespace")}


def _drop(admin: Connection[Any], name: str) -> None:
    with contextlib.suppress(psycopg.Error):
        admin.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)".encode())
