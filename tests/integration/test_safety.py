"""The safety gate on real SQLite data: every finding with its numbers, the policy paths and
exit codes of SQLite (the policy every engine shares is in tests/test_safety.py), renames
that keep the data, and the tables trueup leaves alone."""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers import (
    file_bytes_and_schema,
    make_db,
    push_sql,
    remaining_diff,
    schema_from_sql,
    table_rows,
)
from trueup.cli import cli
from trueup.errors import ApplyError, UnsafePlan
from trueup.plan import Finding, Risk
from trueup.push import plan_for
from trueup.urls import parse_url


def findings(path: Path, desired: str) -> list[Finding]:
    return list(plan_for(parse_url(str(path)), schema_from_sql(desired, path.parent)).findings)


def one(path: Path, desired: str) -> Finding:
    [finding] = findings(path, desired)
    return finding


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --- every finding, measured ------------------------------------------------------------


def test_drop_table_counts_rows_and_an_empty_table_is_no_finding(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE keep (id INTEGER PRIMARY KEY); CREATE TABLE gone (id INTEGER);",
        "INSERT INTO gone VALUES (1), (2), (3);",
    )
    f = one(db, "CREATE TABLE keep (id INTEGER PRIMARY KEY);")
    assert (f.code, f.risk, f.rows, f.count, f.table) == ("DL101", Risk.DATA_LOSS, 3, 3, "gone")
    assert "which is not empty (3 rows)" in f.message
    rows(db, "SELECT 1")  # the file is still a database
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM gone")
    conn.commit()
    conn.close()
    assert findings(db, "CREATE TABLE keep (id INTEGER PRIMARY KEY);") == []


def test_drop_column_counts_non_null_values_with_examples(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT, twice INT AS (id * 2));",
        "INSERT INTO t (id, note) VALUES (1, 'a'), (2, NULL), (5, 'b'), (9, 'c');",
    )
    f = one(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, twice INT AS (id * 2));")
    assert (f.code, f.risk, f.column, f.count, f.rows) == ("DL102", Risk.DATA_LOSS, "note", 3, 4)
    assert f.examples == (1, 5, 9)
    assert "still contains 3 non-null values (for example id 1, 5, 9)" in f.message
    # A generated column holds nothing of its own; a column of NULLs holds nothing at all.
    assert findings(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT);") == []
    conn = sqlite3.connect(db)
    conn.execute("UPDATE t SET note = NULL")
    conn.commit()
    conn.close()
    assert findings(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, twice INT AS (id * 2));") == []


def test_narrowing_type_counts_values_that_would_change(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);",
        "INSERT INTO t VALUES (1, '12'), (2, 'twelve'), (3, NULL), (4, '007'), (5, '1.5'),"
        " (6, '12345678901234567890');",
    )
    f = one(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);")
    # Too big for an INTEGER, it becomes the REAL 1.2345678901234567e19: digits are lost.
    assert (f.code, f.risk, f.count, f.examples) == ("DL103", Risk.DATA_LOSS, 1, (6,))
    assert "cast from `TEXT` to `INTEGER`" in f.message and "5 non-null values" in f.message
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM t WHERE id = 6")
    conn.commit()
    conn.close()
    # '007' becomes 7, its value. 'twelve' stays text and '1.5' the REAL 1.5: kept as they
    # are, though not integers, which is worth knowing but loses nothing.
    f = one(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);")
    assert (f.code, f.risk, f.count, f.examples) == ("DL103", Risk.CAUTION, 2, (2, 5))
    assert "2 values stay as they are, not of the new type (for example id 2, 5)" in f.message
    push_sql(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);")  # not refused
    assert rows(db, "SELECT id, typeof(v), v FROM t ORDER BY id") == [
        (1, "integer", 12),
        (2, "text", "twelve"),
        (3, "null", None),
        (4, "integer", 7),
        (5, "real", 1.5),
    ]


def test_iso_text_into_datetime_is_kept_byte_for_byte(tmp_path: Path) -> None:
    # DATETIME has NUMERIC affinity: CAST makes 2026 of the text, but a DATETIME column
    # keeps it as it is (only text that is a whole number converts). No finding.
    db = tmp_path / "a.db"
    stamps = [
        "2026-12-07T10:00:00.000+00:00",
        "2026-12-07T10:00:00.000Z",
        "2026-12-07 10:00:00",
        "2026-12-07",
    ]
    make_db(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT NOT NULL);")
    conn = sqlite3.connect(db)
    conn.executemany("INSERT INTO t (at) VALUES (?)", [(s,) for s in stamps])
    conn.commit()
    conn.close()
    desired = "CREATE TABLE t (id INTEGER PRIMARY KEY, at DATETIME NOT NULL);"
    assert findings(db, desired) == []
    push_sql(db, desired)
    assert rows(db, "SELECT typeof(at), at FROM t ORDER BY id") == [("text", s) for s in stamps]
    # Back to TEXT: nothing to lose either way.
    assert findings(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT NOT NULL);") == []


def test_narrowing_into_a_strict_table_cannot_be_executed(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT) STRICT;",
        "INSERT INTO t VALUES (1, '12'), (2, 'twelve');",
    )
    f = one(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER) STRICT;")
    assert (f.code, f.risk, f.count, f.examples) == ("DL103", Risk.UNEXECUTABLE, 1, (2,))


@pytest.mark.parametrize(
    ("old", "new", "value", "risk", "count"),
    [
        # A STRICT table takes what the new type's affinity makes of a value, even lossily:
        ("INTEGER", "REAL", 2**53 + 1, Risk.DATA_LOSS, 1),  # arrives as 2^53
        ("REAL", "TEXT", 0.1 + 0.2, Risk.DATA_LOSS, 1),  # arrives as '0.3'
        ("TEXT", "REAL", "1.5", None, 0),  # arrives as 1.5: nothing changes
        # and refuses what it cannot make into the new type.
        ("TEXT", "REAL", "one", Risk.UNEXECUTABLE, 1),
        ("BLOB", "TEXT", b"\x00\x01", Risk.UNEXECUTABLE, 1),
        ("TEXT", "BLOB", "x", Risk.UNEXECUTABLE, 1),
        ("REAL", "INTEGER", 1.5, Risk.UNEXECUTABLE, 1),
        ("REAL", "INTEGER", 2.0, None, 0),
    ],
)
def test_a_strict_table_refuses_only_what_sqlite_refuses(
    tmp_path: Path, old: str, new: str, value: object, risk: Risk | None, count: int
) -> None:
    db = tmp_path / "a.db"
    make_db(db, f"CREATE TABLE t (id INTEGER PRIMARY KEY, v {old}) STRICT;")
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO t VALUES (1, ?), (2, NULL)", (value,))
    conn.commit()
    conn.close()
    desired = f"CREATE TABLE t (id INTEGER PRIMARY KEY, v {new}) STRICT;"
    found = findings(db, desired)
    assert [(f.risk, f.count) for f in found] == ([(risk, count)] if risk else [])
    # What SQLite itself says, inserting the value into the new table.
    check = sqlite3.connect(":memory:")
    check.execute(desired)
    try:
        check.execute("INSERT INTO t VALUES (1, ?)", (value,))
        refused = False
    except sqlite3.IntegrityError:
        refused = True
    assert refused == (risk is Risk.UNEXECUTABLE)


def test_required_column_null_counts(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);",
        "INSERT INTO t VALUES (1, 'x'), (2, NULL), (3, NULL);",
    )
    f = one(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);")
    assert (f.code, f.risk, f.count, f.examples) == ("DD201", Risk.UNEXECUTABLE, 2, (2, 3))
    assert "required, but there are 2 existing NULL values" in f.message
    f = one(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL DEFAULT '-');")
    assert (f.code, f.risk, f.count) == ("DD201", Risk.CAUTION, 2)
    assert "will be set to the default '-'" in f.message


def test_a_null_key_in_the_examples_is_shown_as_null(tmp_path: Path) -> None:
    # The primary key of a rowid table can hold NULL (unless it is the INTEGER PRIMARY KEY).
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (code TEXT PRIMARY KEY, v TEXT);"
        "CREATE TABLE p (a INT, b TEXT, v TEXT, PRIMARY KEY (a, b));",
        "INSERT INTO t VALUES ('a', 'x'), (NULL, 'y');"
        "INSERT INTO p VALUES (1, NULL, NULL), (2, 'q', 'x');",
    )
    f = one(
        db,
        "CREATE TABLE t (code TEXT NOT NULL PRIMARY KEY, v TEXT);"
        "CREATE TABLE p (a INT, b TEXT, v TEXT, PRIMARY KEY (a, b));",
    )
    assert (f.code, f.count, f.examples) == ("DD201", 1, (None,))
    assert f.message.endswith("there is 1 existing NULL value (for example code NULL).")
    f = one(
        db,
        "CREATE TABLE t (code TEXT PRIMARY KEY, v TEXT);"
        "CREATE TABLE p (a INT, b TEXT, v TEXT NOT NULL, PRIMARY KEY (a, b));",
    )
    assert (f.code, f.examples) == ("DD201", ((1, None),))
    assert f.message.endswith("(for example (a, b) (1, NULL)).")


def test_required_column_without_default_on_rows(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(db, "CREATE TABLE t (a TEXT); CREATE TABLE e (a TEXT);", "INSERT INTO t VALUES ('x');")
    f = one(db, "CREATE TABLE t (a TEXT, b TEXT NOT NULL); CREATE TABLE e (a TEXT);")
    assert (f.code, f.risk, f.count) == ("DD202", Risk.UNEXECUTABLE, 1)
    # An empty table can take it; an INTEGER PRIMARY KEY fills itself from the rowid.
    assert findings(db, "CREATE TABLE t (a TEXT); CREATE TABLE e (a TEXT, b TEXT NOT NULL);") == []
    assert (
        findings(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);CREATE TABLE e (a TEXT);")
        == []
    )


def test_unique_counts_duplicate_groups_but_not_nulls(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, active INT);",
        "INSERT INTO t VALUES (1, 'a', 1), (2, 'a', 1), (3, 'b', 1), (4, 'b', 0),"
        " (5, NULL, 1), (6, NULL, 1), (7, 'A', 1);",
    )
    base = "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, active INT);"
    f = one(db, base + "CREATE UNIQUE INDEX t_email ON t (email);")
    assert (f.code, f.risk, f.count) == ("DD203", Risk.UNEXECUTABLE, 2)
    assert set(f.examples) == {1, 2, 3, 4}
    assert "2 values are shared by more than one row" in f.message
    # A partial index only sees its rows; NOCASE sees 'a' and 'A' as one value.
    f = one(db, base + "CREATE UNIQUE INDEX t_email ON t (email) WHERE active = 1;")
    assert f.count == 1 and set(f.examples) == {1, 2}
    f = one(db, base + "CREATE UNIQUE INDEX t_email ON t (email COLLATE NOCASE) WHERE active;")
    assert f.count == 1 and set(f.examples) == {1, 2, 7}
    # As a UNIQUE constraint (a rebuild), the same numbers.
    f = one(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE, active INT);")
    assert (f.code, f.count) == ("DD203", 2)
    assert findings(db, base + "CREATE UNIQUE INDEX t_id_email ON t (id, email);") == []


@pytest.mark.parametrize(
    ("current", "data", "desired", "found"),
    [
        (  # a UNIQUE constraint, the column made NOCASE
            "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE);",
            "INSERT INTO t VALUES (1, 'a'), (2, 'A'), (3, 'b'), (4, NULL), (5, NULL);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE UNIQUE);",
            (
                "DD203",
                1,
                (1, 2),
                "The unique constraint covering the columns `[email]` on the "
                "`t` table cannot be kept under the new collation of `email`: 1 value is shared "
                "by more than one row (for example id 1, 2).",
            ),
        ),
        (  # a unique index made by CREATE UNIQUE INDEX, only its rows
            "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, on_ INT);"
            "CREATE UNIQUE INDEX t_email ON t (email) WHERE on_;",
            "INSERT INTO t VALUES (1, 'a', 1), (2, 'A', 1), (3, 'B', 0), (4, 'b', 1);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE, on_ INT);"
            "CREATE UNIQUE INDEX t_email ON t (email) WHERE on_;",
            ("DD203", 1, (1, 2), "The unique index `t_email` covering the columns `[email]`"),
        ),
        (  # the type: '1' and '01' are both 1 as an INTEGER
            "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE);",
            "INSERT INTO t VALUES (1, '1'), (2, '01'), (3, 'x'), (4, 'X'), (5, '2');",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER UNIQUE);",
            ("DD203", 1, (1, 2), "under the new type of `code`: 1 value is shared"),
        ),
        (  # the primary key
            "CREATE TABLE t (code TEXT PRIMARY KEY, v INT);",
            "INSERT INTO t VALUES ('a', 1), ('A', 2), ('b', 3), ('c', 4), ('C', 5);",
            "CREATE TABLE t (code TEXT COLLATE NOCASE PRIMARY KEY, v INT);",
            (
                "DL104",
                2,
                ("A", "C", "a", "c"),
                "The primary key for the `t` table cannot be "
                "kept under the new collation of `code`: 2 values are shared by more than one row",
            ),
        ),
        (  # a unique key added with the collation: counted under the new one
            "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT);",
            "INSERT INTO t VALUES (1, 'a'), (2, 'A');",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE UNIQUE);",
            (
                "DD203",
                1,
                (1, 2),
                "A unique constraint covering the columns `[email]` on the "
                "table `t` cannot be added",
            ),
        ),
    ],
    ids=["unique-constraint", "unique-index", "type", "primary-key", "new-unique"],
)
def test_a_unique_key_over_values_made_equal_by_a_type_or_collation(
    tmp_path: Path, current: str, data: str, desired: str, found: tuple[Any, ...]
) -> None:
    # The key is built again over the converted values: a clash would fail the push in the
    # middle. It is counted before, and the push refused.
    db = tmp_path / "a.db"
    make_db(db, current, data)
    code, count, examples, text = found
    [f] = [x for x in findings(db, desired) if x.code == code]  # (besides DL103 for 'x')
    measured: tuple[Any, ...] = f.examples
    assert (f.code, f.risk, f.count, tuple(sorted(measured))) == (
        code,
        Risk.UNEXECUTABLE,
        count,
        examples,
    )
    assert text in f.message
    before = file_bytes_and_schema(db)
    with pytest.raises(UnsafePlan, match="cannot be executed"):
        push_sql(db, desired, accept_data_loss=True)
    assert file_bytes_and_schema(db) == before
    # Without the clash, no finding, and the push goes through.
    conn = sqlite3.connect(db)
    conn.execute(
        "DELETE FROM t WHERE rowid IN (2, 4)" if code == "DL104" else "DELETE FROM t WHERE id = 2"
    )
    conn.commit()
    conn.close()
    assert [x.code for x in findings(db, desired) if x.risk is Risk.UNEXECUTABLE] == []
    assert push_sql(db, desired, accept_data_loss=True).applied


def test_primary_key_change(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT NOT NULL);",
        "INSERT INTO t VALUES (1, 'x'), (2, 'x'), (3, 'y');",
    )
    f = one(db, "CREATE TABLE t (id INTEGER NOT NULL, code TEXT PRIMARY KEY);")
    assert (f.code, f.risk, f.count, f.examples) == ("DL104", Risk.UNEXECUTABLE, 1, (1, 2))
    f = one(db, "CREATE TABLE t (id INTEGER NOT NULL, code TEXT, PRIMARY KEY (id, code));")
    assert (f.code, f.risk) == ("DL104", Risk.CAUTION)


def test_foreign_key_orphans_and_unchanged_links(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE p (id INTEGER PRIMARY KEY);"
        "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));",
        "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1), (2, 8), (3, NULL), (4, 9);",
    )
    desired = (
        "CREATE TABLE p (id INTEGER PRIMARY KEY);"
        "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id) "
        "ON DELETE CASCADE);"
    )
    # Only the action changes: the orphans were there before, so they are not the plan's.
    assert findings(db, desired) == []
    desired = (
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE q (id INTEGER PRIMARY KEY);"
        "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES q(id));"
    )
    # The column's values name rows of p until now: pointed at q, they mean something else.
    repointed, f = findings(db, desired)
    assert (repointed.code, repointed.risk, repointed.count) == ("DL108", Risk.DATA_LOSS, 3)
    assert (f.code, f.risk, f.count, f.examples) == ("DD204", Risk.DATA_LOSS, 3, (1, 2, 4))
    assert "3 rows point at no row of `q`" in f.message


def test_check_counts_rows_that_break_it(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, price INT);",
        "INSERT INTO t VALUES (1, 5), (2, -1), (3, NULL), (4, 0);",
    )
    f = one(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, price INT CHECK (price > 0));")
    assert (f.code, f.risk, f.count, f.examples) == ("DD205", Risk.UNEXECUTABLE, 2, (2, 4))


@pytest.mark.parametrize("kind", ["STORED", "VIRTUAL"])
def test_a_column_made_generated_counts_the_values_it_replaces(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, n INTEGER);",
        "INSERT INTO t VALUES (1, 1, 100), (2, 2, 3), (3, 3, NULL), (4, NULL, 7);",
    )
    desired = f"CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, n INTEGER AS (a + 1) {kind});"
    f = one(db, desired)
    # Row 2 already holds what the expression computes; row 3 holds nothing.
    assert (f.code, f.risk, f.count, f.examples) == ("DL107", Risk.DATA_LOSS, 2, (1, 4))
    before = file_bytes_and_schema(db)
    with pytest.raises(UnsafePlan):
        push_sql(db, desired)
    assert file_bytes_and_schema(db) == before
    assert push_sql(db, desired, accept_data_loss=True).applied
    assert rows(db, "SELECT id, n FROM t ORDER BY id") == [(1, 2), (2, 3), (3, 4), (4, None)]


def test_a_rebuild_never_resolves_a_clash_by_dropping_rows(tmp_path: Path) -> None:
    # A key with its own conflict clause (REPLACE deletes the older row, IGNORE skips the
    # newer) must not let the copy of a rebuild lose rows: the clash stops the push.
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE ON CONFLICT REPLACE);"
        "CREATE TABLE k (id INTEGER PRIMARY KEY, code TEXT UNIQUE ON CONFLICT IGNORE);",
        "INSERT INTO t VALUES (1, 'Bob@x'), (2, 'bob@x');INSERT INTO k VALUES (1, '1'), (2, '01');",
    )
    before = file_bytes_and_schema(db)
    for desired in (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE UNIQUE ON CONFLICT "
        "REPLACE); CREATE TABLE k (id INTEGER PRIMARY KEY, code TEXT UNIQUE ON CONFLICT IGNORE);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE ON CONFLICT REPLACE);"
        "CREATE TABLE k (id INTEGER PRIMARY KEY, code INTEGER UNIQUE ON CONFLICT IGNORE);",
    ):
        with pytest.raises((UnsafePlan, ApplyError)):
            push_sql(db, desired, accept_data_loss=True)
        assert file_bytes_and_schema(db) == before


def test_a_rowid_alias_takes_only_integers(tmp_path: Path) -> None:
    # TEXT PRIMARY KEY -> INTEGER PRIMARY KEY: the new key is the rowid, which refuses
    # anything that does not arrive as an integer ("datatype mismatch"), STRICT or not.
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE w (k TEXT PRIMARY KEY, v TEXT);",
        "INSERT INTO w VALUES ('1', 'a'), ('abc', 'b'), ('2.5', 'c'), ('3', 'd');",
    )
    desired = "CREATE TABLE w (k INTEGER PRIMARY KEY, v TEXT);"
    f = one(db, desired)
    assert (f.code, f.risk, f.count, f.examples) == ("DL103", Risk.UNEXECUTABLE, 2, ("2.5", "abc"))
    with pytest.raises(UnsafePlan):
        push_sql(db, desired, accept_data_loss=True)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM w WHERE k IN ('abc', '2.5')")
    conn.close()
    assert push_sql(db, desired).applied
    assert rows(db, "SELECT k, typeof(k) FROM w ORDER BY k") == [(1, "integer"), (3, "integer")]


def test_a_foreign_key_pointed_at_another_table_counts_the_values(tmp_path: Path) -> None:
    # The values of a column stay when its foreign key moves to another parent: they were
    # keys of the old one and would silently name rows of the new one.
    db = tmp_path / "a.db"
    tables = (
        "CREATE TABLE post (id INTEGER PRIMARY KEY); CREATE TABLE tag (id INTEGER PRIMARY KEY);"
    )
    make_db(
        db,
        tables
        + "CREATE TABLE link (a INTEGER REFERENCES post (id), b INTEGER REFERENCES tag (id));",
        "INSERT INTO post VALUES (1), (2); INSERT INTO tag VALUES (1), (2);"
        "INSERT INTO link VALUES (1, 2), (2, NULL);",
    )
    desired = (
        tables
        + "CREATE TABLE link (a INTEGER REFERENCES tag (id), b INTEGER REFERENCES post (id));"
    )
    got = {f.column: f for f in findings(db, desired)}
    assert {c: (f.code, f.risk, f.count, f.examples) for c, f in got.items()} == {
        "a": ("DL108", Risk.DATA_LOSS, 2, (1, 2)),
        "b": ("DL108", Risk.DATA_LOSS, 1, (1,)),
    }
    assert "will point at `tag` instead of `post`" in got["a"].message
    before = file_bytes_and_schema(db)
    with pytest.raises(UnsafePlan):
        push_sql(db, desired)
    assert file_bytes_and_schema(db) == before


def test_virtual_table_drop(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE VIRTUAL TABLE docs USING fts5 (body);",
        "INSERT INTO docs VALUES ('hello'), ('world');",
    )
    f = one(db, "CREATE TABLE other (id INTEGER);")  # a schema that declares nothing is DL100
    assert (f.code, f.risk, f.count) == ("DL105", Risk.DATA_LOSS, 2)


def test_examples_use_the_rowid_without_a_primary_key(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(db, "CREATE TABLE t (a TEXT, b TEXT);", "INSERT INTO t VALUES ('x', 'y'), ('z', NULL);")
    f = one(db, "CREATE TABLE t (a TEXT);")
    assert f.examples == (1,) and "(for example rowid 1)" in f.message


# --- policy -----------------------------------------------------------------------------

SHOP = """
CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, note TEXT);
"""
SHOP_ROWS = "INSERT INTO item VALUES (1, 'a', 'n1'), (2, NULL, 'n2');"


def test_force_reset_empties_and_pushes(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(db, SHOP + "CREATE VIEW v AS SELECT * FROM item;", SHOP_ROWS)
    desired = "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);"
    result = push_sql(db, desired, force_reset=True)
    assert result.applied
    assert [f.code for f in result.plan.findings] == ["RS301"]
    assert table_rows(db) == {"item": []}
    assert remaining_diff(db, desired) == []
    views = rows(db, "SELECT name FROM sqlite_schema WHERE type = 'view'")
    assert views == [("_trueup_history",)]  # only trueup's own history is left


def cli_run(project: Path, *args: str) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_exit_codes_through_the_command_line(tmp_path: Path) -> None:
    make_db(tmp_path / "a.db", SHOP, SHOP_ROWS)
    (tmp_path / "schema.sql").write_text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT);")
    code, out = cli_run(tmp_path, "push", "--url", "a.db")
    assert code == 3 and "There might be data loss" in out
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);"
    )
    code, out = cli_run(tmp_path, "push", "--url", "a.db", "--accept-data-loss")
    assert code == 3 and "cannot be executed" in out and "for example id 2" in out
    code, out = cli_run(tmp_path, "push", "--url", "a.db", "--force-reset")
    assert code == 0, out
    assert "[RS301 caution]" in out


def _push_on_a_terminal(project: Path, answer: bytes | None) -> tuple[int, str]:
    """Run `trueup push` with a real pseudo-terminal as its stdin and stdout."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the command
        os.chdir(project)
        os.execv(sys.executable, [sys.executable, "-m", "trueup", "push", "--url", "a.db"])
    out = b""
    answered = False
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if answer is not None and not answered and b"[y/N]" in out:
            os.write(fd, answer)
            answered = True
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def test_terminal_prompt_yes_applies(tmp_path: Path) -> None:
    make_db(tmp_path / "a.db", SHOP, SHOP_ROWS)
    (tmp_path / "schema.sql").write_text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT);")
    code, out = _push_on_a_terminal(tmp_path, b"y\n")
    assert "Do you want to ignore the warning(s)?" in out
    assert code == 0, out
    assert remaining_diff(tmp_path / "a.db", (tmp_path / "schema.sql").read_text()) == []


def test_terminal_prompt_no_changes_nothing(tmp_path: Path) -> None:
    make_db(tmp_path / "a.db", SHOP, SHOP_ROWS)
    before = file_bytes_and_schema(tmp_path / "a.db")
    (tmp_path / "schema.sql").write_text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT);")
    code, out = _push_on_a_terminal(tmp_path, b"n\n")
    assert code == 3 and "Push cancelled" in out
    assert file_bytes_and_schema(tmp_path / "a.db") == before


def test_no_prompt_for_steps_that_cannot_run(tmp_path: Path) -> None:
    make_db(tmp_path / "a.db", SHOP, SHOP_ROWS)
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
    )
    code, out = _push_on_a_terminal(tmp_path, None)
    assert code == 3 and "[y/N]" not in out and "cannot be executed" in out


def test_no_prompt_without_a_terminal(tmp_path: Path) -> None:
    make_db(tmp_path / "a.db", SHOP, SHOP_ROWS)
    (tmp_path / "schema.sql").write_text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT);")
    code, out = cli_run(tmp_path, "push", "--url", "a.db")
    assert code == 3 and "[y/N]" not in out


# --- renames ----------------------------------------------------------------------------

PEOPLE = """
CREATE TABLE people (id INTEGER PRIMARY KEY, mail TEXT NOT NULL UNIQUE, full_name TEXT);
CREATE INDEX people_name ON people (full_name);
CREATE TABLE posts (id INTEGER PRIMARY KEY, author INTEGER REFERENCES people (id));
"""
PEOPLE_ROWS = """
INSERT INTO people VALUES (1, 'ann@x', 'Ann'), (2, 'bob@x', NULL);
INSERT INTO posts VALUES (10, 1), (11, 2);
"""
PERSON = """
-- @renamed from=people
CREATE TABLE person (
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,   -- @renamed from=mail
    -- @renamed from=full_name
    name  TEXT
);
CREATE INDEX people_name ON person (name);
CREATE TABLE posts (id INTEGER PRIMARY KEY, author INTEGER REFERENCES person (id));
"""


def test_sql_rename_hints_keep_rows_indexes_and_foreign_keys(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(db, PEOPLE, PEOPLE_ROWS)
    result = push_sql(db, PERSON)
    assert result.applied and result.plan.findings == ()
    assert all(s.startswith("ALTER TABLE") for s in result.plan.sql)
    assert rows(db, "SELECT id, email, name FROM person ORDER BY id") == [
        (1, "ann@x", "Ann"),
        (2, "bob@x", None),
    ]
    assert rows(db, "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL") == [
        ("people_name",)
    ]
    assert rows(db, 'SELECT "table", "from", "to" FROM pragma_foreign_key_list(\'posts\')') == [
        ("person", "author", "id")
    ]
    assert remaining_diff(db, PERSON) == []
    # The hints stay in the file: the next push has nothing to do.
    assert push_sql(db, PERSON).plan.is_empty


def test_rename_and_type_change_together(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, amount TEXT);",
        "INSERT INTO t VALUES (1, '10'), (2, '25');",
    )
    desired = "CREATE TABLE t (id INTEGER PRIMARY KEY, total INTEGER); -- (renamed on the CLI)"
    code, out = cli_run(
        tmp_path,
        "push",
        "--url",
        "a.db",
        "--schema",
        _write(tmp_path, desired),
        "--rename",
        "t.amount=total",
    )
    assert code == 0, out
    assert rows(db, "SELECT id, total, typeof(total) FROM t") == [
        (1, 10, "integer"),
        (2, 25, "integer"),
    ]


def test_command_line_table_rename(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(db, PEOPLE, PEOPLE_ROWS)
    desired = PEOPLE.replace("people", "members").replace(
        "CREATE INDEX members_name", "CREATE INDEX people_name"
    )
    code, out = cli_run(
        tmp_path,
        "push",
        "--url",
        "a.db",
        "--schema",
        _write(tmp_path, desired),
        "--rename",
        "people=members",
    )
    assert code == 0, out
    assert rows(db, "SELECT count(*) FROM members") == [(2,)]
    assert (
        cli_run(
            tmp_path,
            "diff",
            "--url",
            "a.db",
            "--schema",
            "schema.sql",
            "--rename",
            "people=members",
        )[0]
        == 0
    )


def test_rename_hints_that_swap_names_are_refused_and_the_way_round_keeps_rows(
    tmp_path: Path,
) -> None:
    from trueup.errors import SchemaError

    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, first TEXT, last TEXT);"
        "CREATE TABLE a (x TEXT); CREATE TABLE b (y INTEGER);",
        "INSERT INTO t VALUES (1, 'Lee', 'Ann'); INSERT INTO a VALUES ('ax');"
        "INSERT INTO b VALUES (7);",
    )
    before = file_bytes_and_schema(db)
    tables = "CREATE TABLE a (y INTEGER); CREATE TABLE b (x TEXT);"
    code, out = cli_run(
        tmp_path,
        "push",
        "--url",
        "a.db",
        "--schema",
        _write(
            tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY, first TEXT, last TEXT);" + tables
        ),
        "--rename",
        "a=b",
        "--rename",
        "b=a",
    )
    assert code == 1
    assert "swap names between the tables `a` and `b`" in out
    assert "rename `b` to a new name, then `a` to `b`, then the new name to `a`" in out
    assert file_bytes_and_schema(db) == before
    swap = """
        CREATE TABLE t (
            id INTEGER PRIMARY KEY,
            first TEXT, -- @renamed from=last
            last TEXT -- @renamed from=first
        );
    """
    with pytest.raises(SchemaError, match="the columns `first` and `last` of the table `t`"):
        push_sql(db, swap + "CREATE TABLE a (x TEXT); CREATE TABLE b (y INTEGER);")
    assert file_bytes_and_schema(db) == before
    # The way the error gives: one rename a push, through a name not in use.
    for columns in (
        "first TEXT,\n old_last TEXT -- @renamed from=last\n",
        "last TEXT, -- @renamed from=first\n old_last TEXT\n",
        "first TEXT, -- @renamed from=old_last\n last TEXT\n",
    ):
        desired = f"CREATE TABLE t (\n id INTEGER PRIMARY KEY,\n {columns});"
        result = push_sql(db, desired + "CREATE TABLE a (x TEXT); CREATE TABLE b (y INTEGER);")
        assert result.applied and result.plan.findings == ()
    assert rows(db, "SELECT id, first, last FROM t") == [(1, "Ann", "Lee")]
    assert push_sql(
        db, swap.replace("@renamed", "") + "CREATE TABLE a (x TEXT);CREATE TABLE b (y INTEGER);"
    ).plan.is_empty


def test_without_a_hint_a_rename_is_a_drop_and_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(db, PEOPLE, PEOPLE_ROWS)
    with pytest.raises(UnsafePlan, match="drop the column `mail`"):
        push_sql(db, PERSON.replace("-- @renamed from=mail", ""))
    with pytest.raises(UnsafePlan, match="drop the `people` table, which is not empty"):
        push_sql(db, PERSON.replace("-- @renamed from=people", ""))


def test_bad_rename_hint_is_a_schema_error(tmp_path: Path) -> None:
    from trueup.errors import SchemaError

    with pytest.raises(SchemaError, match=r"@renamed from=old_name") as err:
        schema_from_sql("CREATE TABLE t (\n  a TEXT -- @renamed a\n);", tmp_path)
    assert err.value.location is not None and err.value.location.line == 2


def test_bad_rename_option(tmp_path: Path) -> None:
    make_db(tmp_path / "a.db", SHOP)
    code, out = cli_run(
        tmp_path,
        "push",
        "--url",
        "a.db",
        "--schema",
        _write(tmp_path, SHOP),
        "--rename",
        "nonsense",
    )
    assert code == 1 and "Cannot read --rename" in out


def _write(folder: Path, sql: str) -> str:
    (folder / "schema.sql").write_text(sql)
    return "schema.sql"


# --- tables trueup leaves alone -----------------------------------------------------------


def test_migration_tools_tables_are_never_touched(tmp_path: Path) -> None:
    make_db(
        tmp_path / "a.db",
        SHOP + "CREATE TABLE _prisma_migrations (id TEXT); CREATE TABLE alembic_version (v);",
        "INSERT INTO alembic_version VALUES ('abc');",
    )
    code, out = cli_run(tmp_path, "push", "--url", "a.db", "--schema", _write(tmp_path, SHOP))
    assert code == 0 and "already in sync" in out
    assert rows(tmp_path / "a.db", "SELECT v FROM alembic_version") == [("abc",)]


def test_ignore_table_patterns_from_flag_and_settings(tmp_path: Path) -> None:
    make_db(
        tmp_path / "a.db",
        SHOP + "CREATE TABLE cache_1 (k); CREATE TABLE legacy (k);",
        "INSERT INTO cache_1 VALUES (1); INSERT INTO legacy VALUES (2);",
    )
    schema = _write(tmp_path, SHOP)
    code, out = cli_run(tmp_path, "diff", "--url", "a.db", "--schema", schema)
    assert code == 2 and '- table "cache_1"' in out and '- table "legacy"' in out
    code, out = cli_run(
        tmp_path, "diff", "--url", "a.db", "--schema", schema, "--ignore-table", "CACHE_*"
    )
    assert code == 2 and "cache_1" not in out
    (tmp_path / "trueup.toml").write_text('ignore_tables = ["legacy"]\n')
    code, out = cli_run(
        tmp_path, "push", "--url", "a.db", "--schema", schema, "--ignore-table", "cache_*"
    )
    assert code == 0 and "already in sync" in out
    assert rows(tmp_path / "a.db", "SELECT count(*) FROM legacy") == [(1,)]
