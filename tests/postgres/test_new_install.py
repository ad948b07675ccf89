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
        "-- trueup:after\nINSERT INTO people (id) VALUES (1);\n"
    )
    code, out = run("push", "--url", db.url)
    assert code == 1 and 'null value in column "name"' in out, out
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


# --- data steps on a database built from scratch ---------------------------------------

SPLIT = (
    "CREATE TABLE people (id integer PRIMARY KEY, first_name text NOT NULL DEFAULT '', "
    "last_name text NOT NULL DEFAULT '');\n"
)
SPLIT_STEP = """-- trueup:before
-- Fill the new columns from `name` before the schema change drops it.
ALTER TABLE people ADD COLUMN first_name text NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN last_name text NOT NULL DEFAULT '';
UPDATE people SET
    first_name = split_part(name, ' ', 1),
    last_name = substr(name, length(split_part(name, ' ', 1)) + 2);
"""


def write_step(project: Path, name: str, text: str) -> None:
    folder = project / "trueup" / "steps"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def recorded_steps(db: Server) -> list[dict[str, str]]:
    import json

    rows = db.query("SELECT details FROM _trueup_history ORDER BY id")
    return [step for (details,) in rows for step in json.loads(details)["data_steps"]]


def test_a_before_step_is_not_needed_on_a_new_database(project: Path, pg_server: Server) -> None:
    db = missing_database(pg_server)
    (project / "schema.sql").write_text(SPLIT)
    write_step(project, "001-split.sql", SPLIT_STEP)
    write_step(project, "002-seed.sql", "-- trueup:after\nINSERT INTO people (id) VALUES (0);\n")
    try:
        code, out = run("push", "--url", db.url)
        assert code == 0, out
        split, seed = recorded_steps(db)
        assert split["not_needed"] == "there is no table people"
        assert "not_needed" not in seed
        assert db.query("SELECT id, first_name FROM people") == [(0, "")]
        code, out = run("push", "--url", db.url)
        assert code == 0 and "already in sync" in out, out
    finally:
        pg_server.drop_database(db)


@pytest.mark.parametrize(
    "first",
    [
        "UPDATE people SET first_name = upper(first_name);",
        "ALTER TABLE people ADD COLUMN extra integer;",  # the lock the first step holds
    ],
    ids=["update", "alter"],
)
def test_steps_run_where_their_tables_are(project: Path, pg: Server, first: str) -> None:
    """Two before steps in one push: the first works on people, the second on people and
    on a table that is not there (so it fails), then without it (so it runs)."""
    pg.execute(PEOPLE + "INSERT INTO people VALUES (1, 'Ada Lovelace');")
    (project / "schema.sql").write_text(SPLIT)
    write_step(project, "001-split.sql", SPLIT_STEP)
    write_step(project, "002-more.sql", f"-- trueup:before\n{first}\nUPDATE legacy SET x = 1;\n")
    code, out = run("push", "--url", pg.url, "--accept-data-loss")
    assert code == 1, out
    assert 'relation "legacy" does not exist' in out and "It also works on public.people" in out
    assert table_names(pg) == ["people"]
    assert pg.query("SELECT * FROM people") == [(1, "Ada Lovelace")]

    write_step(project, "002-more.sql", "-- trueup:before\nUPDATE legacy SET x = 1;\n")
    code, out = run("push", "--url", pg.url, "--accept-data-loss")
    assert code == 0, out
    assert pg.query("SELECT first_name, last_name FROM people") == [("Ada", "Lovelace")]
    split, more = recorded_steps(pg)
    assert "not_needed" not in split and more["not_needed"] == "there is no table legacy"


def test_a_later_statement_on_a_table_that_is_there_is_seen(project: Path, pg: Server) -> None:
    pg.execute(PEOPLE + "INSERT INTO people VALUES (1, 'Ada');")
    (project / "schema.sql").write_text(PEOPLE)
    write_step(
        project,
        "001.sql",
        "-- trueup:before\nUPDATE legacy SET x = 1;\nDELETE FROM people WHERE id = 1;\n",
    )
    code, out = run("push", "--url", pg.url)
    assert code == 1 and "It also works on public.people" in out, out
    assert pg.query("SELECT * FROM people") == [(1, "Ada")]
