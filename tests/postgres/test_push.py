"""Pushes against real PostgreSQL databases: all or nothing, enums with data, type changes
with USING casts, renames, two pushes kept apart, lock_timeout behind a long-held lock,
Prisma schemas in sync once pushed, and their schema warnings shown."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.postgres.support import (
    DIALECT,
    Server,
    inspect_db,
    plan_now,
    push_sql,
    remaining_diff,
    rows,
    schema_from_sql,
)
from trueup.apply import apply_plan
from trueup.cli import cli
from trueup.cli.output import describe
from trueup.diff.renames import Renames
from trueup.engines.postgres.session import PostgresSession
from trueup.errors import ApplyError, LockTimeout, UnsafePlan
from trueup.model import Action
from trueup.plan import Step
from trueup.push import make_plan, push
from trueup.sources.declared import Declared, Source
from trueup.sources.prisma import read_data_model, schema_for
from trueup.sources.prisma.lower import lower
from trueup.sources.prisma.source import SourceFile

SHOP = """
CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE customer (id serial PRIMARY KEY, email text NOT NULL UNIQUE, age text);
CREATE TABLE orders (
    id serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
    state status NOT NULL DEFAULT 'new',
    total numeric(10,2)
);
CREATE INDEX orders_customer ON orders (customer_id);
"""
SHOP_ROWS = """
INSERT INTO customer (email, age) VALUES ('a@x', '31'), ('b@x', '42'), ('c@x', NULL);
INSERT INTO orders (customer_id, state, total) VALUES (1, 'new', 10), (1, 'paid', 20.5),
    (2, 'shipped', NULL);
"""


def snapshot(db: Server) -> tuple[object, ...]:
    return (inspect_db(db), rows(db, "customer"), rows(db, "orders"))


def test_a_failing_statement_leaves_the_database_as_it_was(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS)
    before = snapshot(pg)
    desired = schema_from_sql(pg, SHOP.replace("age text", "age text, note text"))
    with DIALECT.connect(pg.database_url, create=False) as session:
        session.begin(write=True, timeout=5)
        plan = make_plan(session, desired, DIALECT)
        broken = dataclasses.replace(plan, steps=(*plan.steps, Step("SELECT 1/0", "boom")))
        with pytest.raises(ApplyError, match="division by zero"):
            apply_plan(session, broken, desired, DIALECT.hooks)
        session.rollback()
    assert snapshot(pg) == before


def test_push_converges_and_a_second_push_has_nothing_to_do(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS)
    desired_sql = SHOP.replace("total numeric(10,2)", "total numeric(12,2) NOT NULL DEFAULT 0")
    result = push_sql(pg, desired_sql)
    assert result.applied
    assert remaining_diff(pg, schema_from_sql(pg, desired_sql)) == []
    assert not push_sql(pg, desired_sql).applied
    assert [r[3] for r in rows(pg, "orders")] == [10, 20.5, 0]


def test_text_to_integer_with_a_using_cast(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS)
    desired_sql = SHOP.replace("age text", "age integer")
    result = push_sql(pg, desired_sql, accept_data_loss=True)
    assert 'ALTER TABLE "customer" ALTER COLUMN "age" TYPE INTEGER USING "age"::INTEGER' in (
        result.plan.sql
    )
    assert [r[2] for r in rows(pg, "customer")] == [31, 42, None]


def test_a_cast_that_fails_on_the_data_changes_nothing(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS + "INSERT INTO customer (email, age) VALUES ('d@x', 'old');")
    before = snapshot(pg)
    with pytest.raises((ApplyError, UnsafePlan)):
        push_sql(pg, SHOP.replace("age text", "age integer"), accept_data_loss=True)
    assert snapshot(pg) == before


def test_enum_values_added_and_removed_with_data(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS)
    added = SHOP.replace("'shipped'", "'shipped', 'returned'").replace(
        "'new', 'paid'", "'new', 'held', 'paid'"
    )
    result = push_sql(pg, added)
    assert any("ADD VALUE 'held'" in s for s in result.plan.sql)
    assert inspect_db(pg).enums[0].values == ("new", "held", "paid", "shipped", "returned")
    # 'held' and 'returned' are unused: removing them recreates the type, data intact.
    push_sql(pg, SHOP, accept_data_loss=True)
    assert inspect_db(pg).enums[0].values == ("new", "paid", "shipped")
    assert [r[2] for r in rows(pg, "orders")] == ["new", "paid", "shipped"]
    # 'shipped' is used by a row: removing it must fail and change nothing.
    before = snapshot(pg)
    with pytest.raises((ApplyError, UnsafePlan)):
        push_sql(pg, SHOP.replace(", 'shipped'", ""), accept_data_loss=True)
    assert snapshot(pg) == before


def test_a_new_enum_value_used_as_a_default_in_the_same_push(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS)
    desired = SHOP.replace("'new', 'paid'", "'draft', 'new', 'paid'").replace(
        "DEFAULT 'new'", "DEFAULT 'draft'"
    )
    push_sql(pg, desired)
    assert remaining_diff(pg, schema_from_sql(pg, desired)) == []
    assert len(rows(pg, "orders")) == 3


def test_renames_keep_the_data(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS)
    desired_sql = (
        SHOP.replace("customer (", "client (")
        .replace("REFERENCES customer", "REFERENCES client")
        .replace("email text", "mail text")
    )
    desired = schema_from_sql(pg, desired_sql)
    renames = Renames({"customer": "client"}, {("client", "email"): "mail"})
    result = push(pg.database_url, desired, renames=renames)
    assert 'ALTER TABLE "customer" RENAME TO "client"' in result.plan.sql
    assert [r[1] for r in rows(pg, "client")] == ["a@x", "b@x", "c@x"]
    assert remaining_diff(pg, desired) == []


def test_two_pushes_are_kept_apart(pg: Server) -> None:
    pg.execute(SHOP)
    desired = schema_from_sql(pg, SHOP.replace("age text", "age text, note text"))
    holder = DIALECT.connect(pg.database_url, create=False)
    holder.begin(write=True, timeout=5)  # a push that holds the lock
    try:
        started = time.perf_counter()
        with pytest.raises(LockTimeout, match="Another push"):
            push(pg.database_url, desired, lock_timeout=0.5)
        assert 0.4 < time.perf_counter() - started < 5
    finally:
        holder.close()
    results: list[bool] = []

    def run() -> None:
        results.append(push(pg.database_url, desired, lock_timeout=10).applied)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]  # the second one found nothing left to do


def test_lock_timeout_behind_a_long_held_table_lock(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS)
    before = snapshot(pg)
    reader = pg.connect()
    reader.autocommit = False
    reader.execute("SELECT count(*) FROM orders")  # a long transaction reading orders
    try:
        started = time.perf_counter()
        with pytest.raises((ApplyError, LockTimeout), match="lock"):
            push_sql(
                pg,
                SHOP.replace("total numeric(10,2)", "total numeric(10,2), x int"),
                lock_timeout=0.5,
            )
        assert time.perf_counter() - started < 10
    finally:
        reader.rollback()
        reader.close()
    assert snapshot(pg) == before


def test_dry_run_and_refusal_change_nothing(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS)
    before = snapshot(pg)
    result = push_sql(pg, SHOP.replace(", age text", ""), dry_run=True)
    assert not result.applied and result.plan.sql
    with pytest.raises(UnsafePlan):
        push_sql(pg, SHOP.replace(", age text", ""))
    assert snapshot(pg) == before


def test_a_missing_database_is_created_by_push(pg_server: Server, pg: Server) -> None:
    url = pg.url.replace(f"/{pg.name}", f"/{pg.name}_new")
    target = Server(url, f"{pg.name}_new")
    try:
        result = push(target.database_url, schema_from_sql(pg, "CREATE TABLE t (id int)"))
        assert result.applied
        assert [t.name for t in inspect_db(target).tables] == ["t"]
    finally:
        pg_server.drop_database(target)


def test_a_non_default_schema_from_the_url(pg: Server) -> None:
    shop = pg.at_schema("shop")
    result = push(shop.database_url, schema_from_sql(shop, SHOP))
    assert result.plan.sql[0] == 'CREATE SCHEMA IF NOT EXISTS "shop"'
    # trueup's own bookkeeping tables (_trueup_*) may sit there too.
    made = pg.query("SELECT tablename FROM pg_tables WHERE schemaname = 'shop' ORDER BY 1")
    assert [r[0] for r in made if not r[0].startswith("_trueup")] == ["customer", "orders"]
    assert inspect_db(pg).tables == ()
    assert not push(shop.database_url, schema_from_sql(shop, SHOP)).applied


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
  email     String   @unique @db.VarChar(200)
  role      Role     @default(USER)
  roles     Role[]
  tags      String[] @default(["a", "b"])
  price     Decimal  @default(0.05)
  ratio     Float    @default(1.5)
  big       BigInt   @default(10)
  data      Json     @default("{}")
  raw       Bytes    @default("AAE=")
  when      DateTime @default("2024-01-31T12:00:00.5Z")
  createdAt DateTime @default(now())
  updatedAt DateTime @updatedAt
  posts     Post[]
  @@index([createdAt(sort: Desc)])
}
model Post {
  id       BigInt @id @default(autoincrement())
  title    String @db.Text
  author   User?  @relation(fields: [authorId], references: [id], onDelete: SetNull)
  authorId Int?
  tags     Tag[]
  @@unique([title, authorId])
}
model Tag {
  id    String @id @default(uuid()) @db.Uuid
  posts Post[]
}
"""


def test_a_prisma_schema_once_pushed_is_in_sync(pg: Server) -> None:
    _, data = read_data_model([SourceFile("schema.prisma", PRISMA)], environ={})
    desired = schema_for(data, pg.url)
    assert desired != lower(data)  # normalised by PostgreSQL
    result = push(pg.database_url, desired)
    assert result.applied
    assert remaining_diff(pg, desired) == []
    assert plan_now(pg, desired).is_empty
    # The lowered model rendered and applied as is also reads back equal to it.
    other = pg.at_schema("raw")
    with DIALECT.connect(other.database_url, create=True) as session:
        session.begin(write=True, timeout=5)
        session.execute('CREATE SCHEMA "raw"')
        for statement in DIALECT.render_schema(lower(data)):
            session.execute(statement)
        session.commit()
        assert session.inspect().tables == desired.tables


def test_a_prisma_push_makes_again_an_index_with_nulls_options(pg: Server) -> None:
    # Prisma declares neither NULLS NOT DISTINCT nor the order of NULLs: an index that has
    # them differs from the declared one, and the push shows it and makes it again.
    text = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model Item {
  id   Int       @id
  code String?   @unique
  at   DateTime?
  @@index([at])
}
"""
    _, data = read_data_model([SourceFile("schema.prisma", text)], environ={})
    desired = schema_for(data, pg.url)
    assert push(pg.database_url, desired).applied
    pg.execute(
        'DROP INDEX "Item_code_key";'
        'CREATE UNIQUE INDEX "Item_code_key" ON "Item" (code) NULLS NOT DISTINCT;'
        'DROP INDEX "Item_at_idx";'
        'CREATE INDEX "Item_at_idx" ON "Item" (at NULLS FIRST);'
        "INSERT INTO \"Item\" VALUES (1, NULL, NULL), (2, 'b', NULL);"
    )
    plan = plan_now(pg, desired)
    assert plan.sql == [
        'DROP INDEX "Item_at_idx"',
        'DROP INDEX "Item_code_key"',
        'CREATE INDEX "Item_at_idx" ON "Item" ("at")',
        'CREATE UNIQUE INDEX "Item_code_key" ON "Item" ("code")',
    ]
    [change] = plan.changes
    assert describe(change) == [
        '~ table "Item"',
        '    - index "Item_at_idx" (at NULLS FIRST)',
        '    + index "Item_at_idx" (at)',
        '    - unique index "Item_code_key" (code) NULLS NOT DISTINCT',
        '    + unique index "Item_code_key" (code)',
    ]
    assert push(pg.database_url, desired).applied
    assert remaining_diff(pg, desired) == []
    assert plan_now(pg, desired).is_empty


def test_prisma_multi_schema_through_the_session(pg: Server, tmp_path: Path) -> None:
    text = PRISMA.replace(
        'url      = env("DATABASE_URL")',
        'url = env("DATABASE_URL")\n  schemas = ["public", "audit"]',
    ).replace(
        "  @@index([createdAt(sort: Desc)])",
        '  @@index([createdAt(sort: Desc)])\n  @@schema("public")',
    )
    text = text.replace(
        "  @@unique([title, authorId])", '  @@unique([title, authorId])\n  @@schema("audit")'
    )
    text = text.replace("  posts Post[]\n}", '  posts Post[]\n  @@schema("audit")\n}')
    text = text.replace("  ADMIN\n}", '  ADMIN\n  @@schema("public")\n}')
    _, data = read_data_model([SourceFile("schema.prisma", text)], environ={})
    desired = schema_for(data, pg.url)
    assert desired.namespaces == ("audit", "public")
    with DIALECT.connect(pg.database_url, create=False) as session:
        session.manage(desired.namespaces)
        session.begin(write=True, timeout=5)
        plan = make_plan(session, desired, DIALECT)
        apply_plan(session, plan, desired, DIALECT.hooks)
        session.commit()
    assert remaining_diff(pg, desired) == []
    assert plan_now(pg, desired).is_empty


def test_session_queries_take_question_mark_or_percent_placeholders(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS)
    with DIALECT.connect(pg.database_url, create=False) as session:
        assert session.query("SELECT email FROM customer WHERE id = ?", (2,)) == [("b@x",)]
        assert session.query("SELECT email FROM customer WHERE id = %s", (3,)) == [("c@x",)]
        assert session.query(
            "SELECT count(*) FROM customer WHERE email LIKE '%x' AND id > ?", (1,)
        ) == [(2,)]


def test_concurrent_indexes_after_the_commit(pg: Server) -> None:
    pg.execute(SHOP + SHOP_ROWS)
    desired = schema_from_sql(pg, SHOP + "CREATE INDEX customer_age ON customer (age);")
    dialect = type(DIALECT)(concurrent_indexes=True)
    with dialect.connect(pg.database_url, create=False) as session:
        session.begin(write=True, timeout=5)
        plan = make_plan(session, desired, dialect)
        assert plan.sql == [] and plan.after
        session.commit()
        assert isinstance(session, PostgresSession)
        session.run_outside_transaction(plan.after)
    assert remaining_diff(pg, desired) == []


def test_a_connection_error_names_the_server_without_the_password() -> None:
    from trueup.errors import ConnectionError
    from trueup.urls import parse_url

    url = parse_url("postgresql://me:secret@/nowhere?host=/nonexistent-socket-dir")
    with pytest.raises(ConnectionError) as caught:
        DIALECT.connect(url, create=False)
    assert "secret" not in str(caught.value)


def test_psycopg_is_not_imported_on_the_sqlite_path(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from trueup.push import push\n"
        "from trueup.urls import parse_url\n"
        "from trueup.model import Schema, Table, Column\n"
        "table = Table('t', (Column('a', 'TEXT'),))\n"
        f"push(parse_url({str(tmp_path / 'x.db')!r}), Schema(tables=(table,)))\n"
        "assert 'psycopg' not in sys.modules, 'psycopg imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _record_inspections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread of every inspection of a database (scratch databases included)."""
    from trueup.engines.postgres.session import PostgresSession

    threads: list[str] = []
    original = PostgresSession.inspect

    def inspect(self: PostgresSession) -> Any:
        threads.append(threading.current_thread().name)
        return original(self)

    monkeypatch.setattr(PostgresSession, "inspect", inspect)
    return threads


def test_the_database_is_inspected_while_the_declared_schema_is_read(
    pg: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg.execute(SHOP)
    (tmp_path / "schema.sql").write_text(SHOP)
    threads = _record_inspections(monkeypatch)
    source = Source(str(tmp_path / "schema.sql"), "postgresql", url=pg.database_url)
    result = push(pg.database_url, source)
    assert result.plan.is_empty and not result.applied
    # The schema file's scratch database is read here; the target once, beside it.
    assert sorted(threads) == ["MainThread", "trueup-inspect_0"]


def test_a_schema_in_another_namespace_is_read_again(
    pg: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is first read with the schemas it managed then (the default one); a
    declared schema that uses another makes the push read it again, with that one."""
    sql = "CREATE SCHEMA audit; CREATE TABLE audit.event (id integer PRIMARY KEY, at text);"
    pg.execute(sql)
    desired = schema_from_sql(pg, sql)
    threads = _record_inspections(monkeypatch)
    result = push(pg.database_url, lambda: Declared(desired, path=""))
    assert result.plan.is_empty, result.plan.sql  # audit.event is seen: nothing to create
    assert threads == ["trueup-inspect_0", "MainThread"]


def test_a_failing_declared_schema_waits_for_the_inspection(
    pg: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg.execute(SHOP)
    threads = _record_inspections(monkeypatch)

    def broken() -> Declared:
        raise UnsafePlan("cannot read the declared schema")

    with pytest.raises(UnsafePlan, match="cannot read"):
        push(pg.database_url, broken)
    assert threads == ["trueup-inspect_0"]
    assert inspect_db(pg) is not None  # the session was closed cleanly


def test_a_widened_serial_counts_past_the_old_maximum(pg: Server) -> None:
    pg.execute("CREATE TABLE s (id serial PRIMARY KEY, x text); INSERT INTO s (x) VALUES ('a');")
    assert push_sql(pg, "CREATE TABLE s (id bigserial PRIMARY KEY, x text);").applied
    seq = "SELECT data_type::text FROM pg_sequences WHERE sequencename = 's_id_seq'"
    assert pg.query(seq) == [("bigint",)]
    pg.execute("SELECT setval('s_id_seq', 2147483647)")
    assert pg.query("INSERT INTO s (x) VALUES ('b') RETURNING id") == [(2147483648,)]


SET_NULL_ON_REQUIRED = """datasource db {
  provider = "postgresql"
}

model Shop {
  id       Int       @id
  products Product[]
}

model Product {
  id     Int  @id
  shopId Int
  shop   Shop @relation(fields: [shopId], references: [id], onDelete: SetNull)
}
"""


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_prisma_schema_warning_is_shown_and_the_schema_pushed_as_declared(
    pg: Server, tmp_path: Path, as_json: bool
) -> None:
    # Prisma accepts SetNull on a required relation on PostgreSQL, with a warning.
    schema = tmp_path / "schema.prisma"
    schema.write_text(SET_NULL_ON_REQUIRED)
    args = ["--schema", str(schema), "--url", pg.url]
    runner = CliRunner()
    pushed = runner.invoke(cli, ["push", *args, "--no-backup", *(["--json"] if as_json else [])])
    assert pushed.exit_code == 0, pushed.output
    message = (
        "The `onDelete` referential action of a relation should not be set to `SetNull` when "
        "a referenced field is required. We recommend either to choose another referential "
        "action, or to make the referenced fields optional. Read more at "
        "https://pris.ly/d/postgres-set-null"
    )
    # On stderr, before the push's own lines end; never on stdout.
    assert pushed.stderr == f"Warning: {schema}:13:3: warning: {message}\n"
    assert "Warning" not in pushed.stdout
    if as_json:
        data = json.loads(pushed.stdout)
        assert data["applied"]
        assert data["warnings"] == [
            {"message": message, "path": str(schema), "line": 13, "column": 3}
        ]
    else:
        assert "now in sync" in pushed.stdout
    table = inspect_db(pg).table("Product")
    assert table is not None
    (fk,) = table.foreign_keys
    assert (fk.on_delete, fk.on_update) == (Action.SET_NULL, Action.CASCADE)

    # Converged: a second push has nothing to do (found so without reading the schema).
    again = runner.invoke(cli, ["push", *args])
    assert again.exit_code == 0, again.output
    assert "already in sync" in again.stdout
    diffed = runner.invoke(cli, ["diff", *args, "--format", "json"])
    assert diffed.exit_code == 0, diffed.output
    assert json.loads(diffed.stdout)["in_sync"]
    assert json.loads(diffed.stdout)["warnings"][0]["message"] == message
    assert diffed.stderr == f"Warning: {schema}:13:3: warning: {message}\n"


def test_start_shows_the_warnings_of_a_schema_that_names_its_database(
    pg: Server, tmp_path: Path
) -> None:
    # No --url: the schema is read first, to find the database in its datasource.
    schema = tmp_path / "schema.prisma"
    schema.write_text(
        SET_NULL_ON_REQUIRED.replace('"postgresql"\n', f'"postgresql"\n  url = "{pg.url}"\n', 1)
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    app = [sys.executable, "-c", "print('app ran')"]
    started = subprocess.run(
        [
            sys.executable,
            "-m",
            "trueup",
            "start",
            "--schema",
            str(schema),
            "--no-backup",
            "--",
            *app,
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout == "app ran\n"
    lines = started.stderr.splitlines()
    assert lines[0].startswith(f"Warning: {schema}:14:3: warning: The `onDelete` referential")
    assert "now in sync" in started.stderr
