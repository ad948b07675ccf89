"""The data checks' probes on PostgreSQL: a failed probe rolls back to its savepoint, so
the push's transaction goes on (PostgreSQL refuses every statement after a failed one
otherwise), a new foreign key over columns the same push renames or retypes is counted,
and a probe that fails on the data rather than on its SQL does not fail a test."""

from __future__ import annotations

import psycopg
import pytest

from tests.postgres.support import Server, open_session, schema_from_sql
from trueup.diff.renames import Renames
from trueup.plan import Risk
from trueup.push import plan_for


def test_savepoint_undoes_a_failed_block_and_keeps_the_transaction(pg: Server) -> None:
    pg.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    with open_session(pg) as session:
        session.begin(write=True, timeout=5)
        session.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(psycopg.errors.UndefinedTable), session.savepoint():
            session.execute("INSERT INTO t VALUES (2)")
            session.execute("INSERT INTO nowhere VALUES (1)")
        with session.savepoint():
            session.execute("INSERT INTO t VALUES (3)")
        session.commit()
    assert pg.query("SELECT id FROM t ORDER BY id") == [(1,), (3,)]


def test_savepoint_in_a_scratch_schema(pg: Server) -> None:
    """The scratch session that wraps each statement in a savepoint of its own."""
    from trueup.engines.postgres.scratch import SchemaScratchSession

    with SchemaScratchSession.create(pg.database_url) as session:
        session.execute("CREATE TABLE t (id INTEGER)")
        with pytest.raises(psycopg.errors.UndefinedTable), session.savepoint():
            session.execute("INSERT INTO t VALUES (1)")
            session.execute("INSERT INTO nowhere VALUES (1)")
        with session.savepoint():
            session.execute("INSERT INTO t VALUES (2)")
        assert session.query("SELECT id FROM t") == [(2,)]


def test_new_foreign_key_to_a_renamed_parent_column_is_counted(pg: Server) -> None:
    pg.execute(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, pcode TEXT);"
        "INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a'), (2, 'zz');"
    )
    desired = schema_from_sql(
        pg,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, ref TEXT UNIQUE);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, pcode TEXT REFERENCES parent (ref));",
    )
    renames = Renames(columns={("parent", "code"): "ref"})
    [finding] = plan_for(pg.database_url, desired, renames=renames).findings
    assert (finding.code, finding.risk, finding.count, finding.examples) == (
        "DD204",
        Risk.DATA_LOSS,
        1,
        (2,),
    )


def test_a_kept_key_over_values_the_new_type_refuses(pg: Server) -> None:
    """The unique key stays while its column becomes an INTEGER that ``'x'`` cannot be:
    comparing the key's values as integers fails on that value. That is the data, not the
    probe's SQL: the type change's finding counts the value, and the key's has no numbers."""
    pg.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"
        "INSERT INTO t VALUES (1, '1'), (2, '01'), (3, 'x');"
    )
    desired = schema_from_sql(pg, "CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER UNIQUE);")
    found = plan_for(pg.database_url, desired).findings
    assert [(f.code, f.risk, f.count) for f in found] == [
        ("DL103", Risk.UNEXECUTABLE, 2),
        ("DD203", Risk.CAUTION, None),
    ]


def test_new_foreign_key_on_a_column_whose_type_changes_is_counted(pg: Server) -> None:
    """The child's key column becomes an INTEGER as it gets its foreign key: its values
    are compared with the parent's key as integers, not as the text they are now (which
    PostgreSQL refuses to compare, leaving the finding without numbers)."""
    pg.execute(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, p TEXT);"
        "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, '1'), (2, '7'), (3, NULL);"
    )
    desired = schema_from_sql(
        pg,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (id));",
    )
    found = plan_for(pg.database_url, desired).findings
    assert [(f.code, f.risk, f.count, f.examples) for f in found] == [
        ("DD204", Risk.DATA_LOSS, 1, (2,))
    ]


def test_new_foreign_key_to_a_parent_column_whose_type_changes_is_counted(pg: Server) -> None:
    """The parent's key becomes an INTEGER in the same push: it is compared with the
    child's values as the integer it will be."""
    pg.execute(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER);"
        "INSERT INTO parent VALUES (1, '1'); INSERT INTO child VALUES (1, 1), (2, 7);"
    )
    desired = schema_from_sql(
        pg,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, code INTEGER UNIQUE);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (code));",
    )
    found = plan_for(pg.database_url, desired).findings
    assert [(f.code, f.risk, f.count, f.examples) for f in found] == [
        ("DD204", Risk.DATA_LOSS, 1, (2,))
    ]
