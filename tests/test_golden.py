"""The golden cases of every registered engine (tests/engines): tests/golden/<engine>/*.yaml,
one case per file, each run on a live database of its engine.

Each case is checked these ways:

a. plan mode: on a database built from ``current``, the planner's statements to the
   declared ``desired`` are exactly ``plan``; and on a database holding ``data`` too, the
   plan is the same and the findings, with their numbers (rows in the table, rows or
   values at stake), are exactly ``findings`` (none when the case gives none);
b. ``diff(x, x) == []``: the declared schema against itself, and a database built from
   ``current`` against ``current``'s own model, both ways;
c. real mode: a database built from ``current`` + ``data`` is pushed to ``desired``
   (accepting data loss) in one transaction, running exactly ``plan``; then nothing is left
   to change, a second push plans nothing, every row of every surviving table keeps every
   value of its surviving columns (what "kept" means is the engine's: see
   tests/golden_support.py for SQLite, tests/engines/postgres.py for PostgreSQL), and the
   database is sound (SQLite's ``PRAGMA integrity_check``, no new foreign key violation; no
   invalid index on PostgreSQL);
d. the expected ``plan`` itself, run as written in one transaction, applies to ``current``
   + ``data`` and converges (so no case encodes SQL that cannot be right);
e. ``data`` puts at least two rows in every table.

A case that shows a bug keeps its correct expected plan and fails until the bug is fixed;
nothing here is skipped or marked xfail. Cases with more than one schema (namespace) are
inspected with the declared namespaces managed, as a push does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engines import ENGINES, Live, live_database
from tests.golden_cases import finding_entries, load_case
from tests.helpers import make_db, plan_between, push_sql, remaining_diff
from trueup.diff.differ import diff

#: (engine, case file) for every registered engine's golden cases.
CASES = [
    (name, path)
    for name in sorted(ENGINES)
    for path in sorted(ENGINES[name].golden_dir.glob("*.yaml"))
]
#: The fewest cases each engine must have (a folder emptied by mistake fails).
FEWEST = {"sqlite": 40, "postgres": 30}


@pytest.fixture(params=CASES, ids=[f"{name}-{path.stem}" for name, path in CASES])
def golden(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Live, dict[str, Any]]]:
    """A case and an empty live database of its engine."""
    name, path = request.param
    with live_database(name, request, tmp_path) as db:
        yield db, load_case(path)


def _build(db: Live, case: dict[str, Any], *, data: bool) -> None:
    script = case["current"] + (case["data"] if data else "")
    if script:
        db.execute(script)


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_there_are_golden_cases(name: str) -> None:
    assert len(list(ENGINES[name].golden_dir.glob("*.yaml"))) >= FEWEST.get(name, 1)


def test_plan(golden: tuple[Live, dict[str, Any]]) -> None:
    db, case = golden
    desired = db.schema_from_sql(case["desired"])
    _build(db, case, data=False)
    plan = db.engine.plan_now(db.url, desired)
    assert plan.sql == case["plan"]


def test_findings_on_the_data(golden: tuple[Live, dict[str, Any]]) -> None:
    db, case = golden
    desired = db.schema_from_sql(case["desired"])
    _build(db, case, data=True)
    plan = db.engine.plan_now(db.url, desired)
    assert plan.sql == case["plan"]
    assert finding_entries(plan.findings) == case["findings"]


def test_diff_of_a_schema_with_itself_is_empty(golden: tuple[Live, dict[str, Any]]) -> None:
    db, case = golden
    hooks = db.engine.hooks
    desired = db.schema_from_sql(case["desired"])
    assert diff(desired, desired, hooks) == []
    assert diff(db.schema_from_sql(case["desired"]), desired, hooks) == []
    current = db.schema_from_sql(case["current"])
    assert diff(current, current, hooks) == []
    _build(db, case, data=False)
    live = db.engine.inspect(db.url, current.namespaces)
    assert diff(live, current, hooks) == []
    assert diff(current, live, hooks) == []


def test_push_keeps_the_data(golden: tuple[Live, dict[str, Any]]) -> None:
    db, case = golden
    engine = db.engine
    current = db.schema_from_sql(case["current"])
    desired = db.schema_from_sql(case["desired"])
    _build(db, case, data=True)
    before = engine.snapshot(db.url, current)
    assert engine.soundness(db.url) == []

    result = db.push_sql(case["desired"], accept_data_loss=True)
    assert result.applied == bool(case["plan"])
    assert result.plan.sql == case["plan"]

    assert db.remaining_diff(desired) == []
    again = db.push_sql(case["desired"], accept_data_loss=True)
    assert again.plan.is_empty
    assert again.plan.sql == []
    assert not again.applied

    assert engine.data_problems(before, db.url, current, desired) == []
    assert engine.soundness(db.url) == []


def test_the_expected_plan_itself_applies(golden: tuple[Live, dict[str, Any]]) -> None:
    """The golden ``plan`` is checked on its own too: run as written (in one transaction,
    as a push runs it; SQLite's foreign keys off) it applies to ``current`` + ``data`` and
    leaves nothing to change. So a case never encodes SQL that could not be right."""
    db, case = golden
    desired = db.schema_from_sql(case["desired"])
    _build(db, case, data=True)
    db.engine.run_in_one_transaction(db.url, case["plan"])
    assert db.remaining_diff(desired) == []
    assert db.engine.soundness(db.url) == []


def test_the_data_fills_every_table(golden: tuple[Live, dict[str, Any]]) -> None:
    """The cases are only as good as their rows: every table of ``current`` has some."""
    db, case = golden
    current = db.schema_from_sql(case["current"])
    _build(db, case, data=True)
    for name, count in db.engine.row_counts(db.url, current).items():
        assert count >= 2, f"{name} has {count} row(s)"


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
