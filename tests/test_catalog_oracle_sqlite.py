"""The SQLite catalog oracle of the external suites (tests/external/sqlite_catalog.py) finds
every kind of difference between two databases, and none between two spellings of one
schema or between a database and a restore of its dump."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.external import sqlite_catalog
from tests.external.catalog import compare, hard

BASE = {
    "parent": "CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " name TEXT NOT NULL DEFAULT 'x' COLLATE NOCASE, code INT UNIQUE,"
    " total REAL GENERATED ALWAYS AS (code * 2) STORED, CHECK (name <> ''))",
    "child": "CREATE TABLE child (id INTEGER REFERENCES parent (id) ON DELETE CASCADE"
    " DEFERRABLE INITIALLY DEFERRED, v TEXT, w TEXT, PRIMARY KEY (v, w)) WITHOUT ROWID",
    "strict_t": "CREATE TABLE strict_t (a INTEGER, b TEXT) STRICT",
    "ordered": "CREATE TABLE ordered (a INT, mid TEXT, z INT)",
    "child_v": "CREATE INDEX child_v ON child (v DESC) WHERE w IS NOT NULL",
    "names": "CREATE VIEW names AS SELECT id, name FROM parent",
    "touch": "CREATE TRIGGER touch AFTER INSERT ON parent"
    " BEGIN UPDATE parent SET name = 'y' WHERE id = NEW.id; END",
}

#: One change each: (the statement replaced, the words replaced, their replacement, the
#: object the oracle must name).
CHANGES = {
    "column type": ("parent", "name TEXT", "name VARCHAR(10)", "TABLE: parent"),
    "default": ("parent", "DEFAULT 'x'", "DEFAULT 'y'", "TABLE: parent"),
    "NOT NULL": ("parent", "TEXT NOT NULL", "TEXT", "TABLE: parent"),
    "COLLATE": ("parent", "COLLATE NOCASE", "", "TABLE: parent"),
    "UNIQUE": ("parent", "code INT UNIQUE", "code INT", "TABLE: parent"),
    "CHECK": ("parent", "name <> ''", "name <> 'z'", "TABLE: parent"),
    "generated expression": ("parent", "code * 2", "code * 3", "TABLE: parent"),
    "STORED": ("parent", "STORED", "VIRTUAL", "TABLE: parent"),
    "AUTOINCREMENT": ("parent", "AUTOINCREMENT", "", "TABLE: parent"),
    "primary key": ("child", "PRIMARY KEY (v, w)", "PRIMARY KEY (w, v)", "TABLE: child"),
    "foreign key action": ("child", "ON DELETE CASCADE", "ON DELETE SET NULL", "TABLE: child"),
    "foreign key target": ("child", "parent (id)", "parent (code)", "TABLE: child"),
    "DEFERRABLE": ("child", "DEFERRABLE INITIALLY DEFERRED", "", "TABLE: child"),
    "WITHOUT ROWID": ("child", "WITHOUT ROWID", "", "TABLE: child"),
    "STRICT": ("strict_t", "STRICT", "", "TABLE: strict_t"),
    "index order": ("child_v", "v DESC", "v", "INDEX: child_v"),
    "partial index": ("child_v", "WHERE w IS NOT NULL", "", "INDEX: child_v"),
    "unique index": ("child_v", "CREATE INDEX", "CREATE UNIQUE INDEX", "INDEX: child_v"),
    "view": ("names", "SELECT id, name", "SELECT name, id", "VIEW: names"),
    "trigger": ("touch", "AFTER INSERT", "BEFORE INSERT", "TRIGGER: touch"),
    "a dropped index": ("child_v", BASE["child_v"], "", "INDEX: child_v"),
}

SPELLED_OTHERWISE = {
    "parent": 'create table "parent" ( "id" integer primary key autoincrement,\n'
    "  [name] text not null default 'x' collate nocase, -- a comment\n"
    "  `code` int unique, total real generated always as (code*2) stored,\n"
    "  check (name<>''))",
    "child": "CREATE TABLE child (id integer, v TEXT, w TEXT, PRIMARY KEY (v, w),"
    " FOREIGN KEY (id) REFERENCES parent ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED)"
    " WITHOUT ROWID",
    "child_v": 'CREATE INDEX "child_v" ON "child" ("v" DESC) WHERE "w" IS NOT NULL',
    "names": "CREATE VIEW names AS\n  SELECT id, name\n  FROM parent /* all */",
}


def _database(path: Path, statements: dict[str, str]) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(";\n".join(s for s in statements.values() if s) + ";")
    conn.close()
    return path


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_kind_of_difference_is_found(change: str, tmp_path: Path) -> None:
    name, old, new, key = CHANGES[change]
    assert old in BASE[name]
    changed = {**BASE, name: BASE[name].replace(old, new)}
    want = sqlite_catalog.describe(_database(tmp_path / "a.db", BASE))
    got = sqlite_catalog.describe(_database(tmp_path / "b.db", changed))
    assert [d.key for d in hard(compare(want, got))] == [key]


def test_two_spellings_of_one_schema_differ_in_nothing(tmp_path: Path) -> None:
    want = sqlite_catalog.describe(_database(tmp_path / "a.db", BASE))
    other = {**BASE, **SPELLED_OTHERWISE}
    assert compare(want, sqlite_catalog.describe(_database(tmp_path / "b.db", other))) == []


def test_a_restore_of_a_dump_differs_in_nothing(tmp_path: Path) -> None:
    source = _database(tmp_path / "a.db", BASE)
    conn = sqlite3.connect(source)
    dump = "\n".join(conn.iterdump())
    conn.close()
    restored = sqlite3.connect(tmp_path / "b.db")
    restored.executescript(dump)
    restored.close()
    want = sqlite_catalog.describe(source)
    assert compare(want, sqlite_catalog.describe(tmp_path / "b.db")) == []


def test_the_order_of_columns_is_told_apart(tmp_path: Path) -> None:
    want = sqlite_catalog.describe(_database(tmp_path / "a.db", BASE))
    moved = {**BASE, "ordered": "CREATE TABLE ordered (a INT, z INT, mid TEXT)"}
    found = compare(want, sqlite_catalog.describe(_database(tmp_path / "b.db", moved)))
    assert [(d.key, d.kind) for d in found] == [("TABLE: ordered", "column order")]


def test_trueup_and_sqlite_objects_are_left_out(tmp_path: Path) -> None:
    path = _database(tmp_path / "a.db", BASE)  # AUTOINCREMENT made sqlite_sequence
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIEW _trueup_history AS SELECT 1")
    conn.close()
    assert set(sqlite_catalog.describe(path)) == {
        "TABLE: parent",
        "TABLE: child",
        "TABLE: strict_t",
        "TABLE: ordered",
        "INDEX: child_v",
        "VIEW: names",
        "TRIGGER: touch",
    }


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("id INTEGER PRIMARY KEY", "id INTEGER NOT NULL PRIMARY KEY", True),  # the rowid
        ("id INT PRIMARY KEY", "id INT NOT NULL PRIMARY KEY", False),  # may hold NULLs
        ("id INTEGER PRIMARY KEY DESC", "id INTEGER NOT NULL PRIMARY KEY DESC", False),
    ],
)
def test_not_null_on_the_rowid_is_no_difference(
    one: str, other: str, same: bool, tmp_path: Path
) -> None:
    a = _database(tmp_path / "a.db", {"t": f"CREATE TABLE t ({one}, v TEXT)"})
    b = _database(tmp_path / "b.db", {"t": f"CREATE TABLE t ({other}, v TEXT)"})
    found = compare(sqlite_catalog.describe(a), sqlite_catalog.describe(b))
    assert (found == []) is same, found
