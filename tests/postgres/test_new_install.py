"""PostgreSQL at the edges of a database's life: a schema that declares nothing never empties
a database, a push that fails leaves no database it created, and data steps on a database
built from scratch."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.postgres.support import Server, with_database
from trueup.cli import cli

PEOPLE = "CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL);\n"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def table_names(db: Server) -> list[str]:
    rows = db.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename NOT LIKE '\\_trueup%' ORDER BY 1"
    )
    return [r[0] for r in rows]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("schema.sql", "-- everything below was cut off\n"),
        (
            "schema.prisma",
            'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
        ),
    ],
)
def test_an_empty_schema_is_refused_even_with_accept_data_loss(
    project: Path, pg: Server, name: str, text: str
) -> None:
    pg.execute(PEOPLE + "INSERT INTO people VALUES (1, 'Ada');")
    (project / name).write_text(text)
    env = {"DATABASE_URL": pg.url}
    code, out = run("push", "--schema", name, "--accept-data-loss", env=env)
    assert code == 3, out
    assert f"{name} declares nothing" in out and "1 table (people)" in out
    assert table_names(pg) == ["people"]
    code, out = run("push", "--schema", name, "--force-reset", env=env)
    assert code == 0, out
    assert table_names(pg) == []


def missing_database(pg_server: Server) -> Server:
    name = f"t_missing_{os.getpid()}"
    pg_server.drop_database(Server(with_database(pg_server.url, name), name))
    return Server(with_database(pg_server.url, name), name)


def database_exists(pg_server: Server, name: str) -> bool:
    return bool(pg_server.query("SELECT 1 FROM pg_database WHERE datname = %s", (name,)))


def test_a_failed_push_leaves_no_database_it_created(project: Path, pg_server: Server) -> None:
    db = missing_database(pg_server)
    (project / "schema.sql").write_text(PEOPLE)
    (project / "trueup" / "steps").mkdir(parents=True)
    (project / "trueup" / "steps" / "001.sql").write_text(
        "-- trueup:after\nINSERT INTO nowhere VALUES (1);\n"
    )
    code, out = run("push", "--url", db.url)
    assert code == 1 and 'relation "nowhere" does not exist' in out, out
    assert "Nothing was changed" in out
    assert not database_exists(pg_server, db.name)

    (project / "trueup" / "steps" / "001.sql").unlink()
    try:
        code, out = run("push", "--url", db.url)
        assert code == 0, out
        assert f"Created the postgresql database {db.database_url.redacted()}." in out
        assert table_names(db) == ["people"]
    finally:
        pg_server.drop_database(db)


def test_a_look_at_a_missing_database_says_it_does_not_exist(
    project: Path, pg_server: Server
) -> None:
    db = missing_database(pg_server)
    (project / "schema.sql").write_text(PEOPLE)
    for args in (("diff",), ("push", "--dry-run"), ("inspect",)):
        code, out = run(*args, "--url", db.url)
        assert code == 1 and "does not exist" in out, out
    assert not database_exists(pg_server, db.name)
