"""The PostgreSQL inspector on real databases: what it reads, that it reads the same twice,
that only managed schemas are read, and that it is fast on many tables."""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from tests.postgres.support import DIALECT, Server, inspect_db, schema_from_sql
from trueup.cli import cli
from trueup.diff.differ import diff
from trueup.engines import get_dialect
from trueup.engines.postgres.catalog_queries import query_text
from trueup.engines.postgres.session import PostgresSession
from trueup.model import Action, Deferral, Enum, IndexPart

RICH = """
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TABLE "User" (
    id SERIAL PRIMARY KEY,
    email varchar(255) NOT NULL UNIQUE,
    role "Role" NOT NULL DEFAULT 'USER',
    roles "Role"[],
    tags text[] DEFAULT '{}',
    created timestamp(3) DEFAULT CURRENT_TIMESTAMP,
    seen timestamptz DEFAULT now(),
    price numeric(10,2) CONSTRAINT price_positive CHECK (price > 0),
    big bigint GENERATED ALWAYS AS IDENTITY,
    score positive,
    doubled integer GENERATED ALWAYS AS (score * 2) STORED,
    nick text COLLATE "C"
);
CREATE TABLE post (
    id integer PRIMARY KEY,
    author integer REFERENCES "User"(id) ON DELETE CASCADE ON UPDATE SET NULL
        DEFERRABLE INITIALLY DEFERRED,
    title text,
    body text
);
CREATE UNIQUE INDEX post_title_lower ON post (lower(title) DESC) WHERE body IS NOT NULL;
CREATE INDEX post_author_inc ON post (author) INCLUDE (title);
CREATE INDEX post_title_pattern ON post (title text_pattern_ops);
CREATE INDEX post_body_hash ON post USING hash (body);
CREATE VIEW post_titles AS SELECT id, title FROM post;
COMMENT ON TABLE post IS 'posts';
COMMENT ON COLUMN post.title IS 'the title';
"""


def test_the_inspector_reads_every_kind_of_object(pg: Server) -> None:
    pg.execute(RICH)
    schema = inspect_db(pg)
    assert schema.namespaces == ("public",)
    assert schema.enums == (Enum("Role", ("USER", "ADMIN")),)
    user = schema.table("User")
    assert user is not None
    cols = {c.name: c for c in user.columns}
    assert cols["id"].autoincrement and cols["id"].default is None
    assert cols["email"].type == "VARCHAR(255)" and not cols["email"].nullable
    assert cols["role"].type == '"Role"'
    assert cols["role"].default is not None and cols["role"].default.text == "'USER'::\"Role\""
    assert cols["roles"].type == '"Role"[]'
    assert cols["created"].type == "TIMESTAMP(3)"
    assert cols["seen"].type == "TIMESTAMPTZ"
    assert cols["price"].type == "DECIMAL(10,2)"
    assert cols["big"].identity == "ALWAYS"
    assert cols["score"].type == "positive"  # a domain, kept verbatim
    assert cols["doubled"].generated is not None and cols["doubled"].generated.stored
    assert cols["nick"].collation == "C"
    assert user.primary_key is not None and user.primary_key.name == "User_pkey"
    assert [(i.name, i.constraint) for i in user.indexes] == [("User_email_key", True)]
    assert [c.name for c in user.checks] == ["price_positive"]

    post = schema.table("post")
    assert post is not None and post.comment == "posts"
    assert {c.name: c.comment for c in post.columns}["title"] == "the title"
    (fk,) = post.foreign_keys
    assert (fk.ref_table, fk.ref_columns, fk.on_delete, fk.on_update, fk.deferral) == (
        "User",
        ("id",),
        Action.CASCADE,
        Action.SET_NULL,
        Deferral.DEFERRED,
    )
    indexes = {i.name: i for i in post.indexes}
    lower = indexes["post_title_lower"]
    assert lower.unique and lower.where is not None
    assert lower.parts[0].expression is not None and lower.parts[0].descending
    assert indexes["post_author_inc"].include == ("title",)
    assert indexes["post_title_pattern"].parts == (IndexPart("title", opclass="text_pattern_ops"),)
    assert indexes["post_body_hash"].method == "hash"
    (view,) = schema.views
    assert view.name == "post_titles" and "FROM post" in view.definition.text


def test_inspecting_twice_gives_equal_models(pg: Server) -> None:
    pg.execute(RICH)
    assert inspect_db(pg) == inspect_db(pg)


def test_the_declared_schema_reads_like_the_live_one(pg: Server) -> None:
    pg.execute(RICH)
    declared = schema_from_sql(pg, RICH)
    assert diff(inspect_db(pg), declared, DIALECT.hooks) == []
    assert declared == inspect_db(pg)


def test_only_managed_schemas_are_read(pg: Server) -> None:
    pg.execute(
        "CREATE SCHEMA billing; CREATE SCHEMA other;"
        "CREATE TABLE public.a (id int PRIMARY KEY);"
        "CREATE TABLE billing.invoice (id int PRIMARY KEY, a int REFERENCES public.a(id));"
        "CREATE TYPE billing.state AS ENUM ('open');"
        "CREATE TABLE other.secret (id int);"
    )
    assert [t.name for t in inspect_db(pg).tables] == ["a"]
    both = inspect_db(pg, ("billing",))
    assert [(t.schema, t.name) for t in both.tables] == [("billing", "invoice"), (None, "a")]
    assert both.namespaces == ("billing", "public")
    assert both.enums == (Enum("state", ("open",), "billing"),)
    invoice = both.table("invoice", "billing")
    assert invoice is not None and invoice.foreign_keys[0].ref_schema is None
    # Seen from ?schema=billing, billing is the default and public is named.
    from_billing = inspect_db(pg.at_schema("billing"), ("public",))
    invoice = from_billing.table("invoice")
    assert invoice is not None and invoice.foreign_keys[0].ref_schema == "public"


def test_referenced_columns_are_named_wherever_the_table_is(pg: Server) -> None:
    # Referenced columns are named from the columns read when their table is read, and by
    # the server otherwise (another schema, a partition): each case by number, with gaps.
    pg.execute(
        "CREATE SCHEMA other;"
        "CREATE TABLE other.owner (code text, gone int, id int UNIQUE);"
        "ALTER TABLE other.owner DROP COLUMN gone;"
        "CREATE TABLE events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);"
        "CREATE TABLE events_2026 PARTITION OF events"
        " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
        "CREATE TABLE node (old int, id int PRIMARY KEY);"
        "ALTER TABLE node DROP COLUMN old;"
        "ALTER TABLE node ADD COLUMN parent int REFERENCES node (id);"
        "CREATE TABLE item (id int PRIMARY KEY, owner_id int REFERENCES other.owner (id),"
        " ev int, ev_at date, node int REFERENCES node (id),"
        " FOREIGN KEY (ev, ev_at) REFERENCES events_2026 (id, at),"
        " FOREIGN KEY (ev_at, ev) REFERENCES events (at, id));"
    )
    schema = inspect_db(pg)
    item, node = schema.table("item"), schema.table("node")
    assert item is not None and node is not None
    refs = {(fk.ref_schema, fk.ref_table, fk.ref_columns) for fk in item.foreign_keys}
    assert refs == {
        ("other", "owner", ("id",)),
        (None, "events_2026", ("id", "at")),
        (None, "events", ("at", "id")),
        (None, "node", ("id",)),
    }
    assert [(fk.ref_table, fk.ref_columns) for fk in node.foreign_keys] == [("node", ("id",))]


def test_without_a_pipeline_the_queries_run_one_by_one(
    pg: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg.execute(RICH)
    piped = inspect_db(pg)
    monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda cls: False))
    monkeypatch.setattr(psycopg.Connection, "pipeline", None)  # would fail if called
    assert inspect_db(pg) == piped


def test_a_failing_build_leaves_the_session_usable(
    pg: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build stops between two results: the rest of the pipeline is read, the connection
    # leaves pipeline mode and can go on.
    pg.execute(RICH)
    from trueup.engines.postgres import inspect as inspector

    def broken(self: object, row: object, catalog: object) -> None:
        raise RuntimeError("broken")

    with get_dialect("postgresql").connect(pg.database_url, create=False) as session:
        session.begin(write=False, timeout=5)
        monkeypatch.setattr(inspector._Parts, "add_index", broken)
        with pytest.raises(RuntimeError, match="broken") as caught:
            session.inspect()
        monkeypatch.undo()
        # (while the error, and so the failed build's frames, are still held)
        assert caught.tb is not None
        assert isinstance(session, PostgresSession)
        assert session.conn.pgconn.pipeline_status == psycopg.pq.PipelineStatus.OFF
        assert session.query("SELECT 1") == [(1,)]
        assert session.inspect().table("post") is not None


def test_extension_objects_and_prisma_history_are_left_out(pg: Server) -> None:
    pg.execute(
        "CREATE EXTENSION citext; CREATE TABLE _prisma_migrations (id text);"
        "CREATE TABLE t (name citext);"
    )
    schema = inspect_db(pg)
    assert [t.name for t in schema.tables] == ["t"]
    assert schema.tables[0].columns[0].type == "citext"
    assert schema.enums == () and schema.views == ()


def test_a_thousand_tables_are_read_whole(pg: Server) -> None:
    # The pipelined queries gather rows per table as each result arrives; with many tables
    # every part must still reach its own table. (Speed is measured in bench/, not here.)
    ddl = "\n".join(
        f"CREATE TABLE t{i} (id serial PRIMARY KEY, name varchar(40) NOT NULL UNIQUE, "
        f"parent int REFERENCES t{max(i - 1, 0)}(id), at timestamptz DEFAULT now(), "
        f"price numeric(8,2) CHECK (price >= 0)); CREATE INDEX t{i}_at ON t{i} (at DESC);"
        for i in range(1000)
    )
    pg.execute(ddl)
    schema = inspect_db(pg)
    assert len(schema.tables) == 1000
    for table in schema.tables:
        i = int(table.name[1:])
        assert table.column_names == ("id", "name", "parent", "at", "price"), table.name
        assert table.primary_key is not None and table.primary_key.columns == ("id",)
        assert [fk.ref_table for fk in table.foreign_keys] == [f"t{max(i - 1, 0)}"]
        assert len(table.checks) == 1
        assert sorted(ix.name or "" for ix in table.indexes) == sorted(
            [f"t{i}_at", f"t{i}_name_key"]
        )
    assert diff(schema, schema_from_sql(pg, ddl), DIALECT.hooks) == []


Rows = Generator[list[tuple[Any, ...]], None, None]

NULLS = """
CREATE TABLE t (
    id integer PRIMARY KEY,
    a integer,
    b text,
    CONSTRAINT t_a_key UNIQUE NULLS NOT DISTINCT (a)
);
CREATE UNIQUE INDEX t_b ON t (b) NULLS NOT DISTINCT;
CREATE INDEX t_order ON t (a NULLS FIRST, b DESC NULLS LAST, id DESC NULLS FIRST);
"""


def test_nulls_not_distinct_and_where_nulls_sort_are_read(pg: Server) -> None:
    pg.execute(NULLS)
    t = inspect_db(pg).table("t")
    assert t is not None
    indexes = {i.name: i for i in t.indexes}
    assert indexes["t_a_key"].constraint and indexes["t_a_key"].nulls_not_distinct
    assert indexes["t_b"].unique and indexes["t_b"].nulls_not_distinct
    assert not indexes["t_order"].nulls_not_distinct
    # Only an order of NULLs that is not the default for the key's order is kept.
    assert indexes["t_order"].parts == (
        IndexPart("a", nulls="FIRST"),
        IndexPart("b", descending=True, nulls="LAST"),
        IndexPart("id", descending=True),
    )
    assert IndexPart("id", descending=True, nulls="FIRST") == IndexPart("id", descending=True)
    assert IndexPart("id", nulls="LAST") == IndexPart("id")
    assert diff(inspect_db(pg), schema_from_sql(pg, NULLS), DIALECT.hooks) == []


def test_inspect_shows_them_in_every_format(pg: Server) -> None:
    pg.execute(NULLS)
    runner = CliRunner()

    def inspect(fmt: str) -> str:
        result = runner.invoke(cli, ["inspect", "--url", pg.url, "--format", fmt])
        assert result.exit_code == 0, result.output
        return result.output

    [table] = json.loads(inspect("json"))["tables"]
    indexes = {i["name"]: i for i in table["indexes"]}
    assert indexes["t_a_key"]["nulls_not_distinct"] is True
    assert indexes["t_b"]["nulls_not_distinct"] is True
    assert "nulls_not_distinct" not in indexes["t_order"]
    assert [p.get("nulls") for p in indexes["t_order"]["parts"]] == ["FIRST", "LAST", None]

    sql = inspect("sql")
    assert 'CONSTRAINT "t_a_key" UNIQUE NULLS NOT DISTINCT ("a")' in sql
    assert 'CREATE UNIQUE INDEX "t_b" ON "t" ("b") NULLS NOT DISTINCT;' in sql
    assert '("a" NULLS FIRST, "b" DESC NULLS LAST, "id" DESC)' in sql
    assert diff(inspect_db(pg), schema_from_sql(pg, sql), DIALECT.hooks) == []

    prisma = inspect("prisma")
    assert '//   - NULLS NOT DISTINCT of the unique index "t_b"\n' in prisma
    assert '//   - NULLS NOT DISTINCT of the unique constraint "t_a_key"\n' in prisma
    assert '//   - NULLS FIRST on a and NULLS LAST on b of the index "t_order"\n' in prisma
    assert '@@index([a, b(sort: Desc), id(sort: Desc)], map: "t_order")' in prisma


def test_a_server_older_than_15_is_read_without_nulls_not_distinct(
    pg: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL 13 and 14 have no pg_index.indnullsnotdistinct: the query names none, and
    # every index reads as NULLS DISTINCT, the only kind those servers make.
    assert "indnullsnotdistinct" in query_text("indexes")
    assert "indnullsnotdistinct" not in query_text("indexes", 140000)
    assert query_text("indexes", 150000) == query_text("indexes")
    pg.execute(NULLS)
    sent: list[str] = []
    run_all = PostgresSession._run_all

    def recording(self: PostgresSession, queries: Sequence[tuple[str, dict[str, Any]]]) -> Rows:
        sent.extend(sql for sql, _ in queries)
        return run_all(self, queries)

    monkeypatch.setattr(PostgresSession, "_run_all", recording)
    monkeypatch.setattr(psycopg.ConnectionInfo, "server_version", property(lambda self: 140000))
    t = inspect_db(pg).table("t")
    assert t is not None
    assert not any(i.nulls_not_distinct for i in t.indexes)
    assert {i.name for i in t.indexes} == {"t_a_key", "t_b", "t_order"}
    assert sent and not any("indnullsnotdistinct" in sql for sql in sent)
