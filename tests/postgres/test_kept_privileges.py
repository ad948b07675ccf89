"""A push that drops a view (or an enum type) and makes it again gives it back what it had
besides its definition: the privileges granted on it, its owner, its comment and options,
and a materialized view its indexes.
Privileges on objects the push does not make again are neither added nor taken away, and
never make a change: a GRANT by hand leaves the quick way to an in-sync database open."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.postgres.support import Server, push_sql
from trueup.cli import cli
from trueup.push import push
from trueup.sources.declared import Source

SCHEMA = """
CREATE TYPE mood AS ENUM ('calm', 'busy', 'gone');
CREATE TABLE person (id integer PRIMARY KEY, name varchar(20), age integer, m mood);
CREATE VIEW adults AS SELECT id, name, age FROM person WHERE age >= 18;
CREATE MATERIALIZED VIEW ages AS SELECT age, count(*) AS n FROM person GROUP BY age;
CREATE TABLE other (id integer PRIMARY KEY);
"""
#: A column the views read changes type: both views are dropped and made again.
RETYPED = SCHEMA.replace("age integer", "age bigint")
#: A value goes out of the enum: a new type replaces it.
SHRUNK = SCHEMA.replace(", 'gone'", "")
ROWS = "INSERT INTO person VALUES (1, 'ann', 30, 'calm'), (2, 'bob', 12, 'busy');"


@pytest.fixture
def roles(pg: Server, pg_server: Server) -> Iterator[tuple[str, str]]:
    """Two roles of this test's own: an application that reads, and an owner."""
    names = (f"app_{secrets.token_hex(4)}", f"keeper_{secrets.token_hex(4)}")
    with pg_server.connect() as conn:
        for name in names:
            conn.execute(f'CREATE ROLE "{name}"'.encode())
    try:
        yield names
    finally:
        pg_server.drop_database(pg)  # with everything granted there
        with pg_server.connect() as conn:
            for name in names:
                conn.execute(f'DROP ROLE IF EXISTS "{name}"'.encode())


def acl(pg: Server, relation: str) -> set[tuple[str, str, bool]]:
    """(grantee, privilege, grantable) of a relation (or type, ``type:NAME``), PUBLIC as
    ``-``, the grantor left out."""
    if relation.startswith("type:"):
        sql = (
            "SELECT coalesce(typacl, acldefault('T', typowner)) FROM pg_type "
            "WHERE typname = %s AND typtype = 'e'"
        )
        relation = relation[5:]
    else:
        sql = "SELECT coalesce(relacl, acldefault('r', relowner)) FROM pg_class WHERE relname = %s"
    rows = pg.query(
        "SELECT CASE WHEN a.grantee = 0 THEN '-' ELSE pg_get_userbyid(a.grantee) END, "
        f"a.privilege_type, a.is_grantable FROM aclexplode(({sql})) AS a",
        (relation,),
    )
    return {(str(g), str(p), bool(o)) for g, p, o in rows}


def can_read(pg: Server, role: str, relation: str) -> bool:
    return bool(
        pg.query(
            "SELECT has_table_privilege(%s, %s, 'SELECT')",
            (role, relation),
        )[0][0]
    )


def test_views_made_again_keep_their_privileges_owner_comment_and_options(
    pg: Server, roles: tuple[str, str]
) -> None:
    app, keeper = roles
    pg.execute(SCHEMA + ROWS)
    pg.execute(
        f'GRANT SELECT ON adults TO "{app}";'
        f'GRANT SELECT ON ages TO "{app}" WITH GRANT OPTION;'
        "GRANT SELECT ON adults TO PUBLIC;"
        f'GRANT UPDATE (name) ON adults TO "{app}";'
        f'ALTER VIEW adults OWNER TO "{keeper}";'
        f'GRANT SELECT ON person TO "{keeper}";'
        "ALTER VIEW adults SET (security_barrier = true);"
        "COMMENT ON VIEW adults IS 'grown-ups';"
        "COMMENT ON COLUMN adults.name IS 'their name';"
        "COMMENT ON MATERIALIZED VIEW ages IS 'by age';"
    )
    before = {r: acl(pg, r) for r in ("adults", "ages", "person", "other")}
    result = push_sql(pg, RETYPED)
    assert result.applied
    assert 'DROP VIEW "adults"' in result.plan.sql  # made again, as the point of the test
    assert {r: acl(pg, r) for r in before} == before
    with pg.connect() as conn:
        conn.execute(f'SET ROLE "{app}"')
        assert conn.execute("SELECT name FROM adults").fetchall() == [("ann",)]
        assert conn.execute("SELECT n FROM ages WHERE age = 12").fetchall() == [(1,)]
    assert pg.query(
        "SELECT pg_get_userbyid(relowner), reloptions, obj_description(oid, 'pg_class'), "
        "col_description(oid, 2) FROM pg_class WHERE relname = 'adults'"
    ) == [(keeper, ["security_barrier=true"], "grown-ups", "their name")]
    assert pg.query(
        "SELECT pg_get_userbyid(relowner), obj_description(oid, 'pg_class') FROM pg_class "
        "WHERE relname = 'ages'"
    ) == [("postgres", "by age")]
    assert pg.query("SELECT has_column_privilege(%s, 'adults', 'name', 'UPDATE')", (app,)) == [
        (True,)
    ]


def test_a_view_with_a_new_query_keeps_what_its_columns_still_have(
    pg: Server, roles: tuple[str, str]
) -> None:
    app, _ = roles
    pg.execute(SCHEMA)
    pg.execute(
        f'GRANT SELECT ON adults TO "{app}";'
        f'GRANT UPDATE (name), UPDATE (age) ON adults TO "{app}";'
        "COMMENT ON COLUMN adults.age IS 'in years';"
    )
    new_query = SCHEMA.replace("SELECT id, name, age FROM", "SELECT id, name FROM")
    assert push_sql(pg, new_query).applied
    assert can_read(pg, app, "adults")
    privileges = pg.query(
        "SELECT attname, attacl::text[] FROM pg_attribute "
        "WHERE attrelid = 'adults'::regclass AND attacl IS NOT NULL"
    )
    assert privileges == [("name", [f"{app}=w/postgres"])]


def indexes(pg: Server, relation: str) -> dict[str, tuple[str, str | None]]:
    """The indexes of a relation: definition and comment by name."""
    rows = pg.query(
        "SELECT c.relname, pg_get_indexdef(c.oid), obj_description(c.oid, 'pg_class') "
        "FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass",
        (relation,),
    )
    return {str(n): (str(d), None if c is None else str(c)) for n, d, c in rows}


MATVIEW_INDEXES = (
    "CREATE UNIQUE INDEX ages_age ON ages (age);"
    "CREATE INDEX ages_many ON ages (n DESC) WHERE n > 1;"
    "COMMENT ON INDEX ages_age IS 'for REFRESH ... CONCURRENTLY';"
)


def test_a_materialized_view_made_again_keeps_its_indexes(pg: Server) -> None:
    pg.execute(SCHEMA + ROWS + MATVIEW_INDEXES)
    before = indexes(pg, "ages")
    assert set(before) == {"ages_age", "ages_many"}
    result = push_sql(pg, RETYPED)
    assert result.applied
    assert 'DROP MATERIALIZED VIEW "ages"' in result.plan.sql  # made again
    assert before["ages_age"][0] in result.plan.sql
    assert indexes(pg, "ages") == before
    pg.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY ages")
    assert pg.query("SELECT n FROM ages WHERE age = 30") == [(1,)]
    assert not push_sql(pg, RETYPED).applied  # the indexes are no change


def test_an_index_on_a_column_the_new_query_lacks_is_left_out(pg: Server) -> None:
    pg.execute(SCHEMA + ROWS + MATVIEW_INDEXES)
    before = indexes(pg, "ages")
    new_query = SCHEMA.replace("SELECT age, count(*) AS n FROM", "SELECT age FROM")
    result = push_sql(pg, new_query)
    assert result.applied
    assert len([s for s in result.plan.sql if s.startswith("DO $trueup$")]) == 3  # guarded
    assert indexes(pg, "ages") == {"ages_age": before["ages_age"]}
    pg.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY ages")


def test_an_enum_made_again_keeps_its_usage(pg: Server, roles: tuple[str, str]) -> None:
    app, _ = roles
    pg.execute(SCHEMA + ROWS)
    pg.execute(
        f'REVOKE USAGE ON TYPE mood FROM PUBLIC; GRANT USAGE ON TYPE mood TO "{app}";'
        "COMMENT ON TYPE mood IS 'how one feels'"
    )
    before = acl(pg, "type:mood")
    assert ("-", "USAGE", False) not in before
    result = push_sql(pg, SHRUNK)
    assert result.applied and 'ALTER TYPE "mood" RENAME TO "mood_old"' in result.plan.sql
    assert acl(pg, "type:mood") == before  # PUBLIC did not get USAGE back
    assert pg.query(
        "SELECT obj_description(oid, 'pg_type') FROM pg_type WHERE typname = 'mood'"
    ) == [("how one feels",)]


def test_default_privileges_do_not_add_to_a_view_made_again(
    pg: Server, roles: tuple[str, str]
) -> None:
    app, _ = roles
    pg.execute(SCHEMA)
    # Made after the views: a new view would get SELECT for app, which these never had.
    pg.execute(f'ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO "{app}"')
    before = acl(pg, "adults")
    result = push_sql(pg, RETYPED)
    assert f'REVOKE SELECT ON TABLE "adults" FROM "{app}"' in result.plan.sql
    assert acl(pg, "adults") == before
    assert not can_read(pg, app, "adults")


def test_the_printed_plan_shows_the_grants_the_push_runs(
    pg: Server, roles: tuple[str, str], tmp_path: Path
) -> None:
    app, _ = roles
    pg.execute(SCHEMA)
    pg.execute(f'GRANT SELECT ON adults TO "{app}"')
    (tmp_path / "schema.sql").write_text(RETYPED)
    args = ["--schema", str(tmp_path / "schema.sql"), "--url", pg.url]
    grant = f'GRANT SELECT ON TABLE "adults" TO "{app}";'
    runner = CliRunner()
    diffed = runner.invoke(cli, ["diff", *args, "--format", "sql"])
    assert diffed.exit_code == 2, diffed.output
    lines = diffed.output.splitlines()
    assert grant in lines
    made = lines.index('CREATE VIEW "adults" AS')
    assert made < lines.index(grant)
    assert not [line for line in lines[made + 1 : lines.index(grant)] if line.endswith(";")][1:]
    dry = runner.invoke(cli, ["push", *args, "--dry-run"])
    assert grant in dry.output
    pushed = runner.invoke(cli, ["push", *args, "--no-backup"])
    assert pushed.exit_code == 0, pushed.output
    assert can_read(pg, app, "adults")
    ran = pg.query("SELECT details::json->'statements' FROM _trueup_history ORDER BY id DESC")
    assert grant.rstrip(";") in ran[0][0]


def test_the_printed_plan_makes_a_materialized_views_indexes_again(
    pg: Server, tmp_path: Path
) -> None:
    pg.execute(SCHEMA + MATVIEW_INDEXES)
    (tmp_path / "schema.sql").write_text(RETYPED)
    args = ["--schema", str(tmp_path / "schema.sql"), "--url", pg.url]
    unique = "CREATE UNIQUE INDEX ages_age ON public.ages USING btree (age);"
    runner = CliRunner()
    diffed = runner.invoke(cli, ["diff", *args, "--format", "sql"])
    assert diffed.exit_code == 2, diffed.output
    lines = diffed.output.splitlines()
    assert lines.index('CREATE MATERIALIZED VIEW "ages" AS') < lines.index(unique)
    assert "COMMENT ON INDEX \"ages_age\" IS 'for REFRESH ... CONCURRENTLY';" in lines
    dry = runner.invoke(cli, ["push", *args, "--dry-run"])
    assert unique in dry.output
    assert "CREATE INDEX ages_many ON public.ages USING btree (n DESC) WHERE (n > 1)" in dry.output


def test_privileges_by_hand_are_no_change_and_keep_the_quick_way(
    pg: Server, roles: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = roles
    path = tmp_path / "schema.sql"
    path.write_text(SCHEMA)
    assert push(pg.database_url, Source(str(path), "postgresql", url=pg.database_url)).applied
    pg.execute(f'GRANT SELECT ON person, other, adults TO "{app}"; REVOKE ALL ON ages FROM PUBLIC')
    before = {r: acl(pg, r) for r in ("adults", "ages", "person", "other")}

    def refuse(self: Source) -> None:
        raise AssertionError("the declared schema was read")

    with monkeypatch.context() as m:
        m.setattr(Source, "load", refuse)  # a push that succeeds took the quick way
        assert not push(
            pg.database_url, Source(str(path), "postgresql", url=pg.database_url)
        ).applied
    # Indexes made by hand on a materialized view are no change either.
    pg.execute(MATVIEW_INDEXES)
    kept = indexes(pg, "ages")
    assert not push(pg.database_url, Source(str(path), "postgresql", url=pg.database_url)).applied
    # A change elsewhere: nothing is granted or revoked on what the push does not remake.
    path.write_text(
        SCHEMA.replace("(id integer PRIMARY KEY);", "(id integer PRIMARY KEY, x text);")
    )
    result = push(pg.database_url, Source(str(path), "postgresql", url=pg.database_url))
    assert result.applied
    assert not [
        s for s in result.plan.sql if s.startswith(("GRANT", "REVOKE", "ALTER VIEW", "CREATE"))
    ]
    assert {r: acl(pg, r) for r in before} == before
    assert indexes(pg, "ages") == kept
    # A push that remakes the views and grants again leaves the quick way open too.
    path.write_text(RETYPED)
    assert push(pg.database_url, Source(str(path), "postgresql", url=pg.database_url)).applied
    assert {r: acl(pg, r) for r in ("adults", "ages")} == {r: before[r] for r in ("adults", "ages")}
    assert indexes(pg, "ages") == kept
    monkeypatch.setattr(Source, "load", refuse)
    assert not push(pg.database_url, Source(str(path), "postgresql", url=pg.database_url)).applied
