"""The safety gate, written once for every registered engine (tests/engines): the policy
(data loss refused unless accepted, steps that cannot run refused even then, a reset
empties and pushes) and, for every golden case whose findings put data at risk, a push
refused with nothing changed. What each engine measures, finding by finding, is in
tests/integration/test_safety.py (SQLite) and tests/postgres/test_safety.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engines import ENGINES, Live, live_database
from tests.golden_cases import load_case
from trueup.errors import UnsafePlan
from trueup.plan import Risk

SHOP = "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, note TEXT);"
SHOP_ROWS = "INSERT INTO item VALUES (1, 'a', 'n1'), (2, NULL, 'n2');"
WITHOUT_NOTE = "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT);"
NAME_REQUIRED = "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);"


def test_data_loss_is_refused_unless_accepted(engine: Live) -> None:
    engine.execute(SHOP + SHOP_ROWS)
    before = engine.state()
    with pytest.raises(UnsafePlan) as err:
        engine.push_sql(WITHOUT_NOTE)
    assert err.value.exit_code == 3 and "--accept-data-loss" in str(err.value)
    assert engine.state() == before
    assert engine.push_sql(WITHOUT_NOTE, accept_data_loss=True).applied
    assert engine.remaining_diff(engine.schema_from_sql(WITHOUT_NOTE)) == []


def test_unexecutable_is_refused_even_when_data_loss_is_accepted(engine: Live) -> None:
    engine.execute(SHOP + SHOP_ROWS)
    before = engine.state()
    with pytest.raises(UnsafePlan) as err:
        engine.push_sql(NAME_REQUIRED, accept_data_loss=True)
    text = str(err.value)
    assert "We found changes that cannot be executed" in text and "--force-reset" in text
    assert err.value.plan is not None and err.value.plan.unexecutable
    assert engine.state() == before


def test_force_reset_empties_and_pushes(engine: Live) -> None:
    engine.execute(SHOP + SHOP_ROWS)
    result = engine.push_sql(NAME_REQUIRED, force_reset=True)
    assert result.applied
    assert [f.code for f in result.plan.findings] == ["RS301"]
    assert engine.query("SELECT count(*) FROM item") == [(0,)]
    assert engine.remaining_diff(engine.schema_from_sql(NAME_REQUIRED)) == []


def test_a_finding_on_an_empty_table_does_not_block(engine: Live) -> None:
    engine.execute(SHOP)
    result = engine.push_sql("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL);")
    assert result.applied and result.plan.findings == ()


# --- every golden case that puts data at risk -----------------------------------------------

AT_RISK = {str(Risk.DATA_LOSS), str(Risk.UNEXECUTABLE)}
RISKY = [
    (name, path)
    for name in sorted(ENGINES)
    for path in sorted(ENGINES[name].golden_dir.glob("*.yaml"))
    if any(f["risk"] in AT_RISK for f in load_case(path)["findings"])
]


@pytest.fixture(params=RISKY, ids=[f"{name}-{path.stem}" for name, path in RISKY])
def risky(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Live, dict[str, Any]]]:
    """A golden case whose findings put data at risk, built with its rows."""
    name, path = request.param
    case = load_case(path)
    with live_database(name, request, tmp_path) as db:
        db.execute(case["current"] + case["data"])
        yield db, case


def test_there_are_risky_golden_cases_on_every_engine() -> None:
    assert {name for name, _ in RISKY} == set(ENGINES)


def test_a_push_that_puts_data_at_risk_is_refused_and_changes_nothing(
    risky: tuple[Live, dict[str, Any]],
) -> None:
    db, case = risky
    before = db.state()
    with pytest.raises(UnsafePlan) as err:
        db.push_sql(case["desired"])
    assert err.value.exit_code == 3
    assert err.value.plan is not None and err.value.plan.sql == case["plan"]
    assert db.state() == before
