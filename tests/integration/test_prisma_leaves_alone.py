"""A push from a Prisma schema leaves alone what Prisma cannot declare (views, triggers,
virtual tables, CHECK constraints), as `prisma db push` does: it cannot see them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.helpers import inspect_db
from trueup.push import push
from trueup.sources import load_schema
from trueup.urls import parse_url

PRISMA = """datasource db {
  provider = "sqlite"
  url      = "file:./app.db"
}

model Post {
  id    Int    @id @default(autoincrement())
  title String
  views Int    @default(0)
}
"""

TABLE_WITH_CHECK = """
CREATE TABLE "Post" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" TEXT NOT NULL,
    "views" INTEGER NOT NULL DEFAULT 0 CHECK (views >= 0)
);
"""
HAND_MADE = """
CREATE VIEW popular AS SELECT id, title FROM Post WHERE views > 100;
CREATE TRIGGER post_title AFTER UPDATE OF title ON Post BEGIN SELECT 1; END;
CREATE VIRTUAL TABLE post_search USING fts5 (title);
"""


def test_views_triggers_virtual_tables_and_checks_stay(tmp_path: Path) -> None:
    (tmp_path / "schema.prisma").write_text(PRISMA)
    url = parse_url(str(tmp_path / "app.db"))
    conn = sqlite3.connect(tmp_path / "app.db")
    conn.executescript(TABLE_WITH_CHECK + HAND_MADE)
    conn.commit()
    conn.close()
    before = inspect_db(tmp_path / "app.db")

    # In sync: the hand-made objects are not drift.
    declared = load_schema(str(tmp_path / "schema.prisma"), "sqlite")
    again = push(url, declared)
    assert again.plan.is_empty

    # A change that rebuilds Post keeps the view and the trigger on it, and a CHECK added
    # by hand to the table survives the rebuild.
    (tmp_path / "schema.prisma").write_text(
        PRISMA.replace("views Int    @default(0)", "views BigInt @default(0)")
    )
    changed = push(url, load_schema(str(tmp_path / "schema.prisma"), "sqlite"))
    assert changed.applied
    after = inspect_db(tmp_path / "app.db")
    assert [v.name for v in after.views] == [v.name for v in before.views] == ["popular"]
    assert [t.name for t in after.triggers] == ["post_title"]
    assert [v.name for v in after.virtual_tables] == ["post_search"]
    [post] = after.tables
    assert [c.expression.text for c in post.checks] == ["views >= 0"]
    assert push(url, load_schema(str(tmp_path / "schema.prisma"), "sqlite")).plan.is_empty
