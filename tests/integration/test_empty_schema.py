"""A declared schema that declares nothing (an empty or truncated file, a comment alone, a
Prisma schema with a datasource and no model, a mount that came up empty) never empties a
database that holds tables: the push is refused even with --accept-data-loss, and only
--force-reset goes past it."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.bad_input import trueup
from tests.helpers import make_db
from trueup.cli import cli

TABLES = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); CREATE TABLE notes (id INT);"
ROWS = "INSERT INTO users VALUES (1, 'a@x');"
PRISMA_NO_MODEL = """datasource db {
  provider = "sqlite"
  url      = "file:./app.db"
}
"""
EMPTY_SCHEMAS = {
    "schema.sql": "",
    "comments.sql": "-- the schema of the app\n/* nothing else: the rest was cut off */\n",
    "schema.prisma": PRISMA_NO_MODEL,
    "commented.prisma": "// generator and models below\n" + PRISMA_NO_MODEL,
}


def tables(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
        return [r[0] for r in rows]
    finally:
        conn.close()


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("name", sorted(EMPTY_SCHEMAS))
def test_an_empty_schema_is_refused_even_with_accept_data_loss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    make_db(tmp_path / "app.db", TABLES, ROWS)
    (tmp_path / name).write_text(EMPTY_SCHEMAS[name])
    code, out = run(tmp_path, "push", "--schema", name, "--url", "app.db", "--accept-data-loss")
    assert code == 3, out
    assert f"{name} declares nothing" in out and "2 tables (notes, users)" in out
    assert "--force-reset" in out
    assert tables(tmp_path / "app.db") == ["notes", "users"]
    code, out = run(tmp_path, "diff", "--schema", name, "--url", "app.db")
    assert code == 2 and "DL100" in out, out

    code, out = run(tmp_path, "push", "--schema", name, "--url", "app.db", "--force-reset")
    assert code == 0, out
    assert tables(tmp_path / "app.db") == []


def test_an_empty_schema_on_an_empty_database_is_in_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_db(tmp_path / "app.db", "CREATE VIEW v AS SELECT 1 AS one;")
    (tmp_path / "schema.prisma").write_text(PRISMA_NO_MODEL)
    code, out = run(tmp_path, "push", "--schema", "schema.prisma", "--url", "app.db")
    assert code == 0 and "already in sync" in out, out


def test_a_start_with_an_empty_schema_does_not_start_the_app(tmp_path: Path) -> None:
    make_db(tmp_path / "app.db", TABLES, ROWS)
    (tmp_path / "schema.sql").write_text("")
    app = [sys.executable, "-c", "open('app-ran', 'w').close()"]
    proc = trueup(
        tmp_path,
        *("start", "--url", "app.db", "--", *app),
        env={"TRUEUP_ACCEPT_DATA_LOSS": "1"},
    )
    assert proc.returncode == 3, proc.stderr
    assert "schema.sql declares nothing" in proc.stderr
    assert "The command was not started" in proc.stderr
    assert not (tmp_path / "app-ran").exists()
    assert tables(tmp_path / "app.db") == ["notes", "users"]
