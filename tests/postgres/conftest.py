"""PostgreSQL for the tests: the server of tests/postgres_server.py (the one $DATABASE_URL
named when the tests started, else a throwaway cluster of this test process's own; the
fixture ``postgres_server`` of tests/conftest.py), and a database of its own for every
test. No test is skipped for want of a server: one that cannot be had is an error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.postgres.support import Server


@pytest.fixture(scope="session")
def pg_server(postgres_server: str) -> Server:
    return Server(postgres_server)


@pytest.fixture
def pg(pg_server: Server) -> Iterator[Server]:
    """A fresh, empty database for one test (its URL is ``pg.url``)."""
    db = pg_server.create_database()
    try:
        yield db
    finally:
        pg_server.drop_database(db)
