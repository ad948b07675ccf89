"""The push against real SQLite files: all or nothing, foreign keys and their ON DELETE
actions never fire during a rebuild, refusals and dry runs change nothing, two pushes are
kept apart by the lock, and what a rebuild must carry over (AUTOINCREMENT counters, rowids,
views, triggers) is carried over."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    file_bytes_and_schema,
    inspect_db,
    make_db,
    push_sql,
    remaining_diff,
    schema_from_sql,
    table_rows,
)
from tests.integration.support import (
    assert_in_sync,
    connect,
    execute,
    fk_violations,
    foreign_keys_on_by_default,
    integrity,
    plan_now,
    query,
    rowids,
    run_plan,
    table_names,
)
from trueup.errors import (
    ApplyError,
    ConfigError,
    LockTimeout,
    SchemaError,
    TrueupError,
    UnsafePlan,
)
from trueup.model import Schema
from trueup.plan import Phase, Step
from trueup.push import push
from trueup.urls import parse_url

# --- a small shop: three tables linked by foreign keys, a view and a trigger ---------------

SHOP = """
CREATE TABLE author (
    id INTEGER PRIMARY KEY,
    name TEXT,
    born INTEGER
);
CREATE TABLE book (
    id INTEGER PRIMARY KEY,
    author_id INTEGER REFERENCES author(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    price REAL
);
CREATE INDEX book_author ON book(author_id);
CREATE TABLE review (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    book_id INTEGER REFERENCES book(id) ON DELETE SET NULL,
    stars INTEGER,
    body TEXT
);
CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);
CREATE VIEW book_titles AS SELECT b.title, a.name FROM book b JOIN author a ON a.id = b.author_id;
CREATE TRIGGER book_added AFTER INSERT ON book BEGIN
    INSERT INTO audit (what) VALUES ('book ' || new.title);
END;
"""

SHOP_ROWS = """
INSERT INTO author VALUES (1, 'Ann', 1950), (2, NULL, 1960), (3, 'Cy', NULL);
INSERT INTO book VALUES (10, 1, 'A', 9.5), (11, 1, 'B', NULL), (12, 2, 'C', 3), (13, NULL, 'D', 1);
INSERT INTO review (book_id, stars, body) VALUES (10, 5, 'good'), (11, 1, NULL), (NULL, 3, 'x'),
    (12, NULL, 'meh');
DELETE FROM audit;
"""

# author: NOT NULL with a default, born becomes TEXT; book: price becomes NUMERIC and a CHECK;
# review: stars becomes TEXT. Three rebuilds, one of them with an AUTOINCREMENT counter.
SHOP_CHANGED = """
CREATE TABLE author (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT 'anonymous',
    born TEXT
);
CREATE TABLE book (
    id INTEGER PRIMARY KEY,
    author_id INTEGER REFERENCES author(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    price NUMERIC,
    CHECK (length(title) > 0)
);
CREATE INDEX book_author ON book(author_id);
CREATE TABLE review (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    book_id INTEGER REFERENCES book(id) ON DELETE SET NULL,
    stars TEXT,
    body TEXT
);
CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);
CREATE VIEW book_titles AS SELECT b.title, a.name FROM book b JOIN author a ON a.id = b.author_id;
CREATE TRIGGER book_added AFTER INSERT ON book BEGIN
    INSERT INTO audit (what) VALUES ('book ' || new.title);
END;
"""


SHOP_WITHOUT_BORN = SHOP.replace("name TEXT,\n    born INTEGER\n", "name TEXT\n")
assert SHOP_WITHOUT_BORN != SHOP


# The command line, as the installed `trueup` script runs it.
TRUEUP = [sys.executable, "-m", "trueup"]


def shop(path: Path) -> Any:
    url = make_db(path, "PRAGMA foreign_keys = ON;\n" + SHOP, SHOP_ROWS)
    assert fk_violations(path) == []
    return url


def rebuilt_tables(sql: list[str]) -> list[str]:
    """The tables a plan rebuilds, in order: each ends with its copy renamed into place."""
    return [s.split('"')[3] for s in sql if s.startswith("ALTER TABLE") and " RENAME TO " in s]


# --- 1. atomicity ----------------------------------------------------------------------------


def test_shop_plan_rebuilds_several_tables(tmp_path: Path) -> None:
    """The fixture the atomicity tests rely on really is a multi-table rebuild."""
    shop(tmp_path / "a.db")
    plan = plan_now(tmp_path / "a.db", SHOP_CHANGED)
    assert sorted(rebuilt_tables(plan.sql)) == ["author", "book", "review"]


@pytest.mark.parametrize("foreign_keys_on", [False, True], ids=["fk-off", "fk-on"])
def test_failing_statement_anywhere_rolls_back_everything(
    tmp_path: Path, foreign_keys_on: bool
) -> None:
    """A failing statement is put before each statement of a three-table rebuild in turn
    (and after the last): every time, ApplyError and not a byte of schema or data changed."""
    failing = Step("INSERT INTO no_such_table VALUES (1)", "injected failure")
    shop(tmp_path / "probe.db")
    total = len(plan_now(tmp_path / "probe.db", SHOP_CHANGED).steps)
    assert total > 10
    for position in range(total + 1):
        path = tmp_path / f"shop{position}.db"
        url = shop(path)
        before = file_bytes_and_schema(path)

        def inject(plan: Any, position: int = position) -> Any:
            assert len(plan.steps) == total
            return dataclasses.replace(
                plan, steps=(*plan.steps[:position], failing, *plan.steps[position:])
            )

        with pytest.raises(ApplyError) as err:
            run_plan(
                url,
                schema_from_sql(SHOP_CHANGED, tmp_path),
                edit=inject,
                foreign_keys_on=foreign_keys_on,
            )
        assert f"Statement {position + 1} of {total + 1} failed" in err.value.message
        assert "no_such_table" in err.value.message
        # The connection is out of its transaction, its foreign key setting as it was.
        assert err.value.in_transaction_after is False  # type: ignore[attr-defined]
        assert err.value.foreign_keys_after == int(foreign_keys_on)  # type: ignore[attr-defined]
        # Nothing changed: same schema text, same rows, no half-built table left behind.
        assert file_bytes_and_schema(path) == before, position
        assert not any(name.startswith("new_") for name in table_names(path))
        assert integrity(path) == ["ok"]
        assert fk_violations(path) == []
    # No lock or journal left behind: a real push goes through afterwards.
    assert push_sql(path, SHOP_CHANGED, lock_timeout=1).applied
    assert_in_sync(path, SHOP_CHANGED)


def test_push_failing_in_its_last_rebuild_changes_nothing(tmp_path: Path) -> None:
    """A real failure, not an injected one: the third table rebuilt cannot take a NOT NULL
    column over its NULLs, after two other tables were already rebuilt."""
    path = tmp_path / "shop.db"
    shop(path)
    before = file_bytes_and_schema(path)
    desired = SHOP_CHANGED.replace(
        "stars TEXT,\n    body TEXT", "stars TEXT,\n    body TEXT NOT NULL"
    )
    assert desired != SHOP_CHANGED
    assert rebuilt_tables(plan_now(path, desired).sql)[-1] == "review"
    # The checks see the NULLs and refuse before anything runs ...
    with pytest.raises(UnsafePlan, match="required, but there is 1 existing NULL value"):
        push_sql(path, desired)
    assert file_bytes_and_schema(path) == before
    # ... and run without the checks, the statement itself fails and everything rolls back.
    with pytest.raises(ApplyError, match="NOT NULL constraint failed"):
        run_plan(parse_url(str(path)), schema_from_sql(desired, tmp_path))
    assert file_bytes_and_schema(path) == before
    assert fk_violations(path) == []


def test_rolled_back_push_keeps_autoincrement_counter(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    url = shop(path)
    execute(path, "DELETE FROM review WHERE id = 4;")
    seq = query(path, "SELECT seq FROM sqlite_sequence WHERE name = 'review'")
    assert seq == [(4,)]

    def fail_at_end(plan: Any) -> Any:
        return dataclasses.replace(plan, steps=(*plan.steps, Step("SELECT * FROM nowhere")))

    with pytest.raises(ApplyError):
        run_plan(url, schema_from_sql(SHOP_CHANGED, tmp_path), edit=fail_at_end)
    assert query(path, "SELECT seq FROM sqlite_sequence WHERE name = 'review'") == seq


def test_a_step_before_the_transaction_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    """A push plans inside the transaction it applies in: a step that had to run before
    that transaction began can no longer run, and the push stops before its first write."""
    path = tmp_path / "shop.db"
    url = shop(path)
    before = file_bytes_and_schema(path)

    def with_an_early_step(plan: Any) -> Any:
        early = Step("PRAGMA journal_mode = DELETE", phase=Phase.BEFORE_TRANSACTION)
        return dataclasses.replace(plan, steps=(early, *plan.steps))

    with pytest.raises(ApplyError, match="1 statement\\(s\\) to run before its transaction"):
        run_plan(url, schema_from_sql(SHOP_CHANGED, tmp_path), edit=with_an_early_step)
    assert file_bytes_and_schema(path) == before


# --- 2. verification ---------------------------------------------------------------------------


def test_plan_that_does_not_produce_the_declared_schema_fails(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    url = shop(path)
    before = file_bytes_and_schema(path)
    # The plan is made for SHOP_CHANGED; the declared schema also has a column it never adds.
    declared = schema_from_sql(SHOP_CHANGED.replace("what TEXT", "what TEXT, at INTEGER"))

    def plan_for_other_schema(plan: Any) -> Any:
        return plan_now(path, SHOP_CHANGED)

    with pytest.raises(ApplyError, match="still differs from the declared schema"):
        run_plan(url, declared, edit=plan_for_other_schema)
    assert file_bytes_and_schema(path) == before


def test_plan_with_a_step_removed_fails_verification(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    url = shop(path)
    before = file_bytes_and_schema(path)

    def without_index(plan: Any) -> Any:
        steps = tuple(s for s in plan.steps if not s.sql.startswith("CREATE INDEX"))
        assert len(steps) < len(plan.steps)
        return dataclasses.replace(plan, steps=steps)

    with pytest.raises(ApplyError, match="still differs"):
        run_plan(url, schema_from_sql(SHOP_CHANGED), edit=without_index)
    assert file_bytes_and_schema(path) == before


# --- 3. ON DELETE actions never fire during a rebuild ------------------------------------------

FAMILY = """
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT, rank INTEGER);
CREATE TABLE cascade_child (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE ON UPDATE CASCADE,
    note TEXT
);
CREATE TABLE set_null_child (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES parent(id) ON DELETE SET NULL ON UPDATE SET NULL,
    note TEXT
);
CREATE TABLE set_default_child (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER DEFAULT 1 REFERENCES parent(id) ON DELETE SET DEFAULT,
    note TEXT
);
CREATE TABLE restrict_child (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES parent(id) ON DELETE RESTRICT,
    note TEXT
);
"""

FAMILY_ROWS = """
INSERT INTO parent VALUES (1, 'one', 1), (2, 'two', NULL), (3, NULL, 3);
INSERT INTO cascade_child VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, NULL), (4, NULL, 'd');
INSERT INTO set_null_child VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, NULL);
INSERT INTO set_default_child VALUES (1, 2, 'a'), (2, 3, 'b');
INSERT INTO restrict_child VALUES (1, 3, 'a'), (2, 2, NULL);
"""

PARENT_CHANGES = {
    "type": "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT, rank TEXT);",
    "not-null": "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '?', "
    "rank INTEGER);",
    "check": "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT, rank INTEGER "
    "CHECK (rank IS NULL OR rank > 0));",
    "strict": "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT, rank INTEGER) STRICT;",
    "without-rowid": "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT, rank INTEGER) "
    "WITHOUT ROWID;",
}


def family(path: Path) -> Any:
    # The application's connection enforces foreign keys while it writes the rows.
    url = make_db(path, "PRAGMA foreign_keys = ON;\n" + FAMILY, FAMILY_ROWS)
    assert fk_violations(path) == []
    return url


def changed_family(parent: str | None = None, note_type: str = "TEXT") -> str:
    sql = FAMILY.replace("note TEXT", f"note {note_type}")
    if parent is not None:
        sql = sql.replace(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT, rank INTEGER);", parent
        )
    return sql


@pytest.fixture(params=[False, True], ids=["fk-default-off", "fk-default-on"])
def fk_default(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[bool]:
    """Run the test twice: as is, and with every connection trueup opens starting with
    foreign keys enforced (the pushes must switch them off for the rebuild)."""
    if not request.param:
        yield False
        return
    opened = foreign_keys_on_by_default(monkeypatch)
    yield True
    assert opened, "the test opened no connection through trueup"


@pytest.mark.parametrize("change", sorted(PARENT_CHANGES))
def test_rebuilding_the_parent_keeps_every_child_row(
    tmp_path: Path, change: str, fk_default: bool
) -> None:
    path = tmp_path / "family.db"
    family(path)
    before = table_rows(path)
    desired = changed_family(PARENT_CHANGES[change])
    plan = plan_now(path, desired)
    assert "parent" in rebuilt_tables(plan.sql)
    assert push_sql(path, desired).applied
    after = table_rows(path)
    for child in ("cascade_child", "set_null_child", "set_default_child", "restrict_child"):
        assert after[child] == before[child], child
    if change == "type":
        assert [r["rank"] for r in after["parent"]] == ["1", None, "3"]
    elif change == "not-null":
        assert [r["name"] for r in after["parent"]] == ["one", "two", "?"]
    else:
        assert after["parent"] == before["parent"]
    assert fk_violations(path) == []
    assert_in_sync(path, desired)


def test_rebuilding_the_children_keeps_their_rows(tmp_path: Path, fk_default: bool) -> None:
    path = tmp_path / "family.db"
    family(path)
    before = table_rows(path)
    desired = changed_family(note_type="BLOB")
    assert sorted(rebuilt_tables(plan_now(path, desired).sql)) == [
        "cascade_child",
        "restrict_child",
        "set_default_child",
        "set_null_child",
    ]
    assert push_sql(path, desired).applied
    assert table_rows(path) == before
    assert fk_violations(path) == []
    assert_in_sync(path, desired)


def test_rebuilding_parent_and_children_together(tmp_path: Path, fk_default: bool) -> None:
    path = tmp_path / "family.db"
    family(path)
    before = table_rows(path)
    desired = changed_family(PARENT_CHANGES["without-rowid"], note_type="BLOB")
    assert len(rebuilt_tables(plan_now(path, desired).sql)) == 5
    assert push_sql(path, desired).applied
    assert table_rows(path) == before
    assert fk_violations(path) == []
    assert_in_sync(path, desired)


def test_changing_the_on_delete_action_keeps_rows(tmp_path: Path, fk_default: bool) -> None:
    path = tmp_path / "family.db"
    family(path)
    before = table_rows(path)
    desired = (
        changed_family()
        .replace("ON DELETE CASCADE ON UPDATE CASCADE", "ON DELETE SET NULL")
        .replace("ON DELETE SET NULL ON UPDATE SET NULL", "ON DELETE CASCADE")
    )
    assert push_sql(path, desired).applied
    assert table_rows(path) == before
    assert_in_sync(path, desired)
    # The new actions are the ones in force afterwards.
    execute(path, "DELETE FROM parent WHERE id = 1;")
    assert query(path, "SELECT parent_id FROM cascade_child WHERE id = 1") == [(None,)]
    assert query(path, "SELECT count(*) FROM set_null_child WHERE id = 1") == [(0,)]


def test_foreign_keys_setting_of_the_connection_is_put_back(tmp_path: Path) -> None:
    path = tmp_path / "family.db"
    url = family(path)
    desired = schema_from_sql(changed_family(PARENT_CHANGES["type"]))
    plan, foreign_keys_after = run_plan(url, desired, foreign_keys_on=True)
    assert plan.steps
    assert foreign_keys_after == 1
    assert [r[0] for r in query(path, "SELECT count(*) FROM cascade_child")] == [4]


# --- 4. a cycle of foreign keys ---------------------------------------------------------------

CYCLE = """
CREATE TABLE a (id INTEGER PRIMARY KEY, x INTEGER,
    b_id INTEGER REFERENCES b(id) ON DELETE CASCADE);
CREATE TABLE b (id INTEGER PRIMARY KEY, y INTEGER,
    a_id INTEGER REFERENCES a(id) ON DELETE SET NULL);
"""
CYCLE_ROWS = """
BEGIN;
PRAGMA defer_foreign_keys = ON;
INSERT INTO a (id, b_id, x) VALUES (1, 1, 10), (2, 2, NULL), (3, NULL, 30);
INSERT INTO b (id, a_id, y) VALUES (1, 2, 100), (2, 1, 200), (3, 3, NULL);
COMMIT;
"""


def test_cycle_of_foreign_keys_rebuilt_together(tmp_path: Path, fk_default: bool) -> None:
    path = tmp_path / "cycle.db"
    make_db(path, "PRAGMA foreign_keys = ON;\n" + CYCLE, CYCLE_ROWS)
    assert fk_violations(path) == []
    before = table_rows(path)
    desired = CYCLE.replace("x INTEGER", "x TEXT").replace(
        "y INTEGER", "y INTEGER NOT NULL DEFAULT 0"
    )
    assert sorted(rebuilt_tables(plan_now(path, desired).sql)) == ["a", "b"]
    assert push_sql(path, desired).applied
    after = table_rows(path)
    assert [(r["id"], r["b_id"]) for r in after["a"]] == [(r["id"], r["b_id"]) for r in before["a"]]
    assert [r["x"] for r in after["a"]] == ["10", None, "30"]
    assert [(r["id"], r["a_id"]) for r in after["b"]] == [(r["id"], r["a_id"]) for r in before["b"]]
    assert [r["y"] for r in after["b"]] == [100, 200, 0]
    assert fk_violations(path) == []
    assert_in_sync(path, desired)


def test_cycle_with_actions_changed_on_both_sides(tmp_path: Path) -> None:
    path = tmp_path / "cycle.db"
    make_db(path, "PRAGMA foreign_keys = ON;\n" + CYCLE, CYCLE_ROWS)
    before = table_rows(path)
    desired = CYCLE.replace("ON DELETE CASCADE", "ON DELETE RESTRICT").replace(
        "ON DELETE SET NULL", "ON DELETE CASCADE"
    )
    assert push_sql(path, desired).applied
    assert table_rows(path) == before
    assert fk_violations(path) == []
    assert_in_sync(path, desired)


# --- 5. foreign key violations: new ones stop the push, old ones do not -----------------------

ORPHANS = """
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER, other_id INTEGER, note TEXT);
"""
ORPHAN_ROWS = """
INSERT INTO parent VALUES (1, 'one'), (2, 'two');
INSERT INTO child VALUES (1, 1, 1, 'ok'), (2, 99, 2, 'orphan'), (3, NULL, 77, 'null parent');
"""


def test_new_foreign_key_over_orphans_fails_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "orphans.db"
    make_db(path, ORPHANS, ORPHAN_ROWS)
    before = file_bytes_and_schema(path)
    desired = ORPHANS.replace(
        "parent_id INTEGER,", "parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE,"
    )
    with pytest.raises(UnsafePlan, match="1 row points at no row of `parent`"):
        push_sql(path, desired)
    assert file_bytes_and_schema(path) == before
    # The foreign key check before COMMIT catches it too, when the plan runs unchecked.
    with pytest.raises(ApplyError, match=r"1 row\(s\) in child without a matching row in parent"):
        run_plan(parse_url(str(path)), schema_from_sql(desired, tmp_path))
    assert file_bytes_and_schema(path) == before
    # Accepted: the orphan's key is set to NULL (the key is nullable), every row stays.
    assert push_sql(path, desired, accept_data_loss=True).applied
    assert query(path, "SELECT id, parent_id FROM child ORDER BY id") == [
        (1, 1),
        (2, None),
        (3, None),
    ]


def test_new_foreign_key_over_clean_rows_applies(tmp_path: Path) -> None:
    path = tmp_path / "orphans.db"
    make_db(path, ORPHANS, ORPHAN_ROWS)
    execute(path, "UPDATE child SET parent_id = 2 WHERE id = 2;")
    before = table_rows(path)
    desired = ORPHANS.replace("parent_id INTEGER,", "parent_id INTEGER REFERENCES parent(id),")
    assert push_sql(path, desired).applied
    assert table_rows(path) == before
    assert_in_sync(path, desired)


def _with_existing_orphans(path: Path) -> str:
    """The child already has a foreign key and an orphan row (written with foreign keys
    off, as old databases often are)."""
    current = ORPHANS.replace("parent_id INTEGER,", "parent_id INTEGER REFERENCES parent(id),")
    make_db(path, current, ORPHAN_ROWS)
    assert len(fk_violations(path)) == 1
    return current


def test_existing_orphans_in_a_rebuilt_child_do_not_block(tmp_path: Path) -> None:
    path = tmp_path / "orphans.db"
    current = _with_existing_orphans(path)
    before = table_rows(path)
    desired = current.replace("note TEXT", "note BLOB")
    assert "child" in rebuilt_tables(plan_now(path, desired).sql)
    assert push_sql(path, desired).applied
    assert table_rows(path) == before
    assert len(fk_violations(path)) == 1
    assert_in_sync(path, desired)


def test_existing_orphans_when_the_parent_is_rebuilt_do_not_block(tmp_path: Path) -> None:
    path = tmp_path / "orphans.db"
    current = _with_existing_orphans(path)
    before = table_rows(path)
    desired = current.replace("name TEXT", "name TEXT NOT NULL DEFAULT ''")
    assert rebuilt_tables(plan_now(path, desired).sql) == ["parent"]
    assert push_sql(path, desired).applied
    assert table_rows(path) == before
    assert len(fk_violations(path)) == 1
    assert_in_sync(path, desired)


def test_existing_orphans_do_not_hide_new_ones(tmp_path: Path) -> None:
    """A second foreign key to the same parent, over orphan rows of its own, is caught even
    though the table already had orphans towards that parent."""
    path = tmp_path / "orphans.db"
    current = _with_existing_orphans(path)
    before = file_bytes_and_schema(path)
    desired = current.replace("other_id INTEGER,", "other_id INTEGER REFERENCES parent(id),")
    with pytest.raises(UnsafePlan, match=r"points? at no row of `parent`"):
        push_sql(path, desired)
    assert file_bytes_and_schema(path) == before
    with pytest.raises(ApplyError, match="without a matching row in parent"):
        run_plan(parse_url(str(path)), schema_from_sql(desired, tmp_path))
    assert file_bytes_and_schema(path) == before


def test_new_orphans_elsewhere_still_fail_with_old_orphans_present(tmp_path: Path) -> None:
    path = tmp_path / "orphans.db"
    current = _with_existing_orphans(path)
    current += "CREATE TABLE pet (id INTEGER PRIMARY KEY, owner INTEGER);\n"
    execute(
        path,
        "CREATE TABLE pet (id INTEGER PRIMARY KEY, owner INTEGER); "
        "INSERT INTO pet VALUES (1, 1), (2, 5);",
    )
    before = file_bytes_and_schema(path)
    desired = current.replace("note TEXT", "note BLOB").replace(
        "owner INTEGER)", "owner INTEGER REFERENCES parent(id))"
    )
    with pytest.raises(UnsafePlan, match="1 row points at no row of `parent`"):
        push_sql(path, desired)
    assert file_bytes_and_schema(path) == before
    with pytest.raises(ApplyError, match="1 row\\(s\\) in pet without a matching row in parent"):
        run_plan(parse_url(str(path)), schema_from_sql(desired, tmp_path))
    assert file_bytes_and_schema(path) == before


def unchecked_model(folder: Path, ddl: str) -> Schema:
    """The model of ``ddl`` as SQLite makes it, without the checks a schema file gets (the
    way to reach the apply-time checks that stand behind them)."""
    path = folder / "unchecked.db"
    make_db(path, ddl)
    try:
        return inspect_db(path)
    finally:
        path.unlink()


def test_foreign_key_left_pointing_at_a_non_unique_column_is_refused(tmp_path: Path) -> None:
    """The parent loses the primary key its children point at: SQLite would refuse every
    write to the child ("foreign key mismatch"). The schema file is refused before anything
    runs; a model that got past that meets the foreign key check, which must come out as
    trueup's ApplyError (a message and exit code 1), not as a raw sqlite3 error. Neither
    changes anything."""
    path = tmp_path / "mismatch.db"
    current = """
CREATE TABLE p (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id), w TEXT);
"""
    make_db(path, current, "INSERT INTO p VALUES (1, 'a'); INSERT INTO c VALUES (1, 1, 'x');")
    before = file_bytes_and_schema(path)
    desired = current.replace("id INTEGER PRIMARY KEY, v TEXT", "id INTEGER, v TEXT")
    with pytest.raises(SchemaError, match="neither its primary key nor unique"):
        push_sql(path, desired, accept_data_loss=True)
    assert file_bytes_and_schema(path) == before
    with pytest.raises(ApplyError, match="foreign key mismatch"):
        push(parse_url(str(path)), unchecked_model(tmp_path, desired), accept_data_loss=True)
    assert file_bytes_and_schema(path) == before


@pytest.mark.parametrize("child_row", ["(1, 1)", "(1, NULL)"])
def test_dropping_a_parent_table_the_children_still_reference_is_refused(
    tmp_path: Path, child_row: str
) -> None:
    """The declared child keeps its foreign key to a table the push drops. Even with no
    child row pointing at it, SQLite would refuse every later write to the child ("no such
    table"), so the schema file is refused. A model that got past that, with child rows
    pointing at the parent, meets the check of new violations. Nothing changes."""
    path = tmp_path / "drop-parent.db"
    current = """
CREATE TABLE p (id INTEGER PRIMARY KEY);
CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));
"""
    make_db(path, current, f"INSERT INTO p VALUES (1); INSERT INTO c VALUES {child_row};")
    before = file_bytes_and_schema(path)
    desired = "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));"
    with pytest.raises(SchemaError, match="points at the table p, which this schema does not"):
        push_sql(path, desired, accept_data_loss=True)
    assert file_bytes_and_schema(path) == before
    if child_row == "(1, 1)":
        with pytest.raises(ApplyError, match="without a matching row in p"):
            push(parse_url(str(path)), unchecked_model(tmp_path, desired), accept_data_loss=True)
        assert file_bytes_and_schema(path) == before
    assert fk_violations(path) == []


# --- 6. refusal ---------------------------------------------------------------------------------


def test_dropping_a_column_with_data_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    shop(path)
    before = file_bytes_and_schema(path)
    desired = SHOP_WITHOUT_BORN
    with pytest.raises(UnsafePlan) as err:
        push_sql(path, desired)
    assert err.value.exit_code == 3
    assert "born" in err.value.message
    assert file_bytes_and_schema(path) == before

    result = push_sql(path, desired, accept_data_loss=True)
    assert result.applied
    rows = table_rows(path)
    assert rows["author"] == [{"id": r["id"], "name": r["name"]} for r in before[1]["author"]]
    assert {k: v for k, v in rows.items() if k != "author"} == {
        k: v for k, v in before[1].items() if k != "author"
    }
    assert_in_sync(path, desired)


def test_dropping_a_table_is_refused_then_accepted(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    shop(path)
    execute(path, "INSERT INTO audit (what) VALUES ('kept until the push is accepted');")
    before = file_bytes_and_schema(path)
    desired = SHOP.replace("CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);", "")
    desired = desired[: desired.index("CREATE TRIGGER")]
    with pytest.raises(UnsafePlan):
        push_sql(path, desired)
    assert file_bytes_and_schema(path) == before
    assert push_sql(path, desired, accept_data_loss=True).applied
    assert "audit" not in table_names(path)
    assert_in_sync(path, desired)


def test_narrowing_type_change_is_refused_then_accepted(tmp_path: Path) -> None:
    path = tmp_path / "narrow.db"
    current = "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
    make_db(
        path,
        current,
        "INSERT INTO t VALUES (1, '12'), (2, 'twelve'), (3, NULL), (4, '12345678901234567890');",
    )
    before = file_bytes_and_schema(path)
    desired = "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);"
    with pytest.raises(UnsafePlan) as err:
        push_sql(path, desired)
    assert err.value.exit_code == 3
    assert file_bytes_and_schema(path) == before
    assert push_sql(path, desired, accept_data_loss=True).applied
    # SQLite's INTEGER affinity: what reads as a number becomes one (a REAL when it does
    # not fit 64 bits, which loses digits), the rest stays as it is.
    assert query(path, "SELECT id, v FROM t ORDER BY id") == [
        (1, 12),
        (2, "twelve"),
        (3, None),
        (4, 1.2345678901234567e19),
    ]
    assert_in_sync(path, desired)


def test_refused_push_via_command_line_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    shop(path)
    before = file_bytes_and_schema(path)
    schema = tmp_path / "schema.sql"
    schema.write_text(SHOP_WITHOUT_BORN)
    run = subprocess.run(
        [*TRUEUP, "push", "--schema", str(schema), "--url", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert run.returncode == 3, run.stdout + run.stderr
    assert file_bytes_and_schema(path) == before


# --- 7. dry run --------------------------------------------------------------------------------


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    url = shop(path)
    before = file_bytes_and_schema(path)
    raw = path.read_bytes()
    result = push(url, schema_from_sql(SHOP_CHANGED), dry_run=True)
    assert not result.applied
    assert not result.plan.is_empty
    assert file_bytes_and_schema(path) == before
    assert path.read_bytes() == raw
    # Not even data loss is refused in a dry run: it only shows the plan.
    result = push(url, schema_from_sql(SHOP_WITHOUT_BORN), dry_run=True)
    assert not result.applied
    assert path.read_bytes() == raw


def test_dry_run_does_not_create_a_missing_database(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    result = push(parse_url(str(path)), schema_from_sql(SHOP), dry_run=True)
    assert not result.applied
    assert len(rebuilt_tables(result.plan.sql)) == 0
    assert any(s.startswith('CREATE TABLE "author"') for s in result.plan.sql)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_push_creates_a_missing_database(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    assert push_sql(path, SHOP).applied
    assert path.exists()
    assert_in_sync(path, SHOP)


@pytest.mark.parametrize("dry_run", [True, False])
def test_missing_folder_is_a_config_error(tmp_path: Path, dry_run: bool) -> None:
    path = tmp_path / "no" / "such" / "folder" / "app.db"
    with pytest.raises(ConfigError, match="does not exist"):
        push(parse_url(str(path)), schema_from_sql(SHOP), dry_run=dry_run)
    assert not (tmp_path / "no").exists()


# --- 8. the lock --------------------------------------------------------------------------------


def test_push_times_out_while_another_connection_writes(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    shop(path)
    before = file_bytes_and_schema(path)
    with connect(path) as holder:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(LockTimeout, match="locked"):
            push_sql(path, SHOP_CHANGED, lock_timeout=0.2)
        holder.execute("ROLLBACK")
    assert file_bytes_and_schema(path) == before
    # Once the other writer is gone the push goes through.
    assert push_sql(path, SHOP_CHANGED, lock_timeout=1).applied


@pytest.mark.parametrize("dry_run", [False, True], ids=["push", "dry-run"])
def test_push_times_out_while_another_connection_holds_an_exclusive_lock(
    tmp_path: Path, dry_run: bool
) -> None:
    """BEGIN EXCLUSIVE (or a writer in the middle of its commit) keeps even readers out.
    That is the lock again: LockTimeout, not "Cannot open the SQLite database ... Check
    that the path is a SQLite database file"."""
    path = tmp_path / "shop.db"
    shop(path)
    before = file_bytes_and_schema(path)
    with connect(path) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(LockTimeout):
            push_sql(path, SHOP_CHANGED, lock_timeout=0.2, dry_run=dry_run)
        holder.execute("ROLLBACK")
    assert file_bytes_and_schema(path) == before


def test_push_times_out_while_another_connection_reads(tmp_path: Path) -> None:
    """In SQLite's default journal mode a reader keeps the push from committing. Waiting
    longer than the lock timeout must end like any other wait for the lock: a trueup error
    (LockTimeout), nothing changed -- not a raw sqlite3 "database is locked"."""
    path = tmp_path / "shop.db"
    shop(path)
    before = file_bytes_and_schema(path)
    with connect(path) as reader:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM book").fetchone() == (4,)
        with pytest.raises(TrueupError, match="locked") as err:
            push_sql(path, SHOP_CHANGED, lock_timeout=0.2)
        assert isinstance(err.value, LockTimeout | ApplyError)
        reader.execute("ROLLBACK")
    assert file_bytes_and_schema(path) == before
    assert push_sql(path, SHOP_CHANGED, lock_timeout=1).applied


def test_push_commits_while_another_connection_reads_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    shop(path)
    assert query(path, "PRAGMA journal_mode = wal") == [("wal",)]
    with connect(path) as reader:
        reader.execute("BEGIN")
        old_price = reader.execute("SELECT price FROM book WHERE id = 12").fetchone()
        assert push_sql(path, SHOP_CHANGED, lock_timeout=1).applied
        # The reader still sees its snapshot from before the push.
        assert reader.execute("SELECT price FROM book WHERE id = 12").fetchone() == old_price
        reader.execute("ROLLBACK")
    assert_in_sync(path, SHOP_CHANGED)


def test_dry_run_reads_while_another_connection_writes(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    shop(path)
    with connect(path) as holder:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO audit (what) VALUES ('uncommitted')")
        result = push_sql(path, SHOP_CHANGED, dry_run=True, lock_timeout=0.2)
        assert not result.applied and result.plan.steps
        holder.execute("ROLLBACK")


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_two_concurrent_pushes_in_threads_converge(tmp_path: Path, journal_mode: str) -> None:
    path = tmp_path / "shop.db"
    shop(path)
    assert query(path, f"PRAGMA journal_mode = {journal_mode}") == [(journal_mode,)]
    before = table_rows(path)
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def one_push() -> None:
        try:
            start.wait()
            results.append(push_sql(path, SHOP_CHANGED, lock_timeout=30))
        except BaseException as exc:  # reported below
            errors.append(exc)

    # A third connection holds the write lock while both pushes start, so both wait on it.
    with connect(path) as holder:
        holder.execute("BEGIN IMMEDIATE")
        threads = [threading.Thread(target=one_push) for _ in range(2)]
        for t in threads:
            t.start()
        start.wait()
        time.sleep(0.2)
        holder.execute("COMMIT")
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(r.applied for r in results) == [False, True]
    assert [r.plan.is_empty for r in results if not r.applied] == [True]
    after = table_rows(path)
    assert [r["id"] for r in after["author"]] == [r["id"] for r in before["author"]]
    assert after["book"] == before["book"]
    assert_in_sync(path, SHOP_CHANGED)


def test_two_concurrent_pushes_from_the_command_line_converge(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    shop(path)
    before = table_rows(path)
    schema = tmp_path / "schema.sql"
    schema.write_text(SHOP_CHANGED)
    command = [*TRUEUP, "push", "--json", "--schema", str(schema), "--url", str(path)]
    command += ["--lock-timeout", "60"]
    with connect(path) as holder:
        holder.execute("BEGIN IMMEDIATE")
        procs = [
            subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path
            )
            for _ in range(2)
        ]
        time.sleep(0.5)
        holder.execute("COMMIT")
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    import json

    applied = sorted(json.loads(out)["applied"] for out, _ in outputs)
    assert applied == [False, True], outputs
    after = table_rows(path)
    assert after["book"] == before["book"]
    assert_in_sync(path, SHOP_CHANGED)


# --- 9. what a rebuild carries over -----------------------------------------------------------


def test_autoincrement_counter_survives_a_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "auto.db"
    current = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v INTEGER);"
    make_db(
        path, current, "INSERT INTO t (v) VALUES (1), (2), (3), (4); DELETE FROM t WHERE id = 4;"
    )
    desired = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL DEFAULT '');"
    assert rebuilt_tables(plan_now(path, desired).sql) == ["t"]
    assert push_sql(path, desired).applied
    assert query(path, "SELECT seq FROM sqlite_sequence WHERE name = 't'") == [(4,)]
    execute(path, "INSERT INTO t (v) VALUES ('new');")
    assert query(path, "SELECT id, v FROM t ORDER BY id") == [
        (1, "1"),
        (2, "2"),
        (3, "3"),
        (5, "new"),
    ]
    assert_in_sync(path, desired)


def test_autoincrement_counter_of_an_emptied_table_survives(tmp_path: Path) -> None:
    path = tmp_path / "auto.db"
    current = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v INTEGER);"
    make_db(path, current, "INSERT INTO t (v) VALUES (1), (2), (3); DELETE FROM t;")
    desired = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);"
    assert push_sql(path, desired).applied
    execute(path, "INSERT INTO t (v) VALUES ('new');")
    assert query(path, "SELECT id FROM t") == [(4,)]


def test_autoincrement_counters_of_several_tables_survive_one_push(tmp_path: Path) -> None:
    path = tmp_path / "auto.db"
    current = """
    CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, v INTEGER);
    CREATE TABLE b (id INTEGER PRIMARY KEY AUTOINCREMENT, a_id INTEGER REFERENCES a(id), w INTEGER);
    """
    make_db(
        path,
        current,
        "INSERT INTO a (v) VALUES (1), (2), (3); INSERT INTO b (a_id, w) VALUES (1, 1), (2, 2);"
        "UPDATE sqlite_sequence SET seq = 100 WHERE name = 'a';"
        "UPDATE sqlite_sequence SET seq = 200 WHERE name = 'b';",
    )
    desired = current.replace("v INTEGER", "v TEXT").replace("w INTEGER", "w TEXT")
    assert push_sql(path, desired).applied
    assert sorted(
        query(path, "SELECT name, seq FROM sqlite_sequence WHERE name IN ('a', 'b')")
    ) == [("a", 100), ("b", 200)]
    assert_in_sync(path, desired)


ROWID_TABLES = {
    "no-key": "CREATE TABLE t (name TEXT, qty INTEGER{extra});",
    "text-key": "CREATE TABLE t (name TEXT PRIMARY KEY, qty INTEGER{extra});",
    # INT (not INTEGER) PRIMARY KEY is not an alias of the rowid.
    "int-key": "CREATE TABLE t (name TEXT, qty INT PRIMARY KEY{extra});",
    "composite-key": "CREATE TABLE t (name TEXT, qty INTEGER{extra}, PRIMARY KEY (name, qty));",
}


@pytest.mark.parametrize("shape", sorted(ROWID_TABLES))
def test_rowids_of_a_table_without_integer_primary_key_survive(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "rowid.db"
    current = ROWID_TABLES[shape].format(extra="")
    make_db(
        path,
        current,
        "INSERT INTO t (name, qty) VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4);"
        "INSERT INTO t (rowid, name, qty) VALUES (1000, 'far', 5);"
        "DELETE FROM t WHERE name IN ('a', 'c');",
    )
    before = rowids(path, "t")
    assert [r[0] for r in before] == [2, 4, 1000]
    # A rebuild: a new column with a CHECK.
    desired = ROWID_TABLES[shape].format(extra=", note TEXT DEFAULT 'n' CHECK (note <> '')")
    assert rebuilt_tables(plan_now(path, desired).sql) == ["t"]
    assert push_sql(path, desired).applied
    assert rowids(path, "t") == [(*row, "n") for row in before]
    assert_in_sync(path, desired)


def test_rowids_survive_a_type_change_and_a_new_not_null(tmp_path: Path) -> None:
    path = tmp_path / "rowid.db"
    make_db(
        path,
        "CREATE TABLE t (name TEXT, qty INTEGER);",
        "INSERT INTO t VALUES ('a', 1), (NULL, 2), ('c', 3);"
        "INSERT INTO t (rowid, name, qty) VALUES (1000, 'far', 5);"
        "DELETE FROM t WHERE name = 'a';",
    )
    desired = "CREATE TABLE t (name TEXT NOT NULL DEFAULT '', qty TEXT, CHECK (qty <> ''));"
    assert rebuilt_tables(plan_now(path, desired).sql) == ["t"]
    assert push_sql(path, desired).applied
    assert rowids(path, "t") == [(2, "", "2"), (3, "c", "3"), (1000, "far", "5")]
    assert_in_sync(path, desired)


def test_rowids_survive_when_a_table_gains_an_integer_primary_key(tmp_path: Path) -> None:
    path = tmp_path / "rowid.db"
    make_db(
        path,
        "CREATE TABLE t (name TEXT);",
        "INSERT INTO t (rowid, name) VALUES (3, 'a'), (7, 'b'), (40, 'c');",
    )
    desired = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);"
    assert push_sql(path, desired).applied
    assert query(path, "SELECT rowid, id, name FROM t ORDER BY id") == [
        (3, 3, "a"),
        (7, 7, "b"),
        (40, 40, "c"),
    ]
    assert_in_sync(path, desired)


# --- 10. views and triggers of a rebuilt table ------------------------------------------------


def test_views_and_triggers_of_rebuilt_tables_still_work(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    shop(path)
    desired = (
        SHOP_CHANGED
        + """
CREATE TRIGGER review_added AFTER INSERT ON review BEGIN
    INSERT INTO audit (what) VALUES ('review ' || new.id);
END;
CREATE TRIGGER author_gone AFTER DELETE ON audit BEGIN
    UPDATE book SET price = 0 WHERE id = old.id;
END;
CREATE VIEW review_counts AS SELECT book_id, count(*) AS n FROM review GROUP BY book_id;
"""
    )
    assert push_sql(path, desired).applied
    assert_in_sync(path, desired)
    names = {
        r[0]
        for r in query(path, "SELECT name FROM sqlite_schema WHERE type IN ('view', 'trigger')")
        if not r[0].startswith("_trueup_")  # trueup's own history
    }
    assert names == {"book_titles", "book_added", "review_added", "author_gone", "review_counts"}
    assert query(path, "SELECT title, name FROM book_titles ORDER BY title") == [
        ("A", "Ann"),
        ("B", "Ann"),
        ("C", "anonymous"),
    ]
    execute(path, "INSERT INTO book (id, author_id, title) VALUES (20, 3, 'E');")
    execute(path, "INSERT INTO review (book_id, stars) VALUES (20, 4);")
    assert query(path, "SELECT what FROM audit ORDER BY id") == [("book E",), ("review 5",)]
    assert query(path, "SELECT n FROM review_counts WHERE book_id = 20") == [(1,)]
    # A second rebuild, now with the new trigger and view in the current schema too.
    again = desired.replace("stars TEXT", "stars BLOB").replace("born TEXT", "born BLOB")
    assert push_sql(path, again).applied
    assert_in_sync(path, again)
    execute(path, "INSERT INTO review (book_id, stars) VALUES (20, 5);")
    assert query(path, "SELECT n FROM review_counts WHERE book_id = 20") == [(2,)]
    assert query(path, "SELECT what FROM audit ORDER BY id DESC LIMIT 1") == [("review 6",)]


def test_trigger_on_another_table_writing_into_a_rebuilt_table(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    current = """
CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT, n INTEGER);
CREATE TRIGGER item_logged AFTER INSERT ON item BEGIN
    INSERT INTO log (msg, n) VALUES (new.name, new.id);
END;
CREATE VIEW log_view AS SELECT msg FROM log;
"""
    make_db(path, current, "INSERT INTO item VALUES (1, 'x');")
    desired = current.replace("n INTEGER", "n TEXT")
    assert rebuilt_tables(plan_now(path, desired).sql) == ["log"]
    assert push_sql(path, desired).applied
    assert_in_sync(path, desired)
    execute(path, "INSERT INTO item VALUES (2, 'y');")
    assert query(path, "SELECT msg, n FROM log ORDER BY id") == [("x", "1"), ("y", "2")]
    assert query(path, "SELECT msg FROM log_view ORDER BY msg") == [("x",), ("y",)]


def test_instead_of_trigger_on_a_view_of_a_rebuilt_table(tmp_path: Path) -> None:
    """The view is dropped and made again around the rebuild, and its INSTEAD OF trigger
    goes with it: the trigger must be made again too."""
    path = tmp_path / "view-trigger.db"
    current = """
CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);
CREATE VIEW v AS SELECT id, a FROM t;
CREATE TRIGGER v_insert INSTEAD OF INSERT ON v BEGIN
    INSERT INTO t (a) VALUES (new.a);
END;
"""
    make_db(path, current, "INSERT INTO t VALUES (1, 2);")
    desired = current.replace("a INTEGER", "a TEXT")
    assert push_sql(path, desired).applied
    assert_in_sync(path, desired)
    execute(path, "INSERT INTO v (a) VALUES (3);")
    assert query(path, "SELECT id, a FROM v ORDER BY id") == [(1, "2"), (2, "3")]


# --- 11. idempotence ----------------------------------------------------------------------------

IDEMPOTENT_CASES = {
    "same": (SHOP, SHOP),
    "shop": (SHOP, SHOP_CHANGED),
    "family": (FAMILY, changed_family(PARENT_CHANGES["strict"], note_type="BLOB")),
    "cycle": (CYCLE, CYCLE.replace("x INTEGER", "x TEXT")),
    "add-column-in-place": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT 'x', b INTEGER);",
    ),
    "drop-column-in-place": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER);",
    ),
    "unique-and-partial-indexes": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE, b INTEGER);"
        "CREATE UNIQUE INDEX t_b ON t(b) WHERE b IS NOT NULL;"
        "CREATE INDEX t_ab ON t(a DESC, b);",
    ),
    "without-rowid-to-rowid": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT) WITHOUT ROWID;",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
    ),
    "composite-key": (
        "CREATE TABLE t (a INTEGER, b TEXT, v REAL, PRIMARY KEY (a, b));",
        "CREATE TABLE t (a INTEGER, b TEXT, v NUMERIC, PRIMARY KEY (a, b)) WITHOUT ROWID;",
    ),
    # (all of it would be DL100, which only --force-reset goes past)
    "drop-every-table": (SHOP, "CREATE TABLE other (id INTEGER PRIMARY KEY);"),
}


@pytest.mark.parametrize("case", sorted(IDEMPOTENT_CASES))
def test_push_is_idempotent(tmp_path: Path, case: str) -> None:
    current, desired = IDEMPOTENT_CASES[case]
    path = tmp_path / "idem.db"
    make_db(path, current)
    first = push_sql(path, desired, accept_data_loss=True)
    assert first.applied == (current != desired)
    assert plan_now(path, desired).is_empty
    assert remaining_diff(path, desired) == []
    second = push_sql(path, desired, accept_data_loss=True)
    assert not second.applied and second.plan.is_empty
    assert integrity(path) == ["ok"]


@pytest.mark.parametrize(
    "column", ["b BLOB DEFAULT 0", "b INTEGER NOT NULL DEFAULT 'abc'", "b REAL DEFAULT X'00'"]
)
def test_strict_column_added_with_a_default_it_cannot_hold(tmp_path: Path, column: str) -> None:
    """A STRICT table gains a column whose default is not of the column's type. Existing
    rows would hold that default: either the push fails and changes nothing, or it leaves a
    database that passes PRAGMA integrity_check -- never a STRICT table holding values of
    the wrong type."""
    path = tmp_path / "strict.db"
    current = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT) STRICT;"
    make_db(path, current, "INSERT INTO t VALUES (1, 'x');")
    before = file_bytes_and_schema(path)
    desired = current.replace("a TEXT", f"a TEXT, {column}")
    try:
        push_sql(path, desired, accept_data_loss=True)
    except ApplyError:
        assert file_bytes_and_schema(path) == before
        return
    assert integrity(path) == ["ok"]


def test_sqlite_error_is_not_leaked_for_an_unusual_file(tmp_path: Path) -> None:
    """A file that is not a database: a trueup error, the file untouched."""
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(TrueupError):
        push_sql(path, SHOP)
    assert path.read_bytes() == b"this is not a database" * 100
    with pytest.raises(sqlite3.DatabaseError):
        query(path, "SELECT 1 FROM sqlite_schema")
