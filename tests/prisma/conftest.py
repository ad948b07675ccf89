"""PostgreSQL for the pull tests on PostgreSQL: the server and per-test databases of
tests/postgres; and the Prisma CLIs for the tests that compare with them."""

import pytest

from tests.postgres.conftest import pg, pg_server, postgres_server  # noqa: F401 - fixtures
from tests.prisma import prisma_cli


def _install(prisma: prisma_cli.Prisma) -> None:
    """Skipped only where node itself is missing (an optional tool); an install that
    fails is an error."""
    try:
        prisma.install()
    except prisma_cli.Unavailable as exc:
        pytest.skip(f"the Prisma CLI cannot be installed here: {exc}")


@pytest.fixture(scope="session")
def prisma() -> None:
    """The Prisma 6 CLI, installed."""
    _install(prisma_cli.PRISMA6)


@pytest.fixture(scope="session")
def prisma7() -> None:
    """The Prisma 7 CLI, installed."""
    _install(prisma_cli.PRISMA7)
