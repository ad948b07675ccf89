"""The golden SQLite cases: tests/golden/sqlite/*.yaml, one case per file.

Each case is checked four ways:

a. plan mode: the planner's statements between the two schemas are exactly ``plan``; and
   on a database holding ``data``, the codes of the findings are ``findings`` when the case
   gives them (findings are measured on the rows, so they need the data);
b. ``diff(x, x) == []``: the declared schema against itself, and a database built from
   ``current`` against ``current``'s own model;
c. real mode: a database file built from ``current`` + ``data`` is pushed to ``desired``
   (accepting data loss); then nothing is left to change, a second push plans nothing, and
   every row of every surviving table keeps every value of every surviving column (see
   tests/golden_support.py for what "kept" means when a column's type changes);
d. the database passes ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` finds no
   violation that was not there before the push.

Two more checks keep the cases honest: the expected ``plan`` itself applies to ``current``
and converges (so no case encodes SQL that cannot be right), and ``data`` puts rows in every
table. A case that shows a bug keeps its correct expected plan and fails until the bug is
fixed; nothing here is skipped or marked xfail.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.golden_support import (
    case_files,
    compare_data,
    integrity_check,
    load_case,
    snapshot,
)
from tests.helpers import (
    DIALECT,
    inspect_db,
    make_db,
    plan_between,
    push_sql,
    remaining_diff,
    schema_from_sql,
)
from trueup.diff.differ import diff
from trueup.push import plan_for

CASES = case_files()


@pytest.fixture(params=CASES, ids=[p.stem for p in CASES])
def case(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load_case(request.param)


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 40


def test_plan(case: dict[str, Any]) -> None:
    plan = plan_between(case["current"], case["desired"])
    assert plan.sql == case["plan"]


def test_findings_on_the_data(case: dict[str, Any], tmp_path: Path) -> None:
    db = tmp_path / "findings.db"
    url = make_db(db, case["current"], case["data"])
    plan = plan_for(url, schema_from_sql(case["desired"]))
    assert plan.sql == case["plan"]
    assert sorted(f.code for f in plan.findings) == sorted(case.get("findings", []))


def test_diff_of_a_schema_with_itself_is_empty(case: dict[str, Any], tmp_path: Path) -> None:
    desired = schema_from_sql(case["desired"])
    assert diff(desired, desired, DIALECT.hooks) == []
    assert diff(schema_from_sql(case["desired"]), desired, DIALECT.hooks) == []
    current = schema_from_sql(case["current"])
    assert diff(current, current, DIALECT.hooks) == []
    db = tmp_path / "current.db"
    make_db(db, case["current"])
    assert diff(inspect_db(db), current, DIALECT.hooks) == []
    assert diff(current, inspect_db(db), DIALECT.hooks) == []


def test_push_keeps_the_data(case: dict[str, Any], tmp_path: Path) -> None:
    db = tmp_path / "golden.db"
    make_db(db, case["current"], case["data"])
    before = snapshot(db)
    assert integrity_check(db) == ["ok"]

    result = push_sql(db, case["desired"], accept_data_loss=True)
    assert result.applied == bool(case["plan"])

    assert remaining_diff(db, case["desired"]) == []
    again = push_sql(db, case["desired"], accept_data_loss=True)
    assert again.plan.is_empty
    assert again.plan.sql == []
    assert not again.applied

    after = snapshot(db)
    problems = compare_data(
        before, after, schema_from_sql(case["current"]), schema_from_sql(case["desired"])
    )
    assert problems == []

    assert integrity_check(db) == ["ok"]
    new_violations = after.fk_violations - before.fk_violations
    assert not new_violations, f"foreign_key_check: new violations {dict(new_violations)}"


def test_the_expected_plan_itself_applies(case: dict[str, Any], tmp_path: Path) -> None:
    """The golden ``plan`` is checked on its own too: run as written (foreign keys off, one
    transaction, as a push runs it) it applies to ``current`` + ``data`` and leaves nothing
    to change. So a case never encodes SQL that could not be right."""
    db = tmp_path / "expected.db"
    make_db(db, case["current"], case["data"])
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN IMMEDIATE")
        for statement in case["plan"]:
            conn.execute(statement)
        conn.execute("COMMIT")
    finally:
        conn.close()
    assert remaining_diff(db, case["desired"]) == []
    assert integrity_check(db) == ["ok"]


def test_the_data_fills_every_table(case: dict[str, Any], tmp_path: Path) -> None:
    """The cases are only as good as their rows: every table of ``current`` has some."""
    db = tmp_path / "data.db"
    make_db(db, case["current"], case["data"])
    for name, rows in snapshot(db).rows.items():
        assert len(rows) >= 2, f"{name} has {len(rows)} row(s)"


# --- AUTOINCREMENT: the counter survives a rebuild ------------------------------------------

AUTO_CURRENT = """
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL
);
"""

AUTO_DESIRED = """
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    opened_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
"""


def test_autoincrement_counter_survives_a_rebuild(tmp_path: Path) -> None:
    db = tmp_path / "auto.db"
    make_db(
        db,
        AUTO_CURRENT,
        "INSERT INTO tickets (title) VALUES ('a'), ('b'), ('c'), ('d');"
        "DELETE FROM tickets WHERE id >= 3;",
    )
    plan = plan_between(AUTO_CURRENT, AUTO_DESIRED)
    assert any(s.startswith('CREATE TABLE "new_tickets"') for s in plan.sql)  # a rebuild

    push_sql(db, AUTO_DESIRED, accept_data_loss=True)

    conn = sqlite3.connect(db)
    try:
        seq = conn.execute(
            "SELECT name, seq FROM sqlite_sequence WHERE name NOT LIKE '!_trueup!_%' ESCAPE '!'"
        ).fetchall()
        assert seq == [("tickets", 4)]
        conn.execute("INSERT INTO tickets (title) VALUES ('e')")
        new_id = conn.execute("SELECT max(id) FROM tickets").fetchone()[0]
        conn.commit()
    finally:
        conn.close()
    assert new_id == 5  # not 3: the ids of deleted rows never come back
    assert remaining_diff(db, AUTO_DESIRED) == []
