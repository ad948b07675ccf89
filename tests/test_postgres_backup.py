"""PostgreSQL: exact export and import, SQLite to PostgreSQL and back, pg_dump backups and
their JSON fallback, exact restores. Against a real server (tests/postgres_server.py)."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result

from tests.helpers import make_db
from tests.postgres_server import another_database, new_database, postgres_server
from trueup.cli import cli
from trueup.engines.postgres.connection import connection_info
from trueup.urls import parse_url

__all__ = ["another_database", "new_database", "postgres_server"]  # fixtures, used by name

ROOT = Path(__file__).resolve().parent.parent
PG_SCHEMA = """
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE owners (id SERIAL PRIMARY KEY, name TEXT NOT NULL,
                     boss_id INTEGER REFERENCES owners (id));
CREATE TABLE things (
    id BIGSERIAL PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, f REAL, n NUMERIC(30, 10),
    t TEXT, b BYTEA, ok BOOLEAN, at TIMESTAMPTZ(6), d DATE, doc JSONB, j JSON, u UUID,
    tags TEXT[], m mood, iv INTERVAL, owner_id INTEGER REFERENCES owners (id),
    twice BIGINT GENERATED ALWAYS AS (i * 2) STORED
);
CREATE TABLE nokey (x TEXT, y JSON);
"""
PG_ROWS = """
INSERT INTO owners (name) VALUES ('root'), ('kid');
UPDATE owners SET boss_id = 1 WHERE id = 2;
INSERT INTO things (i, r, f, n, t, b, ok, at, d, doc, j, u, tags, m, iv, owner_id) VALUES
 (4611686018427387903, 0.1, 0.1, 12345678901234567890.0123456789, 'ünï 😀', '\\x00ff',
  true, '2024-02-29 23:59:59.123456+00', '2024-02-29', '{"a": [1, 2.0]}', '{"b" : 1}',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{x,"y z"}', 'sad', '1 day 02:03:04.5', 2),
 (-4611686018427387904, 'Infinity', 'NaN', 'NaN', '', '', false, NULL, NULL, NULL, NULL,
  NULL, '{}', NULL, NULL, NULL),
 (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL);
SELECT setval('things_id_seq', 50);
INSERT INTO nokey VALUES ('b', '[1]'), ('a', NULL);
"""
MEDIA_PG = """
CREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE libraries (id SERIAL PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL UNIQUE);
CREATE TABLE media (
    id SERIAL PRIMARY KEY,
    library_id INTEGER NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
    title TEXT, year INTEGER, duration INTEGER,
    added_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE watch_history (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    watched_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id, media_id)
);
"""
MEDIA_TABLES = ("users", "libraries", "media", "watch_history")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_server: str) -> Path:
    monkeypatch.chdir(tmp_path)
    # A PostgreSQL schema file is read in a scratch database on this server.
    monkeypatch.setenv("TRUEUP_SCRATCH_URL", postgres_server)
    return tmp_path


def sql(url: str, script: str) -> list[tuple[Any, ...]]:
    dsn, _ = connection_info(parse_url(url))
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(script.encode())
        return cur.fetchall() if cur.description else []


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.output


def sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in MEDIA_TABLES
        }
    finally:
        conn.close()


# --- export and import -----------------------------------------------------------------------


def test_postgres_round_trip_is_exact(
    project: Path, new_database: str, another_database: str
) -> None:
    sql(new_database, PG_SCHEMA + PG_ROWS)
    ok("export", "--url", new_database, "-o", "a.jsonl")
    text = (project / "a.jsonl").read_text(encoding="utf-8")
    assert '"12345678901234567890.0123456789"' in text  # numeric as text, every digit
    assert '"2024-02-29 23:59:59.123456+00"' in text
    assert '{"$real":"Infinity"}' in text and '{"$real":"NaN"}' in text
    assert '{"$blob":"AP8="}' in text and ",true," in text
    assert '"{\\"b\\" : 1}"' in text  # json kept as written; jsonb as PostgreSQL keeps it
    records = [json.loads(line) for line in text.splitlines() if line.startswith('{"table"')]
    assert {r["table"]: r.get("sequence") for r in records} == {
        "nokey": None,
        "owners": 2,
        "things": 50,
    }
    assert "twice" not in records[2]["columns"]
    out = ok("import", "a.jsonl", "--url", another_database)
    assert "created the schema from the file" in out
    ok("export", "--url", another_database, "-o", "b.jsonl")
    assert (project / "a.jsonl").read_bytes() == (project / "b.jsonl").read_bytes()
    # The counter came along: the next id is 51.
    assert sql(another_database, "INSERT INTO things (i) VALUES (1) RETURNING id") == [(51,)]


def test_sqlite_to_postgres_and_back(project: Path, new_database: str) -> None:
    example = ROOT / "examples" / "mediaserver"
    ok("push", "--schema", str(example / "schema.sql"), "--url", "media.db")
    conn = sqlite3.connect(project / "media.db")
    conn.executescript((example / "seed.sql").read_text())
    conn.close()
    ok("export", "--url", "media.db", "-o", "sqlite.jsonl")

    # Into PostgreSQL: the schema is pushed first, then the rows go into it.
    (project / "media-pg.sql").write_text(MEDIA_PG)
    ok("push", "--schema", "media-pg.sql", "--url", new_database, "--no-backup")
    out = ok("import", "sqlite.jsonl", "--url", new_database)
    assert "into the existing schema" in out
    # Sequences are past the ids that came in.
    assert sql(new_database, "INSERT INTO libraries (name, path) VALUES ('x', '/x') RETURNING id")
    assert sql(new_database, "SELECT max(id) FROM libraries") == [(3,)]
    sql(new_database, "DELETE FROM libraries WHERE id = 3")

    # And back into SQLite: the same rows as at the start.
    ok("export", "--url", new_database, "-o", "pg.jsonl")
    ok("push", "--schema", str(example / "schema.sql"), "--url", "back.db")
    ok("import", "pg.jsonl", "--url", "back.db")
    assert sqlite_rows(project / "back.db") == sqlite_rows(project / "media.db")


def test_another_engines_export_needs_the_tables(project: Path, new_database: str) -> None:
    make_db(project / "a.db", "CREATE TABLE t (x INTEGER);", "INSERT INTO t VALUES (1);")
    ok("export", "--url", "a.db", "-o", "a.jsonl")
    result = invoke("import", "a.jsonl", "--url", new_database)
    assert result.exit_code == 1
    assert "has no table t" in result.output and "Push the schema" in result.output


# --- backups ---------------------------------------------------------------------------------


def test_pg_dump_backup_and_exact_restore(project: Path, new_database: str) -> None:
    sql(new_database, PG_SCHEMA + PG_ROWS)
    ok("export", "--url", new_database, "-o", "before.jsonl")
    out = ok("backup", "--url", new_database)
    assert "pg_dump custom format" in out
    [backup] = list((project / "backups").glob("[!.]*"))
    assert backup.name.endswith(".manual.dump") and backup.stat().st_mode & 0o777 == 0o600

    sql(
        new_database,
        "DELETE FROM things; CREATE TABLE extra (x INT); INSERT INTO nokey VALUES ('c', NULL);",
    )
    out = ok("restore", str(backup), "--url", new_database, "--yes")
    assert ".pre-restore.dump" in out
    ok("export", "--url", new_database, "-o", "after.jsonl")
    # Exactly the backup: rows back, and the table made after it gone.
    assert (project / "after.jsonl").read_bytes() == (project / "before.jsonl").read_bytes()
    assert "backups" in ok("backups", "--url", new_database).lower()


def test_json_backup_when_pg_dump_is_missing(
    project: Path, new_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql(new_database, PG_SCHEMA + PG_ROWS)
    ok("export", "--url", new_database, "-o", "before.jsonl")
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no pg_dump, no psql
    out = ok("backup", "--url", new_database)
    assert "trueup JSON export (pg_dump is not on PATH)" in out
    [backup] = list((project / "backups").glob("[!.]*"))
    assert backup.name.endswith(".manual.jsonl")

    sql(new_database, "DELETE FROM nokey; CREATE TABLE extra (x INT);")
    ok("restore", str(backup), "--url", new_database, "--yes")
    ok("export", "--url", new_database, "-o", "after.jsonl")
    assert (project / "after.jsonl").read_bytes() == (project / "before.jsonl").read_bytes()


def test_a_push_to_postgres_backs_up_only_when_it_changes_something(
    project: Path, new_database: str
) -> None:
    (project / "schema.sql").write_text("CREATE TABLE t (id SERIAL PRIMARY KEY, a TEXT);\n")
    out = ok("push", "--url", new_database)  # a new, empty database: nothing to save
    assert "Backup saved" not in out
    out = ok("push", "--url", new_database)
    assert "already in sync" in out and "Backup saved" not in out
    sql(new_database, "INSERT INTO t (a) VALUES ('kept')")
    (project / "schema.sql").write_text("CREATE TABLE t (id SERIAL PRIMARY KEY, a TEXT, b INT);\n")
    out = ok("push", "--url", new_database)
    assert "Backup saved:" in out and ".pre-push.dump" in out


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: make_db(p, "CREATE TABLE t (x);"), "is a SQLite database"),
        (lambda p: p.write_bytes(b"PGDMP" + b"\x00" * 40), "failed"),
        (lambda p: p.write_text('{"format":"trueup-export","version":1}\n'), "is damaged"),
        (lambda p: p.write_text("hello\n"), "not a backup"),
    ],
    ids=["sqlite", "broken-dump", "broken-export", "text"],
)
def test_restore_refuses_foreign_and_damaged_files(
    project: Path, new_database: str, make: Any, message: str
) -> None:
    sql(new_database, PG_SCHEMA + PG_ROWS)
    ok("export", "--url", new_database, "-o", "before.jsonl")
    make(project / "bad.file")
    result = invoke("restore", "bad.file", "--url", new_database, "--yes")
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert not (project / "backups").exists()
    ok("export", "--url", new_database, "-o", "after.jsonl")
    assert (project / "after.jsonl").read_bytes() == (project / "before.jsonl").read_bytes()


def test_the_full_check_reads_every_data_block_of_a_dump(project: Path, new_database: str) -> None:
    """The quick check reads a dump's table of contents; the full one (and a restore) reads
    every data block too, and finds a dump cut short in its data."""
    from trueup.backup import BackupError
    from trueup.engines.postgres.backup import PostgresBackups

    sql(
        new_database,
        PG_SCHEMA + PG_ROWS + "INSERT INTO nokey SELECT md5(g::text), NULL "
        "FROM generate_series(1, 20000) g;",
    )
    ok("backup", "--url", new_database, "--verify", "full")
    [backup] = list((project / "backups").glob("[!.]*"))
    cut = project / "cut.dump"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size - 2000])
    strategy = PostgresBackups()
    assert strategy.check(str(cut), "pg_dump", "quick") == "pg_dump"
    with pytest.raises(BackupError, match="failed"):
        strategy.check(str(cut), "pg_dump", "full")


def test_postgres_is_backed_up_at_every_start_even_unchanged(
    project: Path, new_database: str
) -> None:
    """No sound and cheap test says a PostgreSQL database is unchanged: on-change copies."""
    from trueup.backup import backup

    sql(new_database, PG_SCHEMA + PG_ROWS)
    url = parse_url(new_database)
    first = backup(url, reason="startup", on_change=True, compress=True)
    second = backup(url, reason="startup", on_change=True)
    assert first is not None and second is not None and not second.reused
    assert first.backup.name.endswith(".dump")  # pg_dump's archive is compressed already
    assert first.backup.path != second.backup.path


def test_a_compressed_json_backup_restores(
    project: Path, new_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql(new_database, PG_SCHEMA + PG_ROWS)
    ok("export", "--url", new_database, "-o", "before.jsonl")
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no pg_dump, no psql
    ok("backup", "--url", new_database, "--compress")
    [backup] = list((project / "backups").glob("[!.]*"))
    assert backup.name.endswith(".manual.jsonl.gz")
    sql(new_database, "DELETE FROM nokey;")
    ok("restore", str(backup), "--url", new_database, "--yes")
    ok("export", "--url", new_database, "-o", "after.jsonl")
    assert (project / "after.jsonl").read_bytes() == (project / "before.jsonl").read_bytes()
