"""A foreign key added over rows that point nowhere, on PostgreSQL: a data-loss finding
with counts and examples; with --accept-data-loss the orphans of a nullable key set to NULL
and those of a required key deleted, unless an ``-- trueup:after`` data step gives them
their parents first, which it can because the key is checked (``VALIDATE CONSTRAINT``) only
after the data steps. Rows that point at rows it would delete stop it. The same on SQLite:
tests/integration/test_orphans.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postgres.support import Server, remaining_diff, schema_from_sql
from trueup.errors import UnsafePlan
from trueup.plan import Risk
from trueup.push import plan_for, push
from trueup.sources.declared import load_schema

TEAM = "CREATE TABLE team (id integer PRIMARY KEY, name text NOT NULL);"
V1 = TEAM + (
    "CREATE TABLE member (id integer PRIMARY KEY, team_id integer, boss_id integer NOT NULL,"
    " name text NOT NULL);"
)
V2 = TEAM + (
    "CREATE TABLE member (id integer PRIMARY KEY, team_id integer REFERENCES team (id),"
    " boss_id integer NOT NULL REFERENCES team (id), name text NOT NULL);"
)
ROWS = (
    "INSERT INTO team VALUES (1, 'a');"
    "INSERT INTO member VALUES (1, 1, 1, 'fine'), (2, 99, 1, 'no team'), (3, NULL, 77, 'no boss'),"
    " (4, 98, 1, 'no team either');"
)


def snapshot(pg: Server) -> object:
    tables = pg.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_name NOT LIKE '\\_trueup%' ORDER BY 1"
    )
    keys = pg.query("SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f'")
    return tables, sorted(keys), pg.query("SELECT * FROM member ORDER BY id")


def test_orphans_are_data_loss_and_settled_when_accepted(pg: Server) -> None:
    pg.execute(V1 + ROWS)
    desired = schema_from_sql(pg, V2)
    by_column = {f.column: f for f in plan_for(pg.database_url, desired).findings}
    team, boss = by_column["team_id"], by_column["boss_id"]
    assert (team.code, team.risk, team.count, team.examples) == ("DD204", Risk.DATA_LOSS, 2, (2, 4))
    assert "their team_id is set to NULL" in team.message
    assert (boss.risk, boss.count, boss.examples) == (Risk.DATA_LOSS, 1, (3,))
    assert "With --accept-data-loss it is deleted" in boss.message
    before = snapshot(pg)
    with pytest.raises(UnsafePlan):
        push(pg.database_url, desired)
    assert snapshot(pg) == before

    result = push(pg.database_url, desired, accept_data_loss=True)
    assert sorted((f.code, f.column, f.count) for f in result.plan.findings) == [
        ("DD204", "boss_id", 1),
        ("DD204", "team_id", 2),
    ]
    assert pg.query("SELECT id, team_id, boss_id FROM member ORDER BY id") == [
        (1, 1, 1),
        (2, None, 1),
        (4, None, 1),
    ]
    assert pg.query("SELECT bool_and(convalidated) FROM pg_constraint WHERE contype = 'f'") == [
        (True,)
    ]
    assert remaining_diff(pg, desired) == []


def test_rows_that_point_at_rows_it_would_delete_stop_it(pg: Server) -> None:
    task = (
        "CREATE TABLE task (id integer PRIMARY KEY,"
        " member_id integer NOT NULL REFERENCES member (id) ON DELETE CASCADE);"
    )
    pg.execute(V1 + task + ROWS + "INSERT INTO task VALUES (10, 3), (11, 3), (12, 1);")
    desired = schema_from_sql(pg, V2 + task)
    boss = {f.column: f for f in plan_for(pg.database_url, desired).findings}["boss_id"]
    assert (boss.risk, boss.count) == (Risk.UNEXECUTABLE, 1)
    assert "cannot be deleted: 2 rows of `task` point at it (for example id 10, 11)" in (
        boss.message
    )
    before = snapshot(pg), pg.query("SELECT count(*) FROM task")
    with pytest.raises(UnsafePlan) as refused:
        push(pg.database_url, desired, accept_data_loss=True)
    assert refused.value.exit_code == 3
    # ON DELETE CASCADE would have taken the tasks along: nothing was deleted.
    assert (snapshot(pg), pg.query("SELECT count(*) FROM task")) == before


REGISTRY_V1 = "CREATE TABLE app (id integer PRIMARY KEY, name text NOT NULL);"
REGISTRY_V2 = (
    "CREATE TABLE docker_registry (id text PRIMARY KEY, url text NOT NULL);"
    "CREATE TABLE app (id integer PRIMARY KEY, name text NOT NULL,"
    " docker_registry_id text NOT NULL DEFAULT '0'"
    " CONSTRAINT app_docker_registry_id_fkey REFERENCES docker_registry (id));"
)


def test_an_after_step_makes_the_parent_a_new_required_relation_needs(
    pg: Server, tmp_path: Path
) -> None:
    pg.execute(REGISTRY_V1 + "INSERT INTO app VALUES (1, 'web'), (2, 'worker'), (3, 'cron');")
    schema = tmp_path / "schema.sql"
    schema.write_text(REGISTRY_V2)
    [f] = plan_for(
        pg.database_url, load_schema(str(schema), "postgresql", url=pg.database_url)
    ).findings
    assert (f.code, f.risk, f.count, f.examples) == ("DD204", Risk.DATA_LOSS, 3, (1, 2, 3))
    assert "With --accept-data-loss they are deleted" in f.message

    steps = tmp_path / "trueup" / "steps"
    steps.mkdir(parents=True)
    step = steps / "001-registry.sql"
    step.write_text("-- trueup:after\nINSERT INTO docker_registry VALUES ('1', 'elsewhere');\n")
    before = pg.query("SELECT * FROM app ORDER BY id")
    with pytest.raises(UnsafePlan, match="after the data steps, 3 rows still point at no row"):
        push(pg.database_url, load_schema(str(schema), "postgresql", url=pg.database_url))
    assert pg.query("SELECT to_regclass('docker_registry')") == [(None,)]
    assert pg.query("SELECT * FROM app ORDER BY id") == before

    step.write_text("-- trueup:after\nINSERT INTO docker_registry VALUES ('0', 'the one');\n")
    assert push(
        pg.database_url, load_schema(str(schema), "postgresql", url=pg.database_url)
    ).applied
    assert pg.query("SELECT id, docker_registry_id FROM app ORDER BY id") == [
        (1, "0"),
        (2, "0"),
        (3, "0"),
    ]
    assert pg.query("SELECT convalidated FROM pg_constraint WHERE contype = 'f'") == [(True,)]
