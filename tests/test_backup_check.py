"""The check of a SQLite backup at each level: the full check split across threads
(quick_check plus integrity_check(T) per table) refuses every damage the whole-database
PRAGMA integrity_check finds; the quick check (the default) refuses every damage
quick_check finds, and lets through what it does not look at (index content, UNIQUE), as
the docs say; a backup nothing checked (--verify none) never counts as a good one. Also
a lock held past the timeout, and Ctrl-C during a check."""

from __future__ import annotations

import os
import signal
import sqlite3
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from trueup.backup import BackupError, backup
from trueup.backup.records import read_record
from trueup.engines.sqlite import backup_check as sqlite_check
from trueup.urls import parse_url

TABLES = (
    "CREATE TABLE t1 (a, b); CREATE INDEX t1_a ON t1 (a);"
    "CREATE TABLE t2 (a, b); CREATE INDEX t2_a ON t2 (a);"
)


def two_tables(path: Path, journal_mode: str = "delete") -> None:
    """Two tables of the same size, each with an index: a database the check splits."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    conn.executescript(TABLES)
    for table in ("t1", "t2"):
        conn.executemany(f"INSERT INTO {table} VALUES (?, ?)", [(i % 50, i) for i in range(300)])
    conn.commit()
    conn.close()


def rewrite_schema(path: Path, sql: str) -> None:
    """Change what the schema says without changing the b-trees: SQLite reads the file as
    before, and only the integrity check tells."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(sql)
    conn.commit()
    conn.close()


def set_header(path: Path, offset: int, change: Callable[[int], int]) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        (value,) = struct.unpack(">I", f.read(4))
        f.seek(offset)
        f.write(struct.pack(">I", change(value)))


def bad_index(path: Path) -> None:
    rewrite_schema(
        path, "UPDATE sqlite_schema SET sql = 'CREATE INDEX t1_a ON t1 (b)' WHERE name = 't1_a'"
    )


def not_unique(path: Path) -> None:
    rewrite_schema(
        path,
        "UPDATE sqlite_schema SET sql = 'CREATE UNIQUE INDEX t1_a ON t1 (a)' WHERE name = 't1_a'",
    )


def null_in_not_null(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO t2 VALUES (NULL, 1)")
    conn.commit()
    conn.close()
    rewrite_schema(
        path, "UPDATE sqlite_schema SET sql = 'CREATE TABLE t2 (a NOT NULL, b)' WHERE name = 't2'"
    )


def page_never_used(path: Path) -> None:
    """One more page that no b-tree and no freelist holds: only the whole-file page
    accounting (quick_check's part of the split) sees it."""
    with open(path, "ab") as f:
        f.write(b"\0" * 4096)
    set_header(path, 28, lambda pages: pages + 1)  # the database's size in pages


def freelist_miscounted(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE big (x)")
    conn.execute("INSERT INTO big VALUES (zeroblob(20000))")
    conn.commit()
    conn.execute("DROP TABLE big")  # its pages go to the freelist
    conn.commit()
    conn.close()
    set_header(path, 36, lambda free: free + 1)  # the freelist's page count


DAMAGE = {
    "bad-index": (bad_index, "missing from index t1_a"),
    "not-unique": (not_unique, "non-unique entry in index t1_a"),
    "null-in-not-null": (null_in_not_null, "NULL value in t2.a"),
    "page-never-used": (page_never_used, "is never used"),
    "freelist-miscounted": (freelist_miscounted, "freelist"),
}
#: The checks that find each damage: quick_check leaves out index content and UNIQUE.
FOUND_BY = {
    "bad-index": ("full",),
    "not-unique": ("full",),
    "null-in-not-null": ("quick", "full"),
    "page-never-used": ("quick", "full"),
    "freelist-miscounted": ("quick", "full"),
}


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Split every check across two threads, however small the database and however many
    CPUs there are; the list records the pragmas that ran."""
    ran: list[str] = []
    real = sqlite_check._problems

    def spy(conn: sqlite3.Connection, pragma: str) -> list[str]:
        ran.append(pragma)
        return real(conn, pragma)

    monkeypatch.setattr(sqlite_check, "_SPLIT_MIN_WORK", 0)
    monkeypatch.setattr(sqlite_check, "usable_cpus", lambda: 2)
    monkeypatch.setattr(sqlite_check, "_problems", spy)
    return ran


def whole_check(path: Path) -> list[str]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


# --- the split check -----------------------------------------------------------------------


def test_a_sound_database_passes_the_split_check(tmp_path: Path, split: list[str]) -> None:
    two_tables(tmp_path / "app.db")
    assert sqlite_check.file_problems(str(tmp_path / "app.db")) == []
    assert sorted(split) == sorted(
        [
            "PRAGMA quick_check",
            'PRAGMA integrity_check("t1")',
            'PRAGMA integrity_check("t2")',
            'PRAGMA integrity_check("sqlite_schema")',
        ]
    )


def damaged(tmp_path: Path, damage: str) -> tuple[Path, str]:
    """A two-table database with this damage, and what the check says of it."""
    db = tmp_path / "app.db"
    two_tables(db)
    make, message = DAMAGE[damage]
    make(db)
    return db, message


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_the_split_check_finds_what_the_whole_check_finds(
    tmp_path: Path, split: list[str], damage: str
) -> None:
    db, message = damaged(tmp_path, damage)
    whole = whole_check(db)
    assert whole != ["ok"] and any(message in p for p in whole), whole
    found = sqlite_check.file_problems(str(db))
    assert "PRAGMA integrity_check" not in split  # it was split
    assert set(whole) <= set(found)


@pytest.mark.parametrize(
    ("damage", "level"), [(d, level) for d in DAMAGE for level in FOUND_BY[d]], ids=str
)
def test_a_damaged_copy_is_refused_by_its_check(
    tmp_path: Path, split: list[str], damage: str, level: str
) -> None:
    db, message = damaged(tmp_path, damage)
    folder = tmp_path / "backups"
    with pytest.raises(BackupError, match="is damaged") as caught:
        backup(parse_url(str(db)), folder=str(folder), verify=level)
    assert message in str(caught.value)
    assert "PRAGMA quick_check" in split  # the quick check, or the split full one
    assert ('PRAGMA integrity_check("t1")' in split) == (level == "full")
    assert not folder.exists() or os.listdir(folder) == []  # no backup, no temporary file


@pytest.mark.parametrize("damage", [d for d in DAMAGE if "quick" not in FOUND_BY[d]])
def test_what_the_quick_check_does_not_look_at(tmp_path: Path, damage: str) -> None:
    """The limit docs/backup-recovery.md states: quick_check does not compare indexes with
    their tables, nor look for duplicates in UNIQUE indexes. --verify full does."""
    db, _ = damaged(tmp_path, damage)
    result = backup(parse_url(str(db)), folder=str(tmp_path / "backups"), verify="quick")
    assert result is not None and result.checked == "quick"


def test_a_backup_nothing_checked_never_counts_as_good(tmp_path: Path) -> None:
    """--verify none copies a damaged database as it is; the record says so, and a start
    that looks for the newest good backup passes it by."""
    db, _ = damaged(tmp_path, "page-never-used")
    url, folder = parse_url(str(db)), str(tmp_path / "backups")
    unchecked = backup(url, folder=folder, verify="none")
    assert unchecked is not None and unchecked.checked == "none"
    record = read_record(unchecked.backup.path)
    assert record is not None and not record.good
    with pytest.raises(BackupError, match="is damaged"):  # a copy, checked: not the above
        backup(url, folder=folder, reason="startup", on_change=True)


def test_one_large_table_is_checked_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When one table is nearly all the work, the split would only add quick_check to it."""
    db = tmp_path / "app.db"
    two_tables(db)
    conn = sqlite3.connect(db)
    conn.executemany("INSERT INTO t1 VALUES (?, ?)", [(i, i) for i in range(5000)])
    conn.commit()
    conn.close()
    monkeypatch.setattr(sqlite_check, "_SPLIT_MIN_WORK", 0)
    conn = sqlite3.connect(db)
    try:
        assert sqlite_check._split_plan(conn, 2) is None
        assert sqlite_check._split_plan(conn, 1) is None
    finally:
        conn.close()


def test_a_virtual_table_is_checked_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "app.db"
    two_tables(db)
    conn = sqlite3.connect(db)
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5 (body)")
    conn.commit()
    monkeypatch.setattr(sqlite_check, "_SPLIT_MIN_WORK", 0)
    try:
        assert sqlite_check._split_plan(conn, 2) is None
    finally:
        conn.close()


# --- the copy ----------------------------------------------------------------------------------


def test_a_wal_database_is_copied_with_what_only_its_wal_holds(tmp_path: Path) -> None:
    """Committed rows still in the -wal file are in the backup: the backup API reads them,
    a copy of the database file alone would not have them."""
    db = tmp_path / "app.db"
    two_tables(db, "wal")
    app = sqlite3.connect(db)  # stays open, so closing it does not checkpoint the WAL
    try:
        app.execute("PRAGMA wal_autocheckpoint = 0")
        app.execute("INSERT INTO t1 VALUES ('only in the wal', 0)")
        app.commit()
        result = backup(parse_url(str(db)), folder=str(tmp_path / "backups"))
    finally:
        app.close()
    assert result is not None
    copy = sqlite3.connect(result.backup.path)
    try:
        assert copy.execute("SELECT count(*) FROM t1 WHERE a = 'only in the wal'").fetchone()[0]
    finally:
        copy.close()


def test_a_writer_that_keeps_the_lock_fails_the_copy_in_time(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    two_tables(db, "delete")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(BackupError, match="stayed locked"):
            backup(parse_url(str(db)), folder=str(tmp_path / "backups"), timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not (tmp_path / "backups").exists()  # nothing left behind, not even the folder


def test_ctrl_c_stops_the_check_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check runs in threads and the main thread waits on them, so Ctrl-C arrives at
    once and interrupts SQLite: no waiting for a check of many gigabytes to end."""
    two_tables(tmp_path / "app.db")
    # Stands for the check of a large database: a query of some minutes.
    long = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5e9) "
        "SELECT count(*) FROM c"
    )
    monkeypatch.setattr(
        sqlite_check, "_problems", lambda conn, pragma: [str(conn.execute(long).fetchone())]
    )
    # Python's own handler, even where SIGINT is ignored (a job started in the background).
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            sqlite_check.file_problems(str(tmp_path / "app.db"))
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, handler)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("verify", "words"),
    [
        ("quick", "quick check passed"),
        ("full", "integrity check passed"),
        ("none", "not checked (--verify none: a damaged database would be copied as it is"),
    ],
)
def test_the_backup_command_says_which_check_ran(tmp_path: Path, verify: str, words: str) -> None:
    from click.testing import CliRunner

    from trueup.cli import cli

    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    conn.close()
    args = ["backup", "--url", f"file:{db}", "--dir", str(tmp_path / "saved"), "--verify", verify]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert words in done.output
