"""PostgreSQL for the SQLAlchemy tests: the fixtures of tests/postgres (a server per test
process, a fresh database per test)."""

from tests.postgres.conftest import pg, pg_server  # noqa: F401 - fixtures
