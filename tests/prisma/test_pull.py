"""``trueup inspect --format prisma`` on SQLite: the pulled schema pushed into an empty
database gives the same schema (the differ finds nothing between the two), for every
schema of the Prisma corpus and for SQL schemas Prisma can express; what Prisma cannot
declare is listed in comments; the text follows Prisma's own ``db pull``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.prisma.pull_support import round_trip
from trueup.cli import cli
from trueup.diff import changes as ch
from trueup.push import push
from trueup.sources import load_schema
from trueup.sources.prisma.pull import naming
from trueup.urls import parse_url

HERE = Path(__file__).parent
CORPUS = sorted((HERE / "corpus" / "sqlite").iterdir())
GOLDEN = HERE / "pull_golden"


def sqlite_db(path: Path, ddl: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(ddl)
    conn.close()
    return path


@pytest.mark.parametrize("schema", CORPUS, ids=lambda p: p.stem)
def test_every_corpus_schema_round_trips(schema: Path, tmp_path: Path) -> None:
    db = tmp_path / "pushed.db"
    push(parse_url(str(db)), load_schema(str(schema), "sqlite").schema)
    result = round_trip(db, tmp_path)
    assert result.changes == [], result.text


# SQL schemas whose every part Prisma can declare: the round trip must give them back.
EXPRESSIBLE = {
    "names": """
        CREATE TABLE "String" (id INTEGER PRIMARY KEY AUTOINCREMENT, "a b" TEXT, "a_b" TEXT,
            "1x" TEXT, "model" TEXT, "type" INTEGER NOT NULL DEFAULT 3);
        CREATE TABLE "my-table" ("Key" TEXT NOT NULL PRIMARY KEY,
            "2fa" BOOLEAN NOT NULL DEFAULT false);
        CREATE TABLE "my_table" (id INTEGER PRIMARY KEY AUTOINCREMENT);
        CREATE TABLE "_hidden" (id BIGINT NOT NULL PRIMARY KEY);
        CREATE TABLE "café" (id INTEGER PRIMARY KEY AUTOINCREMENT, "naïve" TEXT);
    """,
    "defaults": """
        CREATE TABLE d (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            s TEXT NOT NULL DEFAULT 'it''s "quoted" \\ back',
            empty TEXT DEFAULT '',
            i INTEGER DEFAULT -3, big BIGINT DEFAULT 9007199254740993,
            wide INTEGER DEFAULT 99999999999, f REAL DEFAULT 0.5, e REAL DEFAULT 1e5,
            dec DECIMAL DEFAULT 10.50, decs DECIMAL DEFAULT '3.25',
            yes BOOLEAN DEFAULT true, no BOOLEAN DEFAULT FALSE, zero BOOLEAN DEFAULT 0,
            now DATETIME DEFAULT CURRENT_TIMESTAMP, fn DATETIME DEFAULT (datetime('now')),
            day DATETIME DEFAULT '2024-01-31 12:00:00.500 +02:00',
            plain_day DATETIME DEFAULT '2024-01-31',
            txt_now TEXT DEFAULT CURRENT_TIMESTAMP, expr INTEGER DEFAULT (1 + 2),
            j JSONB DEFAULT '{"a": [1, 2]}', badj JSONB DEFAULT 'not json',
            b BLOB DEFAULT '48656c6c6f', xb BLOB DEFAULT X'00FF', neg INTEGER DEFAULT (-7),
            dq TEXT DEFAULT "double", nl TEXT DEFAULT 'line
        break'
        );
    """,
    "relations": """
        CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL,
            manager INTEGER REFERENCES users (id) ON DELETE SET NULL,
            mentor_id INTEGER REFERENCES users (id) ON DELETE NO ACTION ON UPDATE NO ACTION);
        CREATE UNIQUE INDEX users_email_key ON users (email);
        CREATE UNIQUE INDEX users_mentor ON users (mentor_id);
        CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT,
            author INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            editor INTEGER REFERENCES users (id) ON DELETE SET DEFAULT ON UPDATE RESTRICT,
            users INTEGER REFERENCES users (id),
            owner_email TEXT NOT NULL REFERENCES users (email) ON UPDATE CASCADE);
        -- What Prisma makes of `userId Int @id` with a one-to-one relation on it.
        CREATE TABLE profiles (user_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT
            REFERENCES users (id) ON DELETE RESTRICT ON UPDATE CASCADE, bio TEXT);
        CREATE TABLE orders (id INTEGER NOT NULL, revision INTEGER NOT NULL,
            PRIMARY KEY (id, revision));
        CREATE TABLE lines (order_id INTEGER NOT NULL, rev INTEGER NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (order_id, rev, n),
            CONSTRAINT lines_order FOREIGN KEY (order_id, rev) REFERENCES orders (id, revision)
                ON DELETE CASCADE ON UPDATE CASCADE);
        CREATE TABLE audit (at TEXT, user_id INTEGER REFERENCES users (id));
    """,
    "join_tables": """
        CREATE TABLE Post (id INTEGER PRIMARY KEY AUTOINCREMENT);
        CREATE TABLE Tag (name TEXT NOT NULL PRIMARY KEY);
        CREATE TABLE Node (id INTEGER PRIMARY KEY AUTOINCREMENT);
        CREATE TABLE "_PostToTag" ("A" INTEGER NOT NULL REFERENCES Post (id)
            ON DELETE CASCADE ON UPDATE CASCADE,
            "B" TEXT NOT NULL REFERENCES Tag (name) ON DELETE CASCADE ON UPDATE CASCADE);
        CREATE UNIQUE INDEX "_PostToTag_AB_unique" ON "_PostToTag" ("A", "B");
        CREATE INDEX "_PostToTag_B_index" ON "_PostToTag" ("B");
        CREATE TABLE "_featured" ("A" INTEGER NOT NULL REFERENCES Post (id)
            ON DELETE CASCADE ON UPDATE CASCADE,
            "B" TEXT NOT NULL REFERENCES Tag (name) ON DELETE CASCADE ON UPDATE CASCADE);
        CREATE UNIQUE INDEX "_featured_AB_unique" ON "_featured" ("A", "B");
        CREATE INDEX "_featured_B_index" ON "_featured" ("B");
        CREATE TABLE "_links" ("A" INTEGER NOT NULL REFERENCES Node (id)
            ON DELETE CASCADE ON UPDATE CASCADE,
            "B" INTEGER NOT NULL REFERENCES Node (id) ON DELETE CASCADE ON UPDATE CASCADE);
        CREATE UNIQUE INDEX "_links_AB_unique" ON "_links" ("A", "B");
        CREATE INDEX "_links_B_index" ON "_links" ("B");
        -- Not what Prisma makes (A points at the model that sorts last): an ordinary model.
        CREATE TABLE "_TagToPost" ("A" TEXT NOT NULL REFERENCES Tag (name)
            ON DELETE CASCADE ON UPDATE CASCADE,
            "B" INTEGER NOT NULL REFERENCES Post (id) ON DELETE CASCADE ON UPDATE CASCADE);
        CREATE UNIQUE INDEX "_TagToPost_AB_unique" ON "_TagToPost" ("A", "B");
        CREATE INDEX "_TagToPost_B_index" ON "_TagToPost" ("B");
    """,
    "types_and_indexes": """
        CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(20) NOT NULL, n INT, x NUMERIC,
            untyped, d DATETIME, flag BOOLEAN NOT NULL, data BLOB, doc JSONB, amount DECIMAL);
        CREATE UNIQUE INDEX t_v_key ON t (v);
        CREATE UNIQUE INDEX t_pair ON t (n DESC, x);
        CREATE INDEX t_d_flag_idx ON t (d, flag DESC);
        CREATE INDEX by_amount ON t (amount);
        CREATE INDEX again_amount ON t (amount);
        CREATE UNIQUE INDEX t_n_key ON t (n);
    """,
    "no_unique_criteria": """
        CREATE TABLE log (at DATETIME, message TEXT);
        CREATE TABLE maybe (code TEXT, note TEXT);
        CREATE UNIQUE INDEX maybe_code ON maybe (code);
    """,
}


@pytest.mark.parametrize("name", sorted(EXPRESSIBLE))
def test_sql_schemas_prisma_can_express_round_trip(name: str, tmp_path: Path) -> None:
    db = sqlite_db(tmp_path / "made.db", EXPRESSIBLE[name])
    result = round_trip(db, tmp_path)
    assert result.changes == [], result.text
    assert "Prisma cannot declare" not in result.text


def test_join_tables_become_list_relations(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path / "made.db", EXPRESSIBLE["join_tables"])
    text = round_trip(db, tmp_path).text
    assert "model PostToTag" not in text and "model featured" not in text
    assert "model TagToPost" in text  # not Prisma's shape: kept as a model
    # Two relations between Post and Tag: both are named, and so are their fields.
    assert '_PostToTag Tag[] @relation("PostToTag")' in " ".join(text.split())
    # A self-relation's fields end in _A and _B.
    assert 'Node_A Node[] @relation("links") Node_B Node[] @relation("links")' in " ".join(
        text.split()
    )


def test_sanitised_names_keep_the_database_names(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path / "made.db", EXPRESSIBLE["names"])
    text = " ".join(round_trip(db, tmp_path).text.split())
    for expected in (
        'model RenamedString { id Int @id @default(autoincrement()) a_b_2 String? @map("a b") '
        'a_b String? x String? @map("1x")',
        '@@map("String")',
        # A name that is valid as it is keeps it; a sanitised one yields.
        "model my_table { id Int @id @default(autoincrement()) }",
        'model my_table_2 { Key String @id fa Boolean @default(false) @map("2fa") '
        '@@map("my-table") }',
        'model hidden { id BigInt @id @@map("_hidden") }',
        'model caf_ { id Int @id @default(autoincrement()) na_ve String? @map("naïve") '
        '@@map("café") }',
    ):
        assert expected in text


UNDECLARABLE = """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        age INT CHECK (age > 0),
        email TEXT COLLATE NOCASE,
        nick TEXT NOT NULL ON CONFLICT REPLACE DEFAULT '',
        full TEXT GENERATED ALWAYS AS (name || '!') VIRTUAL
    ) STRICT;
    CREATE INDEX users_lower ON users (lower(name));
    CREATE INDEX users_adults ON users (age) WHERE age >= 18;
    CREATE TABLE posts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        author INTEGER NOT NULL REFERENCES users (id) ON DELETE SET NULL,
        reviewer TEXT REFERENCES users (name) DEFERRABLE INITIALLY DEFERRED,
        ghost INTEGER REFERENCES nowhere (id)
    );
    CREATE VIEW names AS SELECT name FROM users;
    CREATE TRIGGER stamp AFTER INSERT ON posts BEGIN SELECT 1; END;
    CREATE VIRTUAL TABLE search USING fts5(body);
"""


def test_what_prisma_cannot_declare_is_listed(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path / "made.db", UNDECLARABLE)
    result = round_trip(db, tmp_path)
    for listed in (
        '// Prisma cannot declare these parts of the table "users"',
        '//   - the column "id" has no AUTOINCREMENT',
        '//   - the column "email" has COLLATE NOCASE',
        '//   - the column "nick" is NOT NULL ON CONFLICT REPLACE',
        "//   - the column \"full\" is GENERATED ALWAYS AS (name || '!') VIRTUAL",
        '//   - index "users_lower" on (lower(name))',
        '//   - index "users_adults" on (age) WHERE age >= 18',
        "//   - the unique constraint on (name) is part of the table (Prisma makes it the "
        'unique index "users_name_key")',
        "//   - CHECK (age > 0)",
        "//   - STRICT",
        "//   - FOREIGN KEY (author) REFERENCES users (id) ON DELETE SET NULL on a required column",
        "//   - FOREIGN KEY (reviewer) REFERENCES users (name) DEFERRABLE INITIALLY DEFERRED",
        "//   - FOREIGN KEY (ghost) REFERENCES nowhere (id) (the referenced table is not a "
        "model here)",
        "// CREATE VIEW names AS SELECT name FROM users",
        "// CREATE TRIGGER stamp AFTER INSERT ON posts BEGIN SELECT 1; END",
        "// CREATE VIRTUAL TABLE search USING fts5(body)",
    ):
        assert listed in result.text
    # The round trip changes exactly what the comments list, nothing else.
    kinds = sorted(type(c).__name__ for c in result.changes if not isinstance(c, ch.ModifyTable))
    assert kinds == ["DropTrigger", "DropView", "DropVirtualTable"]
    table_changes = {
        c.new.name: sorted(type(t).__name__ for t in c.changes)
        for c in result.changes
        if isinstance(c, ch.ModifyTable)
    }
    assert table_changes == {
        "users": [
            "AddIndex",  # users_name_key, in place of the table's own UNIQUE
            "DropCheck",
            "DropIndex",
            "DropIndex",
            "DropIndex",
            "ModifyColumn",  # id: AUTOINCREMENT
            "ModifyColumn",  # email: collation
            "ModifyColumn",  # nick: no ON CONFLICT
            "ModifyColumn",  # full: no longer generated
            "ModifyTableOptions",
        ],
        "posts": [
            "DropForeignKey",  # ghost: its table is not a model
            "ModifyForeignKey",  # author: ON DELETE SET NULL
            "ModifyForeignKey",  # reviewer: deferrable
        ],
    }


@pytest.mark.parametrize(
    "case", sorted(GOLDEN.glob("*.out.prisma")), ids=lambda p: p.name[: -len(".out.prisma")]
)
def test_pulled_text_is_as_expected(case: Path, tmp_path: Path) -> None:
    """Goldens: the whole text for a few schemas (the input is ``NAME.sql``, or the corpus
    schema the golden is named after, pushed by trueup)."""
    name = case.name[: -len(".out.prisma")]
    sql = GOLDEN / f"{name}.sql"
    db = tmp_path / "made.db"
    if sql.exists():
        sqlite_db(db, sql.read_text())
    else:
        corpus = HERE / "corpus" / "sqlite" / f"{name}.prisma"
        push(parse_url(str(db)), load_schema(str(corpus), "sqlite").schema)
    result = round_trip(db, tmp_path)
    assert result.text == case.read_text()


def test_inspect_command_writes_the_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    sqlite_db(tmp_path / "app.db", EXPRESSIBLE["relations"])
    result = CliRunner().invoke(cli, ["inspect", "--url", "file:./app.db", "--format", "prisma"])
    assert result.exit_code == 0, result.output
    assert result.output == round_trip(tmp_path / "app.db", tmp_path).text
    # The file it writes is a schema trueup (and Prisma) reads, for the same provider.
    (tmp_path / "schema.prisma").write_text(result.output)
    pushed = CliRunner().invoke(
        cli, ["push", "--schema", "schema.prisma", "--url", "file:./app.db"]
    )
    assert pushed.exit_code == 0, pushed.output
    assert "already in sync" in pushed.output


def test_an_empty_database_is_a_datasource_alone(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "none.db").close()  # an empty file: a database, no tables
    result = CliRunner().invoke(
        cli, ["inspect", "--url", f"file:{tmp_path / 'none.db'}", "--format", "prisma"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        'datasource db {\n  provider = "sqlite"\n  url      = env("DATABASE_URL")\n}\n'
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("users", "users"),
        ("my-table", "my_table"),
        ("first name", "first_name"),
        ("2fa", "fa"),
        ("_AToB", "AToB"),
        ("123", "fallback"),
        ("___", "fallback"),
    ],
)
def test_sanitize(name: str, expected: str) -> None:
    assert naming.sanitize(name, "fallback") == expected


def test_type_names_avoid_builtin_types_and_each_other() -> None:
    taken: set[str] = set()
    assert naming.unique(naming.type_name("Int", "M"), taken) == "RenamedInt"
    assert naming.unique(naming.type_name("a-b", "M"), taken) == "a_b"
    assert naming.unique(naming.type_name("a b", "M"), taken) == "a_b_2"


def test_strings_stay_on_one_line() -> None:
    assert naming.string('say "hi"\n\u2028') == '"say \\"hi\\"\\n\\u2028"'
