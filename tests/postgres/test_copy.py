"""``trueup copy``: SQLite to PostgreSQL and back, with and without a declared schema, the
same engine, refusals, failures that leave the target empty, and the checksum that checks a
copy. Against real databases: a SQLite file and a PostgreSQL database per test."""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.helpers import inspect_db
from tests.postgres.support import Server
from trueup.cli import cli
from trueup.convert.checksum import table_checksum
from trueup.copy import copy_database
from trueup.copy_check import Side, check_tables
from trueup.engines import get_dialect
from trueup.urls import parse_url

SQLITE_APP = """
CREATE TABLE teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    owner_id INTEGER REFERENCES people (id)
);
CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id INTEGER REFERENCES teams (id),
    boss_id INTEGER REFERENCES people (id),
    name VARCHAR(100) NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    born DATE,
    seen DATETIME DEFAULT CURRENT_TIMESTAMP,
    score REAL,
    salary DECIMAL(12, 2),
    big BIGINT,
    photo BLOB,
    prefs JSON,
    note TEXT DEFAULT 'none',
    CHECK (active IN (0, 1)),
    CHECK (length(name) > 0)
);
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
CREATE INDEX people_team ON people (team_id);
CREATE VIEW team_sizes AS SELECT team_id, count(*) AS n FROM people GROUP BY team_id;
CREATE VIEW active_people AS SELECT id, name FROM people WHERE active = 1;
CREATE TRIGGER people_touch AFTER UPDATE ON people BEGIN SELECT 1; END;
"""
# A cycle (teams.owner_id and people.team_id), a row pointing at a later row of its own
# table (people 1's boss is 3), a counter past the largest id (person 4 was deleted).
SQLITE_ROWS = """
INSERT INTO teams (id, name, owner_id) VALUES (1, 'red', 2), (2, 'blue', NULL);
INSERT INTO people (id, team_id, boss_id, name, active, born, seen, score, salary, big, photo,
                    prefs)
VALUES (1, 1, 3, 'Ünïcødé 😀', 1, '2000-02-29', '2024-02-29 23:59:59.123456', 0.1, '12.50',
        9223372036854775807, X'00ff', '{"b": 1, "a": [1, 2.5]}');
INSERT INTO people (id, team_id, name, active, score, salary, big, photo, note)
VALUES (2, 1, 'Ann', 0, 1e308, 0, -9223372036854775808, X'', '');
INSERT INTO people (id, team_id, name, seen, note) VALUES (3, 2, 'Bob', NULL, NULL);
INSERT INTO people (id, name) VALUES (4, 'gone');
DELETE FROM people WHERE id = 4;
INSERT INTO tags VALUES (1, 'a'), (5, 'b');
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def sqlite_db(path: Path, script: str) -> str:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.close()
    return str(path)


def sqlite_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def relations(db: Server) -> list[str]:
    """Everything in the database's public schema: tables, views, sequences."""
    return [
        r[0]
        for r in db.query(
            "SELECT relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' ORDER BY 1"
        )
    ]


# --- SQLite to PostgreSQL and back -----------------------------------------------------------


def test_sqlite_to_postgres_and_back_converts_the_schema(project: Path, pg: Server) -> None:
    source = sqlite_db(project / "app.db", SQLITE_APP + SQLITE_ROWS)

    result = invoke("copy", "--from", source, "--to", pg.url)
    assert result.exit_code == 0, result.output
    assert "Copied 3 tables, 7 rows" in result.output
    assert "(schema converted from sqlite)" in result.output
    assert "Checked: every table's row count and checksum match" in result.output
    # Nothing left behind silently: the trigger, and the view PostgreSQL refuses.
    assert "trigger people_touch: not copied" in result.output
    assert "view active_people: not copied (PostgreSQL: operator does not exist" in result.output
    assert "people: CHECK (active IN (0, 1)): PostgreSQL refused it (operator does not" in (
        result.output
    )
    checks = pg.query(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'people'::regclass "
        "AND contype = 'c'"
    )
    assert checks == [("CHECK ((length((name)::text) > 0))",)]

    rows = pg.query("SELECT * FROM people ORDER BY id")
    assert rows[0] == (
        1, 1, 3, "Ünïcødé 😀", True, datetime.date(2000, 2, 29),
        datetime.datetime(2024, 2, 29, 23, 59, 59, 123456), 0.1, Decimal("12.50"),
        9223372036854775807, b"\x00\xff", {"a": [1, 2.5], "b": 1}, "none",
    )  # fmt: skip
    assert rows[1][3:] == (
        "Ann", False, None, rows[1][6], 1e308, Decimal("0.00"), -9223372036854775808, b"",
        None, "",
    )  # fmt: skip
    assert rows[2][3:] == ("Bob", True) + (None,) * 8
    assert pg.query("SELECT n FROM team_sizes ORDER BY team_id") == [(2,), (1,)]
    # The keys are there, added after the rows (the cycle could not go in otherwise).
    keys = pg.query("SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY 1")
    assert [k[0] for k in keys] == [
        "people_boss_id_fkey", "people_team_id_fkey", "teams_owner_id_fkey"
    ]  # fmt: skip
    # SQLite numbered the ids; the next ones continue past the counter (4 was deleted).
    assert pg.query("INSERT INTO people (name) VALUES ('new') RETURNING id") == [(5,)]
    assert pg.query("INSERT INTO tags (label) VALUES ('c') RETURNING id") == [(6,)]
    pg.execute("DELETE FROM people WHERE id = 5; DELETE FROM tags WHERE id = 6")

    back = project / "back.db"
    result = invoke("copy", "--from", pg.url, "--to", str(back))
    assert result.exit_code == 0, result.output
    assert "(schema converted from postgresql)" in result.output
    # PostgreSQL's own spelling of the CHECK is not SQLite's: said, not dropped silently.
    assert "people: CHECK ((length((name)::text) > 0)): SQLite refused it" in result.output
    select = (
        "SELECT id, team_id, boss_id, name, active, born, seen, score, salary, big, photo, note"
    )
    original = sqlite_rows(project / "app.db", f"{select} FROM people ORDER BY id")
    assert sqlite_rows(back, f"{select} FROM people ORDER BY id") == original
    (prefs,) = sqlite_rows(back, "SELECT prefs FROM people WHERE id = 1")[0]
    assert json.loads(prefs) == {"a": [1, 2.5], "b": 1}  # JSONB's spelling: same document
    assert sqlite_rows(back, "SELECT * FROM teams ORDER BY id") == [
        (1, "red", 2),
        (2, "blue", None),
    ]
    assert sqlite_rows(back, "SELECT n FROM team_sizes ORDER BY team_id") == [(2,), (1,)]
    # PostgreSQL's sequences became AUTOINCREMENT counters, still past the deleted ids.
    assert sqlite_rows(back, "SELECT name, seq FROM sqlite_sequence ORDER BY name") == [
        ("people", 5), ("tags", 6), ("teams", 2)
    ]  # fmt: skip
    assert sqlite_rows(back, "PRAGMA foreign_key_check") == []


def test_copy_with_a_prisma_schema(project: Path, pg: Server) -> None:
    source = sqlite_db(
        project / "dev.db",
        """
        CREATE TABLE "User" (
            "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            "email" TEXT NOT NULL,
            "admin" BOOLEAN NOT NULL DEFAULT false,
            "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "balance" DECIMAL NOT NULL DEFAULT 0,
            "rating" REAL,
            "avatar" BLOB,
            "visits" BIGINT NOT NULL DEFAULT 0,
            "settings" TEXT
        );
        CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
        CREATE TABLE "Post" (
            "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            "title" TEXT NOT NULL,
            "authorId" INTEGER NOT NULL,
            CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id")
                ON DELETE RESTRICT ON UPDATE CASCADE
        );
        INSERT INTO "User" VALUES
            (1, 'a@x.org', 1, '2024-02-29T23:59:59.123+00:00', '12.5', 4.5, X'01', 9007199254740993,
             '{"theme": "dark"}'),
            (2, 'b@x.org', 0, '2024-03-01 00:00:00', 0, NULL, NULL, 0, NULL);
        INSERT INTO "Post" VALUES (1, 'Hello', 2), (2, 'Again', 2);
        """,
    )
    (project / "schema.prisma").write_text(
        """
        datasource db {
          provider = "postgresql"
          url      = env("DATABASE_URL")
        }
        model User {
          id        Int      @id @default(autoincrement())
          email     String   @unique
          admin     Boolean  @default(false)
          createdAt DateTime @default(now())
          balance   Decimal  @default(0)
          rating    Float?
          avatar    Bytes?
          visits    BigInt   @default(0)
          settings  Json?
          posts     Post[]
        }
        model Post {
          id       Int    @id @default(autoincrement())
          title    String
          author   User   @relation(fields: [authorId], references: [id])
          authorId Int
        }
        """
    )
    result = invoke("copy", "--from", source, "--to", pg.url, "--schema", "schema.prisma")
    assert result.exit_code == 0, result.output
    assert "Copied 2 tables, 4 rows" in result.output
    assert "(schema pushed from schema.prisma)" in result.output
    assert "Not copied" not in result.output

    (user,) = pg.query('SELECT * FROM "User" WHERE id = 1')
    assert user == (
        1, "a@x.org", True, datetime.datetime(2024, 2, 29, 23, 59, 59, 123000),
        Decimal("12.5"), 4.5, b"\x01", 9007199254740993, {"theme": "dark"},
    )  # fmt: skip
    assert pg.query("INSERT INTO \"User\" (email) VALUES ('c@x.org') RETURNING id") == [(3,)]
    # The copy is the declared schema exactly: nothing left for a push to do.
    assert invoke("diff", "--schema", "schema.prisma", "--url", pg.url).exit_code == 0
    kinds = pg.query("SELECT kind FROM _trueup_history ORDER BY id")
    assert kinds == [("push",), ("copy",), ("push",)]


PG_APP = """
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE owners (
    id SERIAL PRIMARY KEY, name TEXT NOT NULL, mood mood NOT NULL DEFAULT 'happy',
    joined TIMESTAMPTZ(3) NOT NULL DEFAULT now(), tags TEXT[]
);
CREATE TABLE pets (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    owner_id INTEGER NOT NULL REFERENCES owners (id), name VARCHAR(40) NOT NULL,
    weight NUMERIC(6, 2), vaccinated BOOLEAN NOT NULL DEFAULT false, chip UUID
);
INSERT INTO owners (name, mood, joined, tags) VALUES
    ('Ann', 'sad', '2024-02-29 23:59:59.123+00', '{a,"b c"}'), ('Bob', 'happy', now(), NULL);
INSERT INTO pets (owner_id, name, weight, vaccinated, chip) VALUES
    (1, 'Rex', 12.30, true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (2, 'Tom', NULL, false, NULL);
SELECT setval('owners_id_seq', 10);
"""

# PostgreSQL index options SQLite has no form of.
PG_NULLS_INDEXES = """
CREATE UNIQUE INDEX pets_chip ON pets (chip) NULLS NOT DISTINCT;
CREATE INDEX pets_weight ON pets (weight DESC NULLS LAST);
"""


def test_copy_with_a_sql_schema(project: Path, pg: Server) -> None:
    pg.execute(PG_APP)
    (project / "app.sql").write_text(
        """
        CREATE TABLE owners (
            id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
            mood TEXT NOT NULL DEFAULT 'happy' CHECK (mood IN ('happy', 'sad')),
            joined DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, tags TEXT
        );
        CREATE TABLE pets (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            owner_id INTEGER NOT NULL REFERENCES owners (id), name TEXT NOT NULL,
            weight DECIMAL(6, 2), vaccinated BOOLEAN NOT NULL DEFAULT 0, chip TEXT
        );
        """
    )
    result = invoke("copy", "--from", pg.url, "--to", "app.db", "--schema", "app.sql")
    assert result.exit_code == 0, result.output
    assert "(schema pushed from app.sql)" in result.output
    assert sqlite_rows(project / "app.db", "SELECT * FROM pets ORDER BY id") == [
        (1, 1, "Rex", 12.3, 1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        (2, 2, "Tom", None, 0, None),
    ]
    (ann,) = sqlite_rows(project / "app.db", "SELECT mood, tags FROM owners WHERE id = 1")
    assert ann == ("sad", '{a,"b c"}')
    db = str(project / "app.db")
    assert sqlite_rows(
        project / "app.db", "SELECT seq FROM sqlite_sequence WHERE name = 'owners'"
    ) == [(10,)]
    assert invoke("diff", "--schema", "app.sql", "--url", db).exit_code == 0


def test_postgres_to_sqlite_without_a_schema_notes_what_changes(project: Path, pg: Server) -> None:
    pg.execute(
        PG_APP
        + """
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER pets_touch BEFORE UPDATE ON pets FOR EACH ROW EXECUTE FUNCTION touch();
        """
        + PG_NULLS_INDEXES
    )
    result = invoke("copy", "--from", pg.url, "--to", "app.db")
    assert result.exit_code == 0, result.output
    for note in (
        "owners.mood: SQLite has no enums",
        "owners.tags: SQLite has no arrays",
        "trigger pets_touch on pets: not copied",
        "index pets_chip: NULLS NOT DISTINCT dropped",
        "index pets_weight: NULLS FIRST / LAST of its keys dropped",
    ):
        assert note in result.output
    db = project / "app.db"
    indexes = {i.name: i for i in inspect_db(db).tables[1].indexes}
    assert indexes["pets_chip"].unique and indexes["pets_weight"].parts[0].descending
    assert sqlite_rows(db, "SELECT name, mood, tags FROM owners ORDER BY id") == [
        ("Ann", "sad", '{a,"b c"}'), ("Bob", "happy", None)
    ]  # fmt: skip
    assert sqlite_rows(db, "INSERT INTO pets (owner_id, name) VALUES (1, 'x') RETURNING id") == [
        (3,)
    ]


# --- the same engine ------------------------------------------------------------------------


def test_sqlite_to_sqlite_is_exact(project: Path) -> None:
    source = sqlite_db(
        project / "a.db",
        SQLITE_APP
        + "CREATE VIRTUAL TABLE notes USING fts5(body);"
        + SQLITE_ROWS
        + "INSERT INTO notes VALUES ('hello');",
    )
    result = invoke("copy", "--from", source, "--to", "b.db")
    assert result.exit_code == 0, result.output
    assert "(schema created as the source's)" in result.output
    assert "virtual table notes: definition copied, rows not" in result.output
    for table in ("teams", "people", "tags"):
        sql = f"SELECT * FROM {table} ORDER BY 1"
        assert sqlite_rows(project / "b.db", sql) == sqlite_rows(project / "a.db", sql)
    assert inspect_db(project / "b.db") == inspect_db(project / "a.db")
    counters = "SELECT * FROM sqlite_sequence ORDER BY 1"
    assert sqlite_rows(project / "b.db", counters) == sqlite_rows(project / "a.db", counters)


def test_postgres_to_postgres(project: Path, pg: Server, pg_server: Server) -> None:
    pg.execute(PG_APP + PG_NULLS_INDEXES)
    target = pg_server.create_database()
    try:
        result = invoke("copy", "--from", pg.url, "--to", target.url)
        assert result.exit_code == 0, result.output
        for table in ("owners", "pets"):
            assert target.query(f"SELECT * FROM {table} ORDER BY 1") == pg.query(
                f"SELECT * FROM {table} ORDER BY 1"
            )
        assert target.query("INSERT INTO owners (name) VALUES ('x') RETURNING id") == [(11,)]
        indexes = "SELECT indexdef FROM pg_indexes WHERE tablename = 'pets' ORDER BY 1"
        assert target.query(indexes) == pg.query(indexes)
    finally:
        pg_server.drop_database(target)


# --- refusals and failures -------------------------------------------------------------------


def test_a_target_that_is_not_empty_is_refused(project: Path, pg: Server) -> None:
    source = sqlite_db(project / "app.db", SQLITE_APP + SQLITE_ROWS)
    pg.execute("CREATE TABLE keep (x INTEGER); INSERT INTO keep VALUES (1);")
    result = invoke("copy", "--from", source, "--to", pg.url)
    assert result.exit_code == 1
    assert f"The target {pg.url} is not empty (1 table(s))" in result.output
    assert "Nothing was changed" in result.output
    assert relations(pg) == ["keep"] and pg.query("SELECT * FROM keep") == [(1,)]

    other = sqlite_db(project / "other.db", "CREATE TABLE keep (x); INSERT INTO keep VALUES (1);")
    result = invoke("copy", "--from", pg.url, "--to", other)
    assert result.exit_code == 1 and "is not empty" in result.output
    assert sqlite_rows(project / "other.db", "SELECT name FROM sqlite_schema") == [("keep",)]


def test_other_mistakes_are_refused(project: Path) -> None:
    source = sqlite_db(project / "app.db", "CREATE TABLE t (x);")
    result = invoke("copy", "--from", source, "--to", "./app.db")
    assert result.exit_code == 1 and "are the same database" in result.output
    result = invoke("copy", "--from", "missing.db", "--to", "new.db")
    assert result.exit_code == 1 and "There is no database at" in result.output
    assert not (project / "new.db").exists()
    result = invoke("copy", "--to", "new.db")
    assert result.exit_code == 64 and "Missing option '--from'" in result.output


def test_a_failed_copy_leaves_the_target_empty(project: Path, pg: Server) -> None:
    source = sqlite_db(project / "app.db", SQLITE_APP + SQLITE_ROWS)
    (project / "narrow.sql").write_text(
        "CREATE TABLE teams (id BIGSERIAL PRIMARY KEY, name VARCHAR(3) NOT NULL, owner_id BIGINT);"
        "CREATE TABLE people (id BIGSERIAL PRIMARY KEY, team_id BIGINT, boss_id BIGINT,"
        " name TEXT, active BOOLEAN, born DATE, seen TIMESTAMP, score DOUBLE PRECISION,"
        " salary NUMERIC(12, 2), big BIGINT, photo BYTEA, prefs JSONB, note TEXT);"
        "CREATE TABLE tags (id BIGSERIAL PRIMARY KEY, label TEXT);"
    )
    result = invoke("copy", "--from", source, "--to", pg.url, "--schema", "narrow.sql")
    assert result.exit_code == 1
    assert "value too long for type character varying(3)" in result.output
    assert "Nothing was imported" in result.output
    assert relations(pg) == []  # not even trueup's history

    # Into a new SQLite file: the file is gone again.
    pg.execute(PG_APP)
    (project / "short.sql").write_text("CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT);")
    result = invoke("copy", "--from", pg.url, "--to", "new.db", "--schema", "short.sql")
    assert result.exit_code == 1 and "has no table pets" in result.output
    assert not (project / "new.db").exists()


def test_rows_that_break_a_foreign_key_stop_the_copy(project: Path, pg: Server) -> None:
    source = sqlite_db(
        project / "app.db",
        "CREATE TABLE parents (id INTEGER PRIMARY KEY);"
        "CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents);"
        "INSERT INTO parents VALUES (1); INSERT INTO children VALUES (1, 1), (2, 7);",
    )
    result = invoke("copy", "--from", source, "--to", pg.url)
    assert result.exit_code == 1
    assert "The rows do not fit the target's schema" in result.output
    assert relations(pg) == []


def test_values_a_declared_type_changes_fail_the_check(project: Path, pg: Server) -> None:
    """PostgreSQL rounds 12.25 into NUMERIC(10,1) and microseconds into TIMESTAMP(3) without
    an error: the import goes through, the check finds the difference and names it."""
    source = sqlite_db(
        project / "app.db",
        "CREATE TABLE prices (id INTEGER PRIMARY KEY, amount DECIMAL(10,2), at DATETIME);"
        "INSERT INTO prices VALUES (1, '12.25', '2024-02-29 23:59:59.123456'), (2, 1, NULL);",
    )
    (project / "rounding.sql").write_text(
        "CREATE TABLE prices (id BIGSERIAL PRIMARY KEY, amount NUMERIC(10, 1), at TIMESTAMP(3));"
    )
    result = invoke("copy", "--from", source, "--to", pg.url, "--schema", "rounding.sql")
    assert result.exit_code == 1
    assert "The copy does not match the source:\n  prices: the values of amount, at differ" in (
        result.output
    )
    assert "The copy was committed as it came out" in result.output
    assert "Drop the target and copy again" in result.output
    assert pg.query("SELECT amount FROM prices ORDER BY id") == [
        (Decimal("12.3"),),
        (Decimal("1.0"),),
    ]


# --- the check -------------------------------------------------------------------------------


@contextmanager
def reading(url: str) -> Iterator[Side]:
    parsed = parse_url(url)
    with get_dialect(parsed.engine).connect(parsed, create=False) as session:
        session.begin(write=False, timeout=5)
        tables = {t.name.lower(): t for t in session.inspect().tables}
        yield Side(session, parsed.engine, tables)


class Counted:
    def __init__(self) -> None:
        self.total = 0

    def start(self, total: int) -> None:
        pass

    def advance(self, rows: int) -> None:
        self.total += rows


def test_the_checksum_tells_one_value_apart(project: Path, pg: Server) -> None:
    rows = "INSERT INTO t VALUES (1, 'a', 0.5, X'00'), (2, 'b', NULL, NULL), (3, 'ç', 1e300, X'');"
    a = sqlite_db(
        project / "a.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT, r REAL, b BLOB);" + rows
    )
    b = sqlite_db(
        project / "b.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT, r REAL, b BLOB);" + rows
    )
    pg.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, x TEXT, r DOUBLE PRECISION, b BYTEA);")
    pg.execute(rows.replace("X'00'", "'\\x00'::bytea").replace("X''", "''::bytea"))
    kinds = ["integer", "text", "real", "blob"]

    def checksum(side: Side) -> Any:
        return table_checksum(
            side.session, side.engine, side.tables["t"], ["id", "x", "r", "b"], kinds
        )

    with reading(a) as side_a, reading(b) as side_b, reading(pg.url) as side_pg:
        assert checksum(side_a) == checksum(side_b) == checksum(side_pg)
        assert checksum(side_a).rows == 3
    sqlite_db(project / "b.db", "UPDATE t SET r = 0.5000000000000001 WHERE id = 1;")
    pg.execute("UPDATE t SET x = 'c' WHERE id = 3")
    with reading(a) as side_a, reading(b) as side_b, reading(pg.url) as side_pg:
        assert checksum(side_a) != checksum(side_b)
        assert checksum(side_a) != checksum(side_pg)
        # The check names the column that differs, and the progress counts both sides.
        progress = Counted()
        (outcome,) = check_tables(side_a, side_pg, ["t"], progress)
        assert outcome.problem == "t: the values of x differ"
        assert progress.total == 6
    sqlite_db(project / "b.db", "UPDATE t SET r = 0.5 WHERE id = 1; DELETE FROM t WHERE id = 2;")
    with reading(a) as side_a, reading(b) as side_b:
        (outcome,) = check_tables(side_a, side_b, ["t"], Counted())
        assert outcome.problem == "t: 3 rows in the source, 2 in the copy"


def test_the_library_reports_each_stage(project: Path, pg: Server) -> None:
    source = sqlite_db(project / "app.db", SQLITE_APP + SQLITE_ROWS)
    seen: dict[str, Counted] = {}

    @contextmanager
    def stages(name: str) -> Iterator[Counted]:
        seen[name] = Counted()
        yield seen[name]

    result = copy_database(parse_url(source), parse_url(pg.url), progress=stages)
    assert result.schema == "converted" and result.rows == 7
    assert sorted(t.name for t in result.tables) == ["people", "tags", "teams"]
    assert {name: c.total for name, c in seen.items()} == {"Copying": 7, "Verifying": 14}


def test_the_source_takes_no_writes_during_the_copy(project: Path, pg: Server) -> None:
    """Readers go on, writers wait: what is checked at the end is what was copied."""
    source = sqlite_db(project / "app.db", SQLITE_APP + SQLITE_ROWS)
    attempts: dict[str, str] = {}

    def write_sqlite() -> None:
        conn = sqlite3.connect(source, timeout=0)
        try:
            assert conn.execute("SELECT count(*) FROM tags").fetchone() == (2,)
            conn.execute("INSERT INTO tags (label) VALUES ('late')")
            conn.commit()
        except sqlite3.OperationalError as exc:
            attempts["sqlite"] = str(exc)
        finally:
            conn.close()

    def write_postgres() -> None:
        with pg.connect() as conn:
            conn.execute("SET lock_timeout = '50ms'")
            assert conn.execute("SELECT count(*) FROM tags").fetchone() == (2,)
            try:
                conn.execute("INSERT INTO tags (label) VALUES ('late')")
            except Exception as exc:
                attempts["postgresql"] = str(exc)

    def stages_writing(write: Any) -> Any:
        @contextmanager
        def stages(name: str) -> Iterator[Counted]:
            if name == "Copying":
                write()
            yield Counted()

        return stages

    copy_database(parse_url(source), parse_url(pg.url), progress=stages_writing(write_sqlite))
    assert attempts["sqlite"] == "database is locked"
    back = project / "back.db"
    copy_database(parse_url(pg.url), parse_url(str(back)), progress=stages_writing(write_postgres))
    assert "lock timeout" in attempts["postgresql"]
    assert sqlite_rows(back, "SELECT count(*) FROM tags") == [(2,)]


# --- history ---------------------------------------------------------------------------------


def test_data_steps_the_source_ran_do_not_run_again(project: Path, pg: Server) -> None:
    steps = project / "trueup" / "steps"
    steps.mkdir(parents=True)
    (steps / "001_fill.sql").write_text("-- trueup:after\nUPDATE t SET n = n + 1;\n")
    (project / "app.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);")
    source = sqlite_db(project / "app.db", "")
    assert invoke("push", "--schema", "app.sql", "--url", source).exit_code == 0
    sqlite_db(project / "app.db", "INSERT INTO t VALUES (1, 10);")
    (project / "pg.sql").write_text("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, n BIGINT);")

    result = invoke("copy", "--from", source, "--to", pg.url, "--schema", "pg.sql")
    assert result.exit_code == 0, result.output
    assert pg.query("SELECT n FROM t") == [(10,)]  # the step did not run on the copy
    # Nor with the app's next push: the copy recorded it as done.
    assert invoke("push", "--schema", "pg.sql", "--url", pg.url).exit_code == 0
    assert pg.query("SELECT n FROM t") == [(10,)]
