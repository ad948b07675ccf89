"""A foreign key added over rows that point nowhere: a data-loss finding with its counts
and examples; with --accept-data-loss the orphans of a nullable key set to NULL and those
of a required key deleted, unless a data step gives them their parents first; rows that
point at rows it would delete stop it. The check counts what is left after the
``-- trueup:after`` data steps, so a step can make the parent a new required relation needs.
On SQLite; tests/postgres/test_orphans.py holds the same on PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers import file_bytes_and_schema, make_db, remaining_diff
from trueup.cli import cli
from trueup.errors import UnsafePlan
from trueup.plan import Finding, Risk
from trueup.push import PushResult, plan_for, push
from trueup.sources.declared import Declared, load_schema
from trueup.urls import parse_url

TEAM = "CREATE TABLE team (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
V1 = TEAM + (
    "CREATE TABLE member (id INTEGER PRIMARY KEY, team_id INTEGER, boss_id INTEGER NOT NULL, "
    "name TEXT NOT NULL);\n"
)
V2 = TEAM + (
    "CREATE TABLE member (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES team (id), "
    "boss_id INTEGER NOT NULL REFERENCES team (id), name TEXT NOT NULL);\n"
)
ROWS = (
    "INSERT INTO team VALUES (1, 'a');"
    "INSERT INTO member VALUES (1, 1, 1, 'fine'), (2, 99, 1, 'no team'), (3, NULL, 77, 'no boss'),"
    " (4, 98, 1, 'no team either');"
)


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def declared(db: Path, desired: str) -> Declared:
    """``desired`` as a schema file beside the database, with the data steps beside it."""
    path = db.parent / "schema.sql"
    path.write_text(desired)
    return load_schema(str(path))


def findings(db: Path, desired: str) -> list[Finding]:
    return list(plan_for(parse_url(str(db)), declared(db, desired)).findings)


def push_with_steps(db: Path, desired: str, **kwargs: Any) -> PushResult:
    return push(parse_url(str(db)), declared(db, desired), **kwargs)


def step(db: Path, name: str, sql: str) -> None:
    folder = db.parent / "trueup" / "steps"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(sql)


def test_orphans_are_data_loss_with_counts_and_examples(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(db, V1, ROWS)
    team, boss = findings(db, V2)
    assert (team.code, team.risk, team.column, team.count, team.examples) == (
        "DD204",
        Risk.DATA_LOSS,
        "team_id",
        2,
        (2, 4),
    )
    assert "2 rows point at no row of `team` (for example id 2, 4)" in team.message
    assert "their team_id is set to NULL" in team.message
    assert "data step" in team.message and "docs/change-control.md" in team.message
    assert (boss.code, boss.risk, boss.count, boss.examples) == ("DD204", Risk.DATA_LOSS, 1, (3,))
    assert "With --accept-data-loss it is deleted" in boss.message
    before = file_bytes_and_schema(db)
    with pytest.raises(UnsafePlan) as refused:
        push_with_steps(db, V2)
    assert refused.value.exit_code == 3
    assert file_bytes_and_schema(db) == before

    assert push_with_steps(db, V2, accept_data_loss=True).applied
    assert rows(db, "SELECT id, team_id, boss_id FROM member ORDER BY id") == [
        (1, 1, 1),
        (2, None, 1),
        (4, None, 1),
    ]
    assert rows(db, "PRAGMA foreign_key_check") == []
    assert remaining_diff(db, V2) == []


def test_rows_that_point_at_rows_it_would_delete_stop_it(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    task = "CREATE TABLE task (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE);\n"  # noqa: E501
    make_db(db, V1 + task, ROWS + "INSERT INTO task VALUES (10, 3), (11, 3), (12, 1);")
    team, boss = findings(db, V2 + task)
    assert team.risk is Risk.DATA_LOSS
    assert (boss.risk, boss.count, boss.examples) == (Risk.UNEXECUTABLE, 1, (3,))
    assert "cannot be deleted: 2 rows of `task` point at it (for example id 10, 11)" in (
        boss.message
    )
    before = file_bytes_and_schema(db)
    with pytest.raises(UnsafePlan) as refused:
        push_with_steps(db, V2 + task, accept_data_loss=True)
    assert refused.value.exit_code == 3
    assert file_bytes_and_schema(db) == before
    # A data step that gives the row its parent: nothing is lost, nothing to accept for it.
    step(db, "001-boss.sql", "-- trueup:after\nINSERT INTO team VALUES (77, 'boss');\n")
    assert push_with_steps(db, V2 + task, accept_data_loss=True).applied
    assert rows(db, "SELECT id FROM member ORDER BY id") == [(1,), (2,), (3,), (4,)]
    assert rows(db, "SELECT count(*) FROM task") == [(3,)]
    assert rows(db, "PRAGMA foreign_key_check") == []


def test_what_is_settled_is_what_the_data_steps_left(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(db, V1, ROWS)
    step(db, "001-team.sql", "-- trueup:after\nINSERT INTO team VALUES (99, 'found');\n")
    # Pending the step, the counts are a caution: the step runs first.
    team, boss = findings(db, V2)
    assert (team.risk, team.count, boss.risk) == (Risk.CAUTION, 2, Risk.CAUTION)
    assert "counted again after it" in team.message
    with pytest.raises(UnsafePlan, match="after the data steps, 1 row still points at no row"):
        push_with_steps(db, V2)
    result = push_with_steps(db, V2, accept_data_loss=True)
    assert [(f.column, f.count, f.examples) for f in result.plan.findings] == [
        ("team_id", 1, (4,)),
        ("boss_id", 1, (3,)),
    ]
    assert rows(db, "SELECT id, team_id FROM member ORDER BY id") == [(1, 1), (2, 99), (4, None)]


# --- a new required relation whose parent a data step makes -------------------------------

APP_V1 = """
datasource db {
  provider = "sqlite"
  url      = "file:./app.db"
}
model App {
  id   Int    @id @default(autoincrement())
  name String
}
"""


def documented(language: str, first_line: str) -> str:
    """A block of docs/change-control.md's example of a new required relation, as the
    page gives it (the page says this test runs it)."""
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "change-control.md").read_text()
    blocks: list[str] = re.findall(
        rf"```{language}\n({re.escape(first_line)}\n.*?)```", text, re.DOTALL
    )
    [block] = blocks
    return block


APP_V2 = 'datasource db {\n  provider = "sqlite"\n  url      = "file:./app.db"\n}\n' + documented(
    "prisma", "model App {"
)
SEED_REGISTRY = documented("sql", "-- trueup:after")


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    old = os.getcwd()
    os.chdir(tmp_path)
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma" / "schema.prisma").write_text(APP_V1)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_an_after_step_makes_the_parent_a_new_required_relation_needs(project: Path) -> None:
    assert run("push")[0] == 0
    db = project / "prisma" / "app.db"  # Prisma's file: URLs are relative to the schema
    conn = sqlite3.connect(db)
    conn.executescript("INSERT INTO App (name) VALUES ('web'), ('worker'), ('cron');")
    conn.close()
    (project / "prisma" / "schema.prisma").write_text(APP_V2)
    # Without the step, the three apps point at a registry that does not exist.
    code, out = run("push")
    assert code == 3, out
    assert "3 rows point at no row of `DockerRegistry` (for example id 1, 2, 3)" in out
    assert "With --accept-data-loss they are deleted" in out
    assert "-- trueup:after" in out

    # A step that seeds another registry does not help: refused after it, nothing kept.
    steps = project / "prisma" / "trueup" / "steps"
    steps.mkdir(parents=True)
    (steps / "001-registry.sql").write_text(SEED_REGISTRY.replace("'0'", "'1'"))
    before = file_bytes_and_schema(db)
    code, out = run("push", "--no-backup")
    assert code == 3, out
    assert "after the data steps, 3 rows still point at no row of `DockerRegistry`" in out
    assert file_bytes_and_schema(db) == before

    # The step that seeds registry "0" is the app's way: no data loss, nothing to accept.
    (steps / "001-registry.sql").write_text(SEED_REGISTRY)
    code, out = run("push")
    assert code == 0, out
    assert "[DD204 caution]" in out and "counted again after it" in out
    assert rows(db, 'SELECT id, name, "dockerRegistryId" FROM App ORDER BY id') == [
        (1, "web", "0"),
        (2, "worker", "0"),
        (3, "cron", "0"),
    ]
    assert rows(db, 'SELECT id FROM "DockerRegistry"') == [("0",)]
    assert rows(db, "PRAGMA foreign_key_check") == []
    assert run("push")[1].count("already in sync") == 1
