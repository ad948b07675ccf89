"""PostgreSQL for the pull tests on PostgreSQL: the server and per-test databases of
tests/postgres; and the Prisma CLI for the tests that compare with it."""

import pytest

from tests.postgres.conftest import pg, pg_server, postgres_server  # noqa: F401 - fixtures
from tests.prisma import prisma_cli


@pytest.fixture(scope="session")
def prisma() -> None:
    """The Prisma CLI, installed. Skipped only where node itself is missing (an optional
    tool); an install that fails is an error."""
    try:
        prisma_cli.install()
    except prisma_cli.Unavailable as exc:
        pytest.skip(f"the Prisma CLI cannot be installed here: {exc}")
