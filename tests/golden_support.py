"""What the golden runner (tests/test_golden.py) checks of the rows on SQLite.

Besides the plan text, the runner pushes each case to a real database file and checks that
no row and no value of a surviving column was lost. This module holds the parts of that
check that are more than a line: snapshots of a database file, and the comparison of rows
before and after. (The cases themselves are read by tests/golden_cases.py.)

Value comparison ("is this value kept?")
-----------------------------------------
A column whose declared type did not change must give back exactly what it held: the same
Python type and the same value (``5`` is not ``5.0`` is not ``'5'``).

A column whose declared type changed has its values converted by SQLite's type affinity when
the rebuild copies them (``'5'`` becomes ``5`` in an INTEGER column, ``5`` becomes ``'5'`` in
a TEXT column, ``5.0`` becomes ``5``, ``1e20`` becomes ``'1.0e+20'``). There a value counts as
kept when it is equal after that conversion: both sides that read as numbers are compared as
exact numbers (so ``5 == '5' == 5.0 == '5.0'`` but ``9007199254740993 != 9007199254740992.0``);
text compares with text and bytes with bytes; NULL only equals NULL.

A column that went from nullable to NOT NULL with a default gets the default where it was
NULL (the planner copies it with ``COALESCE``), so a NULL there is expected to come back as
the default's value.

Columns that are generated in either version count only when their expression is the same on
both sides (a changed expression computes new values, which is the point of the change).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from tests.helpers import table_rows
from trueup.engines.sqlite.lexer import fold
from trueup.engines.sqlite.types import affinity
from trueup.model import Column, Schema, Table

_ROWID_NAMES = ("rowid", "_rowid_", "oid")
_TIME_WORDS = ("current_timestamp", "current_date", "current_time")


# --- snapshots ----------------------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Snapshot:
    """What a database holds, to compare before and after a push."""

    rows: dict[str, list[dict[str, Any]]]
    #: For rowid tables: rowid -> row (the same rows as ``rows``, keyed by their rowid).
    by_rowid: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    #: sqlite_sequence, lower-cased table name -> seq.
    sequences: dict[str, int] = field(default_factory=dict)
    #: PRAGMA foreign_key_check, as (child, parent) -> number of rows.
    fk_violations: Counter[tuple[str, str]] = field(default_factory=Counter)


def snapshot(path: Path) -> Snapshot:
    snap = Snapshot(rows=table_rows(path))
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        tables = conn.execute(
            "SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
            "AND name NOT LIKE 'sqlite%' AND name NOT LIKE '!_trueup!_%' ESCAPE '!'"
        ).fetchall()
        for name, without_rowid in tables:
            if without_rowid:
                continue
            columns = {
                fold(r[0]) for r in conn.execute("SELECT name FROM pragma_table_xinfo(?)", (name,))
            }
            alias = next((r for r in _ROWID_NAMES if r not in columns), None)
            if alias is None:
                continue
            rows = conn.execute(f"SELECT {alias} AS __golden_rowid__, * FROM {_q(name)}")
            snap.by_rowid[fold(name)] = {
                d.pop("__golden_rowid__"): d for d in (dict(r) for r in rows)
            }
        has_sequence = conn.execute(
            "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'"
        ).fetchone()
        if has_sequence:
            snap.sequences = {
                fold(str(n)): s for n, s in conn.execute("SELECT name, seq FROM sqlite_sequence")
            }
        snap.fk_violations = foreign_key_violations(conn)
    finally:
        conn.close()
    return snap


def foreign_key_violations(conn: sqlite3.Connection) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for row in conn.execute("PRAGMA foreign_key_check"):
        found[(fold(str(row[0])), fold(str(row[2])))] += 1
    return found


def integrity_check(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


# --- value comparison ---------------------------------------------------------------------


def _number(value: Any) -> Fraction | None:
    """The exact number a value reads as, or None when it is not a number."""
    if isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, int | float):
        if isinstance(value, float) and (value != value or value in (float("inf"), -float("inf"))):
            return None
        return Fraction(value)
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            return None
        return Fraction(d) if d.is_finite() else None
    return None


def canonical(value: Any, *, tolerant: bool) -> tuple[str, Any]:
    """A hashable form of a value. Strict: the SQLite storage class and the value.
    Tolerant (the column's type changed): numbers and text that reads as a number fold to
    one exact number, see the module docstring."""
    if value is None:
        return ("null", None)
    if tolerant:
        n = _number(value)
        if n is not None:
            return ("number", n)
    if isinstance(value, bytes):
        return ("blob", value)
    if isinstance(value, str):
        return ("text", value)
    if isinstance(value, float):
        return ("real", value)
    return ("integer", value)


class _Anything:
    """Stands for "any non-NULL value": a NULL made NOT NULL with a default that is not a
    constant (CURRENT_TIMESTAMP)."""

    def __repr__(self) -> str:
        return "<any non-null value>"


ANYTHING = _Anything()


def evaluate_default(text: str) -> Any:
    """The value a column default stands for (ANYTHING when it depends on the time)."""
    if any(word in text.lower() for word in _TIME_WORDS):
        return ANYTHING
    conn = sqlite3.connect(":memory:")
    try:
        return conn.execute(f"SELECT {text}").fetchone()[0]
    finally:
        conn.close()


# --- surviving tables and columns ---------------------------------------------------------


@dataclass(frozen=True)
class ColumnPlan:
    """How one surviving column's values must come back."""

    old_name: str
    new_name: str
    tolerant: bool
    null_becomes: Any = None  # the value a NULL turns into (a default), or None


def _by_key(items: Any) -> dict[str, Any]:
    return {fold(x.name): x for x in items}


def _same_generation(old: Column, new: Column) -> bool:
    if old.generated is None and new.generated is None:
        return True
    if old.generated is None or new.generated is None:
        return False
    return old.generated.expression == new.generated.expression


def surviving_columns(old: Table, new: Table) -> list[ColumnPlan]:
    new_cols = _by_key(new.columns)
    out = []
    for col in old.columns:
        target = new_cols.get(fold(col.name))
        if target is None or not _same_generation(col, target):
            continue
        tolerant = col.type.upper() != target.type.upper() and affinity(col.type) != affinity(
            target.type
        )
        null_becomes = None
        if col.nullable and not target.nullable and target.default is not None:
            null_becomes = evaluate_default(target.default.text)
        out.append(ColumnPlan(col.name, target.name, tolerant, null_becomes))
    return out


def _row_key(row: dict[str, Any]) -> dict[str, Any]:
    return {fold(k): v for k, v in row.items()}


def _expected(plan: ColumnPlan, old_row: dict[str, Any]) -> Any:
    value = old_row[fold(plan.old_name)]
    if value is None and plan.null_becomes is not None:
        return plan.null_becomes
    return value


def _same(plan: ColumnPlan, expected: Any, actual: Any) -> bool:
    if expected is ANYTHING:
        return actual is not None
    return canonical(expected, tolerant=plan.tolerant) == canonical(actual, tolerant=plan.tolerant)


def _rowid_alias(table: Table) -> str | None:
    """The INTEGER PRIMARY KEY column that is the rowid, if any."""
    pk = table.primary_key
    if "WITHOUT ROWID" in table.options or pk is None or len(pk.columns) != 1:
        return None
    col = _by_key(table.columns).get(fold(pk.columns[0]))
    return col.name if col is not None and col.type == "INTEGER" else None


def _pk_columns(old: Table, new: Table, cols: list[ColumnPlan]) -> list[ColumnPlan] | None:
    """The surviving columns of the old primary key, when all of it survives (a key that
    identified a row before still does: the values are kept)."""
    if old.primary_key is None:
        return None
    by_old = {fold(c.old_name): c for c in cols}
    key = [by_old.get(fold(name)) for name in old.primary_key.columns]
    if any(k is None for k in key):
        return None
    return [k for k in key if k is not None]


def compare_table(
    name: str,
    old: Table,
    new: Table,
    before: Snapshot,
    after: Snapshot,
) -> list[str]:
    """Every problem with the rows of one surviving table, as messages."""
    problems: list[str] = []
    key = fold(name)
    old_rows = [_row_key(r) for r in before.rows.get(key, [])]
    new_rows = [_row_key(r) for r in after.rows.get(key, [])]
    if len(old_rows) != len(new_rows):
        problems.append(f"{name}: {len(old_rows)} rows before, {len(new_rows)} after")
    cols = surviving_columns(old, new)
    if not cols:
        return problems

    def mismatch(where: str, old_row: dict[str, Any], new_row: dict[str, Any]) -> list[str]:
        out = []
        for c in cols:
            exp, got = _expected(c, old_row), new_row.get(fold(c.new_name), "<missing>")
            if not _same(c, exp, got):
                out.append(f"{name} {where}: column {c.new_name}: expected {exp!r}, got {got!r}")
        return out

    # 1. Rowid tables on both sides: the rebuild keeps rowids, so match on them. Unless the new
    # INTEGER PRIMARY KEY is an old column that was not the rowid: its values become the rowids.
    old_alias, new_alias = _rowid_alias(old), _rowid_alias(new)
    same_rowid = (
        new_alias is None
        or fold(old_alias or "") == fold(new_alias)
        or fold(new_alias) not in {fold(c.name) for c in old.columns}
    )
    if same_rowid and key in before.by_rowid and key in after.by_rowid:
        old_by, new_by = before.by_rowid[key], after.by_rowid[key]
        if set(old_by) != set(new_by):
            lost = sorted(set(old_by) - set(new_by))
            extra = sorted(set(new_by) - set(old_by))
            problems.append(f"{name}: rowids lost {lost}, rowids new {extra}")
        for rowid in sorted(set(old_by) & set(new_by)):
            problems += mismatch(f"rowid {rowid}", _row_key(old_by[rowid]), _row_key(new_by[rowid]))
        return problems

    # 2. Match on the old primary key when all of it survives.
    pk = _pk_columns(old, new, cols)
    if pk is not None and all(c.null_becomes is None for c in pk):

        def ident(row: dict[str, Any], side: str) -> tuple[Any, ...]:
            return tuple(
                canonical(row[fold(c.old_name if side == "old" else c.new_name)], tolerant=True)
                for c in pk
            )

        new_index = {ident(r, "new"): r for r in new_rows}
        for old_row in old_rows:
            k = ident(old_row, "old")
            if k not in new_index:
                problems.append(f"{name}: row with key {k} is gone")
                continue
            problems += mismatch(f"key {k}", old_row, new_index[k])
        return problems

    # 3. Otherwise compare the multisets of surviving-column tuples.
    assert all(c.null_becomes is not ANYTHING for c in cols), (
        f"{name}: a time-dependent default needs a key to match rows on"
    )

    def row_key(row: dict[str, Any], side: str) -> tuple[Any, ...]:
        if side == "old":
            return tuple(canonical(_expected(c, row), tolerant=c.tolerant) for c in cols)
        return tuple(canonical(row.get(fold(c.new_name)), tolerant=c.tolerant) for c in cols)

    old_set = Counter(row_key(r, "old") for r in old_rows)
    new_set = Counter(row_key(r, "new") for r in new_rows)
    if old_set != new_set:
        problems.append(
            f"{name}: rows differ; lost {list((old_set - new_set).elements())}, "
            f"new {list((new_set - old_set).elements())}"
        )
    return problems


def compare_data(before: Snapshot, after: Snapshot, current: Schema, desired: Schema) -> list[str]:
    """Every problem with the rows of every table that is in both schemas."""
    problems: list[str] = []
    new_tables = _by_key(desired.tables)
    for old in current.tables:
        new = new_tables.get(fold(old.name))
        if new is None:
            continue
        if fold(old.name) not in after.rows:
            problems.append(f"{old.name}: the table is gone")
            continue
        problems += compare_table(old.name, old, new, before, after)
        # An AUTOINCREMENT counter must not go back (ids of deleted rows never come back).
        key = fold(old.name)
        auto = any(c.autoincrement for c in new.columns) and any(
            c.autoincrement for c in old.columns
        )
        if auto and key in before.sequences and after.sequences.get(key) != before.sequences[key]:
            problems.append(
                f"{old.name}: sqlite_sequence was {before.sequences[key]}, "
                f"is {after.sequences.get(key)}"
            )
    return problems
