"""Backup of a ~1 GB SQLite database: `trueup backup` against the sqlite3 shell's
`.backup FILE`.

The database has two tables with indexes (1 GB of pages in all), in rollback-journal mode,
in the page cache for both tools, each run as its own process, alternating. Both copy it
through SQLite's online backup API: the shell 100 pages a step into a file with a rollback
journal, fsynced at its commit; trueup in one step (one read transaction) into a file
without a journal. trueup then runs PRAGMA integrity_check on the copy (a damaged copy is
never kept as a backup) through a memory map, while a thread fsyncs the copy, and renames
it into place. The check runs whole here: one table is nearly all of the work, and a
table's check cannot be split (on a database of several tables of similar size it is split
across the CPUs: quick_check plus integrity_check per table). The breakdown below times
those parts in-process; the check is nearly all of trueup's time.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import TRUEUP, Comparison, Run, alternate, run

TARGET_BYTES = 1_000_000_000


def build(path: Path, size: int = TARGET_BYTES) -> None:
    """Orders and their lines: integers, text, reals, a BLOB, and three indexes."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.executescript(
        """
        CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT,
                               created TEXT NOT NULL, notes TEXT);
        CREATE TABLE line (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL
                               REFERENCES customer (id), sku TEXT NOT NULL, qty INTEGER,
                               price REAL, payload BLOB);
        """
    )
    # About 250 bytes a line with its index entries; the loop stops near `size`.
    batch = 200_000
    start = 0
    while os.path.getsize(path) < size:
        conn.execute(
            "INSERT INTO customer SELECT value, 'user' || value || '@example.com', "
            "'name ' || value, datetime(1700000000 + value, 'unixepoch'), "
            "hex(randomblob(20)) FROM (WITH RECURSIVE c(value) AS "
            "(SELECT ? UNION ALL SELECT value + 1 FROM c WHERE value < ?) SELECT value FROM c)",
            (start // 10, (start + batch) // 10 - 1),
        )
        conn.execute(
            "INSERT INTO line SELECT value, value / 10, 'SKU-' || (value % 5000), value % 7, "
            "(value % 10000) / 100.0, randomblob(100) FROM (WITH RECURSIVE c(value) AS "
            "(SELECT ? UNION ALL SELECT value + 1 FROM c WHERE value < ?) SELECT value FROM c)",
            (start, start + batch - 1),
        )
        conn.commit()
        start += batch
    conn.executescript(
        """
        CREATE UNIQUE INDEX customer_email ON customer (email);
        CREATE INDEX line_customer ON line (customer_id);
        CREATE INDEX line_sku ON line (sku, qty);
        """
    )
    conn.close()


def breakdown(db: Path, work: Path) -> str:
    """The parts of trueup's backup, timed in-process: the copy, the integrity check, and
    the fsync that runs alongside the check (timed here on its own, after it). Also timed,
    for comparison only: PRAGMA quick_check of the same copy (the b-trees' structure without
    the cross-check of every index entry against its row), which trueup does not use."""
    from trueup.backup.sqlite import SQLiteBackups, _open_copy, file_problems
    from trueup.urls import parse_url

    temp = work / "parts.sqlite3"
    temp.unlink(missing_ok=True)
    temp.touch()
    strategy = SQLiteBackups()
    url = parse_url(str(db))
    started = time.perf_counter()
    strategy.snapshot(url, str(temp), strategy.method(), 60.0)
    copied = time.perf_counter()
    assert file_problems(str(temp)) == []
    checked = time.perf_counter()
    fd = os.open(temp, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    synced = time.perf_counter()
    conn = _open_copy(str(temp))
    try:
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    quick = time.perf_counter()
    temp.unlink()
    return (
        f"trueup backup, in-process: copy {copied - started:.2f} s, "
        f"integrity_check {checked - copied:.2f} s, "
        f"fsync {synced - checked:.2f} s (in trueup backup it runs during the check); "
        f"for comparison, quick_check of the copy {quick - synced:.2f} s"
    )


def compare(rounds: int = 3) -> list[Comparison]:
    work = Path(tempfile.mkdtemp(prefix="trueup-bench-backup-"))
    try:
        db = work / "app.db"
        build(db)
        size = db.stat().st_size / 1e9
        backups = work / "backups"
        copy = work / "copy.db"

        def ours() -> Run:
            shutil.rmtree(backups, ignore_errors=True)
            return run([*TRUEUP, "backup", "--url", str(db), "--dir", str(backups)])

        def theirs() -> Run:
            copy.unlink(missing_ok=True)
            return run(["sqlite3", str(db), f".backup '{copy}'"])

        a, b = alternate(rounds, ours, theirs)
        note = breakdown(db, work)
        return [
            Comparison(
                f"backup of a {size:.2f} GB SQLite database",
                a,
                b,
                "sqlite3 .backup",
                "≤ 1.2×",
                note,
            )
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for c in compare():
        print(c.row())
        print(c.note)
