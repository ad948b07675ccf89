"""Backups of a ~1.2 GB SQLite database, trueup against the sqlite3 shell, and a start
that finds nothing changed against the no-op push alone.

The database has two tables with indexes (1.2 GB of pages in all), in rollback-journal
mode (Prisma's), in the page cache for every tool, each run as its own process,
alternating:

- ``trueup backup`` (the default check, ``PRAGMA quick_check``) against ``sqlite3 DB
  ".backup FILE"``, which checks nothing. trueup copies the file in the kernel inside a read
  transaction, checks the copy through a memory map while a thread fsyncs it, and renames
  it into place; the shell copies through SQLite's online backup API, 100 pages a step, into
  a file with a rollback journal, fsynced at its commit.
- ``trueup backup --verify full`` (``PRAGMA integrity_check``, split across the CPUs when
  the work is spread over several tables; here one table is nearly all of it) against the
  shell's ``.backup`` followed by ``PRAGMA integrity_check`` of the copy, in one process.
- ``trueup start -- true`` on the database unchanged since its last backup (nothing is
  copied) against ``trueup push`` alone, on the same database in sync (and on a database of
  a few pages, to show the cost does not grow with the size).

The breakdown below times trueup's parts in-process.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import TRUEUP, Comparison, Run, alternate, run

#: The tables' size before their indexes: 1.23 GB with them.
TARGET_BYTES = 1_000_000_000
TABLES = """
CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT,
                       created TEXT NOT NULL, notes TEXT);
CREATE TABLE line (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL
                       REFERENCES customer (id), sku TEXT NOT NULL, qty INTEGER,
                       price REAL, payload BLOB);
"""
INDEXES = """
CREATE UNIQUE INDEX customer_email ON customer (email);
CREATE INDEX line_customer ON line (customer_id);
CREATE INDEX line_sku ON line (sku, qty);
"""


def build(path: Path, size: int = TARGET_BYTES) -> None:
    """Orders and their lines: integers, text, reals, a BLOB, and three indexes."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.executescript(TABLES)
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
    conn.executescript(INDEXES)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


def breakdown(db: Path, work: Path) -> str:
    """The parts of trueup's backup, timed in-process: the copy, each check of the copy,
    and the fsync that runs alongside the check (timed here on its own, after them)."""
    from trueup.engines.sqlite.backup import SQLiteBackups
    from trueup.engines.sqlite.backup_check import file_problems
    from trueup.urls import parse_url

    temp = work / "parts.sqlite3"
    temp.unlink(missing_ok=True)
    temp.touch()
    strategy = SQLiteBackups()
    started = time.perf_counter()
    snap = strategy.snapshot(parse_url(str(db)), str(temp), strategy.method(), 60.0)
    copied = time.perf_counter()
    assert file_problems(str(temp), "quick") == []
    quick = time.perf_counter()
    assert file_problems(str(temp), "full") == []
    full = time.perf_counter()
    fd = os.open(temp, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    synced = time.perf_counter()
    temp.unlink()
    return (
        f"trueup backup, in-process: copy ({snap.method.description}) {copied - started:.2f} s, "
        f"quick_check {quick - copied:.2f} s, integrity_check {full - quick:.2f} s, "
        f"fsync {synced - full:.2f} s (in trueup backup it runs during the check)"
    )


def _schema(work: Path) -> Path:
    schema = work / "schema.sql"
    schema.write_text(TABLES + INDEXES)
    return schema


def _start_against_push(db: Path, work: Path, rounds: int, label: str) -> Comparison:
    """``trueup start -- true`` with nothing changed since the last backup, against the
    no-op ``trueup push`` alone."""
    schema = _schema(work)
    push = [*TRUEUP, "push", "--url", str(db), "--schema", str(schema)]
    start = [*TRUEUP, "start", "--url", str(db), "--schema", str(schema), "--", "true"]
    run(push)  # notes the database in sync: the next pushes take the quick way
    first = run(start)  # the backup the next starts find the database unchanged since
    assert "Backup saved" in first.output, first.output
    again = run(start)
    assert "Backup not needed" in again.output, again.output
    a, b = alternate(rounds, lambda: run(start), lambda: run(push))
    assert all("Backup not needed" in r.output for r in a)
    return Comparison(f"start with nothing changed, {label}", a, b, "no-op `trueup push`", "≤ 1.2×")


def compare(rounds: int = 5) -> list[Comparison]:
    work = Path(tempfile.mkdtemp(prefix="trueup-bench-backup-"))
    try:
        db = work / "app.db"
        build(db)
        size = db.stat().st_size / 1e9
        backups = work / "backups"
        copy = work / "copy.db"

        def ours(*flags: str) -> Run:
            shutil.rmtree(backups, ignore_errors=True)
            return run([*TRUEUP, "backup", "--url", str(db), "--dir", str(backups), *flags])

        def theirs(*commands: str) -> Run:
            copy.unlink(missing_ok=True)
            return run(["sqlite3", str(db), f".backup '{copy}'", *commands])

        quick = alternate(rounds, ours, theirs)
        full = alternate(
            3,  # the full checks take minutes
            lambda: ours("--verify", "full"),
            lambda: theirs(f".open '{copy}'", "PRAGMA integrity_check;"),
        )
        shutil.rmtree(backups, ignore_errors=True)
        copy.unlink(missing_ok=True)
        note = breakdown(db, work)
        big = _start_against_push(db, work, 7, f"{size:.2f} GB database")
        small = work / "small.db"
        conn = sqlite3.connect(small)
        conn.executescript(
            TABLES + INDEXES + "INSERT INTO customer VALUES (1, 'a', 'b', 'c', 'd');"
        )
        conn.close()
        tiny = _start_against_push(small, work, 7, f"{small.stat().st_size // 1000} kB database")
        name = f"backup of a {size:.2f} GB SQLite database"
        return [
            Comparison(name, *quick, "sqlite3 .backup", "≤ 1.0×", note),
            Comparison(
                f"{name}, --verify full",
                *full,
                "sqlite3 .backup + PRAGMA integrity_check",
                "≤ 1.2×",
            ),
            big,
            tiny,
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for c in compare():
        print(c.row())
        if c.note:
            print(c.note)
