"""On-change backups: a copy only when the database differs from the newest good backup.
Every way of changing a SQLite database that matters gives a new copy; nothing changed
gives none, and the newest backup is noted as still holding the database. PostgreSQL,
with no sound and cheap test, copies every time."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import make_db
from trueup.backup import BackupResult, backup, list_backups_of
from trueup.backup.records import read_record
from trueup.urls import parse_url

SCHEMA = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, bio TEXT);\n"
ROWS = "INSERT INTO users (email, bio) VALUES ('a@x', 'hello'), ('b@x', 'world');"


def database(path: Path, mode: str) -> None:
    make_db(path, SCHEMA, ROWS)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {mode}")
    conn.close()


def on_change(db: Path) -> BackupResult:
    result = backup(
        parse_url(str(db)), reason="startup", folder=str(db.parent / "backups"), on_change=True
    )
    assert result is not None
    return result


def write(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql)
    conn.commit()
    conn.close()


def insert(db: Path) -> None:
    write(db, "INSERT INTO users (email) VALUES ('c@x')")


def same_size_update(db: Path) -> None:
    size = db.stat().st_size
    write(db, "UPDATE users SET bio = 'HELLO' WHERE id = 1")  # as long as before
    assert db.stat().st_size == size


def update_then_reset_mtime(db: Path) -> None:
    before = db.stat()
    write(db, "UPDATE users SET bio = 'HeLLo' WHERE id = 1")
    os.utime(db, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = db.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def vacuum(db: Path) -> None:
    write(db, "DELETE FROM users WHERE id = 2")  # something for VACUUM to move
    on_change(db)  # that delete is backed up; the VACUUM alone must be seen next
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("VACUUM")
    conn.close()


def write_and_leave_the_wal(db: Path) -> None:
    """An app killed after its commit: the commit is in the -wal file only."""
    code = (
        "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        "c.execute('PRAGMA wal_autocheckpoint = 0');"
        "c.execute(\"UPDATE users SET bio = 'x' WHERE id = 2\"); c.commit(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True)
    assert (db.parent / "app.db-wal").stat().st_size > 0


CHANGES: dict[str, Callable[[Path], None]] = {
    "insert": insert,
    "same-size": same_size_update,
    "mtime-reset": update_then_reset_mtime,
    "vacuum": vacuum,
}


@pytest.mark.parametrize("mode", ["delete", "wal"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_gives_a_new_backup(tmp_path: Path, mode: str, change: str) -> None:
    db = tmp_path / "app.db"
    database(db, mode)
    first = on_change(db)
    assert not first.reused
    assert on_change(db).backup.path == first.backup.path  # unchanged: no copy
    CHANGES[change](db)
    changed = on_change(db)
    assert not changed.reused and changed.backup.path != first.backup.path
    again = on_change(db)
    assert again.reused and again.backup.path == changed.backup.path


def test_a_commit_left_in_the_wal_gives_a_new_backup(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    database(db, "wal")
    first = on_change(db)
    write_and_leave_the_wal(db)
    changed = on_change(db)
    assert not changed.reused and changed.backup.path != first.backup.path
    conn = sqlite3.connect(f"file:{changed.backup.path}?mode=ro&immutable=1", uri=True)
    try:
        assert conn.execute("SELECT bio FROM users WHERE id = 2").fetchone() == ("x",)
    finally:
        conn.close()


@pytest.mark.parametrize("mode", ["delete", "wal"])
def test_a_write_right_after_a_backup_is_seen(tmp_path: Path, mode: str) -> None:
    """A write at once after the copy, of the same size, with its mtime reset: the state
    is only taken once the file's last change is a clock tick old, so this write cannot
    leave the file's change time as it was."""
    db = tmp_path / "app.db"
    database(db, mode)
    first = on_change(db)
    update_then_reset_mtime(db)
    assert not on_change(db).reused
    assert (
        first.backup.path
        != list_backups_of(parse_url(str(db)), folder=str(tmp_path / "backups"))[0].path
    )


@pytest.mark.parametrize("mode", ["delete", "wal"])
def test_reading_changes_nothing(tmp_path: Path, mode: str) -> None:
    db = tmp_path / "app.db"
    database(db, mode)
    first = on_change(db)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM users").fetchone() == (2,)
    conn.close()
    second = on_change(db)
    assert second.reused and second.backup.path == first.backup.path
    record = read_record(first.backup.path)
    assert record is not None and record.unchanged_starts == 1 and record.unchanged_at


def test_a_changed_or_missing_backup_file_is_not_trusted(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    database(db, "delete")
    first = on_change(db)
    with open(first.backup.path, "ab") as f:
        f.write(b"\0" * 4096)  # no longer the file that was checked
    second = on_change(db)
    assert not second.reused
    os.remove(second.backup.path)
    assert not on_change(db).reused


def test_a_pre_push_backup_of_an_unchanged_database_is_a_hard_link(tmp_path: Path) -> None:
    """No copy, but a name of its own reason, so that retention keeps it with the other
    pre-push backups."""
    db = tmp_path / "app.db"
    database(db, "delete")
    first = on_change(db)
    linked = backup(
        parse_url(str(db)), reason="pre-push", folder=str(tmp_path / "backups"), on_change=True
    )
    assert linked is not None and linked.reused and linked.linked_to == first.backup.path
    assert ".pre-push." in linked.backup.name
    assert os.path.samefile(linked.backup.path, first.backup.path)


# --- trueup start, end to end --------------------------------------------------------------


def start(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEUP_")}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "trueup", "start", "--url", "app.db", *args, "--", "true"]
    return subprocess.run(command, capture_output=True, text=True, cwd=project, env=env)


def test_a_start_with_nothing_changed_copies_nothing_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    database(tmp_path / "app.db", "wal")
    for _ in range(2):  # the first start notes that the database is in sync: a change
        proc = start(tmp_path)
        assert proc.returncode == 0 and "Backup saved:" in proc.stderr, proc.stderr
    names = sorted(p.name for p in (tmp_path / "backups").glob("[!.]*"))
    proc = start(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Backup not needed: the database is unchanged since" in proc.stderr
    assert sorted(p.name for p in (tmp_path / "backups").glob("[!.]*")) == names
    listing = subprocess.run(
        [sys.executable, "-m", "trueup", "backups", "--url", "app.db"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert "still the database at" in listing.stdout and "(1 start found" in listing.stdout
    as_json = subprocess.run(
        [sys.executable, "-m", "trueup", "backups", "--url", "app.db", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    newest = json.loads(as_json.stdout)["backups"][0]
    assert newest["unchanged_starts"] == 1 and newest["checked"] == "quick"
    # the app writes; the next start copies
    insert(tmp_path / "app.db")
    proc = start(tmp_path)
    assert "Backup saved:" in proc.stderr
    assert len(list((tmp_path / "backups").glob("[!.]*"))) == len(names) + 1
    # --backup always copies whatever happened
    proc = start(tmp_path, "--backup", "always")
    assert "Backup saved:" in proc.stderr
    assert len(list((tmp_path / "backups").glob("[!.]*"))) == len(names) + 2
