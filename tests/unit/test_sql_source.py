"""Reading a SQL schema file: the engine judges it, errors point at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from trueup.errors import ConfigError, SchemaError
from trueup.sources import load_schema


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
