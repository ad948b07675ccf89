"""Opening connections to a PostgreSQL server: the URL as libpq reads it (Prisma's own
parameters left out), a connect timeout so a silent server cannot hang a push, errors that
say what to check, and making (and dropping again) the database a first push creates.

psycopg is imported here only through ``driver``, so the SQLite path never loads it.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from trueup.engines.postgres.driver import conninfo_to_dict, make_conninfo, psycopg
from trueup.engines.postgres.quoting import quote
from trueup.errors import ConnectionError

if TYPE_CHECKING:
    from psycopg import Connection

    from trueup.urls import DatabaseURL

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


def connection_error(where: str, exc: psycopg.Error) -> ConnectionError:
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


def connect(conninfo: str, url: DatabaseURL | None, **extra: Any) -> Connection[Any]:
    try:
        return psycopg.connect(
            with_connect_timeout(make_conninfo(conninfo, **extra)), autocommit=True
        )
    except psycopg.Error as exc:
        raise connection_error(url.redacted() if url else "(scratch)", exc) from exc


def missing_database(exc: psycopg.Error) -> bool:
    """Whether connecting failed because the database does not exist (3D000; a failed
    connection carries the code only in the server's message)."""
    if exc.sqlstate == "3D000":
        return True
    return bool(re.search(r'database ".*" does not exist', str(exc)))


def create_database(conninfo: str, url: DatabaseURL) -> None:
    """Create the database of ``conninfo`` from the server's maintenance database."""
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    name = str(params.get("dbname") or params.get("user") or "")
    admin = connect(conninfo, url, dbname="postgres")
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
        with connect(conninfo, url) as conn:
            row = conn.execute(_HOLDS_RELATIONS).fetchone()
        if row is None or row[0]:
            return
        with connect(conninfo, url, dbname="postgres") as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {quote(name)}".encode())
    except (psycopg.Error, ConnectionError):
        return  # it stays; the push's own error is the one to report
