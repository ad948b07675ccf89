"""The golden PostgreSQL cases: tests/golden/postgres/*.yaml, one case per file, in the
format of the SQLite cases (current, desired, data, plan; findings optional).

Each case is checked four ways:

a. plan mode: the planner's statements from a database built from ``current`` to the
   declared ``desired`` are exactly ``plan`` (and the finding codes ``findings`` when given);
b. ``diff(x, x) == []``: the declared schema against itself, and a database built from
   ``current`` against ``current`` read through the scratch database;
c. real mode: a database built from ``current`` + ``data`` is pushed to ``desired``
   (accepting data loss) in one transaction; nothing is left to change, a second plan is
   empty, and every row of every surviving table is still there with the values of its
   surviving columns whose type did not change;
d. the expected ``plan`` itself, run as written in one transaction, converges too.

Cases with more than one schema (namespace) go through the session with the declared
namespaces managed, exactly as a push does once it passes them on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.golden_support import load_case
from tests.postgres import support
from tests.postgres.support import DIALECT, Server, inspect_db, plan_now, remaining_diff
from trueup.apply import apply_plan
from trueup.diff.differ import diff
from trueup.model import Schema, Table
from trueup.push import make_plan

GOLDEN_DIR = Path(__file__).parents[1] / "golden" / "postgres"
CASES = sorted(GOLDEN_DIR.glob("*.yaml"))


@pytest.fixture(params=CASES, ids=[p.stem for p in CASES])
def case(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load_case(request.param)


_declared: dict[str, Schema] = {}


def schema_from_sql(db: Server, sql: str) -> Schema:
    """The declared model of ``sql``, read once per test session (a scratch database each
    time is most of a case's cost; the model is frozen, so sharing it is safe)."""
    if sql not in _declared:
        _declared[sql] = support.schema_from_sql(db, sql)
    return _declared[sql]


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 30


def _push(db: Server, desired: Schema) -> list[str]:
    with DIALECT.connect(db.database_url, create=False) as session:
        session.manage(desired.namespaces)
        session.begin(write=True, timeout=10)
        try:
            plan = make_plan(session, desired, DIALECT)
            apply_plan(session, plan, desired, DIALECT.hooks)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return plan.sql


def _table_rows(
    db: Server, table: Table, key: tuple[str, ...] | None = None
) -> dict[Any, dict[str, Any]]:
    """The rows of ``table`` by ``key`` (its primary key, else all its columns)."""
    name = f'"{table.name}"' if table.schema is None else f'"{table.schema}"."{table.name}"'
    cols = [c.name for c in table.columns]
    if key is None:
        key = table.primary_key.columns if table.primary_key else tuple(cols)
    found = db.query(f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM {name}")
    out: dict[Any, dict[str, Any]] = {}
    for row in found:
        values = dict(zip(cols, row, strict=True))
        out[tuple(values[k] for k in key)] = values
    return out


def test_plan(case: dict[str, Any], pg: Server) -> None:
    desired = schema_from_sql(pg, case["desired"])
    if case["current"]:
        pg.execute(case["current"])
    plan = plan_now(pg, desired)
    assert plan.sql == case["plan"]
    if "findings" in case:
        assert sorted(f.code for f in plan.findings) == sorted(case["findings"])


def test_diff_of_a_schema_with_itself_is_empty(case: dict[str, Any], pg: Server) -> None:
    desired = schema_from_sql(pg, case["desired"])
    assert diff(desired, desired, DIALECT.hooks) == []
    current = schema_from_sql(pg, case["current"])
    if case["current"]:
        pg.execute(case["current"])
    live = inspect_db(pg, current.namespaces)
    assert diff(live, current, DIALECT.hooks) == []
    assert diff(current, live, DIALECT.hooks) == []


def test_push_keeps_the_data(case: dict[str, Any], pg: Server) -> None:
    current = schema_from_sql(pg, case["current"])
    desired = schema_from_sql(pg, case["desired"])
    if case["current"]:
        pg.execute(case["current"] + case["data"])
    keys = {
        (t.schema, t.name): t.primary_key.columns if t.primary_key else t.column_names
        for t in current.tables
    }
    before = {(t.schema, t.name): _table_rows(pg, t) for t in current.tables}

    assert _push(pg, desired) == case["plan"]
    assert remaining_diff(pg, desired) == []
    assert plan_now(pg, desired).is_empty

    for old in current.tables:
        new = desired.table(old.name, old.schema)
        if new is None:
            continue
        after = _table_rows(pg, new, keys[(old.schema, old.name)])
        rows_before = before[(old.schema, old.name)]
        assert len(after) == len(rows_before), f"{old.name}: row count changed"
        kept = [
            c.name
            for c in old.columns
            if (n := new.column(c.name)) is not None
            and n.type == c.type
            and n.generated == c.generated
            and (n.nullable or not c.nullable)
        ]
        # Keys as text: a key column may change its type (integer 1 becomes text '1').
        after = {tuple(str(v) for v in k): row for k, row in after.items()}
        for key, row in rows_before.items():
            text_key = tuple(str(v) for v in key)
            assert text_key in after, f"{old.name}: row {key} is gone"
            for col in kept:
                assert after[text_key][col] == row[col], f"{old.name}.{col} of {key} changed"


def test_the_expected_plan_itself_applies(case: dict[str, Any], pg: Server) -> None:
    desired = schema_from_sql(pg, case["desired"])
    script = case["current"] + case["data"]
    if script:
        pg.execute(script)
    with pg.connect() as conn, conn.transaction():
        for statement in case["plan"]:
            conn.execute(statement.encode())
    assert remaining_diff(pg, desired) == []


def test_the_data_fills_every_table(case: dict[str, Any], pg: Server) -> None:
    if not case["current"]:
        return
    current = schema_from_sql(pg, case["current"])
    pg.execute(case["current"] + case["data"])
    for table in current.tables:
        assert len(_table_rows(pg, table)) >= 2, f"{table.name} has too few rows"
