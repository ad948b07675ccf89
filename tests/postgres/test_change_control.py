"""Change control on PostgreSQL: history, reviewed plans, data steps, rollback, and diffs
between two live databases (also across engines)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.postgres.support import Server
from trueup.cli import cli

V1 = "CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL);\n"
V2 = "CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, email text);\n"
SPLIT = (
    "CREATE TABLE people (id integer PRIMARY KEY, first_name text NOT NULL DEFAULT '', "
    "last_name text NOT NULL DEFAULT '');\n"
)
SPLIT_STEP = """-- trueup:before
ALTER TABLE people ADD COLUMN first_name text NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN last_name text NOT NULL DEFAULT '';
UPDATE people SET
    first_name = split_part(name, ' ', 1),
    last_name = substr(name, length(split_part(name, ' ', 1)) + 2);
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    old = os.getcwd()
    os.chdir(tmp_path)
    (tmp_path / "schema.sql").write_text(V1)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def seed(pg: Server) -> None:
    code, out = run("push", "--url", pg.url)
    assert code == 0, out
    pg.execute("INSERT INTO people VALUES (1, 'Ada Lovelace'), (2, 'Grace')")


def test_history_and_a_reviewed_plan(project: Path, pg: Server) -> None:
    seed(pg)
    (project / "schema.sql").write_text(V2)
    code, _ = run("diff", "--url", pg.url, "--format", "json", "-o", "plan.json")
    assert code == 2
    code, out = run("push", "--url", pg.url, "--plan", "plan.json")
    assert code == 0, out
    code, out = run("history", "--url", pg.url, "--json")
    entries = json.loads(out)
    assert [e["kind"] for e in entries] == ["push", "push"]
    assert entries[1]["backup"]  # pg_dump (or a JSON export) before the change
    # A plan made before someone changed production is refused.
    (project / "schema.sql").write_text(V2.replace("email text", "email text, phone text"))
    run("diff", "--url", pg.url, "--format", "json", "-o", "plan2.json")
    pg.execute("CREATE INDEX people_name ON people (name)")
    code, out = run("push", "--url", pg.url, "--plan", "plan2.json")
    assert code == 3 and "no longer the one the plan was made against" in out


def test_a_data_step_splits_a_column_once(project: Path, pg: Server) -> None:
    seed(pg)
    (project / "schema.sql").write_text(SPLIT)
    (project / "trueup" / "steps").mkdir(parents=True)
    (project / "trueup" / "steps" / "001-split.sql").write_text(SPLIT_STEP)
    code, out = run("diff", "--url", pg.url)
    assert code == 2 and "data step 001-split.sql" in out
    code, out = run("push", "--url", pg.url, "--accept-data-loss")
    assert code == 0, out
    assert pg.query("SELECT id, first_name, last_name FROM people ORDER BY id") == [
        (1, "Ada", "Lovelace"),
        (2, "Grace", ""),
    ]
    code, out = run("push", "--url", pg.url)
    assert code == 0 and "already in sync" in out


def test_rollback_on_postgres(project: Path, pg: Server) -> None:
    seed(pg)
    (project / "schema.sql").write_text(V2)
    assert run("push", "--url", pg.url)[0] == 0
    pg.execute("UPDATE people SET email = 'new@x' WHERE id = 1")
    code, out = run("rollback", "--url", pg.url, "--yes")
    assert code == 0, out
    columns = pg.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'people' "
        "ORDER BY ordinal_position"
    )
    assert columns == [("id",), ("name",)]
    assert pg.query("SELECT id, name FROM people ORDER BY id") == [
        (1, "Ada Lovelace"),
        (2, "Grace"),
    ]
    code, out = run("history", "--url", pg.url, "--json")
    assert [e["kind"] for e in json.loads(out)][-1] == "rollback"


def test_drift_between_databases_and_engines(project: Path, pg_server: Server) -> None:
    staging, production = pg_server.create_database(), pg_server.create_database()
    try:
        staging.execute(V2)
        production.execute(V1)
        code, out = run("diff", "--url", production.url, "--against-url", staging.url)
        assert code == 2 and '+ column "email"' in out
        code, _ = run("diff", "--url", staging.url, "--against-url", staging.url)
        assert code == 0
        # Across engines the schemas are spelled apart: refused, plainly, both ways.
        sqlite_db = project / "staging.db"
        sqlite_db.touch()
        for url, against in [(str(sqlite_db), staging.url), (staging.url, str(sqlite_db))]:
            code, out = run("diff", "--url", url, "--against-url", against)
            assert code == 1, out
            assert "--against-url compares two databases of one engine" in out
            assert "SQLite" in out and "PostgreSQL" in out
    finally:
        pg_server.drop_database(staging)
        pg_server.drop_database(production)


INDEXED = V1 + "CREATE INDEX people_name ON people (name);\n"


def test_a_dry_run_shows_the_steps_after_the_commit(project: Path, pg: Server) -> None:
    seed(pg)
    (project / "schema.sql").write_text(INDEXED)
    args = ("push", "--url", pg.url, "--dry-run", "--concurrent-indexes")
    code, out = run(*args, "--json")
    assert code == 2, out
    steps = json.loads(out)["steps"]
    assert steps == [
        {
            "sql": 'CREATE INDEX CONCURRENTLY "people_name" ON "people" ("name")',
            "comment": "create index people_name, without blocking writes",
            "phase": "after-commit",
        }
    ]
    code, out = run(*args)
    assert code == 2
    assert "Plan (0 statements, one transaction):" in out
    after = out.index("Then, after the transaction commits (1 statement):")
    assert out.index('CREATE INDEX CONCURRENTLY "people_name"') > after
    code, out = run("diff", "--url", pg.url, "--format", "sql", "--concurrent-indexes")
    assert code == 2
    assert out.index("COMMIT;") < out.index('CREATE INDEX CONCURRENTLY "people_name"')


def test_a_plan_file_holds_and_checks_the_steps_after_the_commit(project: Path, pg: Server) -> None:
    seed(pg)
    (project / "schema.sql").write_text(INDEXED)
    code, out = run(
        "diff", "--url", pg.url, "--format", "json", "--concurrent-indexes", "-o", "plan.json"
    )
    assert code == 2, out
    written = json.loads((project / "plan.json").read_text())
    assert [(s["phase"], s["sql"]) for s in written["steps"]] == [
        ("after-commit", 'CREATE INDEX CONCURRENTLY "people_name" ON "people" ("name")')
    ]
    # Another statement after the commit, or the same one in the transaction, is another plan.
    step = written["steps"][0]
    other = dict(step, sql=step["sql"].replace('("name")', '("id")'))
    moved = dict(step, phase="in-transaction")
    for name, edited in (("other.json", other), ("moved.json", moved)):
        (project / name).write_text(json.dumps(dict(written, steps=[edited])))
        code, out = run("push", "--url", pg.url, "--plan", name, "--concurrent-indexes")
        assert code == 3 and "no longer the one that was shown" in out
    # Without --concurrent-indexes the push would build the index in the transaction.
    code, out = run("push", "--url", pg.url, "--plan", "plan.json")
    assert code == 3 and "no longer the one that was shown" in out
    assert pg.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'people_name'") == [(0,)]
    code, out = run("push", "--url", pg.url, "--plan", "plan.json", "--concurrent-indexes")
    assert code == 0, out
    assert pg.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'people_name'::regclass")[
        0
    ] == (True,)
