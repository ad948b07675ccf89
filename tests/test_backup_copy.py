"""How a SQLite backup's bytes are taken: the kernel's file copy inside a read transaction
where that is the database (rollback journal; WAL after a checkpoint that copied every
frame), the online backup API otherwise; consistent while writer processes commit, and
never releasing a lock this process holds."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trueup.backup import BackupResult, backup
from trueup.engines.sqlite import backup_copy as sqlite_copy
from trueup.urls import parse_url

MODES = ["delete", "wal"]
FILE_COPY = "SQLite file copy in one read transaction"
BACKUP_API = "SQLite online backup"

#: A writer process: each transaction adds row i to both tables, so a copy that holds
#: half a transaction shows; it runs until the file named by its third argument exists.
WRITER = """
import os, sqlite3, sys
path, stop = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(path, timeout=60, isolation_level=None)
i = conn.execute("SELECT coalesce(max(i), 0) FROM a").fetchone()[0]
print("started", flush=True)
while not os.path.exists(stop):
    i += 1
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO a VALUES (?, randomblob(3000))", (i,))
    conn.execute("INSERT INTO b VALUES (?, randomblob(3000))", (i,))
    conn.execute("COMMIT")
print(i, flush=True)
"""


def database(path: Path, mode: str, rows: int = 2000) -> None:
    """Two tables of about 6 MB each, in the journal mode asked for."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode = {mode}")
    conn.execute("CREATE TABLE a (i INTEGER PRIMARY KEY, pad BLOB)")
    conn.execute("CREATE TABLE b (i INTEGER PRIMARY KEY, pad BLOB)")
    conn.execute("BEGIN")
    for table in ("a", "b"):
        conn.executemany(
            f"INSERT INTO {table} VALUES (?, randomblob(3000))", [(i,) for i in range(1, rows + 1)]
        )
    conn.execute("COMMIT")
    conn.close()


def newest_row(path: Path) -> int:
    conn = sqlite3.connect(path, timeout=60)
    try:
        return int(conn.execute("SELECT max(i) FROM a").fetchone()[0])
    finally:
        conn.close()


def rows_of(path: str) -> tuple[list[int], list[int]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        a = [r[0] for r in conn.execute("SELECT i FROM a ORDER BY i")]
        b = [r[0] for r in conn.execute("SELECT i FROM b ORDER BY i")]
        return a, b
    finally:
        conn.close()


@pytest.mark.parametrize("mode", MODES)
def test_every_committed_row_is_in_the_copy_or_after_it(tmp_path: Path, mode: str) -> None:
    """A writer process commits all along; each backup holds every row committed before it
    began, none committed after it ended, and both rows of each transaction or neither."""
    db = tmp_path / "app.db"
    database(db, mode)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(stop)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline() == "started\n"
    taken: list[tuple[BackupResult, int, int]] = []
    try:
        while newest_row(db) < 2010:  # the writer is under way
            time.sleep(0.01)
        for _ in range(6):
            before = newest_row(db)
            result = backup(parse_url(str(db)), folder=str(tmp_path / "backups"), keep=10)
            assert result is not None
            taken.append((result, before, newest_row(db)))
    finally:
        stop.touch()
        last = int(writer.communicate(timeout=120)[0].split()[-1])
    assert writer.returncode == 0
    assert last > taken[-1][1]  # it wrote while the backups were taken
    for result, before, after in taken:
        a, b = rows_of(result.backup.path)
        assert a == b  # never half a transaction
        assert a == list(range(1, len(a) + 1))  # no commit missing in between
        assert before <= a[-1] <= after, (before, a[-1], after)
    if mode == "delete":  # the read lock always holds the file still
        assert {r.method.description for r, _, _ in taken} == {FILE_COPY}


@pytest.mark.parametrize("mode", MODES)
def test_a_commit_during_the_file_copy_waits_or_goes_after_it(
    tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer process commits right while the kernel copies the file: in a rollback
    journal it waits for the copy's read lock; in WAL mode it commits at once, into the
    -wal file, which the copy does not read. Either way the copy is the database as it was
    when the copy's transaction began."""
    db = tmp_path / "app.db"
    database(db, mode, rows=100)
    commit = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=60); "
        "c.execute('INSERT INTO a VALUES (1000, 0)'); c.execute('INSERT INTO b VALUES (1000, 0)');"
        "c.commit(); print('committed', flush=True)"
    )
    real = sqlite_copy._copy_bytes
    writers: list[subprocess.Popen[str]] = []

    def copy_while_writing(source: int, temp: str, size: int) -> str:
        writer = subprocess.Popen(
            [sys.executable, "-c", commit, str(db)], stdout=subprocess.PIPE, text=True
        )
        writers.append(writer)
        if mode == "wal":  # nothing keeps a WAL writer waiting
            assert writer.stdout is not None and writer.stdout.readline() == "committed\n"
        else:
            time.sleep(0.5)  # time enough to commit, were it not waiting for the lock
            assert writer.poll() is None
        return real(source, temp, size)

    monkeypatch.setattr(sqlite_copy, "_copy_bytes", copy_while_writing)
    result = backup(parse_url(str(db)), folder=str(tmp_path / "backups"))
    assert result is not None and result.method.description == FILE_COPY
    [writer] = writers
    rest = writer.communicate(timeout=60)[0]  # in WAL mode its line was read already
    assert writer.returncode == 0 and rest == ("" if mode == "wal" else "committed\n")
    assert rows_of(result.backup.path) == (list(range(1, 101)), list(range(1, 101)))
    assert newest_row(db) == 1000


def test_a_wal_reader_with_an_older_snapshot_means_the_backup_api(tmp_path: Path) -> None:
    """A reader that holds an older snapshot keeps the checkpoint from copying every frame:
    the file alone is not the database then, and the backup API copies it, committed frames
    of the WAL included."""
    db = tmp_path / "app.db"
    database(db, "wal", rows=10)
    reader = sqlite3.connect(db, isolation_level=None)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM a").fetchone()  # its snapshot: 10 rows
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("INSERT INTO a VALUES (11, 0)")
        writer.execute("INSERT INTO b VALUES (11, 0)")
        result = backup(parse_url(str(db)), folder=str(tmp_path / "backups"))
    finally:
        reader.execute("ROLLBACK")
        reader.close()
        writer.close()
    assert result is not None and result.method.description == BACKUP_API
    assert rows_of(result.backup.path) == (list(range(1, 12)), list(range(1, 12)))


def test_a_wal_database_with_frames_to_copy_is_checkpointed_and_copied_whole(
    tmp_path: Path,
) -> None:
    db = tmp_path / "app.db"
    database(db, "wal", rows=10)
    app = sqlite3.connect(db, isolation_level=None)  # open: its WAL stays
    try:
        app.execute("PRAGMA wal_autocheckpoint = 0")
        app.execute("INSERT INTO a VALUES (11, 0)")
        app.execute("INSERT INTO b VALUES (11, 0)")
        assert (tmp_path / "app.db-wal").stat().st_size > 0
        result = backup(parse_url(str(db)), folder=str(tmp_path / "backups"))
    finally:
        app.close()
    assert result is not None and result.method.description == FILE_COPY
    assert rows_of(result.backup.path) == (list(range(1, 12)), list(range(1, 12)))


@pytest.mark.parametrize("mode", MODES)
def test_the_write_lock_this_process_holds_survives_a_file_copy(tmp_path: Path, mode: str) -> None:
    """A pre-push backup runs while the push, in this process, holds the write lock: POSIX
    locks belong to the process and closing any descriptor of the file releases them, so
    the copy must not open and close the database file itself."""
    db = tmp_path / "app.db"
    database(db, mode, rows=10)
    push = sqlite3.connect(db, isolation_level=None)
    push.execute("BEGIN IMMEDIATE")
    try:
        result = backup(parse_url(str(db)), folder=str(tmp_path / "backups"))
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0, "
                "isolation_level=None); c.execute('BEGIN IMMEDIATE')",
                str(db),
            ],
            capture_output=True,
            text=True,
        )
    finally:
        push.execute("ROLLBACK")
        push.close()
    assert result is not None and result.method.description == FILE_COPY
    assert other.returncode != 0 and "database is locked" in other.stderr, other.stderr


def test_without_the_files_descriptor_the_backup_api_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "app.db"
    database(db, "delete", rows=10)
    monkeypatch.setattr(sqlite_copy, "database_descriptor", lambda path: None)
    result = backup(parse_url(str(db)), folder=str(tmp_path / "backups"))
    assert result is not None and result.method.description == BACKUP_API
    assert rows_of(result.backup.path) == (list(range(1, 11)), list(range(1, 11)))
