"""Connections to PostgreSQL, set up the way a push needs them.

The connection runs in autocommit mode and trueup issues ``BEGIN`` / ``COMMIT`` itself, so
the whole push is one transaction, as on SQLite. A write push first takes a session-level
advisory lock, which keeps two pushes to the same database apart (and stays held for work
that must run after the commit, such as concurrent index builds); ``lock_timeout`` bounds
the wait for it and for every lock a statement needs, so a push stuck behind a long query
fails cleanly instead of queueing (and making everyone behind it queue) forever.

Opening the connection is :mod:`.connection`'s job; scratch databases are :mod:`.scratch`'s.
psycopg is imported only through ``driver``, so the SQLite path never loads it.
"""

from __future__ import annotations

import contextlib
import re
import zlib
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from trueup.engines.base import NO_EXTRAS, Extras, Session
from trueup.engines.postgres.catalog_queries import query_text
from trueup.engines.postgres.connection import (
    DEFAULT_SCHEMA,
    connect,
    connection_error,
    connection_info,
    create_database,
    drop_created_database,
    missing_database,
    with_connect_timeout,
)
from trueup.engines.postgres.driver import pg_errors, psycopg
from trueup.engines.postgres.quoting import quote
from trueup.errors import ConnectionError, LockTimeout

if TYPE_CHECKING:
    from psycopg import Connection

    from trueup.model import Schema
    from trueup.urls import DatabaseURL

_LOCK_CLASS = 0x74727565  # "true": the first half of every trueup advisory lock key
_SAVEPOINT = "trueup_savepoint"


def lock_key(schema: str) -> int:
    """The advisory lock of pushes to one schema of one database (a signed 64-bit key)."""
    key = (_LOCK_CLASS << 32) | zlib.crc32(schema.encode())
    return key - (1 << 64) if key >= 1 << 63 else key


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
            if not missing_database(exc):
                raise connection_error(url.redacted(), exc) from exc
            if not create:
                raise ConnectionError(
                    f"The database of {url.redacted()} does not exist.",
                    hint="Create it, or run `trueup push`, which creates it.",
                ) from exc
            create_database(conninfo, url)
            try:
                conn = connect(conninfo, url)
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

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        # On the connection itself: a scratch session's ``execute`` wraps each statement in
        # a savepoint of its own.
        self.conn.execute(f"SAVEPOINT {_SAVEPOINT}")
        try:
            yield
        except BaseException:
            try:
                self.conn.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                self.conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
            except psycopg.Error:
                pass  # the connection is gone: the block's error says why
            raise
        self.conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")

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
