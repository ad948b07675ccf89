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
    (steps / "001-seed.sql").write_text("-- trueup:after\nINSERT INTO nowhere VALUES (1);\n")
    code, out, err = run("push", "--url", "app.db")
    assert code == 1 and "no such table: nowhere" in err, out + err
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
