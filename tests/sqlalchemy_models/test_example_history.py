"""The media server example (examples/sqlalchemy-media): its eight versions pushed one
after the other into one database, on SQLite and on PostgreSQL, with rows in every table.
Each push converges (a diff afterwards finds nothing), keeps every value the change does
not drop (renamed tables and columns keep theirs), and the data steps do their part. The
app's own start-up (trueup.sync) then finds the database in sync, and makes the same
database from nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from tests.postgres.support import Server
from tests.sqlalchemy_models.apps import environ
from tests.sqlalchemy_models.catalogs import sa_url

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sqlalchemy-media"
VERSIONS = range(1, 9)
KEYS = {
    "users": ("id",),
    "libraries": ("id",),
    "media": ("id",),
    "watch_history": ("user_id", "media_id"),
    "playback": ("user_id", "media_id"),
    "genres": ("id",),
    "media_genres": ("media_id", "genre_id"),
    "sessions": ("token",),
}
#: The rows each version's users add (every table has some from the version it comes in).
ROWS = {
    1: [
        "INSERT INTO users (name) VALUES ('alice'), ('bob')",
        "INSERT INTO libraries (name, path) VALUES ('Movies', '/media/movies'), "
        "('Music', '/media/music')",
        "INSERT INTO media (library_id, title, year, duration) VALUES "
        "(1, 'Metropolis', 1927, 153), (1, NULL, 2019, 95), (2, 'Kind of Blue', 1959, 46)",
        "INSERT INTO watch_history (user_id, media_id, position) VALUES (1, 1, 3600), (2, 3, 120)",
    ],
    2: [
        "UPDATE users SET email = 'alice@example.com' WHERE name = 'alice'",
        "UPDATE media SET rating = 8.5 WHERE id = 1",
    ],
    3: [
        "INSERT INTO genres (name) VALUES ('drama'), ('jazz')",
        "INSERT INTO media_genres (media_id, genre_id) VALUES (1, 1), (3, 2)",
    ],
    4: ["INSERT INTO playback (user_id, media_id, position) VALUES (1, 3, 10)"],
    5: ["INSERT INTO media (library_id, title, duration) VALUES (2, 'So What', 562.5)"],
    6: ["INSERT INTO libraries (name, path, kind) VALUES ('Shows', '/media/shows', 'shows')"],
    7: ["UPDATE media SET rating = 7 WHERE id = 3"],
    8: ["INSERT INTO sessions (token, user_id, expires_at) VALUES ('t1', 1, '2030-01-01')"],
}
#: What each version does to the rows there were: renames, and the data steps' work.
RENAMED_TABLES = {4: {"watch_history": "playback"}}
RENAMED_COLUMNS = {4: {("users", "name"): "username"}}


def expected_change(version: int, table: str, column: str, value: Any) -> Any:
    if version == 5 and table == "media" and column == "title" and value is None:
        return "(untitled)"
    return value


Rows = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


class Database:
    def __init__(self, url: str, query: Callable[[str], tuple[list[str], list[Any]]]):
        self.url = url
        self.query = query

    def tables(self) -> list[str]:
        if self.url.startswith("postgresql"):
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
        return sorted(r[0] for r in self.query(sql)[1] if r[0] in KEYS)

    def rows(self) -> Rows:
        out: Rows = {}
        for table in self.tables():
            names, found = self.query(f"SELECT * FROM {table}")
            key = KEYS[table]
            out[table] = {
                tuple(row[names.index(k)] for k in key): dict(zip(names, row, strict=True))
                for row in found
            }
        return out


def sqlite_database(path: Path) -> Database:
    def query(sql: str) -> tuple[list[str], list[Any]]:
        conn = sqlite3.connect(path)
        try:
            cursor = conn.execute(sql)
            rows = cursor.fetchall()
            conn.commit()
            return [d[0] for d in cursor.description or ()], rows
        finally:
            conn.close()

    return Database(str(path), query)


def postgres_database(url: str) -> Database:
    def query(sql: str) -> tuple[list[str], list[Any]]:
        with psycopg.connect(url, autocommit=True) as conn:
            cursor = conn.execute(sql.encode())
            if cursor.description is None:
                return [], []
            return [d.name for d in cursor.description], cursor.fetchall()

    return Database(url, query)


def trueup(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trueup", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=environ(),
        timeout=300,
    )


def kept(before: Rows, after: Rows, version: int) -> None:
    """Every value of ``before`` is in ``after``, under its new names, unless the
    version dropped its column (or changed it on purpose: :func:`expected_change`)."""
    tables = RENAMED_TABLES.get(version, {})
    columns = RENAMED_COLUMNS.get(version, {})
    for table, rows in before.items():
        now = after[tables.get(table, table)]
        assert set(now) >= set(rows), table
        for key, row in rows.items():
            for column, value in row.items():
                name = columns.get((table, column), column)
                if name not in now[key]:
                    continue  # dropped by this version
                want = expected_change(version, table, column, value)
                assert now[key][name] == want, (version, table, key, column)


#: The versions whose push rebuilds a table on SQLite (a type, NOT NULL, a foreign key).
REBUILDS = {5: "rebuild table media", 7: "rebuild table media", 8: "rebuild table media"}


def walk(db: Database, folder: Path, url: str) -> None:
    before: Rows = {}
    for version in VERSIONS:
        models = str(EXAMPLE / "history" / f"v{version}" / "models.py")
        done = trueup(folder, "push", "--schema", models, "--url", url, "--accept-data-loss")
        assert done.returncode == 0, (version, done.stdout, done.stderr)
        if db.url.endswith(".db") and version in REBUILDS:
            assert REBUILDS[version] in done.stdout, (version, done.stdout)
        check = trueup(folder, "diff", "--schema", models, "--url", url)
        assert check.returncode == 0, (version, check.stdout, check.stderr)
        after = db.rows()
        kept(before, after, version)
        for sql in ROWS[version]:
            db.query(sql)
        before = db.rows()
        assert all(before[t] for t in db.tables()), f"a table without rows at v{version}"
    libraries = {r["name"]: r["kind"] for r in before["libraries"].values()}
    assert {k: str(v).split(".")[-1] for k, v in libraries.items()} == {
        "Movies": "movies",
        "Music": "music",  # the data step of version 6
        "Shows": "shows",
    }
    assert before["media"][(2,)]["title"] == "(untitled)"  # the data step of version 5
    assert set(before) == {"users", "libraries", "media", "playback", "genres",
                           "media_genres", "sessions"}  # fmt: skip
    assert "email" not in before["users"][(1,)]  # version 7 dropped it


def start_app(folder: Path, url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "media"],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        env=environ(DATABASE_URL=sa_url(url), BACKUP_DIR=str(folder / "backups")),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_app_is_the_last_version() -> None:
    assert (EXAMPLE / "media" / "models.py").read_text() == (
        EXAMPLE / "history" / "v8" / "models.py"
    ).read_text()


def test_every_version_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "media.db"
    walk(sqlite_database(path), tmp_path, str(path))
    assert start_app(tmp_path, str(path)) == "Serving 4 media.\n"
    fresh = tmp_path / "fresh.db"
    assert "Schema updated" in start_app(tmp_path, str(fresh))
    models = str(EXAMPLE / "media" / "models.py")
    assert trueup(tmp_path, "diff", "--schema", models, "--url", str(fresh)).returncode == 0


def test_every_version_on_postgresql(tmp_path: Path, pg_server: Server) -> None:
    walked, fresh = pg_server.create_database(), pg_server.create_database()
    try:
        walk(postgres_database(walked.url), tmp_path, walked.url)
        assert start_app(tmp_path, walked.url) == "Serving 4 media.\n"
        assert "Schema updated" in start_app(tmp_path, fresh.url)
        models = str(EXAMPLE / "media" / "models.py")
        assert trueup(tmp_path, "diff", "--schema", models, "--url", fresh.url).returncode == 0
    finally:
        pg_server.drop_database(walked)
        pg_server.drop_database(fresh)
