"""The data checks' probes on a real SQLite database: a probe whose SQL fails raises under
test (``TRUEUP_STRICT_PROBES``, set for every test) and gives a finding without numbers in
a push; savepoints keep a failed probe from touching the push's transaction; and the
probes name the columns a plan renames by the names they have now."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import make_db, schema_from_sql
from trueup.diff.renames import Renames
from trueup.engines import get_dialect
from trueup.plan import Risk
from trueup.plan.checks.conditions import Breaks, CheckedTable, NotNull
from trueup.plan.checks.runner import STRICT, Measurements
from trueup.push import plan_for
from trueup.urls import parse_url

TABLE = "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);"
ROWS = "INSERT INTO t VALUES (1, NULL), (2, 5);"


def measurements(path: Path) -> Measurements:
    dialect = get_dialect("sqlite")
    session = dialect.connect(parse_url(str(path)), create=False)
    session.begin(write=False, timeout=1)
    return Measurements(session, dialect)


def t_table(path: Path, name: str = "t") -> CheckedTable:
    """The table ``t``, under ``name`` (a table that is not there makes a probe fail)."""
    model = schema_from_sql(TABLE, path.parent).table("t")
    assert model is not None
    return CheckedTable(name, model)


def test_a_failing_probe_raises_under_test(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(db, TABLE, ROWS)
    m = measurements(db)
    assert m.strict
    with pytest.raises(sqlite3.OperationalError) as raised:
        m.count(t_table(db, "gone"), NotNull("a"))
    assert 'SELECT count(*) FROM "gone" WHERE "gone"."a" IS NOT NULL' in str(raised.value.__notes__)
    # The transaction goes on: the failed probe's savepoint was rolled back.
    assert m.count(t_table(db), NotNull("a")) == 1


def test_a_failing_probe_has_no_numbers_in_a_push(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STRICT)
    db = tmp_path / "a.db"
    make_db(db, TABLE, ROWS)
    m = measurements(db)
    assert m.count(t_table(db, "gone"), NotNull("a")) is None
    assert m.count(t_table(db), NotNull("a")) == 1


def test_declared_sql_may_fail_under_test(tmp_path: Path) -> None:
    """A CHECK the push adds may name a column it has not made yet: no numbers, no error."""
    db = tmp_path / "a.db"
    make_db(db, TABLE, ROWS)
    m = measurements(db)
    assert m.count(t_table(db), Breaks("later > 0")) is None
    assert m.count(t_table(db), Breaks("a > 0")) == 0


def test_savepoint_undoes_a_failed_block_and_keeps_the_transaction(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    make_db(db, TABLE, ROWS)
    with get_dialect("sqlite").connect(parse_url(str(db)), create=False) as session:
        session.begin(write=True, timeout=1)
        session.execute("INSERT INTO t VALUES (3, 3)")
        with pytest.raises(sqlite3.OperationalError), session.savepoint():
            session.execute("INSERT INTO t VALUES (4, 4)")
            session.execute("INSERT INTO nowhere VALUES (1)")
        with session.savepoint():
            session.execute("INSERT INTO t VALUES (5, 5)")
        session.commit()
    conn = sqlite3.connect(db)
    assert [r[0] for r in conn.execute("SELECT id FROM t ORDER BY id")] == [1, 2, 3, 5]
    conn.close()


def test_new_foreign_key_to_a_renamed_parent_column_is_counted(tmp_path: Path) -> None:
    """The parent's key column is renamed in the same push: the orphans are counted
    against its name now, not left without numbers."""
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, pcode TEXT);",
        "INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a'), (2, 'zz');",
    )
    desired = schema_from_sql(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, ref TEXT UNIQUE);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, pcode TEXT REFERENCES parent (ref));",
        tmp_path,
    )
    renames = Renames(columns={("parent", "code"): "ref"})
    [finding] = plan_for(parse_url(str(db)), desired, renames=renames).findings
    assert (finding.code, finding.risk, finding.count, finding.examples) == (
        "DD204",
        Risk.DATA_LOSS,
        1,
        (2,),
    )


def test_a_probe_naming_a_column_that_is_not_there_fails(tmp_path: Path) -> None:
    """SQLite takes a double-quoted name that matches no column for a string: the probes
    name columns with their table, so such a probe fails instead of counting the string."""
    db = tmp_path / "a.db"
    make_db(db, TABLE, ROWS)
    m = measurements(db)
    with pytest.raises(sqlite3.OperationalError, match="no such column"):
        m.count(t_table(db), NotNull("missing"))


def test_new_foreign_key_on_a_column_whose_type_changes_is_counted(tmp_path: Path) -> None:
    """The child's key column becomes an INTEGER as it gets its foreign key: its text
    values meet the parent's key as SQLite compares them (by the key's affinity)."""
    db = tmp_path / "a.db"
    make_db(
        db,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, p TEXT);",
        "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, '1'), (2, '7'), (3, NULL);",
    )
    desired = schema_from_sql(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (id));",
        tmp_path,
    )
    found = plan_for(parse_url(str(db)), desired).findings
    assert [(f.code, f.risk, f.count, f.examples) for f in found] == [
        ("DD204", Risk.DATA_LOSS, 1, (2,))
    ]
