"""PostgreSQL for the tests: the server of $DATABASE_URL as it was when the tests started
(scripts/test runs them under ``scripts/postgres run``, which starts a throwaway cluster),
else a cluster this test session starts itself with ``scripts/postgres`` and stops at the
end. Every test gets a database of its own. No test is skipped for want of a server: one
that cannot be had is an error."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres.support import Server

# Read before tests/conftest.py empties DATABASE_URL for every test.
_GIVEN = os.environ.get("DATABASE_URL", "")
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    if _GIVEN.startswith(("postgres://", "postgresql://")):
        yield Server(_GIVEN)
        return
    folder = tempfile.mkdtemp(prefix="trueup-pg-")
    started = subprocess.run(
        [str(SCRIPT), "start", folder], capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        raise RuntimeError(f"scripts/postgres could not start a cluster:\n{started.stderr}")
    try:
        yield Server(started.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run([str(SCRIPT), "stop", folder], check=False)


@pytest.fixture
def pg(pg_server: Server) -> Iterator[Server]:
    """A fresh, empty database for one test (its URL is ``pg.url``)."""
    db = pg_server.create_database()
    try:
        yield db
    finally:
        pg_server.drop_database(db)
