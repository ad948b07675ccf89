"""The SQLite inspector on real in-memory databases."""

from __future__ import annotations

import sqlite3
from typing import Any

from trueup.engines.sqlite.inspect import inspect
from trueup.model import Action, Deferral

DDL = """
CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE);
CREATE TABLE child (
    id INT NOT NULL,
    parent_id INTEGER REFERENCES parent ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    label TEXT COLLATE NOCASE DEFAULT 'x' CHECK (label <> ''),
    doubled INT GENERATED ALWAYS AS (id * 2) STORED,
    PRIMARY KEY (id)
) WITHOUT ROWID;
CREATE INDEX child_label ON child (label DESC, lower(label)) WHERE label IS NOT NULL;
CREATE TABLE s (a INTEGER, b TEXT) STRICT;
CREATE VIEW v AS SELECT * FROM child;
CREATE TRIGGER t AFTER INSERT ON parent BEGIN SELECT 1; END;
CREATE VIRTUAL TABLE ft USING fts5 (body);
"""


def make(ddl: str = DDL, tables: int = 0) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(ddl)
    for n in range(tables):
        conn.execute(f"CREATE TABLE t{n} (id INTEGER PRIMARY KEY, v TEXT, w INT REFERENCES s)")
        conn.execute(f"CREATE INDEX t{n}_v ON t{n} (v)")
    return conn


def test_inspecting_twice_gives_equal_models() -> None:
    conn = make()
    assert inspect(conn) == inspect(conn)


def test_what_the_inspector_reads() -> None:
    schema = inspect(make())
    assert [t.name for t in schema.tables] == ["child", "parent", "s"]
    child, parent, s = schema.tables
    assert parent.columns[0].autoincrement and not parent.columns[0].nullable
    assert parent.indexes[0].constraint and parent.indexes[0].columns == ("code",)
    assert child.options == ("WITHOUT ROWID",) and s.options == ("STRICT",)
    label = child.column("label")
    assert label is not None
    assert label.collation == "NOCASE" and label.default is not None
    assert label.default.text == "'x'"
    doubled = child.column("doubled")
    assert doubled is not None and doubled.generated is not None
    assert doubled.generated.stored and doubled.generated.expression.text == "id * 2"
    [fk] = child.foreign_keys
    assert fk.ref_columns == ("id",)  # REFERENCES parent: the parent's key, spelled out
    assert fk.on_delete is Action.CASCADE and fk.deferral is Deferral.DEFERRED
    assert [c.expression.text for c in child.checks] == ["label <> ''"]
    [idx] = [i for i in child.indexes if i.name == "child_label"]
    assert idx.parts[0].descending and idx.parts[1].expression is not None
    assert idx.where is not None and idx.where.text == "label IS NOT NULL"
    assert [v.name for v in schema.views] == ["v"]
    assert [(t.name, t.table) for t in schema.triggers] == [("t", "parent")]
    # The FTS5 table is one object; its shadow tables are not listed.
    assert [v.name for v in schema.virtual_tables] == ["ft"]


def test_internal_and_ignored_tables_are_left_out() -> None:
    conn = make(
        "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT); CREATE TABLE _trueup_x (a);"
        "CREATE TABLE keep (a); CREATE TABLE legacy_1 (a);"
    )
    names = [t.name for t in inspect(conn, ignore=lambda n: n.startswith("legacy")).tables]
    assert names == ["a", "keep"]


def test_the_number_of_queries_does_not_grow_with_tables() -> None:
    class Counting:
        """Counts the statements trueup sends (SQLite runs the pragma functions inside)."""

        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn, self.sent = conn, 0

        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            self.sent += 1
            return self.conn.execute(sql, *args)

    def count(conn: sqlite3.Connection) -> int:
        counting = Counting(conn)
        inspect(counting)  # type: ignore[arg-type]
        return counting.sent

    few, many = count(make(tables=2)), count(make(tables=200))
    assert few == many
    assert many <= 5


def test_spellings_sqlite_keeps_differently_compare_equal() -> None:
    a = inspect(make("create table t(a int default (1), b text check(b>0), c  Varchar ( 10 ))"))
    b = inspect(
        make('CREATE TABLE "t" ("a" INT DEFAULT 1, "b" TEXT CHECK ("B" > 0), c VARCHAR(10))')
    )
    from trueup.diff.differ import diff
    from trueup.engines.sqlite.hooks import SQLiteHooks

    assert diff(a, b, SQLiteHooks()) == []


def test_double_quoted_default_is_the_string_it_stands_for() -> None:
    a = inspect(make('CREATE TABLE t (a TEXT NOT NULL DEFAULT "", b TEXT DEFAULT "it\'s")'))
    b = inspect(make("CREATE TABLE t (a TEXT NOT NULL DEFAULT '', b TEXT DEFAULT 'it''s')"))
    from trueup.diff.differ import diff
    from trueup.engines.sqlite.hooks import SQLiteHooks

    assert diff(a, b, SQLiteHooks()) == []
    a_col = a.tables[0].column("a")
    assert a_col is not None and a_col.default is not None and a_col.default.text == "''"


def test_the_rowid_is_the_key_sqlite_makes_the_rowid() -> None:
    # SQLite makes a lone INTEGER PRIMARY KEY the rowid, except one written with DESC in
    # the column's definition (a documented quirk); as a table constraint, DESC or not,
    # it is the rowid. The model says the same, and its DDL makes the same table again.
    from trueup.engines.sqlite.render import create_table
    from trueup.engines.sqlite.rowid import rowid_alias

    def is_rowid(conn: sqlite3.Connection) -> bool:
        # No index of its own: the key is the rowid.
        return not conn.execute("SELECT 1 FROM pragma_index_list('t')").fetchall()

    for columns, rowid in [
        ("id INTEGER PRIMARY KEY, v", True),
        ("id INTEGER PRIMARY KEY ASC, v", True),
        ("id INTEGER PRIMARY KEY DESC, v", False),
        ("id integer CONSTRAINT k PRIMARY KEY DESC ON CONFLICT IGNORE, v", False),
        ("id INTEGER, v, PRIMARY KEY (id DESC)", True),
        ("id INT PRIMARY KEY, v", False),
        ("id TEXT PRIMARY KEY DESC, v", False),
    ]:
        conn = make(f"CREATE TABLE t ({columns})")
        assert is_rowid(conn) is rowid, columns
        [table] = inspect(conn).tables
        assert (rowid_alias(table) == "id") is rowid, columns
        id_column = table.column("id")
        assert id_column is not None and id_column.nullable is not rowid, columns
        again = make(create_table(table))
        assert is_rowid(again) is rowid, create_table(table)
        assert inspect(again) == inspect(conn), create_table(table)


#: Tables in Prisma's layout and spellings, and in trueup's, and an index.
WRITTEN = [
    'CREATE TABLE "Line" (\n    "order" INTEGER NOT NULL,\n    "n" INTEGER NOT NULL,\n\n'
    '    PRIMARY KEY ("order", "n"),\n    CONSTRAINT "Line_order_fkey" FOREIGN KEY ("order") '
    'REFERENCES "Order" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION\n)',
    'CREATE TABLE "Doc" (\n    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n'
    '    "tags" JSONB NOT NULL DEFAULT [],\n    "x" TEXT NOT NULL DEFAULT "x",\n'
    '    "n" INTEGER NOT NULL DEFAULT (((1))),\n    "s" TEXT NOT NULL DEFAULT abc,\n'
    '    "z" INTEGER DEFAULT NULL,\n    "t" DATETIME DEFAULT current_timestamp\n)',
    'CREATE TABLE "Plain" (\n    "a" INTEGER NOT NULL PRIMARY KEY,\n    "b" INTEGER,\n'
    '    "c" INTEGER DEFAULT (1 + 2),\n    FOREIGN KEY ("b") REFERENCES "Order" ("id")\n)',
    'CREATE INDEX "Doc_x_n_idx" ON "Doc"("x" ASC, "n" DESC, "tags")',
]


def test_a_table_is_written_again_as_it_was_written() -> None:
    # SQLite keeps the text: a table made again from the model (a rebuild, a push of the
    # schema read from it) keeps its spelling, though spellings compare equal.
    from trueup.engines.sqlite.render import create_index, create_table

    conn = make('CREATE TABLE "Order" (id INTEGER PRIMARY KEY);\n' + ";\n".join(WRITTEN))
    schema = inspect(conn)
    made = [create_table(t) for t in schema.tables if t.name != "Order"]
    made += [create_index(i, t.name) for t in schema.tables for i in t.indexes]
    assert sorted(made) == sorted(WRITTEN)


def test_spelling_is_no_part_of_equality() -> None:
    a = inspect(
        make(
            'CREATE TABLE t (\n    "a" INTEGER NOT NULL,\n    "b" INTEGER NOT NULL DEFAULT ((1)),'
            '\n\n    PRIMARY KEY ("a", "b"),\n    FOREIGN KEY ("a") REFERENCES t ("b") '
            "ON DELETE NO ACTION ON UPDATE NO ACTION\n);\nCREATE INDEX i ON t (a ASC, b DESC)"
        )
    )
    b = inspect(
        make(
            "CREATE TABLE t (a INTEGER NOT NULL, b INTEGER NOT NULL DEFAULT 1, PRIMARY KEY "
            "(a, b), FOREIGN KEY (a) REFERENCES t (b));\nCREATE INDEX i ON t (a, b DESC)"
        )
    )
    assert a == b
    from trueup.fingerprint import schema_fingerprint

    assert schema_fingerprint(a) == schema_fingerprint(b)
