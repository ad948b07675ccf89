"""The SQLite type-change check against SQLite itself: every value is copied into a real
column of the new declared type (as the rebuild copies it), read back with ``typeof()``,
and compared with what the check predicts, for every pair of affinities (and STRICT types,
and the rowid alias)."""

from __future__ import annotations

import contextlib
import itertools
import math
import random
import sqlite3
import struct
import sys
from dataclasses import replace
from decimal import Decimal
from typing import NamedTuple

import pytest

from trueup.engines.sqlite import conversion
from trueup.engines.sqlite.dialect import SQLiteDialect
from trueup.engines.sqlite.types import affinity
from trueup.model import Column, PrimaryKey, Table

TYPES = ["INTEGER", "TEXT", "BLOB", "", "REAL", "NUMERIC", "DATETIME", "VARCHAR(10)"]
TYPES += ["BOOLEAN", "DECIMAL(10,2)", "DOUBLE", "BIGINT"]
STRICT_TYPES = ["INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"]
VALUES: list[object] = [
    *(1, 1.0, 1.5, 2.5, 16, 0, -0.0, 0.3, 0.1 + 0.2, 1e20, 1.2345678901234567e19, 1e-320),
    *(2**53, 2**53 + 1, 2**63 - 1, -(2**63), -9.223372036854776e18, 9.223372036854776e18),
    *(1796637600000, 1796637600000.0, 1796637600000.5),
    *("9007199254740993", "12345678901234567890", "9223372036854775807", "9223372036854775808"),
    *("-9223372036854775808", "9007199254740993.0", "1.0e+18", "1e18", "1e400", "1e-400"),
    *("1", "01", "007", "1.0", " 1 ", "+1", "1.", ".5", "1e0", "1e3", "1.5", "1.50", "0"),
    *("-0", "-0.0", "0.3", "0.30000000000000004", "1e20", "1.0e+20", "12.0", "19.90", "19.99"),
    *("0x10", "Inf", "abc", "ABC", "12abc", "5e", "", " ", "true", "0712345", "1796637600000"),
    *("2026-12-07T10:00:00.000+00:00", "2026-12-07T10:00:00.000Z", "2026-12-07 10:00:00"),
    *("2026-12-07", b"1", b"abc", b"", None),
]


def _random_values(seed: int, n: int) -> list[object]:
    """Numbers of every size, number text of every shape (signs, zeros, points,
    exponents, white space, too many digits), text that only looks like a number."""
    rng = random.Random(seed)
    out: list[object] = []
    for _ in range(n):
        kind = rng.randrange(5)
        if kind == 0:
            out.append(rng.choice([1, -1]) * rng.randrange(10 ** rng.randrange(1, 19)))
        elif kind == 1:
            (f,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
            out.append(f if math.isfinite(f) else rng.random())
        elif kind == 2:
            out.append(rng.uniform(-1e6, 1e6) if rng.random() < 0.5 else rng.random())
        else:
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 22)))
            text = rng.choice(["", "-", "+"]) + rng.choice(["", "0", "00"]) + digits
            if rng.random() < 0.5:
                text += "." + "".join(rng.choice("0123456789") for _ in range(rng.randrange(4)))
            if rng.random() < 0.3:
                text += rng.choice("eE") + rng.choice(["", "-", "+"]) + str(rng.randrange(400))
            if rng.random() < 0.1:
                text = rng.choice([" ", "\t"]) + text + rng.choice(["", " "])
            if kind == 4 and rng.random() < 0.3:
                text += rng.choice(["x", ".", "e", " 1"])
            out.append(text)
    return out


VALUES += _random_values(16, 300)


class Case(NamedTuple):
    old: str
    new: str
    old_strict: bool
    new_strict: bool
    alias: bool = False


def _cases() -> list[Case]:
    out = []
    for old_strict, new_strict in itertools.product((False, True), repeat=2):
        olds = STRICT_TYPES if old_strict else TYPES
        news = STRICT_TYPES if new_strict else TYPES
        out += [Case(o, n, old_strict, new_strict) for o in olds for n in news if o != n]
    out += [Case(o, "INTEGER", False, False, alias=True) for o in TYPES if o != "INTEGER"]
    return out


def _ddl(name: str, type_: str, strict: bool, alias: bool = False) -> str:
    key = "v INTEGER PRIMARY KEY, id INT" if alias else f"id INTEGER PRIMARY KEY, v {type_}"
    return f"CREATE TABLE {name} ({key}){' STRICT' if strict else ''}"


def _number(v: object) -> bool:
    return isinstance(v, int | float)


def kept(conn: sqlite3.Connection, old: object, new: object) -> bool:
    """The oracle's own statement of "the same value" (see the conversion module)."""
    if type(old) is type(new):
        return old == new
    if _number(old) and _number(new):
        return old == new
    if _number(old) and isinstance(new, str):
        read = conn.execute("SELECT CAST(? AS REAL)", (new,)).fetchone()[0]
        return isinstance(old, int) or read == old
    if isinstance(old, str) and isinstance(new, int | float):
        exact = Decimal(old.strip(" \t\n\v\f\r"))
        if isinstance(new, int) and not any(ch in old for ch in ".eE"):
            return exact == new  # an integer that fits: always exactly
        spelled = conn.execute("SELECT CAST(? AS TEXT)", (new,)).fetchone()[0]
        if spelled == old:
            return True
        if len(exact.normalize().as_tuple().digits) > 15 and exact != 0:
            return False
        if isinstance(new, int):
            return exact == new
        # A subnormal REAL (nonzero, below 2.2e-308) holds fewer digits: counted as changed.
        normal = new == 0 or abs(new) >= sys.float_info.min
        return math.isfinite(new) and normal and Decimal(format(new, ".15g")) == exact
    return False


def _outcomes(conn: sqlite3.Connection, case: Case) -> dict[int, str]:
    """What SQLite does with each old value: refuses it, changes it, keeps it, or keeps it
    as it is in a numeric column that it is not the kind of (``other``)."""
    conn.execute(_ddl("n", case.new, case.new_strict, case.alias))
    out = {}
    numeric = conversion.column_affinity(*_new(case))
    refusing = conversion.required_class(*_new(case)) is not None
    for rid, value in conn.execute("SELECT id, v FROM o WHERE v IS NOT NULL").fetchall():
        try:
            conn.execute("INSERT INTO n (id, v) SELECT id, v FROM o WHERE id = ?", (rid,))
        except sqlite3.IntegrityError:
            out[rid] = "refused"
            continue
        (stored,) = conn.execute("SELECT v FROM n WHERE id = ?", (rid,)).fetchone()
        conn.execute("DELETE FROM n")
        if not kept(conn, value, stored):
            out[rid] = "changed"
        elif numeric in ("INTEGER", "REAL") and numeric != affinity(case.old) and not refusing:
            wanted = int if numeric == "INTEGER" else float
            out[rid] = "kept" if isinstance(stored, wanted) else "other"
        else:
            out[rid] = "kept"
    return out


def _new(case: Case) -> tuple[Column, Table]:
    col = Column("v", case.new)
    if case.alias:
        table = Table("n", columns=(col,), primary_key=PrimaryKey(("v",)))
    else:
        table = Table("n", columns=(Column("id", "INTEGER"), col), primary_key=PrimaryKey(("id",)))
    return col, replace(table, options=("STRICT",)) if case.new_strict else table


def _predicted(conn: sqlite3.Connection, case: Case) -> dict[int, str]:
    dialect = SQLiteDialect()
    old = Column("v", case.old)
    new, table = _new(case)
    out = {rid: "kept" for (rid,) in conn.execute("SELECT id FROM o WHERE v IS NOT NULL")}
    if not dialect.checks_type_change(old, new, table):
        return out
    predicates = [
        ("other", dialect.kept_as_other_class('"v"', new, table)),
        ("changed", dialect.unconvertible('"v"', old, new, table=table)),
        ("refused", dialect.uncastable('"v"', old, new, table)),
    ]
    for outcome, where in predicates:
        if where is None:
            continue
        for (rid,) in conn.execute(f"SELECT id FROM o WHERE v IS NOT NULL AND {where}"):
            out[rid] = outcome
    return out


@pytest.mark.parametrize("case", _cases(), ids=str)
def test_the_check_predicts_what_sqlite_stores(case: Case) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(_ddl("o", case.old, case.old_strict))
    for value in VALUES:
        with contextlib.suppress(sqlite3.IntegrityError):  # a STRICT column never held it
            conn.execute("INSERT INTO o (v) VALUES (?)", (value,))
    new, table = _new(case)
    # The stored value itself, as the checks compute it, is the one SQLite stores.
    to = conversion.column_affinity(new, table)
    computed = conn.execute(
        f"SELECT id, typeof({conversion.stored('v', to)}), {conversion.stored('v', to)} FROM o"
    ).fetchall()
    conn.execute(_ddl("s", case.new, case.new_strict))
    actual = []
    for rid, kind, value in computed:
        try:
            conn.execute("INSERT INTO s (id, v) SELECT id, v FROM o WHERE id = ?", (rid,))
        except sqlite3.IntegrityError:
            continue
        row = conn.execute("SELECT id, typeof(v), v FROM s WHERE id = ?", (rid,)).fetchone()
        actual.append((row, (rid, kind, value)))
    # (The sign of a zero aside: SQLite's comparisons do not see it either.)
    assert [mine for _, mine in actual] == [row for row, _ in actual]
    values = dict(conn.execute("SELECT id, v FROM o"))
    predicted, outcomes = _predicted(conn, case), _outcomes(conn, case)
    wrong = [(values[k], predicted[k], got) for k, got in outcomes.items() if predicted[k] != got]
    assert wrong == [], wrong
