"""``@default(dbgenerated())`` without SQL: "the database has some default, leave it". As
with Prisma, whatever default the column has is in sync, a rebuild keeps it, and a new
column is made with none."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.postgres.support import Server
from trueup.push import push
from trueup.sources.declared import Source
from trueup.urls import parse_url

SQLITE_SCHEMA = """datasource db {
  provider = "sqlite"
  url      = "file:./app.db"
}

model Item {
  id    Int    @id @default(autoincrement())
  code  Int    @default(dbgenerated())
  label String%s
}
"""


def sqlite_defaults(db: Path) -> dict[str, str | None]:
    conn = sqlite3.connect(db)
    try:
        return {r[1]: r[4] for r in conn.execute("SELECT * FROM pragma_table_info('Item')")}
    finally:
        conn.close()


def test_a_default_the_database_has_is_kept_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.execute(
        'CREATE TABLE "Item" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, '
        '"code" INTEGER NOT NULL DEFAULT 42, "label" TEXT NOT NULL)'
    )
    conn.execute("INSERT INTO \"Item\" (label) VALUES ('a')")
    conn.commit()
    conn.close()
    schema = tmp_path / "schema.prisma"
    url = parse_url(str(db))

    schema.write_text(SQLITE_SCHEMA % "")
    result = push(url, Source(str(schema), "sqlite"))
    assert result.plan.is_empty, result.plan.changes

    # A change that rebuilds the table keeps the default, and a new column gets none.
    schema.write_text(SQLITE_SCHEMA % "?\n  extra Int? @default(dbgenerated())")
    result = push(url, Source(str(schema), "sqlite"))
    assert result.applied
    assert sqlite_defaults(db) == {"id": None, "code": "42", "label": None, "extra": None}
    assert push(url, Source(str(schema), "sqlite"), dry_run=True).plan.is_empty


def test_a_default_the_database_has_is_kept_on_postgres(tmp_path: Path, pg: Server) -> None:
    pg.execute(
        'CREATE TABLE "Item" ("id" SERIAL PRIMARY KEY, "code" INTEGER NOT NULL '
        'DEFAULT (floor(random() * 100))::integer, "label" TEXT NOT NULL)'
    )
    schema = tmp_path / "schema.prisma"
    schema.write_text(
        SQLITE_SCHEMA.replace('provider = "sqlite"', 'provider = "postgresql"').replace(
            'url      = "file:./app.db"', 'url      = env("DATABASE_URL")'
        )
        % ""
    )
    source = Source(str(schema), "postgresql", url=pg.database_url)
    result = push(pg.database_url, source)
    assert result.plan.is_empty, result.plan.changes
    with pg.connect() as conn:
        row = conn.execute(
            "SELECT column_default FROM information_schema.columns "
            "WHERE table_name = 'Item' AND column_name = 'code'"
        ).fetchone()
    assert row is not None and "random()" in str(row[0])
