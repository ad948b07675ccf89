"""The bad-input catalogue (docs/bad-input.md): each situation gives a clear message, exit
code 1 (3 for a refused plan is covered elsewhere), no traceback, and changes nothing.

The permission cases run the command as the unprivileged user ``nobody`` (root may write
anywhere), in a folder of their own that ``nobody`` can reach.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.bad_input import small_disk, trueup
from tests.helpers import file_bytes_and_schema, make_db, table_rows

SCHEMA = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"
CHANGED = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);\n"


def assert_clear_error(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: "), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)


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


def test_bad_schema_for_a_database_not_made_yet(folder: Path) -> None:
    # The database file is made only once the schema has loaded: a container whose schema
    # is broken must not leave an empty database behind.
    write(folder, "schema.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT;\n")
    write(
        folder,
        "schema.prisma",
        'datasource db {\n  provider = "sqlite"\n}\nmodel T {\n  id Int @id\n  a Strin\n}\n',
    )
    for command in ("push", "start"):
        for schema in ("schema.sql", "schema.prisma"):
            args = ["--url", "file:./new.db", "--schema", schema]
            if command == "start":
                args += ["--", sys.executable, "-c", "pass"]
            result = trueup(folder, command, *args)
            assert result.returncode == 1, (command, schema, result.stderr)
            assert "Traceback" not in result.stderr
            assert f"Error: {schema}:" in result.stderr, result.stderr  # `start` says more first
            assert not (folder / "new.db").exists(), (command, schema)
    write(folder, "schema.sql", SCHEMA)
    assert (
        trueup(folder, "push", "--url", "file:./new.db", "--schema", "schema.sql").returncode == 0
    )
    assert 'CREATE TABLE "t"' in file_bytes_and_schema(folder / "new.db")[0]


def test_foreign_key_to_columns_that_are_not_unique(folder: Path) -> None:
    # Dropping the unique index a child's foreign key points at: SQLite accepts the schema
    # but would refuse every later write to the child, so the push is refused instead.
    parent = "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT);\n"
    child = "CREATE TABLE child (id INTEGER PRIMARY KEY, code TEXT REFERENCES parent (code));\n"
    make_db(
        folder / "app.db",
        parent + "CREATE UNIQUE INDEX parent_code ON parent (code);\n" + child,
        "INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a');",
    )
    before = file_bytes_and_schema(folder / "app.db")
    write(folder, "schema.sql", parent + child)
    result = trueup(folder, "push", "--url", "app.db")
    assert_clear_error(
        result,
        "schema.sql:2:55: error: The foreign key child(code) -> parent(code)",
        "neither its primary key nor unique",
        "Nothing was changed",
    )
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


# --- backups, exports and imports ------------------------------------------------------------


def fill(path: Path, rows: int, size: int = 100) -> None:
    """Two tables, parent and child, with ``rows`` rows each of about ``size`` bytes."""
    make_db(
        path,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, x BLOB);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), "
        "y TEXT);",
    )
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO parent VALUES (?, ?)", ((i, os.urandom(size)) for i in range(rows))
    )
    conn.executemany(
        "INSERT INTO child VALUES (?, ?, ?)", ((i, i, "y" * size) for i in range(rows))
    )
    conn.commit()
    conn.close()


def test_disk_full_during_a_backup(folder: Path) -> None:
    fill(folder / "app.db", 1500, 1000)  # about 3 MB, on a disk of 1 MB
    before = file_bytes_and_schema(folder / "app.db")
    write(folder, "schema.sql", "CREATE TABLE parent (id INTEGER PRIMARY KEY, x BLOB, z TEXT);\n")
    app = [sys.executable, "-c", "open('app-ran', 'w')"]
    with small_disk(folder / "backups") as backups:
        result = trueup(folder, "backup", "--url", "app.db")
        assert_clear_error(result, "Could not back up", "database or disk is full", "free space")
        assert list(backups.iterdir()) == []  # no half-written backup
        # The backup before a push, and the one of `trueup start`, stop them before any change.
        result = trueup(folder, "push", "--url", "app.db", "--accept-data-loss")
        assert_clear_error(result, "database or disk is full")
        result = trueup(folder, "start", "--url", "app.db", "--accept-data-loss", "--", *app)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "database or disk is full" in result.stderr
        assert "The command was not started" in result.stderr
        result = trueup(folder, "export", "--url", "app.db", "-o", "backups/app.jsonl")
        assert_clear_error(result, "Cannot write the export", "No space left on device")
        assert list(backups.iterdir()) == []
    assert file_bytes_and_schema(folder / "app.db") == before
    assert not (folder / "app-ran").exists()


def test_backup_folder_not_writable(folder: Path) -> None:
    data = folder / "data"
    data.mkdir()
    fill(data / "app.db", 10)
    for path in (data, data / "app.db"):  # the user owns the database, not the backups
        os.chown(path, 65534, 65534)
    (data / "backups").mkdir(mode=0o755)
    before = file_bytes_and_schema(data / "app.db")
    write(folder, "schema.sql", "CREATE TABLE parent (id INTEGER PRIMARY KEY, x BLOB, z TEXT);\n")
    result = trueup(folder, "backup", "--url", "data/app.db", as_nobody=True)
    assert_clear_error(result, "Cannot write a backup in", "Permission denied", "--dir")
    result = trueup(folder, "push", "--url", "data/app.db", "--accept-data-loss", as_nobody=True)
    assert_clear_error(result, "Cannot write a backup in", "Permission denied")
    result = trueup(folder, "backup", "--url", "data/app.db", "--dir", "new/b", as_nobody=True)
    assert_clear_error(result, "Cannot create the backups folder", "Permission denied")
    assert list((data / "backups").iterdir()) == [] and not (folder / "new").exists()
    assert sorted(p.name for p in data.iterdir()) == ["app.db", "backups"]
    assert file_bytes_and_schema(data / "app.db") == before


def test_import_of_a_file_cut_short(folder: Path) -> None:
    fill(folder / "source.db", 2000)
    assert trueup(folder, "export", "--url", "source.db", "-o", "whole.jsonl").returncode == 0
    whole = (folder / "whole.jsonl").read_bytes()
    middle = len(whole) // 2
    cuts = {
        "in the header": 40,
        "in a row": middle,
        "between two rows": whole.index(b"\n", middle) + 1,
        "before the end record": whole.rindex(b'{"end"'),
    }
    make_db(folder / "empty.db", "")
    for where, length in cuts.items():
        (folder / "cut.jsonl").write_bytes(whole[:length])
        for target in ("new.db", "empty.db"):
            result = trueup(folder, "import", "cut.jsonl", "--url", target)
            assert_clear_error(result, "it is incomplete", "export the database again")
            assert "Nothing was imported" in result.stderr, where
        assert not (folder / "new.db").exists(), where  # a database it made is gone again
        assert file_bytes_and_schema(folder / "empty.db") == ("", {}), where


def test_import_killed_half_way(folder: Path) -> None:
    fill(folder / "source.db", 40000)
    assert trueup(folder, "export", "--url", "source.db", "-o", "whole.jsonl").returncode == 0
    make_db(folder / "app.db", "")
    db, journal = folder / "app.db", folder / "app.db-journal"
    half = (folder / "source.db").stat().st_size // 3
    proc = subprocess.Popen(
        [sys.executable, "-m", "trueup", "import", "whole.jsonl", "--url", "app.db"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Mid-transaction: the journal is there and a third of the rows are in the file.
    while proc.poll() is None and not (journal.exists() and db.stat().st_size > half):
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the import ended before the kill"
    assert journal.exists()  # a hot journal, rolled back by the next connection
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    assert file_bytes_and_schema(db) == ("", {})
    assert not journal.exists()
    # Nothing is left in the way of the import done again.
    assert trueup(folder, "import", "whole.jsonl", "--url", "app.db").returncode == 0
    assert table_rows(db) == table_rows(folder / "source.db")
