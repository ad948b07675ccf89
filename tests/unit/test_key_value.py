"""``Dialect.key_value`` for SQLite: values it finds equal are those a unique key over the
new column finds equal once the rebuild has stored them, for every pair of declared types."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from trueup.engines.sqlite.dialect import SQLiteDialect
from trueup.model import Column, Table

TYPES = ["TEXT", "INTEGER", "REAL", "NUMERIC", "BLOB", ""]
VALUES: list[object] = [
    *(1, 1.0, 1.5, 2.5, 16, 0, -0.0, 0.3, 0.1 + 0.2, 1e20, 1.2345678901234567e19),
    *(2**53, 2**53 + 1, "9007199254740993", "12345678901234567890"),
    *("1", "01", "1.0", " 1 ", "+1", "1.", "1e0", "1.5", "0", "-0.0", "0.3", "1e20"),
    *("1.0e+20", "0x10", "abc", "ABC", "", b"1", b"abc", None, None),
]


@pytest.mark.parametrize(("old", "new"), list(itertools.permutations(TYPES, 2)))
def test_the_values_it_finds_equal_are_those_the_new_column_holds_equal(old: str, new: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE o (id INTEGER PRIMARY KEY, v {old})")
    conn.executemany("INSERT INTO o (v) VALUES (?)", [(v,) for v in VALUES])
    conn.execute(f"CREATE TABLE n (id INTEGER PRIMARY KEY, v {new})")
    conn.execute("INSERT INTO n SELECT id, v FROM o")  # as the rebuild copies them
    key = SQLiteDialect().key_value("v", Column("v", old), Column("v", new), None, Table("o"))
    found = f"SELECT id, {key} AS k FROM o"
    predicted = conn.execute(
        f"SELECT a.id, b.id FROM ({found}) a JOIN ({found}) b ON a.k = b.k AND a.id < b.id"
    ).fetchall()
    stored = conn.execute(
        "SELECT a.id, b.id FROM n a JOIN n b ON a.v = b.v AND a.id < b.id"
    ).fetchall()
    assert sorted(predicted) == sorted(stored)
    if (old, new) == ("TEXT", "INTEGER"):
        assert len(stored) > 10  # '1', '01', '1.0', ' 1 ', '+1', ... all become 1
