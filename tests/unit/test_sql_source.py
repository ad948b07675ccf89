"""Reading a SQL schema file: the engine judges it, errors point at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from trueup.engines import get_dialect
from trueup.errors import ConfigError, SchemaError
from trueup.sources import load_schema
from trueup.sources.sql import load_sql
from trueup.urls import parse_url


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "schema.sql"
    path.write_text(text)
    return str(path)


def test_syntax_error_names_file_line_column_and_statement(tmp_path: Path) -> None:
    path = write(
        tmp_path, "CREATE TABLE a (id INTEGER);\n\nCREATE TABLE b (\n  id INTEGER,,\n  x TEXT\n);\n"
    )
    with pytest.raises(SchemaError) as err:
        load_schema(path)
    e = err.value
    assert e.location is not None
    assert (e.location.line, e.location.column) == (4, 14)
    text = str(e)
    assert text.startswith(f"{path}:4:14: error:")
    assert 'near ","' in text
    assert "  id INTEGER,," in text and text.count("^") == 1
    assert "Nothing was changed" in text


def test_semantic_error_points_at_the_name(tmp_path: Path) -> None:
    path = write(tmp_path, "CREATE TABLE a (\n  id INTEGER,\n  id TEXT\n);\n")
    with pytest.raises(SchemaError) as err:
        load_schema(path)
    assert err.value.location is not None
    assert (err.value.location.line, err.value.location.column) == (3, 3)
    assert "duplicate column name" in str(err.value)


def test_statements_may_come_in_any_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "CREATE INDEX b_x ON b (x);\n"
        "CREATE TRIGGER t AFTER INSERT ON b BEGIN SELECT 1; SELECT 2; END;\n"
        "CREATE TABLE b (x INT);\n",
    )
    schema = load_schema(path).schema
    assert [i.name for i in schema.tables[0].indexes] == ["b_x"]
    assert [t.name for t in schema.triggers] == ["t"]


def test_a_sqlite_schema_dump_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n"
        "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);\n"
        "CREATE TABLE sqlite_sequence(name,seq);\nCOMMIT;\n",
    )
    assert [t.name for t in load_schema(path).schema.tables] == ["a"]


def test_data_statements_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "CREATE TABLE a (x);\nINSERT INTO a VALUES (1);\n")
    with pytest.raises(SchemaError) as err:
        load_schema(path)
    assert err.value.location is not None and err.value.location.line == 2
    assert "INSERT" in str(err.value)


def test_missing_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_schema(str(tmp_path / "nope.sql"))
    other = tmp_path / "schema.yaml"
    other.write_text("")
    with pytest.raises(ConfigError, match="cannot read"):
        load_schema(str(other))


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "schema.sql"
    path.write_bytes(b"CREATE TABLE \xff (a);")
    with pytest.raises(SchemaError, match="not UTF-8"):
        load_schema(str(path))


@pytest.mark.parametrize(
    ("parent", "reference"),
    [
        ("CREATE TABLE p (id INTEGER PRIMARY KEY, a TEXT, b TEXT)", "REFERENCES p"),
        ("CREATE TABLE p (id INTEGER PRIMARY KEY, a TEXT, b TEXT)", "REFERENCES p (id)"),
        ("CREATE TABLE p (id INTEGER, a TEXT UNIQUE, b TEXT)", "REFERENCES p (a)"),
        (  # a unique index on the same columns in another order serves
            "CREATE TABLE p (id INTEGER, a TEXT, b TEXT, UNIQUE (b, a))",
            "(x, y) REFERENCES p (a, b)",
        ),
        (
            "CREATE TABLE p (id INTEGER, a TEXT, b TEXT); CREATE UNIQUE INDEX p_a ON p (a)",
            "REFERENCES p (a)",
        ),
    ],
)
def test_foreign_keys_to_a_key_or_unique_columns_are_accepted(
    tmp_path: Path, parent: str, reference: str
) -> None:
    fk = f"FOREIGN KEY {reference}" if reference.startswith("(") else reference
    column = "x TEXT, y TEXT, " + fk if fk.startswith("FOREIGN") else "x TEXT " + fk
    path = write(tmp_path, f"{parent};\nCREATE TABLE c (id INTEGER PRIMARY KEY, {column});\n")
    assert [t.name for t in load_schema(path).schema.tables] == ["c", "p"]


@pytest.mark.parametrize(
    ("schema", "where", "keys"),
    [
        (  # no column list and no primary key to stand for it
            "CREATE TABLE p (a TEXT);\nCREATE TABLE c (x TEXT REFERENCES p);\n",
            (2, 24),
            "c(x) -> p",
        ),
        (  # unique on more columns than are referenced
            "CREATE TABLE p (a TEXT, b TEXT, UNIQUE (a, b));\n"
            'CREATE TABLE IF NOT EXISTS c (\n  x TEXT,\n  y TEXT REFERENCES "p" (b)\n);\n',
            (4, 10),
            "c(y) -> p(b)",
        ),
        (  # a partial unique index cannot serve
            "CREATE TABLE p (a TEXT);\nCREATE UNIQUE INDEX p_a ON p (a) WHERE a > '';\n"
            "CREATE TABLE c (x TEXT REFERENCES p (a));\n",
            (3, 24),
            "c(x) -> p(a)",
        ),
    ],
)
def test_foreign_key_to_columns_that_are_not_unique_is_refused(
    tmp_path: Path, schema: str, where: tuple[int, int], keys: str
) -> None:
    path = write(tmp_path, schema)
    with pytest.raises(SchemaError) as err:
        load_schema(path)
    e = err.value
    assert e.location is not None and (e.location.line, e.location.column) == where
    assert f"The foreign key {keys} points at columns of p" in str(e)
    assert "so SQLite would refuse every write to c." in str(e)


def test_foreign_key_to_a_table_the_schema_does_not_make_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE c (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id),\n"
        "  gone_id INTEGER REFERENCES gone (id));\n",
    )
    with pytest.raises(SchemaError) as err:
        load_schema(path)
    e = err.value
    assert e.location is not None and (e.location.line, e.location.column) == (3, 19)
    assert "The foreign key c(gone_id) -> gone(id) points at the table gone, which this " in str(e)
    assert "so SQLite would refuse every write to c." in str(e)
    assert "Add the table gone to the schema, or drop the foreign key." in str(e)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_rename_hints_whatever_the_splitter_keeps_of_the_comments(engine: str) -> None:
    # PostgreSQL's splitter counts the comments above a statement as part of it, SQLite's
    # does not: the hints must come out the same.
    from trueup.engines import get_dialect
    from trueup.errors import SchemaError as Error
    from trueup.sources.sql_hints import rename_hints

    text = (
        "-- @renamed from=people\n"
        "CREATE TABLE person (\n"
        "    id integer PRIMARY KEY,\n"
        "    -- @renamed from=full_name\n"
        "    name text,\n"
        "    grp text); -- @renamed from=group\n"
        "CREATE TABLE tag (id integer PRIMARY KEY); -- @renamed from=label\n"
        "CREATE TABLE plain (id integer PRIMARY KEY);\n"
    )

    def fail(offset: int, message: str) -> Error:
        return Error(message)

    hints = rename_hints(text, get_dialect(engine).split_statements(text), fail)
    assert hints.tables == {"people": "person", "label": "tag"}
    assert hints.columns == {("person", "full_name"): "name", ("person", "group"): "grp"}


@pytest.mark.parametrize(
    ("declaration", "line", "key"),
    [
        ("  id SERIAL PRIMARY KEY,\n  name TEXT\n", 3, True),
        ("  id INTEGER PRIMARY KEY,\n  n bigserial\n", 4, False),
        ('  "Id" SmallSerial NOT NULL,\n  PRIMARY KEY ("Id")\n', 3, True),
    ],
)
def test_postgresqls_serial_types_are_refused_on_sqlite(
    tmp_path: Path, declaration: str, line: int, key: bool
) -> None:
    path = write(tmp_path, f"-- users\nCREATE TABLE users (\n{declaration});\n")
    with pytest.raises(SchemaError) as err:
        load_schema(path)
    e = err.value
    assert e.location is not None and (e.location.line, e.location.column) == (line, 3)
    assert "SQLite has no" in e.message and "(it is PostgreSQL's)" in e.message
    assert ("as the primary key it would take NULLs" in e.message) is key
    assert e.hint is not None and "INTEGER PRIMARY KEY" in e.hint


def test_a_serial_in_a_name_or_a_default_is_no_serial_type(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "CREATE TABLE serial (id INTEGER PRIMARY KEY, serial TEXT DEFAULT 'SERIAL', s_n INT);\n",
    )
    assert [c.type for c in load_schema(path).schema.tables[0].columns] == [
        "INTEGER",
        "TEXT",
        "INT",
    ]


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        (
            "CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
            "triggers",
        ),
        ("CREATE OR REPLACE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;", "rules"),
        ("CREATE POLICY own ON t USING (true);", "row-level security policies"),
        ("ALTER TABLE t ENABLE ROW LEVEL SECURITY;", "row-level security"),
        ("ALTER TABLE t FORCE ROW LEVEL SECURITY;", "row-level security"),
        ("COMMENT ON INDEX t_v IS 'an index';", "`COMMENT ON INDEX`"),
        ("COMMENT ON CONSTRAINT t_pkey ON t IS 'the key';", "`COMMENT ON CONSTRAINT`"),
        ("COMMENT ON MATERIALIZED VIEW mv IS 'a view';", "`COMMENT ON MATERIALIZED VIEW`"),
    ],
)
def test_postgresql_statements_trueup_cannot_compare_are_refused(
    tmp_path: Path, statement: str, named: str
) -> None:
    """A statement the scratch database would run and a push would then never make nor
    compare is refused at its line, before any database is touched (no server here)."""
    path = tmp_path / "schema.sql"
    path.write_text(f"CREATE TABLE t (id integer PRIMARY KEY, v text);\n{statement}\n")
    with pytest.raises(SchemaError) as caught:
        load_sql(str(path), get_dialect("postgresql"), parse_url("postgresql://nowhere/db"))
    assert f"does not manage {named} on PostgreSQL yet" in caught.value.message
    assert caught.value.location is not None and caught.value.location.line == 2


def test_comments_on_tables_and_columns_and_sqlite_triggers_are_not_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "schema.sql"
    path.write_text(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n"
        "CREATE TRIGGER t_touch AFTER UPDATE ON t BEGIN SELECT 1; END;\n"
    )
    declared = load_sql(str(path), get_dialect("sqlite"))
    assert [t.name for t in declared.schema.triggers] == ["t_touch"]
