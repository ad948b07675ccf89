"""PostgreSQL for the pull tests on PostgreSQL: the server and per-test databases of
tests/postgres."""

from tests.postgres.conftest import pg, pg_server  # noqa: F401 - fixtures
