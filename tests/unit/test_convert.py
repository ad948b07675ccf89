"""The conversion of schemas between SQLite and PostgreSQL, and the canonical form of values
that the copy's check compares: pure, no server needed (a SQLite scratch database at most)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.helpers import schema_from_sql
from tests.unit.conversion_pairs import defaults, types
from trueup.convert import ConversionError, convert_schema
from trueup.convert.canonical import canonical, kind_of
from trueup.convert.fit import fit_schema
from trueup.engines import get_dialect
from trueup.engines.postgres.expressions import expr as pg_expr
from trueup.engines.postgres.expressions import view_expr
from trueup.model import Check, Column, Enum, Index, IndexPart, PrimaryKey, Schema, Table, View
from trueup.urls import parse_url

# --- types -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        ("INTEGER", "BIGINT"),
        ("INT", "BIGINT"),
        ("SMALLINT", "BIGINT"),
        ("UNSIGNED BIG INT", "BIGINT"),
        ("TEXT", "TEXT"),
        ("CLOB", "TEXT"),
        ("VARCHAR(255)", "VARCHAR(255)"),
        ("NVARCHAR(10)", "VARCHAR(10)"),
        ("CHAR(2)", "VARCHAR(2)"),
        ("VARCHAR", "TEXT"),
        ("REAL", "DOUBLE PRECISION"),
        ("DOUBLE", "DOUBLE PRECISION"),
        ("DOUBLE PRECISION", "DOUBLE PRECISION"),
        ("FLOAT", "DOUBLE PRECISION"),
        ("BLOB", "BYTEA"),
        ("NUMERIC", "DECIMAL"),
        ("DECIMAL(10,2)", "DECIMAL(10,2)"),
        ("NUMERIC(30,10)", "DECIMAL(30,10)"),
        ("BOOLEAN", "BOOLEAN"),
        ("BOOL", "BOOLEAN"),
        ("DATETIME", "TIMESTAMP"),
        ("TIMESTAMP", "TIMESTAMP"),
        ("TIMESTAMP(3)", "TIMESTAMP(3)"),
        ("DATE", "DATE"),
        ("TIME", "TIME"),
        ("JSON", "JSONB"),
        ("JSONB", "JSONB"),
        ("UUID", "UUID"),
    ],
)
def test_sqlite_types_to_postgres(sqlite: str, postgres: str) -> None:
    assert types.to_postgres(sqlite) == (postgres, None)


def test_sqlite_types_without_a_postgres_twin_become_text_with_a_note() -> None:
    pg_type, note = types.to_postgres("")
    assert pg_type == "TEXT" and note and "no declared type" in note
    pg_type, note = types.to_postgres("MONEY")
    assert pg_type == "TEXT" and note and "MONEY" in note


@pytest.mark.parametrize(
    ("postgres", "sqlite"),
    [
        ("SMALLINT", "INTEGER"),
        ("INTEGER", "INTEGER"),
        ("BIGINT", "INTEGER"),
        ("REAL", "REAL"),
        ("DOUBLE PRECISION", "REAL"),
        ("DECIMAL", "DECIMAL"),
        ("DECIMAL(10,2)", "DECIMAL(10,2)"),
        ("TEXT", "TEXT"),
        ("VARCHAR(20)", "VARCHAR(20)"),
        ("CHAR(3)", "CHAR(3)"),
        ("BOOLEAN", "BOOLEAN"),
        ("BYTEA", "BLOB"),
        ("DATE", "DATE"),
        ("TIMESTAMP", "DATETIME"),
        ("TIMESTAMP(3)", "TIMESTAMP(3)"),
        ("TIMESTAMPTZ(6)", "TIMESTAMPTZ(6)"),
        ("JSONB", "JSON"),
        ("UUID", "UUID"),
    ],
)
def test_postgres_types_to_sqlite(postgres: str, sqlite: str) -> None:
    assert types.to_sqlite(postgres) == (sqlite, None)


def test_postgres_arrays_enums_and_others_become_text_with_a_note() -> None:
    for pg_type, enum, word in (
        ("TEXT[]", False, "array"),
        ("mood", True, "enum"),
        ("INTERVAL", False, "INTERVAL"),
    ):
        sqlite_type, note = types.to_sqlite(pg_type, enum=enum)
        assert sqlite_type == "TEXT" and note and word in note


def test_every_converted_type_comes_back_to_a_type_of_the_same_kind() -> None:
    for sqlite in (
        "INTEGER",
        "TEXT",
        "REAL",
        "BLOB",
        "DECIMAL(10,2)",
        "BOOLEAN",
        "DATETIME",
        "DATE",
        "JSON",
        "UUID",
        "VARCHAR(9)",
    ):
        pg_type, _ = types.to_postgres(sqlite)
        back, _ = types.to_sqlite(pg_type)
        assert (
            kind_of("sqlite", back) == kind_of("postgresql", pg_type) == kind_of("sqlite", sqlite)
        ), sqlite


# --- defaults --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sqlite", "pg_type", "postgres"),
    [
        ("0", "BIGINT", "0"),
        ("-1.5", "DOUBLE PRECISION", "-1.5"),
        ("0x1F", "BIGINT", "31"),
        ("'it''s'", "TEXT", "'it''s'"),
        ("1", "BOOLEAN", "true"),
        ("0", "BOOLEAN", "false"),
        ("TRUE", "BOOLEAN", "true"),
        ("TRUE", "BIGINT", "1"),
        ("X'00FF'", "BYTEA", "'\\x00ff'"),
        ("CURRENT_TIMESTAMP", "TIMESTAMP", "CURRENT_TIMESTAMP"),
        ("(datetime('now'))", "TIMESTAMP", "CURRENT_TIMESTAMP"),
        ("(0)", "BIGINT", "0"),
    ],
)
def test_sqlite_defaults_to_postgres(sqlite: str, pg_type: str, postgres: str) -> None:
    assert defaults.to_postgres(sqlite, pg_type) == postgres


@pytest.mark.parametrize(
    "sqlite", ["lower(hex(randomblob(16)))", "datetime('now', 'localtime')", "2", "x'00'"]
)
def test_sqlite_defaults_without_a_postgres_form(sqlite: str) -> None:
    assert defaults.to_postgres(sqlite, "BOOLEAN") is None


@pytest.mark.parametrize(
    ("postgres", "sqlite"),
    [
        ("0", "0"),
        ("'-1'::integer", "-1"),
        ("'1.50'::numeric", "1.50"),
        ("'abc'::text", "'abc'"),
        ("'x'::character varying", "'x'"),
        ("'sad'::mood", "'sad'"),
        ("'{}'::text[]", "'{}'"),
        ("'\\x00ff'::bytea", "X'00ff'"),
        ("true", "1"),
        ("false", "0"),
        ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
        ("now()", "CURRENT_TIMESTAMP"),
        ("CURRENT_DATE", "CURRENT_DATE"),
        ("NULL::text", "NULL"),
    ],
)
def test_postgres_defaults_to_sqlite(postgres: str, sqlite: str) -> None:
    assert defaults.to_sqlite(postgres) == sqlite


@pytest.mark.parametrize(
    "postgres", ["gen_random_uuid()", "nextval('s'::regclass)", "('a'::text || 'b'::text)"]
)
def test_postgres_defaults_without_a_sqlite_form(postgres: str) -> None:
    assert defaults.to_sqlite(postgres) is None


# --- schemas ---------------------------------------------------------------------------------


def test_sqlite_schema_to_postgres() -> None:
    schema = schema_from_sql(
        """
        CREATE TABLE owners (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT COLLATE NOCASE);
        CREATE TABLE things (
            id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES owners (id),
            ok BOOLEAN NOT NULL ON CONFLICT REPLACE DEFAULT 1,
            token TEXT DEFAULT (hex(randomblob(4))),
            CHECK (ok IN (0, 1))
        );
        CREATE INDEX things_owner ON things (owner_id);
        CREATE VIEW v AS SELECT id FROM things;
        CREATE VIEW named (x) AS SELECT id FROM things;
        CREATE TRIGGER t AFTER INSERT ON things BEGIN SELECT 1; END;
        """
    )
    conversion = convert_schema(schema, "sqlite", "postgresql")
    owners, things = conversion.schema.tables
    # An INTEGER PRIMARY KEY is numbered by SQLite, AUTOINCREMENT or not: a serial here.
    assert owners.columns[0] == Column("id", "BIGINT", False, autoincrement=True)
    assert things.columns[0].autoincrement
    assert things.column("ok") == Column("ok", "BOOLEAN", False, pg_expr("true"))
    assert things.column("token") == Column("token", "TEXT")
    assert things.foreign_keys[0].ref_table == "owners"
    assert things.indexes == (Index("things_owner", (IndexPart("owner_id"),)),)
    assert things.checks == (Check(pg_expr("ok IN (0, 1)")),)
    assert conversion.schema.views == (View("v", view_expr("SELECT id FROM things")),)
    notes = "\n".join(conversion.notes)
    for expected in (
        "owners.name: COLLATE NOCASE",
        "things.token: default",
        "things.ok: ON CONFLICT REPLACE of NOT NULL dropped",
        "view named",
        "trigger t",
    ):
        assert expected in notes


def test_postgres_schema_to_sqlite() -> None:
    schema = Schema(
        tables=(
            Table(
                "people",
                (
                    Column("id", "INTEGER", False, identity="BY DEFAULT"),
                    Column("mood", "mood", default=pg_expr("'sad'::mood")),
                    Column("tags", "TEXT[]"),
                    Column("n", "BIGINT", False, autoincrement=True),
                    Column("uid", "UUID", default=pg_expr("gen_random_uuid()")),
                ),
                PrimaryKey(("id",), "people_pkey"),
                (Index("people_tags", (IndexPart("tags"),), method="gin"),),
                comment="who",
            ),
        ),
        enums=(Enum("mood", ("happy", "sad")),),
        views=(View("m", view_expr("SELECT 1"), materialized=True),),
    )
    conversion = convert_schema(schema, "postgresql", "sqlite")
    (people,) = conversion.schema.tables
    assert people.primary_key == PrimaryKey(("id",))
    assert people.columns[0] == Column("id", "INTEGER", False, autoincrement=True)
    assert people.column("mood") == Column("mood", "TEXT", default=people.columns[1].default)
    assert people.columns[1].default is not None and people.columns[1].default.text == "'sad'"
    assert people.column("n") == Column("n", "INTEGER", False)
    assert people.indexes == ()
    assert conversion.schema.views == ()
    notes = "\n".join(conversion.notes)
    for expected in (
        "people.mood: SQLite has no enums",
        "people.tags: SQLite has no arrays",
        "people.n: numbered by a sequence",
        "people.uid: default gen_random_uuid() dropped",
        "index people_tags: not copied",
        "people: comments dropped",
        "materialized view m",
    ):
        assert expected in notes


def test_nulls_options_are_dropped_for_sqlite_with_a_note_and_kept_for_postgres() -> None:
    table = Table(
        "t",
        (Column("a", "INTEGER"), Column("b", "TEXT")),
        indexes=(
            Index(
                "t_a_key", (IndexPart("a"),), unique=True, constraint=True, nulls_not_distinct=True
            ),
            Index("t_order", (IndexPart("a", nulls="FIRST"), IndexPart("b", descending=True))),
        ),
    )
    schema = Schema(tables=(table,))
    conversion = convert_schema(schema, "postgresql", "sqlite")
    assert conversion.schema.tables[0].indexes == (
        Index("t_a_key", (IndexPart("a"),), unique=True, constraint=True),
        Index("t_order", (IndexPart("a"), IndexPart("b", descending=True))),
    )
    assert conversion.notes == (
        "index t_a_key: NULLS NOT DISTINCT dropped (SQLite has none: its unique keys take any "
        "number of NULLs)",
        "index t_order: NULLS FIRST / LAST of its keys dropped (SQLite has none)",
    )
    assert convert_schema(schema, "postgresql", "postgresql").schema is schema


def test_the_same_engine_is_not_converted_and_others_are_refused() -> None:
    schema = schema_from_sql("CREATE TABLE t (x INTEGER);")
    assert convert_schema(schema, "sqlite", "sqlite").schema is schema
    with pytest.raises(ConversionError):
        convert_schema(schema, "sqlite", "mysql")


def test_what_sqlite_refuses_is_left_out_and_reported() -> None:
    """A PostgreSQL CHECK, index and view written with ``::`` casts: SQLite refuses each, the
    rest of the table comes through."""
    t = Table(
        "t",
        (Column("x", "TEXT"), Column("y", "TEXT", default=pg_expr("'a'::text"))),
        checks=(
            Check(pg_expr("(length((x)::text) > 0)"), "t_x_check"),
            Check(pg_expr("y <> ''"), "t_y"),
        ),
        indexes=(
            Index("t_lower", (IndexPart(expression=pg_expr("lower((x)::text)")),)),
            Index("t_x", (IndexPart("x"),)),
        ),
    )
    views = (
        View("bad", view_expr("SELECT (x)::text FROM t")),
        View("good", view_expr("SELECT x FROM t")),
    )
    conversion = convert_schema(Schema(tables=(t,), views=views), "postgresql", "sqlite")
    notes = list(conversion.notes)
    fitted = fit_schema(
        conversion.schema, get_dialect("sqlite"), parse_url(":memory:"), notes, timeout=5
    )
    (table,) = fitted.tables
    assert [c.name for c in table.checks] == ["t_y"]
    assert [i.name for i in table.indexes] == ["t_x"]
    assert table.column("y") is not None and table.column("y").default is not None  # type: ignore[union-attr]
    assert [v.name for v in fitted.views] == ["good"]
    assert any(n.startswith("t: CHECK ((length((x)::text) > 0)): SQLite refused it") for n in notes)
    assert any(n.startswith("index t_lower: not copied") for n in notes)
    assert any(n.startswith("view bad: not copied") for n in notes)


# --- canonical values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "column_type", "kind"),
    [
        ("sqlite", "INTEGER", "integer"),
        ("sqlite", "BOOLEAN", "boolean"),
        ("sqlite", "DATETIME", "timestamp"),
        ("sqlite", "DECIMAL(10,2)", "decimal"),
        ("sqlite", "VARCHAR(9)", "text"),
        ("sqlite", "", "any"),
        ("sqlite", "BLOB", "blob"),
        ("sqlite", "ANYTHING", "any"),
        ("postgresql", "BIGINT", "integer"),
        ("postgresql", "TIMESTAMPTZ(3)", "timestamp"),
        ("postgresql", "JSONB", "json"),
        ("postgresql", "TEXT[]", "text"),
        ("postgresql", '"Role"', "text"),
    ],
)
def test_kinds(engine: str, column_type: str, kind: str) -> None:
    assert kind_of(engine, column_type) == kind


@pytest.mark.parametrize(
    ("kind", "sqlite_value", "postgres_value"),
    [
        ("integer", 9223372036854775807, 9223372036854775807),
        ("real", 0.1, 0.1),
        ("real", 3, 3.0),
        ("decimal", 12.5, "12.50"),
        ("decimal", "12.50", "12.5"),
        ("decimal", 0, "0.00"),
        ("decimal", 1e-07, "0.0000001"),
        ("boolean", 1, True),
        ("boolean", 0, False),
        ("timestamp", "2024-02-29 23:59:59", "2024-02-29 23:59:59"),
        ("timestamp", "2024-02-29T23:59:59.120Z", "2024-02-29 23:59:59.12"),
        ("timestamp", "2024-03-01 00:59:59+01:00", "2024-02-29 23:59:59+00"),
        ("timestamp", 1709251199120, "2024-02-29 23:59:59.12+00"),
        ("timestamp", "2024-02-29", "2024-02-29 00:00:00"),
        ("date", "2024-02-29", "2024-02-29"),
        ("time", "10:00", "10:00:00"),
        ("json", '{"b" : 1, "a": [1, 2.0]}', '{"a": [1, 2.0], "b": 1}'),
        ("json", 1, "1"),
        ("uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ("text", 42, "42"),
        ("text", "ünï 😀", "ünï 😀"),
        ("blob", b"\x00\xff", b"\x00\xff"),
        ("any", None, None),
    ],
)
def test_the_same_value_from_both_engines_has_one_form(
    kind: str, sqlite_value: object, postgres_value: object
) -> None:
    form = canonical(kind)
    assert form(sqlite_value) == form(postgres_value)


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [
        ("integer", 1, "1.5"),
        ("real", 2**63 - 1, 9.223372036854776e18),  # not exactly representable: not the same
        ("decimal", "12.345", "12.35"),
        ("boolean", 2, True),
        ("timestamp", "2024-02-29 23:59:59.1234567", "2024-02-29 23:59:59.123457"),
        ("timestamp", "2024-03-01 10:00:00+02", "2024-03-01 10:00:00"),
        ("date", "2024-02-29 10:00:00", "2024-02-29"),
        ("text", "", None),
        ("text", "1", b"1"),
        ("any", 1, "1"),
        ("json", '{"a": 1}', '{"a": "1"}'),
    ],
)
def test_different_values_keep_different_forms(kind: str, a: object, b: object) -> None:
    form = canonical(kind)
    assert form(a) != form(b)


def test_decimal_forms_are_plain_digits() -> None:
    form = canonical("decimal")
    assert form(Decimal("1E+2")) == form("100") == "100"
    assert form("NaN") == "NaN"
