"""A PostgreSQL server for the benchmarks that need one: the one DATABASE_URL names, else a
throwaway cluster started with scripts/postgres (Debian's server, a unix socket in a temp
folder, fsync off; the same server the tests use) and stopped at the end.

Databases are made on it with :func:`database` and dropped again afterwards.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from bench.common import ROOT

SCRIPT = ROOT / "scripts" / "postgres"


@contextmanager
def server() -> Iterator[str]:
    """The URL of a server's maintenance database."""
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql")):
        yield given
        return
    folder = tempfile.mkdtemp(prefix="trueup-bench-pg-")
    try:
        started = subprocess.run(
            [str(SCRIPT), "start", folder], check=True, capture_output=True, text=True
        )
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(SCRIPT), "stop", folder], check=False, capture_output=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


@contextmanager
def database(url: str, template: str | None = None) -> Iterator[str]:
    """A new database on the server at ``url`` (a copy of ``template`` when given), dropped
    on the way out; yields its URL."""
    import psycopg

    name = f"trueup_bench_{secrets.token_hex(4)}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy}'.encode())
    try:
        yield with_database(url, name)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def name_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")
