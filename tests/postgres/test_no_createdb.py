"""A user who owns its database but may not create databases (a common hosted set-up) can
still push: the declared schema is read in a schema of the database itself, inside a
transaction that is rolled back, instead of in a scratch database. Nothing of it is left
behind, and the result is the same as with a scratch database."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.bad_input import trueup
from tests.postgres.support import Server, inspect_db, with_database
from tests.postgres.test_copy import SQLITE_APP, SQLITE_ROWS, sqlite_db

PRISMA = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

enum Role {
  USER
  ADMIN
}

model User {
  id        Int      @id @default(autoincrement())
  email     String   @unique
  role      Role     @default(USER)
  tags      String[]
  createdAt DateTime @default(now())
  posts     Post[]
}

model Post {
  id       Int     @id @default(autoincrement())
  title    String  @db.VarChar(200)
  authorId Int
  author   User    @relation(fields: [authorId], references: [id], onDelete: Cascade)

  @@index([authorId, title])
}
"""

SQL = """
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE owner (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, m mood DEFAULT 'ok');
CREATE TABLE pet (
    id serial PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES owner (id),
    price numeric(8, 2) CHECK (price >= 0)
);
CREATE INDEX pet_lower ON pet (lower(price::text));
"""


def as_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{user}@{host}", parts.path, parts.query, ""))


@pytest.fixture
def owned(pg_server: Server) -> Iterator[tuple[Server, str]]:
    """A database owned by a new role that may log in but not create databases, and the
    URL that connects as that role."""
    role = f"owner_{secrets.token_hex(4)}"
    name = f"owned_{secrets.token_hex(4)}"
    with pg_server.connect() as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN NOCREATEDB NOSUPERUSER'.encode())
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{role}" TEMPLATE template0'.encode())
    db = Server(with_database(pg_server.url, name), name)
    try:
        yield db, as_user(db.url, role)
    finally:
        with pg_server.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
            conn.execute(f'DROP ROLE IF EXISTS "{role}"'.encode())


def _leftovers(pg_server: Server, db: Server) -> list[str]:
    schemas = db.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'trueup_scratch%'")
    databases = pg_server.query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'trueup_scratch%'"
    )
    return [r[0] for r in schemas + databases]


@pytest.mark.parametrize(("file", "text"), [("schema.prisma", PRISMA), ("schema.sql", SQL)])
def test_a_user_without_createdb_pushes_and_converges(
    pg_server: Server, owned: tuple[Server, str], tmp_path: Path, file: str, text: str
) -> None:
    db, url = owned
    (tmp_path / file).write_text(text)
    first = trueup(tmp_path, "push", "--schema", file, "--url", url, "--no-backup")
    assert first.returncode == 0, first.stderr
    assert "now in sync" in first.stdout + first.stderr
    assert _leftovers(pg_server, db) == []
    tables = {t.name for t in inspect_db(db).tables}
    assert tables == ({"User", "Post"} if file.endswith("prisma") else {"owner", "pet"})

    # Read again the same way, the declared schema equals what the push made.
    changed = text.replace("title    String  @db.VarChar(200)", "title    String")
    changed = changed.replace("numeric(8, 2)", "numeric(10, 2)")
    (tmp_path / file).write_text(changed)
    diff = trueup(tmp_path, "diff", "--schema", file, "--url", url)
    assert diff.returncode == 2, diff.stdout + diff.stderr
    assert ("title" in diff.stdout) if file.endswith("prisma") else ("price" in diff.stdout)
    (tmp_path / file).write_text(text)
    again = trueup(tmp_path, "diff", "--schema", file, "--url", url)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _leftovers(pg_server, db) == []


def _refused(tmp_path: Path, url: str, sql: str) -> str:
    """Push ``sql`` as the schema file; it must fail cleanly. What it said."""
    (tmp_path / "schema.sql").write_text(sql)
    result = trueup(tmp_path, "push", "--schema", "schema.sql", "--url", url, "--no-backup")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_a_bad_schema_read_without_createdb_is_reported_and_leaves_nothing(
    pg_server: Server, owned: tuple[Server, str], tmp_path: Path
) -> None:
    db, url = owned
    said = _refused(
        tmp_path,
        url,
        "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (a_id int REFERENCES a (nope));\n",
    )
    assert "schema.sql:2:" in said and "nope" in said
    assert inspect_db(db).tables == ()
    assert _leftovers(pg_server, db) == []


def test_a_schema_naming_its_own_postgres_schemas_needs_createdb(
    pg_server: Server, owned: tuple[Server, str], tmp_path: Path
) -> None:
    db, url = owned
    said = _refused(
        tmp_path, url, "CREATE SCHEMA billing;\nCREATE TABLE billing.invoice (id int);\n"
    )
    assert "makes the PostgreSQL schemas billing" in said and "CREATEDB" in said
    assert db.query("SELECT count(*) FROM pg_namespace WHERE nspname = 'billing'") == [(0,)]
    assert _leftovers(pg_server, db) == []


def test_a_copy_to_a_database_of_a_user_without_createdb(
    pg_server: Server, owned: tuple[Server, str], tmp_path: Path
) -> None:
    # The conversion tries each object under a savepoint of its own, inside the rolled-back
    # transaction that stands in for the scratch database.
    db, url = owned
    sqlite_db(tmp_path / "app.db", SQLITE_APP + SQLITE_ROWS)
    result = trueup(tmp_path, "copy", "--from", "app.db", "--to", url)
    assert result.returncode == 0, result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert "Copied 3 tables, 7 rows" in said
    assert "view active_people: not copied (PostgreSQL: operator does not exist" in said
    assert "people: CHECK (active IN (0, 1)): PostgreSQL refused it" in said
    assert db.query("SELECT count(*) FROM people") == [(3,)]
    assert _leftovers(pg_server, db) == []


def test_a_drop_in_the_schema_file_leaves_the_databases_own_tables_alone(
    pg_server: Server, owned: tuple[Server, str], tmp_path: Path
) -> None:
    # A dump's "DROP TABLE IF EXISTS" names the database's own table before the file makes
    # its own: read in the rolled-back transaction, it drops nothing for good.
    db, url = owned
    (tmp_path / "schema.sql").write_text(SQL)
    first = trueup(tmp_path, "push", "--schema", "schema.sql", "--url", url, "--no-backup")
    assert first.returncode == 0, first.stderr
    db.execute("INSERT INTO owner (name) VALUES ('ann'), ('bob')")
    drops = "DROP TABLE IF EXISTS pet;\nDROP TABLE IF EXISTS owner;\n"
    (tmp_path / "schema.sql").write_text(drops + SQL)
    again = trueup(tmp_path, "push", "--schema", "schema.sql", "--url", url, "--no-backup")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already in sync" in again.stdout + again.stderr
    assert db.query("SELECT name FROM owner ORDER BY id") == [("ann",), ("bob",)]
    assert _leftovers(pg_server, db) == []
