"""Fidelity against Prisma itself: the real Prisma CLI (installed from the npm registry by
prisma_cli/install.sh) and trueup must build the same SQLite database from each schema of
the corpus, each must find the other's database in sync, and both must reject the same
invalid schemas at the same line.

Prisma 6.19.3 runs here with its WebAssembly schema engine and the libSQL driver adapter:
the native engine Prisma 7 needs is downloaded from Prisma's own servers, which this
project's machines cannot reach.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import inspect_db
from tests.prisma import prisma_cli
from trueup.cli import cli
from trueup.errors import SchemaError
from trueup.push import push
from trueup.sources import load_schema
from trueup.urls import parse_url

CORPUS = Path(__file__).parent / "corpus"
VALID = sorted((CORPUS / "sqlite").iterdir())
INVALID = sorted((CORPUS / "invalid").iterdir())


@pytest.fixture(scope="module")
def prisma() -> None:
    try:
        prisma_cli.install()
    except prisma_cli.Unavailable as exc:
        pytest.skip(f"the Prisma CLI cannot be installed here: {exc}")


@pytest.mark.usefixtures("prisma")
@pytest.mark.parametrize("schema", VALID, ids=lambda p: p.stem)
def test_prisma_and_trueup_build_the_same_database(schema: Path, tmp_path: Path) -> None:
    made_by_prisma = tmp_path / "prisma.db"
    result = prisma_cli.db_push(schema, made_by_prisma)
    assert result.code == 0, result.output
    assert "now in sync" in result.output, result.output

    # trueup finds the database Prisma made in sync: `trueup diff` has nothing to do.
    diffed = CliRunner().invoke(
        cli, ["diff", "--schema", str(schema), "--url", f"file:{made_by_prisma}"]
    )
    assert diffed.exit_code == 0, diffed.output
    assert "in sync" in diffed.output

    # A trueup push of the same schema into a fresh file gives an equal database.
    made_by_trueup = tmp_path / "trueup.db"
    push(parse_url(str(made_by_trueup)), load_schema(str(schema), "sqlite").schema)
    assert inspect_db(made_by_trueup) == inspect_db(made_by_prisma)

    # And the other way round: Prisma finds trueup's database in sync exactly when it finds
    # its own in sync. (For a few defaults and types Prisma rebuilds even its own table on
    # every push, e.g. dbgenerated("(1 + 2)"), Bytes defaults, Unsupported types.)
    on_trueup = prisma_cli.db_push(schema, made_by_trueup)
    on_prisma = prisma_cli.db_push(schema, made_by_prisma)
    assert on_trueup.code == 0 and on_prisma.code == 0, on_trueup.output + on_prisma.output
    assert ("already in sync" in on_trueup.output) == ("already in sync" in on_prisma.output)


@pytest.mark.usefixtures("prisma")
@pytest.mark.parametrize("schema", INVALID, ids=lambda p: p.stem)
def test_prisma_and_trueup_reject_the_same_schemas(schema: Path, tmp_path: Path) -> None:
    result = prisma_cli.validate(schema, tmp_path / "unused.db")
    assert result.code != 0, result.output
    with pytest.raises(SchemaError) as caught:
        load_schema(str(schema))
    assert caught.value.location is not None
    prisma_lines = {int(n) for n in re.findall(r"-->\s+\S+:(\d+)", result.output)}
    assert caught.value.location.line in prisma_lines, (str(caught.value), result.output)
