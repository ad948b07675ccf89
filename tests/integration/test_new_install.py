"""A database's first push on SQLite: the commands that only look say when the file does not
exist, a push that makes the file says so, and a first push that fails leaves no file."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.bad_input import trueup
from tests.helpers import make_db
from trueup.cli import cli

PEOPLE = "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema.sql").write_text(PEOPLE)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def table_names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY 1")
        return [r[0] for r in rows]
    finally:
        conn.close()


# --- a missing database file -------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("diff",),
        ("diff", "--format", "sql"),
        ("push", "--dry-run"),
        ("push", "--dry-run", "--json"),
    ],
)
def test_a_look_at_a_missing_file_says_it_does_not_exist(
    project: Path, args: tuple[str, ...]
) -> None:
    code, out, err = run(*args, "--url", "typo.db")
    assert code == 2, out + err  # a push would create it, and everything in it
    where = str(project / "typo.db")
    assert f"The SQLite database file {where} does not exist" in err
    assert "a push creates it" in err
    assert files(project) == ["schema.sql"]


@pytest.mark.parametrize("command", ["inspect", "history"])
def test_reading_a_missing_file_is_an_error(project: Path, command: str) -> None:
    code, out, err = run(command, "--url", "typo.db")
    assert code == 1, out + err
    assert f"The SQLite database file {project / 'typo.db'} does not exist" in err
    assert files(project) == ["schema.sql"]


def test_a_push_says_it_created_the_file(project: Path) -> None:
    code, out, _ = run("push", "--url", "app.db")
    assert code == 0, out
    assert f"Created the database file {project / 'app.db'}." in out
    code, out, _ = run("push", "--url", "app.db")
    assert code == 0 and "Created" not in out


def test_a_start_says_it_created_the_file(project: Path) -> None:
    proc = trueup(project, "start", "--url", "app.db", "--", sys.executable, "-c", "pass")
    assert proc.returncode == 0, proc.stderr
    assert f"Created the database file {project / 'app.db'}." in proc.stderr


def test_a_failed_first_push_leaves_no_file(project: Path) -> None:
    steps = project / "trueup" / "steps"
    steps.mkdir(parents=True)
    (steps / "001-seed.sql").write_text("-- trueup:after\nINSERT INTO people (id) VALUES (1);\n")
    code, out, err = run("push", "--url", "app.db")
    assert code == 1 and "NOT NULL constraint failed: people.name" in err, out + err
    assert files(project) == ["schema.sql", "trueup"]
    proc = trueup(project, "start", "--url", "app.db", "--", sys.executable, "-c", "pass")
    assert proc.returncode == 1 and "The command was not started" in proc.stderr
    assert files(project) == ["schema.sql", "trueup"]


def test_a_failed_push_keeps_a_file_that_was_there(project: Path) -> None:
    make_db(project / "app.db", "")  # an empty file, made by someone else
    (project / "schema.sql").write_text("CREATE TABLE t (a INT REFERENCES nowhere(id));\n")
    (project / "trueup" / "steps").mkdir(parents=True)
    (project / "trueup" / "steps" / "1.sql").write_text("-- trueup:after\nSELECT * FROM no;\n")
    code, _, _ = run("push", "--url", "app.db")
    assert code == 1
    assert (project / "app.db").exists()
    assert table_names(project / "app.db") == []


# --- data steps on a database built from scratch ---------------------------------------

ROOT = Path(__file__).resolve().parents[2]
SPLIT = (
    "CREATE TABLE people (id INTEGER PRIMARY KEY, first_name TEXT NOT NULL DEFAULT '', "
    "last_name TEXT NOT NULL DEFAULT '');\n"
)


def documented_step() -> str:
    """The data step of docs/change-control.md's example, as the page gives it."""
    import re

    text = (ROOT / "docs" / "change-control.md").read_text()
    steps: list[str] = re.findall(r"```sql\n(-- trueup:before\n.*?)```", text, re.DOTALL)
    [step] = steps
    return step


def write_step(project: Path, name: str, text: str) -> None:
    folder = project / "trueup" / "steps"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def history_steps(project: Path) -> list[dict[str, str]]:
    """The data steps the pushes recorded, as their history entries name them."""
    import json

    conn = sqlite3.connect(project / "app.db")
    try:
        rows = conn.execute("SELECT details FROM _trueup_history ORDER BY id").fetchall()
    finally:
        conn.close()
    return [step for (details,) in rows for step in json.loads(details)["data_steps"]]


def test_the_documented_data_step_does_not_break_a_new_install(project: Path) -> None:
    (project / "schema.sql").write_text(SPLIT)
    write_step(project, "001-split-name.sql", documented_step())
    code, out, err = run("diff", "--url", "app.db")
    assert code == 2, err
    assert "001-split-name.sql (before): not needed, there is no table people" in out
    code, out, err = run("push", "--url", "app.db")
    assert code == 0, out + err
    [step] = history_steps(project)
    assert step["name"] == "001-split-name.sql"
    assert step["not_needed"] == "there is no table people"
    # Recorded: later pushes never run it against the new table (it would add its columns
    # a second time).
    conn = sqlite3.connect(project / "app.db")
    conn.execute("INSERT INTO people (first_name, last_name) VALUES ('Ada', 'Lovelace')")
    conn.commit()
    conn.close()
    code, out, err = run("push", "--url", "app.db")
    assert code == 0 and "already in sync" in out, out + err


def test_the_documented_data_step_still_runs_where_its_table_is(project: Path) -> None:
    make_db(project / "app.db", PEOPLE, "INSERT INTO people (name) VALUES ('Ada Lovelace');")
    (project / "schema.sql").write_text(SPLIT)
    write_step(project, "001-split-name.sql", documented_step())
    code, out, err = run("push", "--url", "app.db", "--accept-data-loss")
    assert code == 0, out + err
    conn = sqlite3.connect(project / "app.db")
    assert conn.execute("SELECT first_name, last_name FROM people").fetchall() == [
        ("Ada", "Lovelace")
    ]
    conn.close()
    [step] = history_steps(project)
    assert "not_needed" not in step


def test_a_first_start_with_the_documented_step_starts_the_app(project: Path) -> None:
    (project / "schema.sql").write_text(SPLIT)
    write_step(project, "001-split-name.sql", documented_step())
    app = (sys.executable, "-c", "open('app-ran', 'w').close()")
    proc = trueup(project, "start", "--url", "app.db", "--", *app)
    assert proc.returncode == 0, proc.stderr
    assert (project / "app-ran").exists()
    assert table_names(project / "app.db") == ["people"]


def test_an_after_step_seeds_a_new_database_and_skips_a_table_that_is_gone(
    project: Path,
) -> None:
    write_step(project, "001-seed.sql", "-- trueup:after\nINSERT INTO people VALUES (0, 'root');\n")
    write_step(project, "002-old.sql", "-- trueup:after\nUPDATE legacy SET x = 1;\n")
    code, out, err = run("push", "--url", "app.db")
    assert code == 0, out + err
    conn = sqlite3.connect(project / "app.db")
    assert conn.execute("SELECT * FROM people").fetchall() == [(0, "root")]
    conn.close()
    seed, old = history_steps(project)
    assert "not_needed" not in seed and old["not_needed"] == "there is no table legacy"


def test_a_step_that_makes_its_own_table_from_a_missing_one_is_not_needed(
    project: Path,
) -> None:
    make_db(project / "app.db", PEOPLE)
    write_step(
        project,
        "001-copy.sql",
        "-- trueup:before\nCREATE TABLE scratch (v TEXT);\n"
        "INSERT INTO scratch SELECT v FROM legacy;\n",
    )
    code, out, err = run("push", "--url", "app.db")
    assert code == 0, out + err
    assert "scratch" not in table_names(project / "app.db")  # undone with the step


@pytest.mark.parametrize(
    "step",
    [
        "UPDATE people SET name = upper(name);\nUPDATE legacy SET x = 1;\n",
        "UPDATE legacy SET x = 1;\nUPDATE people SET name = upper(name);\n",
    ],
    ids=["existing-first", "missing-first"],
)
def test_a_step_over_tables_that_are_only_partly_there_fails(project: Path, step: str) -> None:
    make_db(project / "app.db", PEOPLE, "INSERT INTO people (name) VALUES ('ada');")
    (project / "schema.sql").write_text(PEOPLE.replace("NOT NULL", "NOT NULL, note TEXT"))
    write_step(project, "001-both.sql", "-- trueup:before\n" + step)
    before = (project / "app.db").read_bytes()
    code, out, err = run("push", "--url", "app.db")
    assert code == 1, out + err
    assert "no such table: legacy" in err and "It also works on people" in err
    assert (project / "app.db").read_bytes() == before


def test_a_step_reading_through_a_view_runs(project: Path) -> None:
    make_db(
        project / "app.db",
        PEOPLE + "CREATE VIEW names AS SELECT name FROM people;",
        "INSERT INTO people (name) VALUES ('ada');",
    )
    (project / "schema.sql").write_text(
        PEOPLE + "CREATE TABLE copies (name TEXT);\nCREATE VIEW names AS SELECT name FROM people;\n"
    )
    write_step(project, "001.sql", "-- trueup:after\nINSERT INTO copies SELECT name FROM names;\n")
    code, out, err = run("push", "--url", "app.db")
    assert code == 0, out + err
    conn = sqlite3.connect(project / "app.db")
    assert conn.execute("SELECT * FROM copies").fetchall() == [("ada",)]
    conn.close()
