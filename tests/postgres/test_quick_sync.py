"""The quick way on PostgreSQL: a push from the same source on a database the last push (or
the last in-sync check) left as it is knows it is in sync from one catalog digest, without
reading either schema; any change made by hand since makes it take the long way and undo
the change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postgres.support import DIALECT, Server
from trueup.history import entries
from trueup.push import push
from trueup.sources.declared import Source

SCHEMA = """
CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE TABLE author (
    id serial PRIMARY KEY,
    name varchar(40) NOT NULL DEFAULT 'anon',
    mood mood
);
CREATE TABLE book (
    id integer PRIMARY KEY REFERENCES author (id) ON DELETE CASCADE,
    title text CHECK (title <> ''),
    pages integer
);
CREATE INDEX author_lower_name ON author (lower(name)) WHERE id > 10;
CREATE UNIQUE INDEX book_title ON book (title);
COMMENT ON TABLE book IS 'books';
CREATE VIEW author_names AS SELECT id, name FROM author;
"""

#: Changes made by hand behind trueup's back, each one the inspector can see.
BY_HAND = {
    "default": "ALTER TABLE author ALTER COLUMN name SET DEFAULT 'someone'",
    "not null": "ALTER TABLE book ALTER COLUMN pages SET NOT NULL",
    "nullable": "ALTER TABLE author ALTER COLUMN name DROP NOT NULL",
    "type": "ALTER TABLE book ALTER COLUMN pages TYPE bigint",
    "new column": "ALTER TABLE book ADD COLUMN isbn text",
    "dropped column": "ALTER TABLE book DROP COLUMN pages",
    "renamed column": "ALTER TABLE book RENAME COLUMN pages TO page_count",
    "table comment": "COMMENT ON TABLE book IS 'all the books'",
    "column comment": "COMMENT ON COLUMN book.title IS 'the title'",
    "new index": "CREATE INDEX book_pages ON book (pages)",
    "dropped index": "DROP INDEX author_lower_name",
    "renamed index": "ALTER INDEX book_title RENAME TO book_title_key2",
    "nulls not distinct": (
        "DROP INDEX book_title; CREATE UNIQUE INDEX book_title ON book (title) NULLS NOT DISTINCT"
    ),
    "nulls first": (
        "DROP INDEX book_title; CREATE UNIQUE INDEX book_title ON book (title NULLS FIRST)"
    ),
    "enum value": "ALTER TYPE mood ADD VALUE 'away'",
    "dropped check": "ALTER TABLE book DROP CONSTRAINT book_title_check",
    "foreign key action": (
        "ALTER TABLE book DROP CONSTRAINT book_id_fkey;"
        "ALTER TABLE book ADD CONSTRAINT book_id_fkey FOREIGN KEY (id) REFERENCES author (id)"
    ),
    "view": "CREATE OR REPLACE VIEW author_names AS SELECT id, name, mood FROM author",
    "new table": "CREATE TABLE note (id integer PRIMARY KEY)",
    "identity": "ALTER TABLE book ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY",
}


def source(folder: Path, pg: Server) -> Source:
    path = folder / "schema.sql"
    path.write_text(SCHEMA)
    return Source(str(path), "postgresql", url=pg.database_url)


def loading_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading the declared schema an error: a push that still succeeds took the
    quick way."""

    def refuse(self: Source) -> None:
        raise AssertionError("the declared schema was read")

    monkeypatch.setattr(Source, "load", refuse)


def test_a_second_push_takes_the_quick_way(
    tmp_path: Path, pg: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert push(pg.database_url, source(tmp_path, pg)).applied
    loading_fails(monkeypatch)
    result = push(pg.database_url, source(tmp_path, pg))
    assert not result.applied and result.plan.is_empty


@pytest.mark.parametrize("change", list(BY_HAND), ids=list(BY_HAND))
def test_a_change_by_hand_is_seen_and_undone(tmp_path: Path, pg: Server, change: str) -> None:
    assert push(pg.database_url, source(tmp_path, pg)).applied
    pg.execute(BY_HAND[change])
    result = push(pg.database_url, source(tmp_path, pg), accept_data_loss=True)
    assert result.applied, change
    again = push(pg.database_url, source(tmp_path, pg), dry_run=True)
    assert again.plan.is_empty, again.plan.changes


def test_a_database_found_in_sync_is_noted_once(
    tmp_path: Path, pg: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if another tool (prisma db push, a restore) made it: in sync, but no history.
    pg.execute(SCHEMA)
    result = push(pg.database_url, source(tmp_path, pg))
    assert not result.applied and result.plan.is_empty
    with pg.connect() as conn:
        assert conn.execute("SELECT count(*) FROM _trueup_history").fetchone() == (1,)
    loading_fails(monkeypatch)
    assert not push(pg.database_url, source(tmp_path, pg)).applied
    with DIALECT.connect(pg.database_url, create=False) as session:
        session.begin(write=False, timeout=5)
        assert [e.kind for e in entries(session, DIALECT)] == ["sync"]


def test_rows_do_not_change_the_digest(tmp_path: Path, pg: Server) -> None:
    push(pg.database_url, source(tmp_path, pg))
    with pg.connect() as conn:
        before = conn.execute("SELECT details FROM _trueup_history").fetchall()
    pg.execute(
        "INSERT INTO author (name) SELECT 'a' || g FROM generate_series(1, 500) AS g;"
        "INSERT INTO book (id, title) SELECT g, 't' || g FROM generate_series(1, 200) AS g;"
        "ANALYZE"
    )
    assert not push(pg.database_url, source(tmp_path, pg)).applied
    with pg.connect() as conn:
        assert conn.execute("SELECT details FROM _trueup_history").fetchall() == before


PROBE = """
import json, sys
sys.argv = ["trueup", "push", "--schema", "schema.sql", "--url", sys.argv[1], "--no-backup"]
from trueup.cli import main
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_the_quick_way_loads_neither_reader_nor_model(pg: Server, tmp_path: Path) -> None:
    # What every container start on PostgreSQL runs: the driver and the digest, and not the
    # catalog reader, the model, the renderer or the schema file's front end.
    import json
    import subprocess
    import sys

    (tmp_path / "schema.sql").write_text(SCHEMA)
    for _ in range(2):  # the first push makes the tables, the second takes the quick way
        out = subprocess.run(
            [sys.executable, "-c", PROBE, pg.url], cwd=tmp_path, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
    assert "already in sync" in out.stdout
    modules = set(json.loads(out.stderr.strip().splitlines()[-1]))
    assert "psycopg" in modules
    for name in (
        "trueup.model",
        "trueup.engines.postgres.inspect",
        "trueup.engines.postgres.render",
        "trueup.sources.sql",
        "trueup.plan.checks",
        "rich",
    ):
        assert name not in modules, name
