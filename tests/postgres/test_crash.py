"""Crash safety on PostgreSQL: `trueup push` killed with SIGKILL at random moments never
leaves a broken or half-changed database.

Each trial puts back a database holding rows in two tables (the schema ``public`` dropped
and made again from a pristine copy in a schema trueup does not manage), starts a real
`trueup push` whose plan alters both tables (type changes with USING casts,
NOT NULL columns whose NULLs are filled with a default, new and rebuilt indexes, an enum
recreated with a value removed, a view made again) and kills it. A third of the kills land
at a random time over the whole push (start-up, the scratch database, inspection, the
checks, the apply, after the end); the others land just as the push's server backend
starts a statement of the plan chosen at random, or its COMMIT, which the test sees in
``pg_stat_activity``. Uniform times alone would rarely hit the apply: on PostgreSQL it is a
short stretch after a long planning phase.

A killed client leaves its server backend running until the backend finishes its current
statement and reads the closed socket (then it rolls back, or, if COMMIT had arrived,
commits). Each trial therefore waits until no backend is left on the trial's database
before it looks; only if one were still there after 30 s would it be ended with
``pg_terminate_backend`` (a clean-up, counted, and expected never to happen).

Then: the server answers, the database connects, its foreign keys are validated and hold,
no index is invalid, no lock is left behind, the sequences are where they were, the schema
is entirely the old one or entirely the new one, no row is lost and every value survives,
and a second push converges, leaving exactly one entry in the history.

A killed push leaves its scratch database (``trueup_scratch_<pid>_...``, where it read the
declared schema) on the server: nothing of the user's changes, but a leftover the test
drops after each trial.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from tests.helpers import KillWindow
from tests.postgres.support import (
    Server,
    plan_now,
    remaining_diff,
    schema_from_sql,
    with_database,
)
from trueup.model import Schema
from trueup.push import push

TRIALS = 100
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


def test_sigkill_at_random_moments_leaves_old_or_new(pg: Server, tmp_path: Path) -> None:
    pg.execute("CREATE SCHEMA pristine; SET search_path TO pristine;" + OLD + SEED)
    _reset(pg)
    old: Schema = schema_from_sql(pg, OLD)
    new: Schema = schema_from_sql(pg, NEW)
    statements = [*plan_now(pg, new).sql, "COMMIT"]
    order = {sql: i for i, sql in enumerate(statements)}
    with pg.connect() as conn:
        before = _rows(conn)
        sequences = _sequences(conn)
    assert len(before["book"]) > BOOKS * 0.9 and len(sequences) == 2

    (tmp_path / "schema.sql").write_text(NEW)
    command = [sys.executable, "-m", "trueup", "push", "--schema", "schema.sql",
               "--url", pg.url, "--accept-data-loss", "--no-backup"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEUP_")}
    env.pop("DATABASE_URL", None)
    admin = psycopg.connect(with_database(pg.url, "postgres"), autocommit=True)
    rng = random.Random(20261124)
    outcomes = {"old": 0, "new": 0}
    terminated = 0

    def run(trial: int, target: int | None, moment: float | None) -> str:
        """One push, killed ``moment`` s after it started (``target`` None), or ``moment`` s
        after its backend started statement ``target``, or never (both None)."""
        nonlocal terminated
        _reset(pg)
        # Only the push's own backends may be seen (the reset's may linger a moment).
        terminated += _wait_for_backends(admin, pg.name)
        proc = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        if target is not None:
            _kill_at_statement(proc, admin, pg.name, order, target, moment or 0.0)
        elif moment is not None:
            time.sleep(moment)
            proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        assert proc.returncode in (0, -signal.SIGKILL), err.decode()
        terminated += _wait_for_backends(admin, pg.name)
        # A killed push cannot drop its scratch database; the test does (see the module doc).
        for (scratch,) in admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            (f"trueup_scratch_{proc.pid}_%",),
        ).fetchall():
            admin.execute(f'DROP DATABASE "{scratch}" WITH (FORCE)'.encode())

        assert admin.execute("SELECT 1").fetchone() == (1,)  # the server is up
        with pg.connect() as conn:  # the database connects
            _sound(conn, sequences)
            after = _rows(conn)
        if remaining_diff(pg, old) == []:
            outcome = "old"
            assert after == before, f"trial {trial}: rows changed under the old schema"
            assert pg.query("SELECT to_regclass('_trueup_history')") == [(None,)], trial
        else:
            assert remaining_diff(pg, new) == [], f"trial {trial}: neither old nor new schema"
            outcome = "new"
            _kept(before, after)
        # Whatever the kill left, the next push converges and is recorded exactly once.
        push(pg.database_url, new, accept_data_loss=True, lock_timeout=10)
        assert remaining_diff(pg, new) == [], trial
        with pg.connect() as conn:
            _sound(conn, sequences)
            _kept(before, _rows(conn))
            assert conn.execute("SELECT count(*) FROM _trueup_history").fetchone() == (1,)
        return outcome

    try:
        # One full push tells roughly how long a push takes here; the window then follows
        # the machine's pace (see KillWindow).
        started = time.perf_counter()
        assert run(-1, None, None) == "new"
        full = time.perf_counter() - started
        window = KillWindow(rng, full * 1.1)
        for trial in range(TRIALS):
            if rng.random() < AT_RANDOM_TIME:
                outcome = run(trial, None, window.delay())
                outcomes[outcome] += 1
                window.landed(outcome)
            else:
                # Every statement of the plan, and the COMMIT (which decides) more often.
                commit = rng.random() < 0.25
                target = len(statements) - 1 if commit else rng.randrange(len(statements))
                outcomes[run(trial, target, rng.uniform(0.0, 0.03))] += 1
    finally:
        admin.close()

    assert terminated == 0, f"{terminated} backends had to be terminated"
    # The kills really did land on both sides of the COMMIT.
    assert outcomes["old"] >= 10 and outcomes["new"] >= 10, outcomes
