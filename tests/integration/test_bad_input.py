"""The bad-input catalogue (docs/bad-input.md): each situation gives a clear message, exit
code 1 (3 for a refused plan is covered elsewhere), no traceback, and changes nothing.

The permission cases run the command as the unprivileged user ``nobody`` (root may write
anywhere), in a folder of their own that ``nobody`` can reach.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import file_bytes_and_schema, make_db

SCHEMA = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"
CHANGED = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);\n"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def trueup(folder: Path, *args: str, as_nobody: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "trueup", *args]
    if as_nobody:
        command = NOBODY + command
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEUP_")}
    env.pop("DATABASE_URL", None)
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env)


def assert_clear_error(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: "), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder the unprivileged user can reach (pytest's own tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="trueup-bad-input-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)
    (folder / name).chmod(0o644)


def test_malformed_sql_schema(folder: Path) -> None:
    make_db(folder / "app.db", SCHEMA)
    before = file_bytes_and_schema(folder / "app.db")
    write(folder, "schema.sql", "CREATE TABLE t (\n  id INTEGER PRIMARY KEY,\n  a TEXT,,\n);\n")
    result = trueup(folder, "push", "--url", "app.db")
    assert_clear_error(result, "schema.sql:3:10: error:", 'near ","', "  a TEXT,,")
    assert file_bytes_and_schema(folder / "app.db") == before


def test_invalid_prisma_schema(folder: Path) -> None:
    make_db(folder / "app.db", SCHEMA)
    before = file_bytes_and_schema(folder / "app.db")
    write(
        folder,
        "schema.prisma",
        'datasource db {\n  provider = "sqlite"\n}\n\nmodel T {\n  id Int @id\n  a Strin\n}\n',
    )
    result = trueup(folder, "push", "--url", "app.db", "--schema", "schema.prisma")
    assert_clear_error(result, "schema.prisma:7:")
    assert file_bytes_and_schema(folder / "app.db") == before


def test_unknown_url_scheme(folder: Path) -> None:
    write(folder, "schema.sql", SCHEMA)
    result = trueup(folder, "push", "--url", "mysql://root:s3cret@db/app")
    assert_clear_error(result, "Unknown database URL scheme 'mysql'")
    assert "s3cret" not in result.stderr + result.stdout


def test_missing_folder(folder: Path) -> None:
    write(folder, "schema.sql", SCHEMA)
    result = trueup(folder, "push", "--url", "file:./data/app.db")
    assert_clear_error(result, "does not exist")
    assert not (folder / "data").exists()


def test_unwritable_folder(folder: Path) -> None:
    write(folder, "schema.sql", SCHEMA)
    (folder / "data").mkdir()
    (folder / "data").chmod(0o555)
    result = trueup(folder, "push", "--url", "data/app.db", "--no-backup", as_nobody=True)
    assert_clear_error(result, "may not write in the folder")
    assert list((folder / "data").iterdir()) == []


def test_read_only_database_file(folder: Path) -> None:
    make_db(folder / "app.db", SCHEMA)
    (folder / "app.db").chmod(0o444)
    before = file_bytes_and_schema(folder / "app.db")
    write(folder, "schema.sql", CHANGED)
    result = trueup(folder, "push", "--url", "app.db", "--no-backup", as_nobody=True)
    assert_clear_error(result, "cannot be written", "attempt to write a readonly database")
    assert file_bytes_and_schema(folder / "app.db") == before
    # Nothing to change: a read-only database that is in sync is fine.
    write(folder, "schema.sql", SCHEMA)
    assert trueup(folder, "push", "--url", "app.db", "--no-backup", as_nobody=True).returncode == 0


def test_database_locked_by_another_process(folder: Path) -> None:
    make_db(folder / "app.db", SCHEMA)
    write(folder, "schema.sql", CHANGED)
    holder = sqlite3.connect(folder / "app.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = trueup(folder, "push", "--url", "app.db", "--lock-timeout", "0.3")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_clear_error(result, "is locked by another connection", "--lock-timeout")


def test_file_that_is_not_a_database(folder: Path) -> None:
    (folder / "app.db").write_bytes(b"not a database at all\n" * 200)
    before = (folder / "app.db").read_bytes()
    write(folder, "schema.sql", SCHEMA)
    result = trueup(folder, "push", "--url", "app.db", "--no-backup")
    assert_clear_error(result, "file is not a database")
    assert (folder / "app.db").read_bytes() == before


def test_damaged_database_file(folder: Path) -> None:
    path = folder / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", ((i, "x" * 100) for i in range(20000)))
    conn.commit()
    conn.close()
    with open(path, "r+b") as f:  # scribble over some of the table's pages
        f.seek(4096 * 3)
        f.write(b"\xff" * 4096 * 5)
    before = path.read_bytes()
    write(folder, "schema.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL);\n")
    result = trueup(folder, "push", "--url", "app.db", "--no-backup")
    assert_clear_error(result, "is damaged", "integrity_check")
    assert path.read_bytes() == before


def test_missing_schema_and_database(folder: Path) -> None:
    assert_clear_error(trueup(folder, "push", "--url", "app.db"), "No schema file found")
    write(folder, "schema.sql", SCHEMA)
    assert_clear_error(trueup(folder, "push"), "No database given")
