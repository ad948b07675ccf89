"""Change control without migration files: the history kept in the database, reviewed plans
applied unchanged, data steps that run once, rollback to the backup a push took, and diffs
between two live databases."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers import file_bytes_and_schema, make_db
from trueup.cli import cli

V1 = "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
V2 = "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);\n"
SPLIT = (
    "CREATE TABLE people (id INTEGER PRIMARY KEY, first_name TEXT NOT NULL DEFAULT '', "
    "last_name TEXT NOT NULL DEFAULT '');\n"
)
SPLIT_STEP = """-- trueup:before
-- Fill the new columns from `name` before the schema change drops it.
ALTER TABLE people ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN last_name TEXT NOT NULL DEFAULT '';
UPDATE people SET
    first_name = CASE WHEN instr(name, ' ') > 0
                      THEN substr(name, 1, instr(name, ' ') - 1) ELSE name END,
    last_name  = CASE WHEN instr(name, ' ') > 0
                      THEN substr(name, instr(name, ' ') + 1) ELSE '' END;
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


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.output


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def history(project: Path) -> list[dict[str, Any]]:
    code, out = run("history", "--url", "app.db", "--json")
    assert code == 0, out
    data: list[dict[str, Any]] = json.loads(out)
    return data


def seed(project: Path) -> None:
    assert run("push", "--url", "app.db")[0] == 0
    conn = sqlite3.connect(project / "app.db")
    conn.executemany("INSERT INTO people (name) VALUES (?)", [("Ada Lovelace",), ("Grace",)])
    conn.commit()
    conn.close()


# --- history ----------------------------------------------------------------------------


def test_every_change_is_recorded_and_a_no_op_is_not(project: Path) -> None:
    seed(project)
    assert [e["kind"] for e in history(project)] == ["push"]
    assert run("push", "--url", "app.db")[0] == 0  # in sync: nothing recorded
    (project / "schema.sql").write_text(V2)
    assert run("push", "--url", "app.db")[0] == 0
    entries = history(project)
    assert [e["id"] for e in entries] == [1, 2]
    second = entries[1]
    assert second["statements"] == 1 and second["backup"]
    assert second["schema_hash"].startswith("sha256:")
    code, out = run("history", "--url", "app.db", "show", "2", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["statements"] == ['ALTER TABLE "people" ADD COLUMN "email" TEXT']
    assert shown["flags"]["accept_data_loss"] is False
    assert shown["schema_path"] == "schema.sql"
    code, out = run("history", "--url", "app.db", "show", "2")
    assert 'ALTER TABLE "people" ADD COLUMN "email" TEXT;' in out and "Backup taken" in out
    # trueup's own tables are never part of the schema it compares.
    assert run("diff", "--url", "app.db")[0] == 0


def test_a_refused_or_failed_push_leaves_no_entry(project: Path) -> None:
    seed(project)
    (project / "schema.sql").write_text("CREATE TABLE people (id INTEGER PRIMARY KEY);\n")
    assert run("push", "--url", "app.db", "--no-backup")[0] == 3
    (project / "schema.sql").write_text(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, x TEXT NOT NULL);\n"
    )
    assert run("push", "--url", "app.db", "--no-backup")[0] == 3  # unexecutable
    assert len(history(project)) == 1


def test_a_database_found_in_sync_is_noted_once(project: Path) -> None:
    # Made by another tool (prisma db push, a restore): in sync, but without a history.
    make_db(project / "app.db", V1)
    assert run("push", "--url", "app.db")[0] == 0
    entries = history(project)
    assert [(e["kind"], e["statements"]) for e in entries] == [("sync", 0)]
    code, out = run("history", "--url", "app.db", "show", "1")
    assert code == 0 and "found in sync" in out and "nothing applied" in out
    # Noted, the next pushes know at once: nothing more is written.
    assert run("push", "--url", "app.db")[0] == 0
    assert run("push", "--url", "app.db", "--dry-run")[0] == 0
    assert history(project) == entries
    # A change by hand is seen: the push undoes it, and records what it did.
    conn = sqlite3.connect(project / "app.db")
    conn.execute("CREATE INDEX people_name ON people (name)")
    conn.close()
    assert run("push", "--url", "app.db")[0] == 0
    assert [e["kind"] for e in history(project)] == ["sync", "push"]
    assert rows(project / "app.db", "SELECT name FROM sqlite_schema WHERE type = 'index'") == []


def test_history_of_an_untouched_database(project: Path) -> None:
    make_db(project / "app.db", V1)
    code, out = run("history", "--url", "app.db")
    assert code == 0 and "No changes recorded" in out
    code, out = run("history", "--url", "app.db", "show", "7")
    assert code == 1 and "no history entry 7" in out


# --- reviewed plans -----------------------------------------------------------------------


def test_a_reviewed_plan_is_applied_exactly(project: Path) -> None:
    seed(project)
    (project / "schema.sql").write_text(V2)
    code, _ = run("diff", "--url", "app.db", "--format", "json", "-o", "plan.json")
    assert code == 2
    plan = json.loads((project / "plan.json").read_text())
    assert plan["format"] == "trueup-plan" and plan["database_fingerprint"].startswith("sha256:")
    code, out = run("push", "--url", "app.db", "--plan", "plan.json")
    assert code == 0, out
    shown = json.loads(run("history", "--url", "app.db", "show", "2", "--json")[1])
    assert shown["statements"] == [s["sql"] for s in plan["steps"]]


def test_a_plan_is_refused_when_the_database_changed(project: Path) -> None:
    seed(project)
    (project / "schema.sql").write_text(V2)
    run("diff", "--url", "app.db", "--format", "json", "-o", "plan.json")
    conn = sqlite3.connect(project / "app.db")
    conn.execute("CREATE INDEX people_name ON people (name)")  # someone changed production
    conn.commit()
    conn.close()
    before = file_bytes_and_schema(project / "app.db")
    code, out = run("push", "--url", "app.db", "--plan", "plan.json")
    assert code == 3 and "no longer the one the plan was made against" in out
    assert file_bytes_and_schema(project / "app.db") == before


def test_a_plan_is_refused_when_the_declared_schema_changed(project: Path) -> None:
    seed(project)
    (project / "schema.sql").write_text(V2)
    run("diff", "--url", "app.db", "--format", "json", "-o", "plan.json")
    (project / "schema.sql").write_text(V2.replace("email TEXT", "email TEXT, phone TEXT"))
    code, out = run("push", "--url", "app.db", "--plan", "plan.json")
    assert code == 3 and "declared schema changed since the plan" in out


def test_plan_files_from_elsewhere_are_refused(project: Path) -> None:
    seed(project)
    (project / "other.json").write_text('{"hello": 1}')
    code, out = run("push", "--url", "app.db", "--plan", "other.json")
    assert code == 1 and "is not a trueup plan" in out
    (project / "future.json").write_text('{"format": "trueup-plan", "version": 99}')
    code, out = run("push", "--url", "app.db", "--plan", "future.json")
    assert code == 1 and "format version 99" in out


def test_a_plan_file_gives_every_step_its_phase(project: Path) -> None:
    seed(project)
    (project / "schema.sql").write_text(V2)
    run("diff", "--url", "app.db", "--format", "json", "-o", "plan.json")
    plan = json.loads((project / "plan.json").read_text())
    assert plan["version"] == 2
    assert [s["phase"] for s in plan["steps"]] == ["in-transaction"] * len(plan["steps"])
    (project / "odd.json").write_text(
        json.dumps(dict(plan, steps=[dict(s, phase="someday") for s in plan["steps"]]))
    )
    code, out = run("push", "--url", "app.db", "--plan", "odd.json")
    assert code == 1 and "a step of an unknown phase" in out
    # A plan file of version 1 has no phases: every step runs in the transaction.
    old = dict(plan, version=1, steps=[{"sql": s["sql"]} for s in plan["steps"]])
    (project / "old.json").write_text(json.dumps(old))
    code, out = run("push", "--url", "app.db", "--plan", "old.json")
    assert code == 0, out


# --- data steps ----------------------------------------------------------------------------


def test_splitting_a_column_with_a_data_step_keeps_every_row(project: Path) -> None:
    seed(project)
    (project / "schema.sql").write_text(SPLIT)
    (project / "trueup" / "steps").mkdir(parents=True)
    (project / "trueup" / "steps" / "001-split-name.sql").write_text(SPLIT_STEP)
    code, out = run("diff", "--url", "app.db")
    assert code == 2 and "data step 001-split-name.sql (runs before" in out
    code, out = run("push", "--url", "app.db", "--accept-data-loss")
    assert code == 0, out
    assert rows(project / "app.db", "SELECT id, first_name, last_name FROM people") == [
        (1, "Ada", "Lovelace"),
        (2, "Grace", ""),
    ]
    # The step ran once: the next push has nothing to do, though the file stays.
    code, out = run("push", "--url", "app.db")
    assert code == 0 and "already in sync" in out
    assert history(project)[-1]["statements"] == 1


def test_after_steps_run_once_and_in_the_transaction(project: Path) -> None:
    seed(project)
    steps = project / "trueup" / "steps"
    steps.mkdir(parents=True)
    (steps / "010-count.sql").write_text("-- trueup:after\nUPDATE people SET name = name || '!';\n")
    (project / "schema.sql").write_text(V2)
    assert run("push", "--url", "app.db")[0] == 0
    assert rows(project / "app.db", "SELECT name FROM people") == [("Ada Lovelace!",), ("Grace!",)]
    assert run("push", "--url", "app.db")[0] == 0
    assert rows(project / "app.db", "SELECT name FROM people") == [("Ada Lovelace!",), ("Grace!",)]
    # A failing step rolls the whole push back: schema, data and the step's record.
    (steps / "020-broken.sql").write_text("-- trueup:after\nUPDATE people SET nowhere = 1;\n")
    (project / "schema.sql").write_text(V2.replace("email TEXT", "email TEXT, phone TEXT"))
    before = file_bytes_and_schema(project / "app.db")
    code, out = run("push", "--url", "app.db", "--no-backup")
    assert code == 1 and "data step 020-broken.sql (after) failed" in out
    assert file_bytes_and_schema(project / "app.db") == before


def test_a_data_step_must_say_when_it_runs(project: Path) -> None:
    seed(project)
    (project / "trueup" / "steps").mkdir(parents=True)
    (project / "trueup" / "steps" / "x.sql").write_text("\nUPDATE people SET name = 'x';\n")
    code, out = run("push", "--url", "app.db")
    assert code == 1 and "x.sql:2:1: error: A data step must say when it runs" in out


# --- rollback ------------------------------------------------------------------------------


def test_rollback_restores_the_backup_of_the_last_push(project: Path) -> None:
    seed(project)
    (project / "schema.sql").write_text(SPLIT)
    (project / "trueup" / "steps").mkdir(parents=True)
    (project / "trueup" / "steps" / "001-split-name.sql").write_text(SPLIT_STEP)
    assert run("push", "--url", "app.db", "--accept-data-loss")[0] == 0
    code, out = run("rollback", "--url", "app.db", "--yes")
    assert code == 0, out
    assert "pre-restore" in out and "Rolled back history entry #2" in out
    assert rows(project / "app.db", "SELECT id, name FROM people") == [
        (1, "Ada Lovelace"),
        (2, "Grace"),
    ]
    # The push it undid stays in the history; the rollback is a new entry that names it.
    entries = history(project)
    assert [(e["id"], e["kind"]) for e in entries] == [(1, "push"), (2, "push"), (3, "rollback")]
    code, out = run("history", "show", "3", "--url", "app.db", "--json")
    assert code == 0, out
    assert json.loads(out)["flags"]["to"] == 2
    code, out = run("history", "--url", "app.db")
    assert out.splitlines()[-1].endswith("rollback           0  yes     to before #2")
    # The state before the rollback was saved, so the rollback can be undone too.
    saved = sorted((project / "backups").glob("[!.]*pre-restore*"))
    assert len(saved) == 1


def test_rollback_to_a_chosen_entry_and_its_errors(project: Path) -> None:
    seed(project)
    code, out = run("rollback", "--url", "app.db", "--yes")
    assert code == 1 and "nothing to roll back to" in out  # the first push had no backup
    (project / "schema.sql").write_text(V2)
    assert run("push", "--url", "app.db")[0] == 0
    (project / "schema.sql").write_text(V2.replace("email TEXT", "email TEXT, phone TEXT"))
    assert run("push", "--url", "app.db")[0] == 0
    code, out = run("rollback", "--url", "app.db", "--to", "1", "--yes")
    assert code == 1 and "took no backup" in out
    code, out = run("rollback", "--url", "app.db", "--to", "2")  # asks; answer no
    assert code == 3 and "Rollback cancelled" in out
    code, out = run("rollback", "--url", "app.db", "--to", "2", input="y\n")
    assert code == 0, out
    assert [r[1] for r in rows(project / "app.db", "PRAGMA table_info(people)")] == ["id", "name"]
    assert [e["kind"] for e in history(project)] == ["push", "push", "push", "rollback"]
    # Entries 2 and 3 are undone: the default has nothing left to roll back to.
    code, out = run("rollback", "--url", "app.db", "--yes")
    assert code == 1 and "Every push that took a backup is rolled back already" in out


def test_a_rollback_undoes_only_what_is_not_undone_yet(project: Path) -> None:
    seed(project)
    for schema in (V2, V2.replace("email TEXT", "email TEXT, phone TEXT")):
        (project / "schema.sql").write_text(schema)
        assert run("push", "--url", "app.db")[0] == 0
    assert run("rollback", "--url", "app.db", "--yes")[0] == 0  # undoes 3
    columns = [r[1] for r in rows(project / "app.db", "PRAGMA table_info(people)")]
    assert columns == ["id", "name", "email"]
    code, out = run("rollback", "--url", "app.db", "--yes")  # then 2, not 3 again
    assert code == 0 and "Rolled back history entry #2" in out and "recorded as #5" in out
    columns = [r[1] for r in rows(project / "app.db", "PRAGMA table_info(people)")]
    assert columns == ["id", "name"]
    assert [e["kind"] for e in history(project)] == ["push", "push", "push", "rollback", "rollback"]
    # The database is as entry 1 left it, and a push from the first schema finds it so.
    (project / "schema.sql").write_text(V1)
    assert "already in sync" in run("push", "--url", "app.db")[1]


@pytest.mark.parametrize(
    "args",
    [
        ["history", "--url", "app.db", "show", "2"],
        ["history", "show", "2", "--url", "app.db"],
        ["history", "show", "--url", "app.db", "2"],
    ],
)
def test_history_show_takes_the_url_before_or_after(project: Path, args: list[str]) -> None:
    seed(project)
    (project / "schema.sql").write_text(V2)
    assert run("push", "--url", "app.db")[0] == 0
    code, out = run(*args)
    assert code == 0, out
    assert out.startswith("#2  push, applied ")
    code, out = run(*args, "--json")
    assert code == 0 and json.loads(out)["id"] == 2


def test_history_json_before_show_prints_the_entry_as_json(project: Path) -> None:
    seed(project)
    code, out = run("history", "--url", "app.db", "--json", "show", "1")
    assert code == 0 and json.loads(out)["kind"] == "push"


# --- several environments -----------------------------------------------------------------


def test_diff_between_two_live_databases(project: Path) -> None:
    make_db(project / "staging.db", V2)
    make_db(project / "production.db", V1)
    code, out = run("diff", "--url", "production.db", "--against-url", "staging.db")
    assert code == 2 and '+ column "email" TEXT' in out
    code, out = run("diff", "--url", "staging.db", "--against-url", "staging.db")
    assert code == 0 and "same schema" in out
    code, out = run(
        "diff", "--url", "production.db", "--against-url", "staging.db", "--format", "sql"
    )
    assert code == 2 and 'ALTER TABLE "people" ADD COLUMN "email" TEXT;' in out


def test_diff_against_a_database_refuses_a_schema_and_takes_renames(project: Path) -> None:
    make_db(project / "staging.db", V2)
    make_db(project / "production.db", V2.replace("email", "mail"))
    args = ["diff", "--url", "production.db", "--against-url", "staging.db"]
    code, out = run(*args, "--schema", "schema.sql")
    assert code == 64 and "--schema and --against-url cannot be used together" in out
    code, out = run(*args, "--concurrent-indexes")
    assert code == 64 and "it does not apply to --against-url" in out
    code, out = run(*args)
    assert code == 2 and '- column "mail"' in out
    code, out = run(*args, "--rename", "people.mail=email")
    assert code == 2 and '> column "mail" renamed to "email"' in out
