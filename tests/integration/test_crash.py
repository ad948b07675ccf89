"""Crash safety: `trueup push` killed with SIGKILL at random moments never leaves a broken
or half-changed database.

Each trial copies a database holding rows in several tables, starts a real `trueup push`
whose plan rebuilds those tables, and kills it after a random delay: before it starts,
while it plans, in the middle of the rebuild, around the COMMIT, or after it finished. Then
the database must open, pass PRAGMA integrity_check, hold entirely the old schema or
entirely the new one, keep every row and every value of the columns that survive, and a
second push must converge.
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import (
    DIALECT,
    KillWindow,
    inspect_db,
    make_db,
    push_sql,
    schema_from_sql,
    table_rows,
)
from trueup.diff.differ import diff

TRIALS = 100

OLD = """
CREATE TABLE author (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, born TEXT);
CREATE TABLE book (
    id INTEGER PRIMARY KEY,
    author_id INTEGER REFERENCES author (id) ON DELETE CASCADE,
    title TEXT,
    pages TEXT
);
CREATE INDEX book_author ON book (author_id);
CREATE VIEW long_books AS SELECT id, title FROM book WHERE pages > 300;
"""
NEW = """
CREATE TABLE author (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL DEFAULT 'unknown',
    born TEXT
);
CREATE TABLE book (
    id INTEGER PRIMARY KEY,
    author_id INTEGER REFERENCES author (id) ON DELETE CASCADE,
    title TEXT NOT NULL DEFAULT '',
    pages INTEGER,
    isbn TEXT
);
CREATE INDEX book_author ON book (author_id, title);
CREATE VIEW long_books AS SELECT id, title FROM book WHERE pages > 300;
"""


def _seed(path: Path, authors: int = 4000, books: int = 60000) -> None:
    make_db(path, OLD)
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO author (id, name, born) VALUES (?, ?, ?)",
        ((i, None if i % 7 == 0 else f"author {i}", f"19{i % 100:02d}") for i in range(1, authors)),
    )
    conn.executemany(
        "INSERT INTO book VALUES (?, ?, ?, ?)",
        (
            (i, i % authors or None, None if i % 11 == 0 else f"title {i}", str(100 + i % 500))
            for i in range(1, books)
        ),
    )
    conn.commit()
    conn.close()


def _schema_is(path: Path, sql: str) -> bool:
    return diff(inspect_db(path), schema_from_sql(sql, path.parent), DIALECT.hooks) == []


def _kept(before: dict[str, list[dict[str, object]]], path: Path) -> None:
    """Every row is there, with every value of the columns that survive (NULLs in columns
    that became NOT NULL with a default come back as the default)."""
    after = table_rows(path)
    for table, old_rows in before.items():
        new_rows = {r["id"]: r for r in after[table]}
        assert len(new_rows) == len(old_rows), table
        for old in old_rows:
            new = new_rows[old["id"]]
            for column, value in old.items():
                got = new[column]
                if value is None and got in ("unknown", ""):
                    continue  # filled with the new default
                if column == "pages" and isinstance(got, int):
                    assert str(got) == value, (table, column, old["id"])
                    continue
                assert got == value, (table, column, old["id"])


def test_sigkill_at_random_moments_leaves_old_or_new(tmp_path: Path) -> None:
    original = tmp_path / "original.db"
    _seed(original)
    before = table_rows(original)
    (tmp_path / "schema.sql").write_text(NEW)
    command = [sys.executable, "-m", "trueup", "push", "--schema", "schema.sql",
               "--url", "db.sqlite3", "--accept-data-loss", "--no-backup"]  # fmt: skip

    # One full run tells roughly how long a push takes here; the window then follows the
    # machine's pace (see KillWindow).
    shutil.copy(original, tmp_path / "db.sqlite3")
    started = time.perf_counter()
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True)
    full = time.perf_counter() - started
    assert _schema_is(tmp_path / "db.sqlite3", NEW)

    window = KillWindow(random.Random(20261124), full * 1.1)
    outcomes = {"old": 0, "new": 0}
    for trial in range(TRIALS):
        db = tmp_path / "db.sqlite3"
        for leftover in tmp_path.glob("db.sqlite3*"):
            leftover.unlink()
        shutil.copy(original, db)
        proc = subprocess.Popen(
            command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(window.delay())
        proc.send_signal(signal.SIGKILL)
        proc.wait()

        conn = sqlite3.connect(db)  # the first connection rolls a hot journal back
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], trial
        finally:
            conn.close()
        if _schema_is(db, OLD):
            outcome = "old"
            assert table_rows(db) == before, trial
        else:
            assert _schema_is(db, NEW), f"trial {trial}: neither the old nor the new schema"
            outcome = "new"
            _kept(before, db)
        outcomes[outcome] += 1
        window.landed(outcome)
        # Whatever the kill left, the next push converges.
        push_sql(db, NEW, accept_data_loss=True)
        assert _schema_is(db, NEW)
        _kept(before, db)
        assert not any(p.name.endswith("-journal") for p in tmp_path.iterdir()), trial

    # The kills really did land on both sides of the COMMIT.
    assert outcomes["old"] >= 10 and outcomes["new"] >= 10, outcomes
