"""``trueup inspect --format prisma`` on PostgreSQL: native types as ``@db.*``, enums, lists
and their defaults, key, index and foreign key names, index types and operator classes.
The pulled schema pushed into an empty database gives the same schema; what Prisma cannot
declare is listed."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres.support import Server
from tests.prisma.pull_support import RoundTrip, round_trip_postgres
from trueup.diff import changes as ch
from trueup.push import push
from trueup.sources import load_schema

HERE = Path(__file__).parent
CORPUS = sorted((HERE / "corpus" / "sqlite").iterdir())
GOLDEN = HERE / "pull_golden" / "postgres"


@pytest.fixture
def empty(pg_server: Server) -> Iterator[Server]:
    """A second empty database, for the pulled schema."""
    db = pg_server.create_database()
    yield db
    pg_server.drop_database(db)


@pytest.fixture(autouse=True)
def _scratch_server(pg: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading a PostgreSQL Prisma schema runs its DDL in a scratch database on this server.
    monkeypatch.setenv("DATABASE_URL", pg.url)


def as_postgres(schema: Path, folder: Path) -> Path:
    """A copy of a corpus schema (a file or a folder of files) for PostgreSQL."""
    target = folder / schema.name
    if schema.is_dir():
        shutil.copytree(schema, target)
        files = list(target.iterdir())
    else:
        shutil.copy(schema, target)
        files = [target]
    for f in files:
        text = re.sub(r'provider(\s*)= "sqlite"', r'provider\1= "postgresql"', f.read_text())
        f.write_text(text.replace('"file:./dev.db"', 'env("DATABASE_URL")'))
    return target


def pushed_round_trip(schema: Path, pg: Server, empty: Server, folder: Path) -> RoundTrip:
    push(pg.database_url, load_schema(str(schema), "postgresql").schema)
    return round_trip_postgres(pg, empty, folder)


@pytest.mark.parametrize("schema", CORPUS, ids=lambda p: p.stem)
def test_every_corpus_schema_round_trips(
    schema: Path, pg: Server, empty: Server, tmp_path: Path
) -> None:
    result = pushed_round_trip(as_postgres(schema, tmp_path), pg, empty, tmp_path)
    assert result.changes == [], result.text


def test_native_types_enums_and_names(pg: Server, empty: Server, tmp_path: Path) -> None:
    result = pushed_round_trip(GOLDEN / "native.prisma", pg, empty, tmp_path)
    assert result.changes == [], result.text
    assert result.text == (GOLDEN / "native.out.prisma").read_text()


EXPRESSIBLE = """
CREATE TYPE "Mood" AS ENUM ('happy', 'sad', 'in between', '1st');
CREATE TABLE "People" (
    id serial PRIMARY KEY,
    "e-mail" varchar(320) NOT NULL,
    mood "Mood" NOT NULL DEFAULT 'in between',
    moods "Mood"[] DEFAULT ARRAY['sad', '1st']::"Mood"[],
    born date,
    score numeric(6, 2) DEFAULT 0,
    nick char(8),
    tags text[],
    token uuid NOT NULL DEFAULT gen_random_uuid(),
    seen timestamptz(6) DEFAULT now(),
    doc jsonb DEFAULT '{"a": 1}',
    raw bytea DEFAULT '\\x00ff',
    big bigint DEFAULT -9007199254740993,
    place point
);
CREATE UNIQUE INDEX people_email ON "People" ("e-mail");
CREATE INDEX people_tags ON "People" USING gin (tags);
CREATE TABLE pets (
    owner integer NOT NULL,
    name text NOT NULL,
    CONSTRAINT pets_pk PRIMARY KEY (owner, name),
    CONSTRAINT pets_owner_fk FOREIGN KEY (owner) REFERENCES "People" (id) ON DELETE CASCADE
);
CREATE TABLE visits (
    id bigserial PRIMARY KEY,
    owner integer,
    pet text,
    CONSTRAINT visits_owner_pet_fkey FOREIGN KEY (owner, pet) REFERENCES pets (owner, name)
        ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE TABLE log (at timestamp(3), what text);
CREATE TABLE walks (
    id serial PRIMARY KEY,
    person integer NOT NULL REFERENCES "People" (id) ON DELETE SET NULL
);
"""


def test_sql_schemas_prisma_can_express_round_trip(
    pg: Server, empty: Server, tmp_path: Path
) -> None:
    pg.execute(EXPRESSIBLE)
    result = round_trip_postgres(pg, empty, tmp_path)
    assert result.changes == [], result.text
    assert "Prisma cannot declare" not in result.text
    text = " ".join(result.text.split())
    for expected in (
        'e_mail String @unique(map: "people_email") @map("e-mail") @db.VarChar(320)',
        "mood Mood @default(in_between)",
        "moods Mood[] @default([sad, st])",
        'token String @default(dbgenerated("gen_random_uuid()")) @db.Uuid',
        '@@index([tags], map: "people_tags", type: Gin)',
        '@@id([owner, name], map: "pets_pk")',
        "People People @relation(fields: [owner], references: [id], onDelete: Cascade, "
        'onUpdate: NoAction, map: "pets_owner_fk")',
        "pets pets? @relation(fields: [owner, pet], references: [owner, name])",
        # SET NULL on a NOT NULL column: PostgreSQL takes it, and so does Prisma (warning).
        "People People @relation(fields: [person], references: [id], onDelete: SetNull, "
        "onUpdate: NoAction)",
        'enum Mood { happy sad in_between @map("in between") st @map("1st") }',
    ):
        assert expected in text


UNDECLARABLE = """
CREATE TABLE accounts (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    upper_email text GENERATED ALWAYS AS (upper(email)) STORED,
    name text COLLATE "C",
    CONSTRAINT accounts_email_check CHECK (email <> '')
);
COMMENT ON TABLE accounts IS 'who pays';
CREATE INDEX accounts_lower ON accounts (lower(email));
CREATE INDEX accounts_named ON accounts (email) WHERE name IS NOT NULL;
CREATE INDEX accounts_covering ON accounts (email) INCLUDE (name);
CREATE TABLE invoices (
    id serial PRIMARY KEY,
    account integer NOT NULL REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE VIEW payers AS SELECT email FROM accounts;
"""


def test_what_prisma_cannot_declare_is_listed(pg: Server, empty: Server, tmp_path: Path) -> None:
    pg.execute(UNDECLARABLE)
    result = round_trip_postgres(pg, empty, tmp_path)
    for listed in (
        '// Prisma cannot declare these parts of the table "accounts"',
        '//   - the column "id" is GENERATED ALWAYS AS IDENTITY',
        '//   - the column "upper_email" is GENERATED ALWAYS AS (upper(email)) STORED',
        '//   - the column "name" has COLLATE C',
        '//   - index "accounts_lower" on (lower(email))',
        '//   - index "accounts_named" on (email) WHERE (name IS NOT NULL)',
        '//   - index "accounts_covering" on (email) INCLUDE (name)',
        "//   - the unique constraint on (email) is part of the table",
        "//   - CONSTRAINT \"accounts_email_check\" CHECK ((email <> ''::text))",
        '//   - the table\'s comment "who pays"',
        "//   - FOREIGN KEY (account) REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED",
        "// CREATE VIEW payers AS SELECT accounts.email",
    ):
        assert listed in result.text
    assert [type(c).__name__ for c in result.changes if not isinstance(c, ch.ModifyTable)] == [
        "DropView"
    ]
    changed = {c.new.name for c in result.changes if isinstance(c, ch.ModifyTable)}
    assert changed == {"accounts", "invoices"}
