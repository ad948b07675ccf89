"""PostgreSQL for the pull tests on PostgreSQL: the server and per-test databases of
tests/postgres; and the Prisma CLIs for the tests that compare with them."""

import pytest

from tests.postgres.conftest import pg, pg_server  # noqa: F401 - fixtures
from tests.prisma import prisma_cli


@pytest.fixture(scope="session")
def prisma() -> None:
    """The Prisma 6 CLI, installed."""
    prisma_cli.install_or_skip(prisma_cli.PRISMA6)


@pytest.fixture(scope="session")
def prisma7() -> None:
    """The Prisma 7 CLI, installed."""
    prisma_cli.install_or_skip(prisma_cli.PRISMA7)
