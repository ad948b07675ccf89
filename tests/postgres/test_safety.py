"""The safety gate on PostgreSQL: findings measured on real rows (counts, example keys) and
the trial cast for type changes (the policy every engine shares is in tests/test_safety.py);
plus what trueup records and leaves on PostgreSQL (history, managed schemas, comments,
concurrent indexes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bad_input import trueup
from tests.postgres.support import (
    Server,
    inspect_db,
    push_sql,
    remaining_diff,
    schema_from_sql,
)
from trueup.diff import changes as ch
from trueup.errors import ApplyError, UnsafePlan
from trueup.plan import Finding, Risk
from trueup.push import plan_for


def findings(db: Server, desired_sql: str) -> list[Finding]:
    return list(plan_for(db.database_url, schema_from_sql(db, desired_sql)).findings)


def one(db: Server, desired_sql: str) -> Finding:
    [finding] = findings(db, desired_sql)
    return finding


def test_drop_table_and_column_count_rows_and_values(pg: Server) -> None:
    pg.execute(
        "CREATE TABLE keep (id integer PRIMARY KEY, note text, extra text);"
        "CREATE TABLE gone (id integer PRIMARY KEY);"
        "INSERT INTO keep VALUES (1, 'a', NULL), (2, NULL, NULL), (3, 'c', NULL);"
        "INSERT INTO gone VALUES (1), (2);"
    )
    got = {f.code: f for f in findings(pg, "CREATE TABLE keep (id integer PRIMARY KEY);")}
    assert (got["DL101"].count, got["DL101"].risk) == (2, Risk.DATA_LOSS)
    assert (got["DL102"].column, got["DL102"].count, got["DL102"].examples) == ("note", 2, (1, 3))
    assert set(got) == {"DL101", "DL102"}  # `extra` holds nothing: no finding


def test_trial_cast_counts_values_that_do_not_survive(pg: Server) -> None:
    pg.execute(
        "CREATE TABLE t (id integer PRIMARY KEY, v text, d numeric(10,2), ts timestamp);"
        "INSERT INTO t VALUES (1, '12', 1.00, '2024-01-01 00:00'),"
        " (2, 'twelve', 1.50, '2024-01-01 10:30'), (3, NULL, NULL, NULL),"
        " (4, '007', 2.25, '2024-02-02 00:00');"
    )
    base = "CREATE TABLE t (id integer PRIMARY KEY, v {v}, d {d}, ts {ts});"
    f = one(pg, base.format(v="integer", d="numeric(10,2)", ts="timestamp"))
    # 'twelve' cannot be cast at all (the ALTER would fail); '007' would become 7.
    assert (f.code, f.column, f.risk) == ("DL103", "v", Risk.UNEXECUTABLE)
    assert (f.count, f.examples) == (2, (2, 4))
    assert "The cast fails for 1 value of them" in f.message
    f = one(pg, base.format(v="text", d="integer", ts="timestamp"))
    # 1.50 and 2.25 would be rounded: data loss, not a failure.
    assert (f.column, f.risk, f.count, f.examples) == ("d", Risk.DATA_LOSS, 2, (2, 4))
    f = one(pg, base.format(v="text", d="numeric(10,2)", ts="date"))
    assert (f.column, f.count, f.examples) == ("ts", 1, (2,))  # 10:30 would be lost


def test_unexecutable_checks_with_counts(pg: Server) -> None:
    pg.execute(
        "CREATE TABLE parent (id integer PRIMARY KEY);"
        "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer, email text, "
        "qty integer);"
        "INSERT INTO parent VALUES (1);"
        "INSERT INTO child VALUES (1, 1, 'a', 1), (2, 9, 'a', -1), (3, NULL, NULL, 2),"
        " (4, 8, 'b', NULL);"
    )
    parent = "CREATE TABLE parent (id integer PRIMARY KEY);"
    got = {
        f.code: f
        for f in findings(
            pg,
            parent + "CREATE TABLE child (id integer PRIMARY KEY, "
            "parent_id integer REFERENCES parent (id), email text UNIQUE, "
            "qty integer NOT NULL CHECK (qty > 0));",
        )
    }
    assert got["DD204"].risk is Risk.DATA_LOSS and got["DD204"].count == 2
    assert set(got["DD204"].examples) == {2, 4}
    assert got["DD203"].count == 1 and set(got["DD203"].examples) == {1, 2}
    assert got["DD201"].risk is Risk.UNEXECUTABLE and got["DD201"].examples == (4,)
    assert got["DD205"].count == 1 and got["DD205"].examples == (2,)


def test_a_check_whose_expression_changes_is_counted_and_a_renamed_one_is_renamed(
    pg: Server,
) -> None:
    pg.execute(
        "CREATE TABLE t (id integer PRIMARY KEY, qty integer CONSTRAINT t_qty_check "
        "CHECK (qty > 0));"
        "INSERT INTO t VALUES (1, 1), (2, 5);"
    )
    stricter = "CREATE TABLE t (id integer PRIMARY KEY, qty integer CONSTRAINT t_qty_check "
    plan = plan_for(pg.database_url, schema_from_sql(pg, stricter + "CHECK (qty > 1));"))
    [change] = plan.changes
    assert isinstance(change, ch.ModifyTable)
    assert [type(p) for p in change.changes] == [ch.ModifyCheck]
    [found] = plan.findings
    assert (found.code, found.risk, found.count, found.examples) == (
        "DD205",
        Risk.UNEXECUTABLE,
        1,
        (1,),
    )
    renamed = "CREATE TABLE t (id integer PRIMARY KEY, qty integer CONSTRAINT positive "
    result = push_sql(pg, renamed + "CHECK (qty > 0));")
    assert result.plan.sql == ['ALTER TABLE "t" RENAME CONSTRAINT "t_qty_check" TO "positive"']
    assert result.plan.findings == ()


def test_a_unique_key_over_values_a_type_change_makes_equal(pg: Server) -> None:
    # ALTER ... TYPE builds the column's indexes again over the cast values: 1.20 and 1.40
    # are both 1 as integers. Counted before, the push refused.
    pg.execute(
        "CREATE TABLE t (id integer PRIMARY KEY, amount numeric(10,2) UNIQUE, code text "
        'COLLATE "C");'
        "CREATE UNIQUE INDEX t_code ON t (code);"
        "INSERT INTO t VALUES (1, 1.20, 'a'), (2, 1.40, 'b'), (3, 2.00, 'c'), (4, NULL, NULL);"
    )
    desired = (
        'CREATE TABLE t (id integer PRIMARY KEY, amount {} UNIQUE, code text COLLATE "C");'
        "CREATE UNIQUE INDEX t_code ON t (code);"
    )
    got = {f.code: f for f in findings(pg, desired.format("integer"))}
    f = got["DD203"]
    assert (f.risk, f.count, f.examples) == (Risk.UNEXECUTABLE, 1, (1, 2))
    assert f.message == (
        "The unique constraint `t_amount_key` covering the columns `[amount]` on the `t` table "
        "cannot be kept under the new type of `amount`: 1 value is shared by more than one "
        "row (for example id 1, 2)."
    )
    with pytest.raises(UnsafePlan, match="cannot be executed"):
        push_sql(pg, desired.format("integer"), accept_data_loss=True)
    # Values that stay apart: no finding (nor for the collation going back to the default).
    assert findings(pg, desired.format("numeric(12,2)").replace(' COLLATE "C"', "")) == []
    pg.execute("UPDATE t SET amount = 3 WHERE id = 2")
    assert "DD203" not in {f.code for f in findings(pg, desired.format("integer"))}
    assert push_sql(pg, desired.format("integer"), accept_data_loss=True).applied


def test_nulls_not_distinct_counts_nulls_as_equal_values(pg: Server) -> None:
    # Two NULLs never collide in a unique key, except under NULLS NOT DISTINCT: making a key
    # so over rows that share a NULL would fail, and is refused before anything runs.
    pg.execute(
        "CREATE TABLE t (id integer PRIMARY KEY, code text, kind text, "
        "CONSTRAINT t_code_key UNIQUE (code));"
        "CREATE UNIQUE INDEX t_kind ON t (kind, code);"
        "INSERT INTO t VALUES (1, NULL, 'a'), (2, NULL, 'a'), (3, 'x', NULL), (4, 'y', NULL);"
    )
    desired = (
        "CREATE TABLE t (id integer PRIMARY KEY, code text, kind text, "
        "CONSTRAINT t_code_key UNIQUE {code});"
        "CREATE UNIQUE INDEX t_kind ON t (kind, code){kind};"
    )
    nnd = " NULLS NOT DISTINCT"
    f = one(pg, desired.format(code=f"{nnd} (code)", kind=""))
    assert (f.code, f.risk, f.count, f.examples) == ("DD203", Risk.UNEXECUTABLE, 1, (1, 2))
    assert f.message == (
        "A unique constraint covering the columns `[code]` on the table `t` cannot be added: "
        "1 value is shared by more than one row, with NULLs equal under NULLS NOT DISTINCT "
        "(for example id 1, 2)."
    )
    # A key of two columns: ('a', NULL) twice; (NULL, 'x') and (NULL, 'y') differ.
    f = one(pg, desired.format(code="(code)", kind=nnd))
    assert (f.code, f.risk, f.count, f.examples) == ("DD203", Risk.UNEXECUTABLE, 1, (1, 2))
    before = inspect_db(pg)
    with pytest.raises(UnsafePlan, match="cannot be executed"):
        push_sql(pg, desired.format(code=f"{nnd} (code)", kind=nnd), accept_data_loss=True)
    assert inspect_db(pg) == before
    # Without NULLS NOT DISTINCT the same NULLs are apart: no finding.
    assert findings(pg, desired.format(code="(code)", kind="")) == []
    pg.execute("UPDATE t SET code = 'z' WHERE id = 2")
    assert findings(pg, desired.format(code=f"{nnd} (code)", kind=nnd)) == []
    assert push_sql(pg, desired.format(code=f"{nnd} (code)", kind=nnd)).applied
    assert {i.name: i.nulls_not_distinct for i in inspect_db(pg).tables[0].indexes} == {
        "t_kind": True,
        "t_code_key": True,
    }


def test_a_kept_nulls_not_distinct_key_counts_nulls_under_a_type_change(pg: Server) -> None:
    # (1.20, NULL) and (1.40, NULL) are apart; as integers, with NULLs equal, they are not.
    pg.execute(
        "CREATE TABLE t (id integer PRIMARY KEY, amount numeric(10,2), note text);"
        "CREATE UNIQUE INDEX t_amount_note ON t (amount, note) NULLS NOT DISTINCT;"
        "INSERT INTO t VALUES (1, 1.20, NULL), (2, 1.40, NULL), (3, 2.00, NULL);"
    )
    desired = (
        "CREATE TABLE t (id integer PRIMARY KEY, amount integer, note text);"
        "CREATE UNIQUE INDEX t_amount_note ON t (amount, note) NULLS NOT DISTINCT;"
    )
    f = {f.code: f for f in findings(pg, desired)}["DD203"]
    assert (f.risk, f.count, f.examples) == (Risk.UNEXECUTABLE, 1, (1, 2))
    assert f.message.endswith(
        "cannot be kept under the new type of `amount`: 1 value is shared by more than one "
        "row, with NULLs equal under NULLS NOT DISTINCT (for example id 1, 2)."
    )


def test_enum_value_in_use_cannot_be_removed(pg: Server) -> None:
    pg.execute(
        "CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');"
        "CREATE TABLE t (id integer PRIMARY KEY, m mood);"
        "INSERT INTO t VALUES (1, 'happy'), (2, 'meh'), (3, 'meh');"
    )
    desired = (
        "CREATE TYPE mood AS ENUM ('happy', 'sad');CREATE TABLE t (id integer PRIMARY KEY, m mood);"
    )
    f = one(pg, desired)
    assert (f.code, f.risk, f.count, f.examples) == ("DL106", Risk.UNEXECUTABLE, 2, (2, 3))
    assert f.message.endswith("still used: 2 rows in `t`.`m` (for example id 2, 3).")
    pg.execute("UPDATE t SET m = 'sad' WHERE m = 'meh'")
    assert findings(pg, desired) == []
    assert push_sql(pg, desired).applied


def test_enum_value_in_use_in_an_array_cannot_be_removed(pg: Server) -> None:
    pg.execute(
        "CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');"
        "CREATE TABLE t (id integer PRIMARY KEY, m mood, ms mood[]);"
        "INSERT INTO t VALUES (1, 'meh', '{happy}'), (2, NULL, '{happy,meh}'),"
        " (3, NULL, '{}'), (4, NULL, NULL), (5, NULL, '{meh,meh}');"
    )
    desired = (
        "CREATE TYPE mood AS ENUM ('happy', 'sad');"
        "CREATE TABLE t (id integer PRIMARY KEY, m mood, ms mood[]);"
    )
    f = one(pg, desired)
    assert (f.code, f.risk, f.count, f.examples) == ("DL106", Risk.UNEXECUTABLE, 3, (1,))
    assert "still used: 1 row in `t`.`m` and 2 rows in `t`.`ms` (for example id 1)." in f.message
    before = pg.query("SELECT * FROM t ORDER BY id")
    with pytest.raises(UnsafePlan, match="cannot be executed"):
        push_sql(pg, desired, accept_data_loss=True)
    assert pg.query("SELECT * FROM t ORDER BY id") == before
    pg.execute("UPDATE t SET m = NULL, ms = array_remove(ms, 'meh')")
    assert findings(pg, desired) == []
    assert push_sql(pg, desired).applied
    assert pg.query("SELECT id, ms::text FROM t ORDER BY id") == [
        (1, "{happy}"),
        (2, "{happy}"),
        (3, "{}"),
        (4, None),
        (5, "{}"),
    ]


def test_a_reset_makes_an_enum_of_the_same_name_again(pg: Server) -> None:
    # A reset drops everything and creates the schema anew: the old type must be gone
    # before the new one of the same name is made.
    pg.execute(
        "CREATE TYPE mood AS ENUM ('happy', 'sad');"
        "CREATE TABLE t (id integer PRIMARY KEY, m mood, ms mood[]);"
        "INSERT INTO t VALUES (1, 'sad', '{sad}');"
    )
    desired = (
        "CREATE TYPE mood AS ENUM ('happy', 'meh');"
        "CREATE TABLE t (id integer PRIMARY KEY, m mood, ms mood[]);"
    )
    assert push_sql(pg, desired, force_reset=True).applied
    assert pg.query("SELECT count(*) FROM t") == [(0,)]
    assert pg.query("SELECT enum_range(NULL::mood)::text") == [("{happy,meh}",)]
    assert remaining_diff(pg, schema_from_sql(pg, desired)) == []


def test_tables_outside_the_default_schema_are_measured_where_they_are(pg: Server) -> None:
    # A table of the same name in the default schema must not stand in for the one the
    # change is about (its NULLs would hide the other's values).
    pg.execute(
        "CREATE SCHEMA b;"
        "CREATE TABLE b.t (id integer PRIMARY KEY, x text);"
        "CREATE TABLE t (id integer PRIMARY KEY, x text);"
        "INSERT INTO b.t VALUES (1, 'precious'), (2, 'also'), (3, 'x');"
        "INSERT INTO t VALUES (1, NULL);"
    )
    public = "CREATE TABLE t (id integer PRIMARY KEY, x text);"
    got = {
        f.code: f
        for f in findings(pg, "CREATE SCHEMA b; CREATE TABLE b.t (id int PRIMARY KEY);" + public)
    }
    assert (got["DL102"].count, got["DL102"].examples) == (3, (1, 2, 3))
    assert "the `b.t` table" in got["DL102"].message
    [dropped] = findings(pg, "CREATE SCHEMA b;" + public)
    assert (dropped.code, dropped.count, dropped.risk) == ("DL101", 3, Risk.DATA_LOSS)
    before = pg.query("SELECT * FROM b.t ORDER BY id")
    with pytest.raises(UnsafePlan):
        push_sql(pg, "CREATE SCHEMA b;" + public)
    assert pg.query("SELECT * FROM b.t ORDER BY id") == before
    stricter = (
        "CREATE SCHEMA b; CREATE TABLE b.t (id integer PRIMARY KEY CHECK (id > 1),"
        " x text NOT NULL UNIQUE, w integer NOT NULL);" + public
    )
    pg.execute("INSERT INTO b.t VALUES (4, 'x')")
    got = {f.code: f for f in findings(pg, stricter)}
    assert {c: (f.risk, f.count, f.examples) for c, f in got.items()} == {
        "DD202": (Risk.UNEXECUTABLE, 4, ()),
        "DD203": (Risk.UNEXECUTABLE, 1, (3, 4)),
        "DD205": (Risk.UNEXECUTABLE, 1, (1,)),
    }
    # An empty table of that schema takes a required column, whatever the other one holds.
    pg.execute("DELETE FROM b.t")
    assert findings(pg, stricter) == []


def test_orphans_of_a_foreign_key_to_another_schema_are_counted(pg: Server) -> None:
    pg.execute(
        "CREATE SCHEMA app;"
        "CREATE TABLE app.parent (a integer, b integer, PRIMARY KEY (a, b));"
        "CREATE TABLE child (id integer PRIMARY KEY, pa integer, pb integer);"
        "INSERT INTO app.parent VALUES (1, 1);"
        "INSERT INTO child VALUES (1, 1, 1), (2, 2, 2), (3, NULL, 5), (4, 4, 4);"
    )
    desired = (
        "CREATE SCHEMA app;"
        "CREATE TABLE app.parent (a integer, b integer, PRIMARY KEY (a, b));"
        "CREATE TABLE child (id integer PRIMARY KEY, pa integer, pb integer,"
        " FOREIGN KEY (pa, pb) REFERENCES app.parent (a, b));"
    )
    f = one(pg, desired)
    assert (f.code, f.risk, f.count, f.examples) == ("DD204", Risk.DATA_LOSS, 2, (2, 4))
    assert "at no row of `app.parent`" in f.message
    assert push_sql(pg, desired, accept_data_loss=True).applied
    assert pg.query("SELECT * FROM child ORDER BY id") == [
        (1, 1, 1),
        (2, None, None),
        (3, None, 5),
        (4, None, None),
    ]
    assert pg.query("SELECT bool_and(convalidated) FROM pg_constraint WHERE contype = 'f'") == [
        (True,)
    ]


def test_a_column_made_generated_counts_the_values_it_replaces(pg: Server) -> None:
    pg.execute(
        "CREATE TABLE t (id integer PRIMARY KEY, a integer, n integer);"
        "INSERT INTO t VALUES (1, 1, 100), (2, 2, 3), (3, 3, NULL);"
    )
    desired = (
        "CREATE TABLE t (id integer PRIMARY KEY, a integer,"
        " n integer GENERATED ALWAYS AS (a + 1) STORED);"
    )
    f = one(pg, desired)
    assert (f.code, f.risk, f.count, f.examples) == ("DL107", Risk.DATA_LOSS, 1, (1,))
    with pytest.raises(UnsafePlan):
        push_sql(pg, desired)
    assert pg.query("SELECT n FROM t ORDER BY id") == [(100,), (3,), (None,)]
    assert push_sql(pg, desired, accept_data_loss=True).applied
    assert pg.query("SELECT n FROM t ORDER BY id") == [(2,), (3,), (4,)]


def test_text_into_an_enum_made_by_the_same_push(pg: Server) -> None:
    # The cast cannot be tried before the type exists: the enum's values judge it.
    pg.execute(
        "CREATE TABLE t (id integer PRIMARY KEY, m text, l text[]);"
        "INSERT INTO t VALUES (1, 'A', '{A,B}'), (2, 'B', '{}'), (3, 'C', '{C}'), (4, NULL, NULL);"
    )
    desired = (
        "CREATE TYPE e AS ENUM ('A', 'B'); CREATE TABLE t (id integer PRIMARY KEY, m e, l e[]);"
    )
    got = {f.column: f for f in findings(pg, desired)}
    assert {c: (f.code, f.risk, f.count, f.examples) for c, f in got.items()} == {
        "m": ("DL103", Risk.UNEXECUTABLE, 1, (3,)),
        "l": ("DL103", Risk.UNEXECUTABLE, 1, (3,)),
    }
    pg.execute("UPDATE t SET m = 'A', l = '{A}' WHERE id = 3")
    assert findings(pg, desired) == []
    assert push_sql(pg, desired).applied
    assert pg.query("SELECT m::text, l::text FROM t ORDER BY id") == [
        ("A", "{A,B}"),
        ("B", "{}"),
        ("A", "{A}"),
        (None, None),
    ]
    # From one enum into another: through text, as PostgreSQL has no cast between them.
    other = "CREATE TYPE f AS ENUM ('B', 'A'); CREATE TABLE t (id integer PRIMARY KEY, m f, l f[]);"
    assert findings(pg, other) == []
    assert push_sql(pg, other).applied
    assert pg.query("SELECT m::text FROM t ORDER BY id") == [("A",), ("B",), ("A",), (None,)]
    assert remaining_diff(pg, schema_from_sql(pg, other)) == []
    smaller = "CREATE TYPE g AS ENUM ('A'); CREATE TABLE t (id integer PRIMARY KEY, m g, l g[]);"
    got = {f.column: f for f in findings(pg, smaller)}
    assert (got["m"].risk, got["m"].count, got["m"].examples) == (Risk.UNEXECUTABLE, 1, (2,))
    assert (got["l"].risk, got["l"].count, got["l"].examples) == (Risk.UNEXECUTABLE, 1, (1,))


def test_a_column_cast_into_an_enum_that_gains_the_values_it_holds(pg: Server) -> None:
    # A value added by ALTER TYPE ... ADD VALUE cannot be used before it commits: when a
    # column is cast into the enum in the same push, the type is made anew instead.
    pg.execute(
        "CREATE TYPE e AS ENUM ('A', 'B');"
        "CREATE TABLE t (id integer PRIMARY KEY, k e, m text);"
        "INSERT INTO t VALUES (1, 'A', 'C'), (2, 'B', 'A'), (3, NULL, 'D');"
    )
    desired = (
        "CREATE TYPE e AS ENUM ('A', 'B', 'C'); CREATE TABLE t (id integer PRIMARY KEY, k e, m e);"
    )
    [f] = findings(pg, desired)
    assert (f.column, f.risk, f.count, f.examples) == ("m", Risk.UNEXECUTABLE, 1, (3,))
    pg.execute("UPDATE t SET m = 'B' WHERE id = 3")
    assert findings(pg, desired) == []
    result = push_sql(pg, desired)
    assert result.applied and not any("ADD VALUE" in s for s in result.plan.sql)
    assert pg.query("SELECT k::text, m::text FROM t ORDER BY id") == [
        ("A", "C"),
        ("B", "A"),
        (None, "B"),
    ]
    assert remaining_diff(pg, schema_from_sql(pg, desired)) == []


def test_a_shorter_varchar_is_refused_where_a_value_is_too_long(pg: Server) -> None:
    # ALTER ... TYPE assigns, and an assignment errors on a value too long (a cast would
    # have cut it short): no --accept-data-loss can make it run.
    pg.execute(
        "CREATE TABLE t (id integer PRIMARY KEY, v varchar(10), c text);"
        "INSERT INTO t VALUES (1, 'abcdefghij', 'abcd'), (2, 'ab', 'ab');"
    )
    desired = "CREATE TABLE t (id integer PRIMARY KEY, v varchar(5), c char(3));"
    got = {f.column: f for f in findings(pg, desired)}
    assert {c: (f.risk, f.count, f.examples) for c, f in got.items()} == {
        "v": (Risk.UNEXECUTABLE, 1, (1,)),
        "c": (Risk.UNEXECUTABLE, 1, (1,)),
    }
    pg.execute("UPDATE t SET v = 'abc', c = 'abc' WHERE id = 1")
    assert push_sql(pg, desired).applied


def test_a_renamed_table_keeps_its_key_without_a_finding(pg: Server, tmp_path: Path) -> None:
    # The primary key constraint follows the table's name (old_t_pkey -> new_t_pkey): a
    # rename of the constraint, not a change of the key.
    pg.execute(
        "CREATE TABLE old_t (id integer PRIMARY KEY, x text); INSERT INTO old_t VALUES (1, 'a');"
    )
    (tmp_path / "schema.sql").write_text(
        "-- @renamed from=old_t\nCREATE TABLE new_t (id integer PRIMARY KEY, x text);\n"
    )
    shown = trueup(tmp_path, "push", "--url", pg.url, "--no-backup")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert '> table "old_t" renamed to "new_t"' in shown.stdout
    assert '> primary key "old_t_pkey" renamed to "new_t_pkey"' in shown.stdout
    assert "Findings" not in shown.stdout
    assert pg.query("SELECT * FROM new_t") == [(1, "a")]


def test_history_is_recorded_on_postgres(pg: Server) -> None:
    from trueup import history
    from trueup.engines import get_dialect

    pg.execute("CREATE TABLE t (id integer PRIMARY KEY);")
    assert push_sql(pg, "CREATE TABLE t (id integer PRIMARY KEY, name text);").applied
    dialect = get_dialect("postgresql")
    with dialect.connect(pg.database_url, create=False) as session:
        session.begin(write=False, timeout=5)
        [entry] = history.entries(session, dialect)
    assert entry.kind == "push" and entry.statements and entry.fingerprint
    # The history views are trueup's own: never part of the schema compared.
    assert (
        remaining_diff(
            pg, schema_from_sql(pg, "CREATE TABLE t (id integer PRIMARY KEY, name text);")
        )
        == []
    )


def test_a_push_manages_the_schemas_it_declares(pg: Server) -> None:
    desired = (
        "CREATE SCHEMA audit;"
        "CREATE TABLE t (id integer PRIMARY KEY);"
        "CREATE TABLE audit.log (id integer PRIMARY KEY, t_id integer REFERENCES t (id));"
    )
    assert push_sql(pg, desired).applied
    assert pg.query("SELECT count(*) FROM audit.log") == [(0,)]
    again = push_sql(pg, desired)
    assert not again.applied and again.plan.is_empty


def test_table_comment_changes_are_applied(pg: Server) -> None:
    pg.execute("CREATE TABLE t (id integer PRIMARY KEY); COMMENT ON TABLE t IS 'old';")
    desired = "CREATE TABLE t (id integer PRIMARY KEY); COMMENT ON TABLE t IS 'new words';"
    assert push_sql(pg, desired).applied
    assert pg.query("SELECT obj_description('t'::regclass)") == [("new words",)]
    assert push_sql(pg, desired).plan.is_empty


def test_concurrent_indexes_are_built_after_the_transaction(pg: Server) -> None:
    pg.execute(
        "CREATE TABLE t (id integer PRIMARY KEY, name text);"
        "INSERT INTO t SELECT i, 'n' || i FROM generate_series(1, 1000) AS i;"
    )
    desired = "CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE INDEX t_name ON t (name);"
    result = push_sql(pg, desired, concurrent_indexes=True)
    assert result.applied
    assert any("CONCURRENTLY" in sql for sql in result.plan.after)
    assert pg.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_name'::regclass") == [
        (True,)
    ]
    assert push_sql(pg, desired).plan.is_empty


def test_an_index_left_invalid_is_built_again(pg: Server, tmp_path: Path) -> None:
    # A concurrent build that fails after the commit leaves an INVALID index behind: it
    # is not the declared index, so the next push drops it and builds it again.
    pg.execute("CREATE TABLE n (id integer PRIMARY KEY, n integer); INSERT INTO n VALUES (1, 5);")
    desired = (
        "CREATE TABLE n (id integer PRIMARY KEY, n integer);"
        "CREATE INDEX n_div ON n ((100 / (n - 5)));"
    )
    with pytest.raises(ApplyError, match="division by zero"):
        push_sql(pg, desired, concurrent_indexes=True)
    valid = "SELECT indisvalid FROM pg_index WHERE indexrelid = 'n_div'::regclass"
    assert pg.query(valid) == [(False,)]
    assert remaining_diff(pg, schema_from_sql(pg, desired)) != []
    pg.execute("UPDATE n SET n = 6")
    (tmp_path / "schema.sql").write_text(desired)
    shown = trueup(
        tmp_path, "push", "--url", pg.url, "--concurrent-indexes", "--dry-run", "--no-backup"
    )
    assert 'DROP INDEX "n_div";' in shown.stdout
    assert "Then, after the transaction commits (1 statement):" in shown.stdout
    assert 'CREATE INDEX CONCURRENTLY "n_div" ON "n" (((100 / (n - 5))));' in shown.stdout
    assert push_sql(pg, desired, concurrent_indexes=True).applied
    assert pg.query(valid) == [(True,)]
    assert push_sql(pg, desired).plan.is_empty
