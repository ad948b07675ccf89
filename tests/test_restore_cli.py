"""``trueup restore`` on the command line: a backup that shares no table with the app is
another app's (or another database's), and the restore says so before it asks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from tests.helpers import make_db
from tests.postgres_server import another_database, new_database, postgres_server
from trueup.cli import cli
from trueup.cli.restore import backup_tables

__all__ = ["another_database", "new_database", "postgres_server"]  # fixtures, used by name

APP = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);"
OTHER = "CREATE TABLE invoices (id INTEGER PRIMARY KEY); CREATE TABLE lines (id INTEGER);"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def backup_of(project: Path, name: str, ddl: str, *flags: str) -> str:
    """A backup, taken by trueup, of a database made from ``ddl``."""
    make_db(project / name, ddl)
    result = CliRunner().invoke(cli, ["backup", "--url", name, "--dir", "saved", *flags])
    assert result.exit_code == 0, result.output
    [path] = sorted((project / "saved").glob(f"{name}.*"))
    return str(path)


def test_a_backup_with_no_table_in_common_is_warned_about(project: Path) -> None:
    foreign = backup_of(project, "other.db", OTHER)
    make_db(project / "app.db", APP)
    result = CliRunner().invoke(cli, ["restore", foreign, "--url", "app.db", "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Warning: {foreign} has no table in common with this database" in result.stderr
    assert "(invoices, lines there; users here)" in result.stderr
    # Asked, the warning comes before the question, and no keeps the database.
    make_db(project / "app2.db", APP)
    result = CliRunner().invoke(cli, ["restore", foreign, "--url", "app2.db"], input="n\n")
    assert result.exit_code == 1
    assert result.output.index("no table in common") < result.output.index("Restore it?")
    conn = sqlite3.connect(project / "app2.db")
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_schema")] == ["users"]
    conn.close()


def test_a_compressed_backup_with_no_table_in_common_is_warned_about(project: Path) -> None:
    foreign = backup_of(project, "other.db", OTHER, "--compress")
    assert foreign.endswith(".gz")
    make_db(project / "app.db", APP)
    result = CliRunner().invoke(cli, ["restore", foreign, "--url", "app.db", "--yes"])
    assert result.exit_code == 0, result.output
    assert "(invoices, lines there; users here)" in result.stderr


def test_a_backup_of_the_app_is_not_warned_about(project: Path) -> None:
    own = backup_of(project, "app.db", APP)
    result = CliRunner().invoke(cli, ["restore", own, "--url", "app.db", "--yes"])
    assert result.exit_code == 0 and "Warning" not in result.output


def test_an_empty_database_is_judged_by_the_declared_schema(project: Path) -> None:
    foreign = backup_of(project, "other.db", OTHER)
    (project / "schema.sql").write_text(APP)
    result = CliRunner().invoke(cli, ["restore", foreign, "--url", "new.db", "--yes"])
    assert result.exit_code == 0, result.output
    assert "has no table in common" in result.stderr and "users here" in result.stderr
    (project / "schema.sql").write_text(OTHER)
    result = CliRunner().invoke(cli, ["restore", foreign, "--url", "new2.db", "--yes"])
    assert result.exit_code == 0 and "Warning" not in result.output


def test_the_tables_of_an_export(project: Path) -> None:
    make_db(project / "other.db", OTHER)
    result = CliRunner().invoke(cli, ["export", "--url", "other.db", "-o", "other.jsonl"])
    assert result.exit_code == 0, result.output
    assert backup_tables(str(project / "other.jsonl")) == {"invoices", "lines"}
    (project / "notes.txt").write_text("not a backup")
    assert backup_tables(str(project / "notes.txt")) is None


def test_a_pg_dump_backup_of_another_database_is_warned_about(
    project: Path, new_database: str, another_database: str
) -> None:
    with psycopg.connect(new_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int PRIMARY KEY); CREATE TABLE lines (id int)")
    with psycopg.connect(another_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE users (id int PRIMARY KEY)")
    result = CliRunner().invoke(cli, ["backup", "--url", new_database, "--dir", "saved"])
    assert result.exit_code == 0, result.output
    [path] = (project / "saved").glob("[!.]*")
    assert backup_tables(str(path)) == {"invoices", "lines"}
    result = CliRunner().invoke(cli, ["restore", str(path), "--url", another_database, "--yes"])
    assert result.exit_code == 0, result.output
    assert "(invoices, lines there; users here)" in result.stderr
