"""Eight `trueup start` and `trueup push` processes at once on one database, on each engine:
exactly one applies the change, all eight exit 0, and none tells the user about a lock.

The test holds the push lock itself while the eight start (SQLite: a write transaction;
PostgreSQL: the push's advisory lock, until all eight are seen waiting for it in
``pg_locks``), so they really do queue behind one another, then lets go. Four are `trueup
start` (backup, push, then the app in its place), four `trueup push`. Afterwards the
history holds exactly one new entry, the database has the new schema with every row, and
no output holds "locked" or a traceback.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from tests.helpers import make_db
from tests.postgres_server import new_database, postgres_server
from trueup.engines.postgres.connection import connection_info
from trueup.engines.postgres.session import lock_key
from trueup.urls import parse_url

__all__ = ["new_database", "postgres_server"]  # fixtures, used by name

PROCESSES = 8
OLD = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, bio TEXT);\n"
NEW = (
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, bio TEXT, age INTEGER);\n"
    "CREATE INDEX users_email ON users (email);\n"
)
ROWS = "INSERT INTO users (id, email, bio) VALUES " + ", ".join(
    f"({i}, 'u{i}@example.com', 'bio {i}')" for i in range(1, 201)
)
APP = "print('app ran')"


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEUP_")}
    env.pop("DATABASE_URL", None)
    return env


def _launch(folder: Path, url: str) -> list[subprocess.Popen[str]]:
    """Four starts and four pushes, interleaved, all with their backups."""
    commands = []
    for i in range(PROCESSES):
        if i % 2 == 0:
            commands.append(["start", "--url", url, "--", sys.executable, "-c", APP])
        else:
            commands.append(["push", "--url", url])
    return [
        subprocess.Popen(
            [sys.executable, "-m", "trueup", *args],
            cwd=folder,
            env=_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]


def _history(folder: Path, url: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "trueup", "history", "--url", url, "--json"],
        cwd=folder,
        env=_environment(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    entries: list[dict[str, Any]] = json.loads(done.stdout)
    return entries


def _all_fine(procs: list[subprocess.Popen[str]]) -> list[str]:
    """Every process exited 0 and said nothing about locks; one says it changed the
    database, the seven others that it was already in sync. Returns what each said."""
    said = []
    for i, proc in enumerate(procs):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, (i, out, err)
        for text in (out, err):
            assert "locked" not in text.lower(), (i, text)
            assert "Traceback" not in text, (i, text)
            assert "Error" not in text, (i, text)
        if i % 2 == 0:
            assert out == "app ran\n", (i, out, err)
        said.append(out + err)
    assert sum("now in sync" in s for s in said) == 1, said
    assert sum("already in sync" in s for s in said) == PROCESSES - 1, said
    return said


def test_eight_at_once_on_sqlite(tmp_path: Path) -> None:
    make_db(tmp_path / "app.db", OLD, ROWS)
    (tmp_path / "schema.sql").write_text(NEW)
    assert _history(tmp_path, "app.db") == []
    holder = sqlite3.connect(tmp_path / "app.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock every push needs first
    try:
        procs = _launch(tmp_path, "app.db")
        for proc in procs[::2]:  # the starts say so just before they push
            assert proc.stderr is not None
            assert proc.stderr.readline().startswith("trueup start:")
        time.sleep(0.5)  # the pushes are past their start-up by now, or queue later
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    said = _all_fine(procs)
    [entry] = _history(tmp_path, "app.db")
    assert entry["kind"] == "push" and entry["statements"] == 2
    conn = sqlite3.connect(tmp_path / "app.db")
    try:
        assert [r[1] for r in conn.execute("PRAGMA table_info(users)")][-1] == "age"
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (200,)
    finally:
        conn.close()
    backups = _backups(tmp_path)
    # One start after the change copies the database; the others find it unchanged since
    # that copy, and take none (on-change, the default).
    assert sum(".startup." in b for b in backups) == 1, backups
    assert sum(".pre-push." in b for b in backups) <= 1, backups
    starts = said[::2]
    assert all(("Backup saved" in s) != ("Backup not needed" in s) for s in starts), starts


def _backups(folder: Path) -> list[str]:
    """The backups (not their hidden records)."""
    return sorted(n for n in os.listdir(folder / "backups") if not n.startswith("."))


def test_eight_at_once_on_postgresql(tmp_path: Path, new_database: str) -> None:
    dsn, _ = connection_info(parse_url(new_database))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute((OLD + ROWS).encode())
    (tmp_path / "schema.sql").write_text(NEW)
    assert _history(tmp_path, new_database) == []
    holder = psycopg.connect(dsn, autocommit=True)
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", (lock_key("public"),))
        procs = _launch(tmp_path, new_database)
        waiting = (
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        deadline = time.monotonic() + 120
        while holder.execute(waiting).fetchone() != (PROCESSES,):
            assert time.monotonic() < deadline, "the eight never all waited for the lock"
            assert all(p.poll() is None for p in procs), "one ended before the lock was free"
            time.sleep(0.02)
    finally:
        holder.close()  # lets go of the lock
    said = _all_fine(procs)
    [entry] = _history(tmp_path, new_database)
    assert entry["kind"] == "push"
    with psycopg.connect(dsn, autocommit=True) as conn:
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' "
            "ORDER BY ordinal_position"
        ).fetchall()
        assert columns[-1] == ("age",)
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (200,)
        assert conn.execute("SELECT count(*) FROM pg_index WHERE NOT indisvalid").fetchone() == (0,)
    backups = _backups(tmp_path)
    # No sound test says a PostgreSQL database is unchanged: every start copies, for the
    # record or (the one that changes the database, if a start does) before its change.
    changed_by_a_start = any("now in sync" in s for s in said[::2])
    assert sum(".startup." in b for b in backups) == PROCESSES // 2 - changed_by_a_start
    assert sum(".pre-push." in b for b in backups) <= 1, backups
