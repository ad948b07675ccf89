"""SQL schema files on PostgreSQL: the DDL runs in a scratch database that is dropped
afterwards, its statements in any order; errors point at the statement and position."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postgres.support import DIALECT, Server, schema_from_sql
from trueup.errors import SchemaError
from trueup.sources.sql import load_sql

IN_ORDER = """
CREATE TYPE status AS ENUM ('draft', 'live');
CREATE TABLE author (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE book (
    id integer PRIMARY KEY,
    author_id integer NOT NULL REFERENCES author(id),
    state status NOT NULL DEFAULT 'draft'
);
CREATE INDEX book_author ON book (author_id);
CREATE VIEW live_books AS SELECT id FROM book WHERE state = 'live';
"""

REVERSED = """
CREATE VIEW live_books AS SELECT id FROM book WHERE state = 'live';
CREATE INDEX book_author ON book (author_id);
CREATE TABLE book (
    id integer PRIMARY KEY,
    author_id integer NOT NULL REFERENCES author(id),
    state status NOT NULL DEFAULT 'draft'
);
CREATE TABLE author (id integer PRIMARY KEY, name text NOT NULL);
CREATE TYPE status AS ENUM ('draft', 'live');
"""


def _scratch_databases(pg: Server) -> list[str]:
    return [
        r[0]
        for r in pg.query("SELECT datname FROM pg_database WHERE datname LIKE 'trueup_scratch%'")
    ]


def test_the_order_of_statements_does_not_matter(pg: Server) -> None:
    assert schema_from_sql(pg, IN_ORDER) == schema_from_sql(pg, REVERSED)


def test_the_scratch_database_is_gone_afterwards(pg: Server) -> None:
    schema_from_sql(pg, IN_ORDER)
    assert _scratch_databases(pg) == []


def test_the_live_database_is_never_touched(pg: Server) -> None:
    pg.execute("CREATE TABLE author (id integer PRIMARY KEY)")
    schema = schema_from_sql(pg, IN_ORDER)
    assert [t.name for t in schema.tables] == ["author", "book"]
    assert pg.query("SELECT count(*) FROM pg_class WHERE relname = 'book'") == [(0,)]


def test_schema_qualified_names_and_other_schemas(pg: Server) -> None:
    schema = schema_from_sql(
        pg,
        "CREATE SCHEMA billing;"
        "CREATE TABLE public.customer (id int PRIMARY KEY);"
        "CREATE TABLE billing.invoice (id int PRIMARY KEY,"
        " customer int REFERENCES public.customer (id));",
    )
    assert schema.namespaces == ("billing", "public")
    assert [(t.schema, t.name) for t in schema.tables] == [
        ("billing", "invoice"),
        (None, "customer"),
    ]


def test_an_error_points_at_the_statement_and_position(pg: Server, tmp_path: Path) -> None:
    path = tmp_path / "schema.sql"
    path.write_text("CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id intt);\n")
    with pytest.raises(SchemaError) as caught:
        load_sql(str(path), DIALECT, pg.database_url)
    message = str(caught.value)
    assert "schema.sql:2:" in message
    assert 'type "intt" does not exist' in message
    assert _scratch_databases(pg) == []


def test_percent_signs_and_dollar_quotes_pass_through(pg: Server) -> None:
    schema = schema_from_sql(
        pg,
        "CREATE TABLE t (code text CHECK (code LIKE 'A%'), note text DEFAULT $$it's$$);",
    )
    (table,) = schema.tables
    assert "'A%'" in table.checks[0].expression.text
    default = table.columns[1].default
    assert default is not None and "it''s" in default.text
