"""The crash trial on PostgreSQL (run by tests/test_crash.py).

The database holds rows in two tables; before each trial the schema ``public`` is dropped
and made again from a pristine copy in a schema trueup does not manage. The push alters
both tables (type changes with USING casts, NOT NULL columns whose NULLs are filled with a
default, new and rebuilt indexes, an enum recreated with a value removed, a view made
again). A third of the kills land at a random time over the whole push (start-up, the
scratch database, inspection, the checks, the apply, after the end); the others land just
as the push's server backend starts a statement of the plan chosen at random, or its
COMMIT, which the trial sees in ``pg_stat_activity``. Uniform times alone would rarely hit
the apply: on PostgreSQL it is a short stretch after a long planning phase.

A killed client leaves its server backend running until the backend finishes its current
statement and reads the closed socket (then it rolls back, or, if COMMIT had arrived,
commits). Each trial therefore waits until no backend is left on the trial's database
before it looks; only if one were still there after 30 s would it be ended with
``pg_terminate_backend`` (a clean-up, counted, and expected never to happen).

Then: the server answers, the database connects, its foreign keys are validated and hold,
no index is invalid, no lock is left behind, the sequences are where they were; a push
that never committed left no history, and the push after a kill leaves exactly one entry
in the history.

A killed push leaves its scratch database (``trueup_scratch_<pid>_...``, where it read the
declared schema) on the server: nothing of the user's changes, but a leftover the trial
drops.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

from tests.helpers import KillWindow
from tests.postgres.support import (
    Server,
    plan_now,
    remaining_diff,
    schema_from_sql,
    with_database,
)

#: Share of the trials killed at a uniform random time rather than at a chosen statement.
AT_RANDOM_TIME = 0.35

OLD = """
CREATE TYPE status AS ENUM ('draft', 'published', 'archived', 'spam');
CREATE TABLE author (id SERIAL PRIMARY KEY, name TEXT, born TEXT);
CREATE TABLE book (
    id SERIAL PRIMARY KEY,
    author_id INTEGER REFERENCES author (id) ON DELETE CASCADE,
    title TEXT,
    pages TEXT,
    status status NOT NULL DEFAULT 'draft'
);
CREATE INDEX book_author ON book (author_id);
CREATE VIEW long_books AS SELECT id, title FROM book WHERE pages::int > 300;
"""
NEW = """
CREATE TYPE status AS ENUM ('draft', 'review', 'published', 'archived');
CREATE TABLE author (id SERIAL PRIMARY KEY, name TEXT NOT NULL DEFAULT 'unknown', born INTEGER);
CREATE TABLE book (
    id SERIAL PRIMARY KEY,
    author_id INTEGER REFERENCES author (id) ON DELETE CASCADE,
    title TEXT NOT NULL DEFAULT '',
    pages INTEGER,
    status status NOT NULL DEFAULT 'draft',
    isbn TEXT
);
CREATE INDEX book_author ON book (author_id, title);
CREATE INDEX book_pages ON book (pages);
CREATE VIEW long_books AS SELECT id, title FROM book WHERE pages > 300;
"""
AUTHORS = 1000
BOOKS = 6000
SEED = f"""
INSERT INTO author (name, born)
SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE 'author ' || i END,
       '19' || lpad((i % 100)::text, 2, '0')
FROM generate_series(1, {AUTHORS}) AS i;
INSERT INTO book (author_id, title, pages, status)
SELECT CASE WHEN i % 13 = 0 THEN NULL ELSE i % {AUTHORS} + 1 END,
       CASE WHEN i % 11 = 0 THEN NULL ELSE 'title ' || i END,
       (100 + i % 500)::text,
       (ARRAY['draft', 'published', 'archived'])[i % 3 + 1]::status
FROM generate_series(1, {BOOKS}) AS i;
-- Gaps in the ids (their books go too), so a sequence is not simply max(id).
DELETE FROM author WHERE id % 97 = 0;
DELETE FROM book WHERE id % 89 = 0;
"""
#: Every row as text, so the old and the new types compare (1907 and '1907').
ROWS = {
    "author": "SELECT id, name, born::text FROM author ORDER BY id",
    "book": "SELECT id, author_id, title, pages::text, status::text FROM book ORDER BY id",
}
#: The columns that became NOT NULL with a default, and that default.
FILLED = {("author", 1): "unknown", ("book", 2): ""}

Rows = dict[str, list[tuple[Any, ...]]]


def _rows(conn: psycopg.Connection[Any]) -> Rows:
    return {table: list(conn.execute(sql).fetchall()) for table, sql in ROWS.items()}


def _kept(before: Rows, after: Rows) -> None:
    """Every row is there, with every value (NULLs of the columns made NOT NULL with a
    default come back as the default)."""
    for table, old_rows in before.items():
        new_rows = after[table]
        assert len(new_rows) == len(old_rows), table
        for old, new in zip(old_rows, new_rows, strict=True):
            for i, (was, got) in enumerate(zip(old, new, strict=True)):
                if was is None and (table, i) in FILLED:
                    assert got == FILLED[(table, i)], (table, old[0], i)
                else:
                    assert got == was, (table, old[0], i)


def _sound(conn: psycopg.Connection[Any], sequences: dict[str, int]) -> None:
    """Constraints hold, nothing half-built or still locked, sequences untouched."""
    unvalidated = conn.execute(
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"
    ).fetchall()
    assert unvalidated == []
    orphans = conn.execute(
        "SELECT count(*) FROM book WHERE author_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM author WHERE author.id = book.author_id)"
    ).fetchone()
    assert orphans == (0,)
    invalid = conn.execute(
        "SELECT indexrelid::regclass::text FROM pg_index "
        "WHERE NOT (indisvalid AND indisready AND indislive)"
    ).fetchall()
    assert invalid == []
    # Autovacuum may be at work on the rows just written; a client must hold nothing.
    locks = conn.execute(
        "SELECT l.locktype, l.mode FROM pg_locks AS l JOIN pg_stat_activity AS a USING (pid) "
        "WHERE l.pid <> pg_backend_pid() AND a.backend_type = 'client backend' "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    ).fetchall()
    assert locks == []
    assert _sequences(conn) == sequences


def _sequences(conn: psycopg.Connection[Any]) -> dict[str, int]:
    found = conn.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
    ).fetchall()
    return {name: value for name, value in found}


def _wait_for_backends(admin: psycopg.Connection[Any], name: str) -> int:
    """Wait until no backend is connected to the database ``name``; return how many had to
    be terminated after 30 s (a clean-up that should never be needed)."""
    sql = (
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'"
    )
    deadline = time.monotonic() + 30
    while admin.execute(sql, (name,)).fetchall():
        if time.monotonic() > deadline:
            ended = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                (name,),
            ).fetchall()
            while admin.execute(sql, (name,)).fetchall():
                time.sleep(0.01)
            return len(ended)
        time.sleep(0.002)
    return 0


def _kill_at_statement(
    proc: subprocess.Popen[bytes],
    admin: psycopg.Connection[Any],
    name: str,
    order: dict[str, int],
    target: int,
    delay: float,
) -> None:
    """Kill ``proc`` ``delay`` seconds after the push's backend on database ``name`` starts
    statement ``target`` of ``order`` (or a later one: a quick statement may come and go
    between two looks), or when the push ends first."""
    sql = "SELECT query FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    while proc.poll() is None:
        running = [order.get(q, -1) for (q,) in admin.execute(sql, (name,)).fetchall()]
        if max(running, default=-1) >= target:
            time.sleep(delay)
            break
        time.sleep(0.0005)
    proc.send_signal(signal.SIGKILL)


def _reset(db: Server) -> None:
    """Put the old schema and the seeded rows back in the schema ``public`` of ``db``, from
    the copy in the schema ``pristine`` (which trueup does not manage, so leaves alone)."""
    db.execute(
        "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; SET search_path TO public;"
        + OLD
        + "INSERT INTO author SELECT * FROM pristine.author;"
        "INSERT INTO book SELECT id, author_id, title, pages, status::text::public.status "
        "FROM pristine.book;"
        "SELECT setval('author_id_seq', last_value) FROM pristine.author_id_seq;"
        "SELECT setval('book_id_seq', last_value) FROM pristine.book_id_seq;"
    )


class PostgresCrash:
    old = OLD
    new = NEW

    def __init__(self, url: str, admin: psycopg.Connection[Any]) -> None:
        self.url = url
        self.pg = Server(url, urlsplit(url).path.lstrip("/"))
        self.admin = admin
        self.terminated = 0
        pg = self.pg
        pg.execute("CREATE SCHEMA pristine; SET search_path TO pristine;" + OLD + SEED)
        _reset(pg)
        self.schemas = {OLD: schema_from_sql(pg, OLD), NEW: schema_from_sql(pg, NEW)}
        self.statements = [*plan_now(pg, self.schemas[NEW]).sql, "COMMIT"]
        self.order = {sql: i for i, sql in enumerate(self.statements)}
        with pg.connect() as conn:
            before = _rows(conn)
            self.sequences = _sequences(conn)
        assert len(before["book"]) > BOOKS * 0.9 and len(self.sequences) == 2

    def reset(self) -> None:
        _reset(self.pg)
        # Only the push's own backends may be seen (the reset's may linger a moment).
        self.terminated += _wait_for_backends(self.admin, self.pg.name)

    def rows(self) -> Rows:
        with self.pg.connect() as conn:
            return _rows(conn)

    def kill(self, proc: subprocess.Popen[bytes], window: KillWindow) -> bool:
        rng = window.rng
        if rng.random() < AT_RANDOM_TIME:
            time.sleep(window.delay())
            proc.send_signal(signal.SIGKILL)
            return True
        # Every statement of the plan, and the COMMIT (which decides) more often.
        commit = rng.random() < 0.25
        statements = len(self.statements)
        target = statements - 1 if commit else rng.randrange(statements)
        delay = rng.uniform(0.0, 0.03)
        _kill_at_statement(proc, self.admin, self.pg.name, self.order, target, delay)
        return False

    def settle(self, proc: subprocess.Popen[bytes]) -> None:
        admin = self.admin
        self.terminated += _wait_for_backends(admin, self.pg.name)
        # A killed push cannot drop its scratch database; the trial does (see the module doc).
        for (scratch,) in admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            (f"trueup_scratch_{proc.pid}_%",),
        ).fetchall():
            admin.execute(f'DROP DATABASE "{scratch}" WITH (FORCE)'.encode())
        assert admin.execute("SELECT 1").fetchone() == (1,)  # the server is up
        with self.pg.connect() as conn:  # the database connects
            _sound(conn, self.sequences)

    def schema_is(self, sql: str) -> bool:
        return remaining_diff(self.pg, self.schemas[sql]) == []

    def kept(self, before: object, after: object) -> None:
        assert isinstance(before, dict) and isinstance(after, dict)
        _kept(before, after)

    def old_is_untouched(self, trial: int) -> None:
        assert self.pg.query("SELECT to_regclass('_trueup_history')") == [(None,)], trial

    def converged(self, trial: int) -> None:
        with self.pg.connect() as conn:
            _sound(conn, self.sequences)
            assert conn.execute("SELECT count(*) FROM _trueup_history").fetchone() == (1,)

    def finish(self) -> None:
        assert self.terminated == 0, f"{self.terminated} backends had to be terminated"


@contextmanager
def crash_subject(url: str, folder: Path) -> Iterator[PostgresCrash]:
    admin = psycopg.connect(with_database(url, "postgres"), autocommit=True)
    try:
        yield PostgresCrash(url, admin)
    finally:
        admin.close()
