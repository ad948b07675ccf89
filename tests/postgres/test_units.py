"""Pure parts of the PostgreSQL engine: type spelling and classification, expression keys,
script splitting, rendering and the planner on hand-made models (no database needed)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from trueup.diff import changes as ch
from trueup.diff.differ import diff
from trueup.engines.base import ColumnExtras, Grant, IndexExtras, ObjectExtras
from trueup.engines.postgres.connection import connection_info
from trueup.engines.postgres.dialect import PostgresDialect
from trueup.engines.postgres.expressions import expr, key
from trueup.engines.postgres.extras import give_back, read_extras
from trueup.engines.postgres.plan import plan
from trueup.engines.postgres.quoting import quote
from trueup.engines.postgres.render import create_index, create_table
from trueup.engines.postgres.session import lock_key
from trueup.engines.postgres.types import canonical_type, is_narrowing, needs_using
from trueup.model import (
    Action,
    Check,
    Column,
    Enum,
    Expr,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    View,
)
from trueup.urls import parse_url

DIALECT = PostgresDialect()


@pytest.mark.parametrize(
    ("formatted", "canonical"),
    [
        ("integer", "INTEGER"),
        ("character varying(255)", "VARCHAR(255)"),
        ("character varying", "VARCHAR"),
        ("character(2)", "CHAR(2)"),
        ("numeric(65,30)", "DECIMAL(65,30)"),
        ("numeric", "DECIMAL"),
        ("timestamp(3) without time zone", "TIMESTAMP(3)"),
        ("timestamp with time zone", "TIMESTAMPTZ"),
        ("timestamp(6) with time zone", "TIMESTAMPTZ(6)"),
        ("time(2) with time zone", "TIMETZ(2)"),
        ("double precision", "DOUBLE PRECISION"),
        ("text[]", "TEXT[]"),
        ("character varying(10)[]", "VARCHAR(10)[]"),
        ('"Role"', '"Role"'),
        ('audit."Mood"[]', 'audit."Mood"[]'),
        ("citext", "citext"),
        ("bit varying(5)", "VARBIT(5)"),
    ],
)
def test_types_are_spelled_the_way_people_write_them(formatted: str, canonical: str) -> None:
    assert canonical_type(formatted) == canonical


@pytest.mark.parametrize(
    ("old", "new", "narrowing"),
    [
        ("INTEGER", "BIGINT", False),
        ("BIGINT", "INTEGER", True),
        ("SMALLINT", "INTEGER", False),
        ("INTEGER", "TEXT", False),
        ("TEXT", "INTEGER", True),
        ("VARCHAR(10)", "VARCHAR(20)", False),
        ("VARCHAR(20)", "VARCHAR(10)", True),
        ("VARCHAR(20)", "TEXT", False),
        ("TEXT", "VARCHAR(20)", True),
        ("DECIMAL(10,2)", "DECIMAL(12,2)", False),
        ("DECIMAL(10,2)", "DECIMAL(10,1)", True),
        ("INTEGER", "DECIMAL(12,2)", False),
        ("INTEGER", "DECIMAL(5,0)", True),
        ("REAL", "DOUBLE PRECISION", False),
        ("DOUBLE PRECISION", "REAL", True),
        ("TIMESTAMP(3)", "TIMESTAMP(6)", False),
        ("TIMESTAMP(6)", "TIMESTAMP(3)", True),
        ("DATE", "TIMESTAMP(3)", False),
        ("TIMESTAMP(3)", "DATE", True),
        ("JSON", "JSONB", False),
        ('"Role"', "TEXT", False),
        ("TEXT", '"Role"', True),
        ("BOOLEAN", "INTEGER", True),
    ],
)
def test_which_type_changes_may_lose_values(old: str, new: str, narrowing: bool) -> None:
    assert is_narrowing(old, new) is narrowing


@pytest.mark.parametrize(
    ("old", "new", "using"),
    [
        ("INTEGER", "BIGINT", False),
        ("INTEGER", "TEXT", False),
        ("VARCHAR(10)", "VARCHAR(20)", False),
        ("TEXT", "INTEGER", True),
        ("TEXT", "BOOLEAN", True),
        ("TEXT", '"Role"', True),
        ("TEXT", "JSONB", True),
        ("JSON", "JSONB", False),
        ("DATE", "TIMESTAMPTZ(3)", False),
        ("TEXT", "TEXT[]", True),
    ],
)
def test_which_type_changes_need_a_using_cast(old: str, new: str, using: bool) -> None:
    assert needs_using(old, new) is using


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("'x'::text", "'x'"),
        ("'x'::character varying", "'x'"),
        ("now()", "CURRENT_TIMESTAMP"),
        ("transaction_timestamp()", "now()"),
        ("(price > 0)", "price  >  0"),
        ("'USER'::\"Role\"", "'USER'"),
        ("LOWER(email)", "lower(email)"),
        # A varchar IN list, as deparsed from the declared CHECK and from that text again.
        (
            "((mood)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])"
            "::text[]))",
            "((mood)::text = ANY (ARRAY[('a'::character varying)::text, "
            "('b'::character varying)::text]))",
        ),
        ("(ARRAY[1, 2])::integer[]", "ARRAY[1, 2]"),
    ],
)
def test_equal_spellings_have_equal_keys(a: str, b: str) -> None:
    assert key(a) == key(b)
    assert expr(a) == expr(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("'x'", "'X'"),
        ('"Email"', "email"),
        ("0", "1"),
        ("now()", "CURRENT_DATE"),
        ("'a;b'", "'a b'"),
        ("lower('A')", "'A'"),
        ("ARRAY['a', 'b']", "ARRAY['b', 'a']"),
        ("(x)::text", "x"),
    ],
)
def test_different_expressions_have_different_keys(a: str, b: str) -> None:
    assert key(a) != key(b)


def test_scripts_split_on_semicolons_outside_strings_comments_and_bodies() -> None:
    script = (
        "CREATE TABLE a (x text DEFAULT 'a;b');\n"
        "-- a comment; with a semicolon\n"
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
        '/* block; comment */ CREATE TABLE "b;c" (y int)'
    )
    parts = DIALECT.split_statements(script)
    assert [text.split("(")[0].strip() for _, text in parts] == [
        "CREATE TABLE a",
        "-- a comment; with a semicolon\nCREATE FUNCTION f",
        '/* block; comment */ CREATE TABLE "b;c"',
    ]
    for offset, text in parts:
        assert script[offset : offset + len(text)] == text


def test_urls_give_libpq_a_connection_string_and_the_default_schema() -> None:
    dsn, schema = connection_info(
        parse_url("postgresql://u:pw@db:5433/app?schema=shop&connection_limit=5&sslmode=require")
    )
    assert schema == "shop"
    assert dsn == "postgresql://u:pw@db:5433/app?sslmode=require"
    assert connection_info(parse_url("postgres://db/app"))[1] == "public"


def test_the_lock_key_is_a_signed_64_bit_number_per_schema() -> None:
    keys = {lock_key(s) for s in ("public", "shop", "x" * 63)}
    assert len(keys) == 3
    assert all(-(2**63) <= k < 2**63 for k in keys)


def test_names_are_always_quoted() -> None:
    assert quote('we"ird') == '"we""ird"'
    table = Table(
        "order",
        (
            Column("id", "INTEGER", nullable=False, autoincrement=True),
            Column("select", "TEXT", default=Expr("'x'::text", key("'x'::text"))),
        ),
        PrimaryKey(("id",), "order_pkey"),
        schema="shop",
    )
    assert create_table(table) == (
        'CREATE TABLE "shop"."order" (\n'
        '    "id" SERIAL NOT NULL,\n'
        "    \"select\" TEXT DEFAULT 'x'::text,\n"
        '    CONSTRAINT "order_pkey" PRIMARY KEY ("id")\n'
        ")"
    )
    index = Index(
        "i",
        (IndexPart(expression=expr('lower("select")'), descending=True),),
        where=expr("id > 0"),
        method="hash",
        include=("id",),
    )
    assert create_index(index, table, concurrently=True) == (
        'CREATE INDEX CONCURRENTLY "i" ON "shop"."order" USING hash ((lower("select")) DESC) '
        'INCLUDE ("id") WHERE id > 0'
    )


def _plan(current: Schema, desired: Schema) -> list[str]:
    changes = diff(current, desired, DIALECT.hooks)
    return plan(changes, current, desired).sql


def test_enum_values_are_added_in_place_where_their_position_allows() -> None:
    old = Schema(enums=(Enum("Mood", ("ok", "sad")),))
    new = Schema(enums=(Enum("Mood", ("happy", "ok", "meh", "sad", "angry")),))
    assert _plan(old, new) == [
        "ALTER TYPE \"Mood\" ADD VALUE 'happy' BEFORE 'ok'",
        "ALTER TYPE \"Mood\" ADD VALUE 'meh' AFTER 'ok'",
        "ALTER TYPE \"Mood\" ADD VALUE 'angry'",
    ]


def test_an_enum_losing_a_value_is_made_again_and_its_columns_cast() -> None:
    col = Column("mood", '"Mood"', default=expr("'ok'::\"Mood\""))
    table = Table("t", (col,))
    old = Schema(tables=(table,), enums=(Enum("Mood", ("ok", "sad")),))
    new = Schema(tables=(table,), enums=(Enum("Mood", ("ok",)),))
    assert _plan(old, new) == [
        'ALTER TYPE "Mood" RENAME TO "Mood_old"',
        "CREATE TYPE \"Mood\" AS ENUM ('ok')",
        'ALTER TABLE "t" ALTER COLUMN "mood" DROP DEFAULT',
        'ALTER TABLE "t" ALTER COLUMN "mood" TYPE "Mood" USING "mood"::text::"Mood"',
        'ALTER TABLE "t" ALTER COLUMN "mood" SET DEFAULT \'ok\'::"Mood"',
        'DROP TYPE "Mood_old"',
    ]


def test_constraints_that_stay_themselves_are_renamed_or_added_back_in_declared_order() -> None:
    """A renamed constraint is renamed first; a foreign key whose actions change is dropped
    and added as it is (its rows met it), a new one NOT VALID and checked at the end; foreign
    keys go back in the order the table declares them."""
    cols = (Column("id", "INTEGER", nullable=False), Column("a", "INTEGER"), Column("b", "INTEGER"))
    parent = Table("p", (cols[0],), primary_key=PrimaryKey(("id",), "p_pkey"))
    a_fk = ForeignKey(("a",), "p", ("id",), name="t_a_fkey")
    old_t = Table("t", cols, checks=(Check(expr("a > 0"), "t_a_check"),), foreign_keys=(a_fk,))
    new_t = Table(
        "t",
        cols,
        checks=(Check(expr("a > 0"), "positive"),),
        foreign_keys=(
            ForeignKey(("b",), "p", ("id",), name="t_b_fkey"),
            replace(a_fk, on_delete=Action.CASCADE),
        ),
    )
    old, new = Schema(tables=(parent, old_t)), Schema(tables=(parent, new_t))
    changes = diff(old, new, DIALECT.hooks)
    [change] = changes
    assert isinstance(change, ch.ModifyTable)
    assert [type(p).__name__ for p in change.changes] == [
        "ModifyForeignKey",
        "AddForeignKey",
        "RenameConstraint",
    ]
    assert plan(changes, old, new).sql == [
        'ALTER TABLE "t" DROP CONSTRAINT "t_a_fkey"',
        'ALTER TABLE "t" RENAME CONSTRAINT "t_a_check" TO "positive"',
        'ALTER TABLE "t" ADD CONSTRAINT "t_b_fkey" FOREIGN KEY ("b") REFERENCES "p" ("id") '
        "NOT VALID",
        'ALTER TABLE "t" ADD CONSTRAINT "t_a_fkey" FOREIGN KEY ("a") REFERENCES "p" ("id") '
        "ON DELETE CASCADE",
        'ALTER TABLE "t" VALIDATE CONSTRAINT "t_b_fkey"',
    ]


def test_concurrent_indexes_are_built_after_the_transaction() -> None:
    cols = (Column("id", "INTEGER", nullable=False), Column("email", "TEXT"))
    old = Schema(tables=(Table("u", cols),))
    new = Schema(tables=(Table("u", cols, indexes=(Index("u_email", (IndexPart("email"),)),)),))
    changes = diff(old, new, DIALECT.hooks)
    result = plan(changes, old, new, concurrent_indexes=True)
    assert result.sql == []
    assert result.after == ('CREATE INDEX CONCURRENTLY "u_email" ON "u" ("email")',)
    script = PostgresDialect(concurrent_indexes=True).script(result)
    assert script.index("COMMIT;") < script.index("CONCURRENTLY")


def test_nulls_options_are_rendered_and_compared_by_meaning() -> None:
    cols = (Column("a", "INTEGER"), Column("b", "TEXT"))
    index = Index(
        "i",
        (IndexPart("a", nulls="FIRST"), IndexPart("b", descending=True, nulls="LAST")),
        unique=True,
        where=expr("a > 0"),
        include=("b",),
        nulls_not_distinct=True,
    )
    assert create_index(index, Table("t", cols)) == (
        'CREATE UNIQUE INDEX "i" ON "t" ("a" NULLS FIRST, "b" DESC NULLS LAST) INCLUDE ("b") '
        "NULLS NOT DISTINCT WHERE a > 0"
    )
    key = Index("t_a_key", (IndexPart("a"),), unique=True, constraint=True)
    distinct = Table("t", cols, indexes=(key,))
    not_distinct = Table("t", cols, indexes=(replace(key, nulls_not_distinct=True),))
    assert '    CONSTRAINT "t_a_key" UNIQUE NULLS NOT DISTINCT ("a")\n' in create_table(
        not_distinct
    )
    assert _plan(Schema(tables=(distinct,)), Schema(tables=(not_distinct,))) == [
        'ALTER TABLE "t" DROP CONSTRAINT "t_a_key"',
        'ALTER TABLE "t" ADD CONSTRAINT "t_a_key" UNIQUE NULLS NOT DISTINCT ("a")',
    ]

    # The default order of NULLs, said or not, is the same key; another one is a change.
    def keyed(*parts: IndexPart) -> Schema:
        return Schema(tables=(Table("t", cols, indexes=(Index("d", parts),)),))

    plain = keyed(IndexPart("a", descending=True), IndexPart("b"))
    said = keyed(IndexPart("a", descending=True, nulls="FIRST"), IndexPart("b", nulls="LAST"))
    assert diff(plain, said, DIALECT.hooks) == []
    assert _plan(plain, keyed(IndexPart("a", descending=True, nulls="LAST"), IndexPart("b"))) == [
        'DROP INDEX "d"',
        'CREATE INDEX "d" ON "t" ("a" DESC NULLS LAST, "b")',
    ]


def test_what_a_view_made_again_had_is_given_back_right_after_it() -> None:
    extras = {
        ("relation", "shop", "v"): ObjectExtras(
            owner='we"ird',
            privileges=(Grant("SELECT", None), Grant("SELECT", "app", grantable=True)),
            new_privileges=(Grant("SELECT", "reader"), Grant("SELECT", "app")),
            comment="it's a view",
            options=("security_barrier=true",),
            columns=(ColumnExtras("n", "a number", (Grant("UPDATE", "app"),)),),
        ),
        ("relation", None, "untouched"): ObjectExtras(privileges=(Grant("SELECT", "app"),)),
    }
    t = Table("t", (Column("n", "INTEGER"),))
    view = View("v", expr("SELECT t.n FROM t"), schema="shop")
    old = Schema(tables=(t,), views=(view,), namespaces=("shop",))
    new = Schema(tables=(Table("t", (Column("n", "BIGINT"),)),), views=(view,))
    changes = diff(old, new, DIALECT.hooks)
    assert plan(changes, old, new, extras=extras).sql == [
        'DROP VIEW "shop"."v"',
        'ALTER TABLE "t" ALTER COLUMN "n" TYPE BIGINT',
        'CREATE VIEW "shop"."v" AS\nSELECT t.n FROM t',
        'ALTER VIEW "shop"."v" OWNER TO "we""ird"',
        'REVOKE SELECT ON TABLE "shop"."v" FROM "reader"',
        'GRANT SELECT ON TABLE "shop"."v" TO PUBLIC',
        'GRANT SELECT ON TABLE "shop"."v" TO "app" WITH GRANT OPTION',
        'ALTER VIEW "shop"."v" SET ("security_barrier" = \'true\')',
        "COMMENT ON VIEW \"shop\".\"v\" IS 'it''s a view'",
        'GRANT UPDATE ("n") ON TABLE "shop"."v" TO "app"',
        'COMMENT ON COLUMN "shop"."v"."n" IS \'a number\'',
    ]
    # Nothing is given to an object the plan does not make again.
    assert plan(diff(old, old, DIALECT.hooks), old, old, extras=extras).sql == []


def test_a_grant_option_too_many_is_revoked_and_a_column_may_be_gone() -> None:
    extras = ObjectExtras(
        privileges=(Grant("USAGE", "app"),),
        new_privileges=(Grant("USAGE", "app", grantable=True),),
        columns=(ColumnExtras("gone", None, (Grant("SELECT", None),)),),
    )
    assert give_back("VIEW", '"v"', "v", extras, same_columns=False) == [
        ('REVOKE GRANT OPTION FOR USAGE ON TABLE "v" FROM "app"', "v keeps its privileges"),
        (
            "DO $trueup$ BEGIN IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = "
            "'\"v\"'::regclass AND attname = 'gone' AND attnum > 0 AND NOT attisdropped) "
            'THEN EXECUTE \'GRANT SELECT ("gone") ON TABLE "v" TO PUBLIC\'; END IF; END '
            "$trueup$",
            "v.gone keeps its privileges and comment",
        ),
    ]


def test_a_matview_gets_its_indexes_first_and_none_on_a_gone_column() -> None:
    unique = 'CREATE UNIQUE INDEX "m_k" ON shop.m USING btree (k)'
    pair = "CREATE INDEX m_ab ON shop.m USING btree (a) WHERE (b > 0)"
    extras = ObjectExtras(
        owner="keeper",
        indexes=(
            IndexExtras("m_k", unique, "it's the key", ("k",)),
            IndexExtras("m_ab", pair, None, ("a", "b")),
        ),
    )
    name = '"shop"."m"'
    same = give_back("MATERIALIZED VIEW", name, "m", extras, same_columns=True, schema="shop")
    assert same == [
        (unique, "m keeps its indexes"),
        ("COMMENT ON INDEX \"shop\".\"m_k\" IS 'it''s the key'", ""),
        (pair, ""),
        ('ALTER MATERIALIZED VIEW "shop"."m" OWNER TO "keeper"', "m keeps its owner"),
    ]
    new = give_back("MATERIALIZED VIEW", name, "m", extras, same_columns=False, schema="shop")
    has = (
        'EXISTS (SELECT FROM pg_attribute WHERE attrelid = \'"shop"."m"\'::regclass '
        "AND attname = '{}' AND attnum > 0 AND NOT attisdropped)"
    )
    assert new[0] == (
        f"DO $trueup$ BEGIN IF {has.format('k')} THEN EXECUTE "
        "'CREATE UNIQUE INDEX \"m_k\" ON shop.m USING btree (k)'; END IF; END $trueup$",
        "m keeps its indexes (those whose columns it still has)",
    )
    assert new[2][0].startswith(
        f"DO $trueup$ BEGIN IF {has.format('a')} AND {has.format('b')} THEN EXECUTE "
    )


def test_catalog_rows_become_extras_and_plain_objects_are_left_out() -> None:
    default = '[["postgres", "SELECT", false]]'
    rows = [
        ("r", "public", "plain", "postgres", True, None, None, default, default, None, None),
        ("T", "audit", "mood", "owner", False, None, None, "[]", "[]", None, None),
        (
            "r",
            "public",
            "v",
            "postgres",
            True,
            None,
            None,
            '[["app", "SELECT", false], ["app", "SELECT", true], [null, "SELECT", false]]',
            default,
            None,
            None,
        ),
        (
            "r",
            "public",
            "m",
            "postgres",
            True,
            None,
            None,
            default,
            default,
            None,
            '[["m_n", "CREATE UNIQUE INDEX m_n ON public.m USING btree (n)", "key", ["n"]], '
            '["m_all", "CREATE INDEX m_all ON public.m USING btree ((1))", null, null]]',
        ),
    ]
    assert read_extras(rows, "public") == {
        ("type", "audit", "mood"): ObjectExtras(owner="owner"),
        ("relation", None, "v"): ObjectExtras(
            privileges=(Grant("SELECT", None), Grant("SELECT", "app", grantable=True)),
            new_privileges=(Grant("SELECT", "postgres"),),
        ),
        ("relation", None, "m"): ObjectExtras(
            indexes=(
                IndexExtras(
                    "m_n", "CREATE UNIQUE INDEX m_n ON public.m USING btree (n)", "key", ("n",)
                ),
                IndexExtras("m_all", "CREATE INDEX m_all ON public.m USING btree ((1))"),
            )
        ),
    }
