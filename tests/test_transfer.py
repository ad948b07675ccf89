"""Export and import: exact values of every type, the round trip byte for byte, imports
into empty and same-schema databases, and the files that are refused."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.helpers import make_db, table_rows
from trueup.cli import cli
from trueup.transfer import export_database, import_database
from trueup.transfer.format import TransferError
from trueup.urls import parse_url

SCHEMA = """
CREATE TABLE "owner list" (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    boss_id INTEGER REFERENCES "owner list" (id)
);
CREATE TABLE things (
    anything,
    i INTEGER,
    r REAL,
    t TEXT,
    b BLOB,
    n NUMERIC,
    d DECIMAL(10, 2),
    at DATETIME,
    doc JSON,
    owner_id INTEGER REFERENCES "owner list" (id),
    twice INTEGER GENERATED ALWAYS AS (i * 2) VIRTUAL
);
CREATE INDEX things_i ON things (i);
CREATE TABLE strict_values (k TEXT PRIMARY KEY, v ANY, n INTEGER, x REAL) STRICT, WITHOUT ROWID;
CREATE TABLE log (what TEXT);
CREATE TRIGGER thing_logged AFTER INSERT ON things BEGIN INSERT INTO log VALUES ('added'); END;
CREATE VIEW thing_owners AS
    SELECT t.i, o.name FROM things t JOIN "owner list" o ON o.id = t.owner_id;
"""

VALUES: list[Any] = [
    2**63 - 1,
    -(2**63),
    0,
    -1,
    2**53 + 1,
    0.1,
    1e308,
    -1e-308,
    5e-324,
    1.0,
    -2.5,
    float("inf"),
    float("-inf"),
    "",
    None,
    "ünïcödé ✓ 😀 עברית e\u0301",
    'line\nbreak\ttab "quotes" \\ back\x00nul',
    b"",
    bytes(range(256)),
    "2024-02-29 23:59:59.999",
    '{"a": [1, 2.0, null], "b": "\\u00e9"}',
    "12.50",
]


def fill(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.executemany(
        'INSERT INTO "owner list" (id, name, boss_id) VALUES (?, ?, ?)',
        [(1, "root", None), (2, "child", 1), (5, "gone", None)],
    )
    conn.execute('DELETE FROM "owner list" WHERE id = 5')  # the counter stays at 5
    for v in VALUES:
        conn.execute(
            "INSERT INTO things (anything, i, r, t, b, n, d, at, doc, owner_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (v, v if isinstance(v, int) else None, v, v, v, v, v, v, v, 2),
        )
    # Text that is not valid UTF-8 can be stored; it must come back byte for byte.
    conn.execute("INSERT INTO things (anything, t) VALUES (CAST(X'FF41C0' AS TEXT), 'bad')")
    conn.execute("DELETE FROM things WHERE rowid = 3")  # a gap in the hidden rowids
    conn.executemany(
        "INSERT INTO strict_values VALUES (?, ?, ?, ?)",
        [("a", 2**63 - 1, -(2**63), 0.1), ("b", b"\x00", None, 1e308), ("c", "x", 7, None)],
    )
    conn.commit()
    conn.close()


def exact(path: Path) -> dict[str, Any]:
    """Every stored value with its storage class, floats by repr (bit for bit), rowids,
    and the AUTOINCREMENT counters."""
    conn = sqlite3.connect(path)
    conn.text_factory = bytes  # text compared as stored bytes, valid UTF-8 or not
    out: dict[str, Any] = {}
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
    ):
        table = name.decode()
        cols = [r[1].decode() for r in conn.execute(f'PRAGMA table_info("{table}")')]
        select = ", ".join(f'typeof("{c}"), "{c}"' for c in cols)
        rowid = "" if table == "strict_values" else "rowid, "
        rows = conn.execute(f'SELECT {rowid}{select} FROM "{table}" ORDER BY 1').fetchall()
        out[table] = repr(rows)
    out["sqlite_sequence"] = conn.execute("SELECT * FROM sqlite_sequence").fetchall()
    conn.close()
    return out


def invoke(*args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_round_trip_is_exact_and_byte_identical(project: Path) -> None:
    fill(project / "a.db")
    result = invoke("export", "--url", "a.db", "-o", "a.jsonl")
    assert result.exit_code == 0, result.output
    assert "Exported 4 tables" in result.output
    result = invoke("import", "a.jsonl", "--url", "b.db")
    assert result.exit_code == 0, result.output
    assert "created the schema from the file" in result.output
    assert exact(project / "b.db") == exact(project / "a.db")
    assert invoke("export", "--url", "b.db", "-o", "b.jsonl").exit_code == 0
    assert (project / "a.jsonl").read_bytes() == (project / "b.jsonl").read_bytes()


def test_values_in_the_file(project: Path) -> None:
    fill(project / "a.db")
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    lines = (project / "a.jsonl").read_text(encoding="utf-8").rstrip("\n").split("\n")
    header = json.loads(lines[0])
    assert header["format"] == "trueup-export" and header["version"] == 1
    assert header["engine"] == "sqlite"
    names = [t["name"] for t in header["tables"]]
    assert names == ["log", "owner list", "strict_values", "things"]  # parents first, by name
    records = {r["table"]: r for r in map(json.loads, lines[1:]) if "table" in r}
    text = "\n".join(lines)
    assert "[1,9223372036854775807,9223372036854775807," in text  # exact 64-bit integers
    assert "-9223372036854775808" in text
    assert ",0.1," in text and ",1e+308," in text and ",5e-324," in text
    assert '{"$real":"Infinity"}' in text and '{"$real":"-Infinity"}' in text
    assert '{"$blob":""}' in text and '{"$blob":"AAECAwQF' in text
    assert '{"$text":"/0HA"}' in text
    assert "ünïcödé ✓ 😀" in text  # unicode as UTF-8, not escaped
    things = records["things"]
    assert things["rowid"] is True
    assert "twice" not in things["columns"]  # generated: recomputed, not stored
    assert things["types"][:3] == ["", "INTEGER", "REAL"]
    assert records["owner list"]["sequence"] == 5
    assert "rowid" not in records["strict_values"]  # WITHOUT ROWID
    assert json.loads(lines[-1]) == {"end": "trueup-export", "tables": 4, "rows": 50}


def test_triggers_do_not_fire_on_imported_rows(project: Path) -> None:
    fill(project / "a.db")
    logged = exact(project / "a.db")["log"]
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    assert invoke("import", "a.jsonl", "--url", "b.db").exit_code == 0
    assert exact(project / "b.db")["log"] == logged
    # ... and they are there afterwards.
    conn = sqlite3.connect(project / "b.db")
    before = conn.execute("SELECT count(*) FROM log").fetchone()[0]
    conn.execute("INSERT INTO things (i) VALUES (1)")
    assert conn.execute("SELECT count(*) FROM log").fetchone()[0] == before + 1
    conn.close()


def test_import_into_a_database_with_the_same_schema(project: Path) -> None:
    fill(project / "a.db")
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    make_db(project / "b.db", SCHEMA)  # the same schema, written by the app itself
    result = invoke("import", "a.jsonl", "--url", "b.db")
    assert result.exit_code == 0, result.output
    assert "into the existing schema" in result.output
    assert exact(project / "b.db") == exact(project / "a.db")


DESC_KEY = """
CREATE TABLE events (id INTEGER PRIMARY KEY DESC, kind TEXT);
CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT);
"""


def test_an_integer_primary_key_desc_is_no_rowid_and_keeps_its_rows(project: Path) -> None:
    # Written in the column with DESC, an INTEGER PRIMARY KEY is an ordinary key beside the
    # rowid (SQLite's documented quirk): it can hold NULL and text, and the rowid is its own.
    make_db(
        project / "a.db",
        DESC_KEY,
        "INSERT INTO events (rowid, id, kind) VALUES (1, 30, 'a'), (4, NULL, 'b'),"
        " (6, NULL, 'c'), (9, 'x', 'd'), (12, 2, 'e'); INSERT INTO log (what) VALUES ('x');",
    )
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    lines = (project / "a.jsonl").read_text(encoding="utf-8").rstrip("\n").split("\n")
    records = {r["table"]: r for r in map(json.loads, lines[1:]) if "table" in r}
    assert records["events"]["rowid"] is True
    for target in ("b.db", "c.db"):
        if target == "c.db":
            make_db(project / target, DESC_KEY)  # the same schema, written by the app
        result = invoke("import", "a.jsonl", "--url", target)
        assert result.exit_code == 0, result.output
        assert exact(project / target) == exact(project / "a.db")
        conn = sqlite3.connect(project / target)
        origins = conn.execute("SELECT origin FROM pragma_index_list('events')").fetchall()
        conn.close()
        assert origins == [("pk",)]  # still a key of its own, not the rowid
    assert invoke("export", "--url", "b.db", "-o", "b.jsonl").exit_code == 0
    assert (project / "a.jsonl").read_bytes() == (project / "b.jsonl").read_bytes()


def test_import_refuses_a_database_with_rows(project: Path) -> None:
    fill(project / "a.db")
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    make_db(project / "b.db", SCHEMA, "INSERT INTO log VALUES ('already here');")
    result = invoke("import", "a.jsonl", "--url", "b.db")
    assert result.exit_code == 1
    assert "already holds rows in log" in result.output
    assert table_rows(project / "b.db")["log"] == [{"what": "already here"}]


def test_import_refuses_another_schema(project: Path) -> None:
    fill(project / "a.db")
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    make_db(project / "b.db", "CREATE TABLE other (x);")
    result = invoke("import", "a.jsonl", "--url", "b.db")
    assert result.exit_code == 1
    assert "schema differs" in result.output and "DropTable other" in result.output
    assert table_rows(project / "b.db") == {"other": []}


def _rewrite(path: Path, line: int, change: Any) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    data = json.loads(lines[line])
    change(data)
    lines[line] = (json.dumps(data, ensure_ascii=False) + "\n").encode()
    path.write_bytes(b"".join(lines))


def test_a_newer_format_version_is_refused(project: Path) -> None:
    fill(project / "a.db")
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    _rewrite(project / "a.jsonl", 0, lambda h: h.update(version=2, trueup="9.0.0"))
    result = invoke("import", "a.jsonl", "--url", "b.db")
    assert result.exit_code == 1
    assert "format version 2 (written by trueup 9.0.0)" in result.output
    assert "reads versions up to 1" in result.output and "Upgrade trueup" in result.output
    assert not (project / "b.db").exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[: b.rindex(b'{"end"')], "incomplete"),
        (lambda b: b.replace(b'"rows":2}', b'"rows":3}', 1), "the header says 3"),
        (lambda b: b.replace(b"[1,", b"[1,2,", 1), "has 3 values; the table has 2"),
        (lambda b: b.replace(b"[1,", b"[1,{", 1), "not valid JSON"),
        (lambda b: b"hello\n" + b, "not a trueup export"),
        (lambda b: b"", "not a trueup export"),
    ],
    ids=["truncated", "count", "width", "json", "foreign", "empty"],
)
def test_a_damaged_file_imports_nothing(project: Path, damage: Any, message: str) -> None:
    fill(project / "a.db")
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    (project / "bad.jsonl").write_bytes(damage((project / "a.jsonl").read_bytes()))
    result = invoke("import", "bad.jsonl", "--url", "b.db")
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert not (project / "b.db").exists()  # a database the import created is gone again
    make_db(project / "c.db", "")
    assert invoke("import", "bad.jsonl", "--url", "c.db").exit_code == 1
    assert table_rows(project / "c.db") == {}


def test_error_names_the_line(project: Path) -> None:
    make_db(project / "a.db", "CREATE TABLE t (x);", "INSERT INTO t VALUES (1), (2), (3);")
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    text = (project / "a.jsonl").read_text().replace("[2,2]", "[2,2", 1)
    (project / "a.jsonl").write_text(text)
    result = invoke("import", "a.jsonl", "--url", "b.db")
    assert "a.jsonl:4:" in result.output


def test_export_to_stdout_and_import_from_stdin(project: Path) -> None:
    fill(project / "a.db")
    result = invoke("export", "--url", "a.db")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b'{"format":"trueup-export"')
    assert "Exported 4 tables" in result.stderr
    result = invoke("import", "-", "--url", "b.db", input=result.stdout_bytes)
    assert result.exit_code == 0, result.output
    assert exact(project / "b.db") == exact(project / "a.db")


def test_export_file_is_owner_only_and_written_whole(project: Path) -> None:
    import os
    import stat

    fill(project / "a.db")
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    assert stat.S_IMODE(os.stat(project / "a.jsonl").st_mode) == 0o600
    assert sorted(os.listdir(project)) == ["a.db", "a.jsonl"]  # no temporary file left


def test_export_of_a_missing_database(project: Path) -> None:
    result = invoke("export", "--url", "none.db", "-o", "x.jsonl")
    assert result.exit_code == 1 and "There is no database" in result.output
    assert not (project / "x.jsonl").exists() and not (project / "none.db").exists()


def test_orphans_are_imported_and_reported(project: Path) -> None:
    make_db(
        project / "a.db",
        "CREATE TABLE p (id INTEGER PRIMARY KEY);"
        "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id));",
        "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1), (2, 99);",
    )
    assert invoke("export", "--url", "a.db", "-o", "a.jsonl").exit_code == 0
    result = invoke("import", "a.jsonl", "--url", "b.db")
    assert result.exit_code == 0
    assert "1 row(s) of c have no matching row in p" in result.output
    assert table_rows(project / "b.db") == table_rows(project / "a.db")


def test_library_streams_from_and_to_file_objects(project: Path) -> None:
    fill(project / "a.db")
    buffer = io.BytesIO()
    result = export_database(parse_url(str(project / "a.db")), buffer)
    assert result.rows == 50
    buffer.seek(0)
    imported = import_database(parse_url(str(project / "b.db")), buffer, "buffer")
    assert imported.created and imported.rows == 50
    buffer.seek(0)
    with pytest.raises(TransferError, match="already holds rows"):
        import_database(parse_url(str(project / "b.db")), buffer, "buffer")


def test_no_progress_bar_and_no_rich_off_a_terminal(project: Path) -> None:
    fill(project / "a.db")
    script = (
        "import sys\n"
        "from trueup.cli import cli\n"
        "try:\n"
        "    cli(['export', '--url', 'a.db', '-o', 'a.jsonl'], prog_name='trueup')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('rich' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "False", proc.stderr
