"""What trueup does not manage yet on PostgreSQL (partitioned and UNLOGGED tables, storage
parameters, NO INHERIT, deferrable keys, MATCH FULL, inheritance, exclusion constraints) is
never silently different: a schema file that declares it is refused, naming the object and
the line, and a database that has it keeps it, with a finding that says so on every push
and diff."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bad_input import trueup
from tests.external.catalog import compare
from tests.external.pg_catalog import describe
from tests.postgres.support import DIALECT, Server, push_sql
from trueup.errors import SchemaError
from trueup.plan.risk import UNMODELLED
from trueup.sources.sql import load_sql

# name: (the SQL with the feature, the same without it, the line that declares it, what
# the error and the finding name, what they quote)
CASES = {
    "partitioned": (
        "CREATE TABLE events (day date NOT NULL, v int)\n    PARTITION BY RANGE (day);\n"
        "CREATE TABLE events_2024 PARTITION OF events\n"
        "    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        "CREATE TABLE events (day date NOT NULL, v int);",
        2,
        "The table events",
        "PARTITION BY RANGE (day), with 1 partition",
    ),
    "unlogged": (
        "CREATE UNLOGGED TABLE cache (k text PRIMARY KEY);",
        "CREATE TABLE cache (k text PRIMARY KEY);",
        1,
        "The table cache",
        "UNLOGGED",
    ),
    "table storage": (
        "CREATE TABLE t (id int PRIMARY KEY)\n    WITH (fillfactor=70);",
        "CREATE TABLE t (id int PRIMARY KEY);",
        2,
        "The table t",
        "WITH (fillfactor=70)",
    ),
    "index storage": (
        "CREATE TABLE t (id int PRIMARY KEY, v int);\n"
        "CREATE INDEX t_v_idx ON t (v) WITH (fillfactor=70);",
        "CREATE TABLE t (id int PRIMARY KEY, v int);\nCREATE INDEX t_v_idx ON t (v);",
        2,
        "The index t_v_idx on table t",
        "WITH (fillfactor=70)",
    ),
    "materialized view storage": (
        "CREATE TABLE t (id int);\n"
        "CREATE MATERIALIZED VIEW mv WITH (fillfactor=70) AS SELECT id FROM t;",
        "CREATE TABLE t (id int);\nCREATE MATERIALIZED VIEW mv AS SELECT id FROM t;",
        2,
        "The materialized view mv",
        "WITH (fillfactor=70)",
    ),
    "no inherit": (
        "CREATE TABLE t (\n    v int,\n    CONSTRAINT v_positive CHECK (v > 0) NO INHERIT\n);",
        "CREATE TABLE t (\n    v int,\n    CONSTRAINT v_positive CHECK (v > 0)\n);",
        3,
        "The constraint v_positive on table t",
        "NO INHERIT",
    ),
    "deferrable unique": (
        "CREATE TABLE t (v int, CONSTRAINT t_v_key UNIQUE (v) DEFERRABLE INITIALLY DEFERRED);",
        "CREATE TABLE t (v int, CONSTRAINT t_v_key UNIQUE (v));",
        1,
        "The constraint t_v_key on table t",
        "DEFERRABLE INITIALLY DEFERRED",
    ),
    "deferrable primary key": (
        "CREATE TABLE t (\n    id int PRIMARY KEY DEFERRABLE\n);",
        "CREATE TABLE t (\n    id int PRIMARY KEY\n);",
        2,
        "The constraint t_pkey on table t",
        "DEFERRABLE",
    ),
    "match full": (
        "CREATE TABLE p (a int, b int, PRIMARY KEY (a, b));\n"
        "CREATE TABLE c (a int, b int, FOREIGN KEY (a, b) REFERENCES p MATCH FULL);",
        "CREATE TABLE p (a int, b int, PRIMARY KEY (a, b));\n"
        "CREATE TABLE c (a int, b int, FOREIGN KEY (a, b) REFERENCES p);",
        2,
        "The constraint c_a_b_fkey on table c",
        "MATCH FULL",
    ),
    "inherits": (
        "CREATE TABLE base (id int);\nCREATE TABLE child (extra text) INHERITS (base);",
        "CREATE TABLE base (id int);\nCREATE TABLE child (id int, extra text);",
        2,
        "The table child",
        "INHERITS (base)",
    ),
    "exclusion": (
        "CREATE TABLE booking (\n    during tsrange,\n"
        "    CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&)\n);",
        "CREATE TABLE booking (\n    during tsrange\n);",
        3,
        "The constraint no_overlap on table booking",
        "EXCLUDE USING gist (during WITH &&)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_schema_file_that_declares_it_is_refused_at_its_line(
    pg: Server, tmp_path: Path, case: str
) -> None:
    declared, _plain, line, named, written = CASES[case]
    path = tmp_path / "schema.sql"
    path.write_text(declared + "\n")
    with pytest.raises(SchemaError) as caught:
        load_sql(str(path), DIALECT, pg.database_url)
    message = str(caught.value)
    assert f"schema.sql:{line}:" in message
    assert f"{named} is declared with {written}" in message
    assert "trueup does not manage" in message


@pytest.mark.parametrize("case", CASES)
def test_a_database_that_has_it_keeps_it_and_is_told(pg: Server, case: str) -> None:
    declared, plain, _line, named, written = CASES[case]
    pg.execute(declared)
    result = push_sql(pg, plain)
    assert result.plan.is_empty
    [finding] = [f for f in result.plan.findings if f.code == UNMODELLED]
    assert finding.message.startswith(f"{named} has {written}, which trueup does not manage")
    # Left as it is: the schema file that declares it still reads the same.
    again = push_sql(pg, plain)
    assert [f.message for f in again.plan.findings] == [finding.message]


def test_push_and_diff_print_what_they_leave_alone(pg: Server, tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    pg.execute("CREATE UNLOGGED TABLE cache (k text PRIMARY KEY);")
    (tmp_path / "schema.sql").write_text("CREATE TABLE cache (k text PRIMARY KEY);\n")
    for command in (["diff"], ["push"], ["push"]):  # the second push reads it all again
        done = trueup(tmp_path, *command, "--schema", "schema.sql", "--url", pg.url)
        assert done.returncode == 0, done.stderr
        assert "in sync" in done.stdout
        assert f"[{UNMODELLED} info] The table cache has UNLOGGED" in done.stdout
    done = trueup(tmp_path, "diff", "--schema", "schema.sql", "--url", pg.url, "--format", "json")
    assert UNMODELLED in done.stdout


def test_a_refused_schema_file_changes_nothing(pg: Server, tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    (tmp_path / "schema.sql").write_text(CASES["unlogged"][0] + "\n")
    done = trueup(tmp_path, "push", "--schema", "schema.sql", "--url", pg.url)
    assert done.returncode == 1
    assert "schema.sql:1:" in done.stderr
    assert "trueup does not manage UNLOGGED tables yet" in done.stderr
    assert "Traceback" not in done.stderr
    assert pg.query("SELECT count(*) FROM pg_class WHERE relname = 'cache'") == [(0,)]


NO_DATA = (
    "CREATE TABLE t (id int);\n"
    "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t WITH NO DATA;\n"
    "CREATE MATERIALIZED VIEW full_mv AS SELECT id FROM t;\n"
)


def test_a_materialized_view_is_made_with_no_data_as_declared(
    pg: Server, pg_server: Server
) -> None:
    result = push_sql(pg, NO_DATA)
    assert any(s.endswith("WITH NO DATA") for s in result.plan.sql)
    assert pg.query(
        "SELECT relname, relispopulated FROM pg_class WHERE relkind = 'm' ORDER BY 1"
    ) == [("full_mv", True), ("mv", False)]
    assert push_sql(pg, NO_DATA).plan.is_empty
    expected = pg_server.create_database()
    try:
        expected.execute(NO_DATA)
        assert compare(describe(expected.url), describe(pg.url)) == []
    finally:
        pg_server.drop_database(expected)


def test_a_materialized_view_refreshed_since_is_left_as_it_is_and_told(pg: Server) -> None:
    push_sql(pg, NO_DATA)
    pg.execute("REFRESH MATERIALIZED VIEW mv")
    result = push_sql(pg, NO_DATA)
    assert result.plan.is_empty
    [finding] = result.plan.findings
    assert finding.code == UNMODELLED
    assert finding.message.startswith(
        "The materialized view mv is declared WITH NO DATA and holds its rows"
    )
    assert pg.query("SELECT relispopulated FROM pg_class WHERE relname = 'mv'") == [(True,)]
