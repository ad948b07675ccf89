"""PostgreSQL for the external runner: a throwaway cluster (scripts/postgres) or a given
server, set up as sqldef's harness sets its own up (its roles; a ``user:`` case's role with
``search_path`` ``foo, public`` and a schema ``foo`` it owns), and fresh databases on it
that SQL is loaded into with ``psql``, PostgreSQL's own client, one statement at a time."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from tests.external import pg_catalog
from tests.external.cases import ROLES, Case
from tests.external.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
#: The schema a ``user:`` case's role finds first on its search_path.
USER_SCHEMA = "foo"
_numbers = itertools.count()
_lock = threading.Lock()


@contextmanager
def cluster(url: str | None) -> Iterator[str]:
    """The maintenance-database URL of ``url``'s server, else of a throwaway cluster that is
    stopped and removed on the way out."""
    if url:
        yield url
        return
    folder = tempfile.mkdtemp(prefix="trueup-external-pg.")
    script = str(ROOT / "scripts" / "postgres")
    started = subprocess.run([script, "start", folder], capture_output=True, text=True)
    if started.returncode != 0:
        raise RuntimeError(f"scripts/postgres could not start a cluster:\n{started.stderr}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([script, "stop", folder], check=False, capture_output=True)


def with_database(url: str, name: str, *, user: str | None = None, **query: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query)) | query
    netloc = parts.netloc
    if user:
        netloc = f"{user}@{netloc.rsplit('@', 1)[-1]}"
    return urlunsplit((parts.scheme, netloc, "/" + name, urlencode(params), ""))


def prepare_server(url: str, cases: list[Case]) -> str:
    """Create the roles the cases name (sqldef's, and each ``user:``); give the server's
    version."""
    users = sorted({c.user for c in cases if c.user})
    with psycopg.connect(url, autocommit=True) as conn:
        have = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")}
        for role in [*ROLES, *users]:
            if role not in have:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        for user in users:
            conn.execute(
                sql.SQL("ALTER ROLE {} SET search_path TO {}, public").format(
                    sql.Identifier(user), sql.Identifier(USER_SCHEMA)
                )
            )
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else ""


class PostgresDatabases:
    """The databases of one case, all dropped by ``close``."""

    def __init__(self, server: str, case: Case) -> None:
        self.server = server
        self.user = case.user
        self.names: list[str] = []

    def fresh(self, label: str) -> str:
        with _lock:
            name = f"ext_{os.getpid()}_{next(_numbers)}_{label}"
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            self.names.append(name)
            if self.user:
                conn.execute(
                    sql.SQL("GRANT ALL ON DATABASE {} TO {}").format(
                        sql.Identifier(name), sql.Identifier(self.user)
                    )
                )
        if self.user:
            with psycopg.connect(self._as_user(name), autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(USER_SCHEMA)))
        return name

    def _as_user(self, name: str) -> str:
        return with_database(self.server, name, user=self.user)

    def load(self, name: str, text: str, folder: Path) -> str | None:
        """Run ``text`` in the database as the case's role; the server's error, if any."""
        script = folder / f"load-{name}.sql"
        script.write_text(text)
        args = [str(pg_catalog.server_bin() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        done = subprocess.run(
            [*args, "-f", str(script), self._as_user(name)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode == 0:
            return None
        said = re.sub(r"^psql:[^\n]*?:(\d+): ", r"line \1: ", done.stderr.strip(), flags=re.M)
        return said or f"psql ended with {done.returncode}"

    def describe(self, name: str) -> Catalog:
        return pg_catalog.describe(with_database(self.server, name))

    def url(self, name: str) -> str:
        """The URL trueup is given: the case's role, its default schema."""
        if self.user:
            return with_database(self.server, name, user=self.user, schema=USER_SCHEMA)
        return with_database(self.server, name)

    def close(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as conn:
            for name in self.names:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.names.clear()
