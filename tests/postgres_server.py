"""The PostgreSQL server of the tests, and a fresh database per test.

A server that DATABASE_URL names when the tests start is used as it is (it is read here at
import, before the autouse fixture clears the environment for each test). Otherwise each
test process starts a throwaway cluster of its own with scripts/postgres, the first time a
test needs one, and stops it at the end. scripts/test runs the suite in several processes
(pytest-xdist) with no DATABASE_URL, so each has a server to itself: a test that looks at
the whole server (no scratch database left behind, the backends of a database) never sees
another process's push.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
_GIVEN = os.environ.get("DATABASE_URL", "")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database."""
    if _GIVEN.startswith(("postgresql://", "postgres://")):
        yield _GIVEN
        return
    folder = tempfile.mkdtemp(prefix="trueup-pg-tests.")
    script = str(ROOT / "scripts" / "postgres")
    started = subprocess.run([script, "start", folder], capture_output=True, text=True)
    if started.returncode != 0:
        raise RuntimeError(f"scripts/postgres could not start a cluster:\n{started.stderr}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([script, "stop", folder], check=False, capture_output=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextmanager
def _database(postgres_server: str) -> Iterator[str]:
    """A URL of an empty database of its own, dropped on the way out."""
    name = f"trueup_t_{secrets.token_hex(5)}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
    try:
        yield with_database(postgres_server, name)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


@pytest.fixture
def new_database(postgres_server: str) -> Iterator[str]:
    """A URL of an empty database of its own, dropped after the test."""
    with _database(postgres_server) as url:
        yield url


@pytest.fixture
def another_database(postgres_server: str) -> Iterator[str]:
    """A second empty database, for copies."""
    with _database(postgres_server) as url:
        yield url
