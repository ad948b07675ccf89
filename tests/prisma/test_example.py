"""The bundled example (examples/mediaserver) as ``scripts/demo`` runs it: version 1 of the
Prisma schema pushed into a new file, rows added, version 2 pushed without losing a row,
then nothing left to do. Prisma builds the same databases from both versions, and the
database pulled back as a Prisma schema pushes to the same schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import inspect_db, table_rows
from tests.prisma import prisma_cli
from tests.prisma.pull_support import round_trip
from trueup.push import push
from trueup.sources import load_schema
from trueup.urls import parse_url

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mediaserver"
V1 = EXAMPLE / "prisma" / "schema.prisma"
V2 = EXAMPLE / "prisma-v2" / "schema.prisma"


def push_schema(schema: Path, db: Path) -> None:
    push(parse_url(str(db)), load_schema(str(schema)).schema)


def test_version_2_keeps_every_row(tmp_path: Path) -> None:
    db = tmp_path / "media.db"
    push_schema(V1, db)
    conn = sqlite3.connect(db)
    conn.executescript((EXAMPLE / "seed.sql").read_text())
    conn.close()
    before = table_rows(db)

    push_schema(V2, db)
    after = table_rows(db)
    titles = [(r["id"], r["title"]) for r in after["media"]]
    assert titles == [(1, "Metropolis"), (2, "Untitled"), (3, "Cosmos")]
    assert [r["role"] for r in after["users"]] == ["VIEWER", "VIEWER"]
    for table in ("users", "libraries", "watch_history"):
        kept = [{k: r[k] for k in before[table][0]} for r in after[table]]
        assert kept == before[table], table

    schema = inspect_db(db)
    result = push(parse_url(str(db)), load_schema(str(V2)).schema)
    assert not result.plan.steps
    assert inspect_db(db) == schema


def test_the_example_database_pulls_back_to_the_same_schema(tmp_path: Path) -> None:
    db = tmp_path / "media.db"
    push_schema(V2, db)
    result = round_trip(db, tmp_path)
    assert result.changes == [], result.text
    text = " ".join(result.text.split())
    # Prisma's pull names models after tables; the join table keeps its relation name.
    assert 'collections collections[] @relation("CollectionToMedia")' in text
    assert 'media media[] @relation("CollectionToMedia")' in text


@pytest.mark.usefixtures("prisma")
@pytest.mark.parametrize("schema", [V1, V2], ids=["v1", "v2"])
def test_prisma_builds_the_same_database(schema: Path, tmp_path: Path) -> None:
    made_by_prisma = tmp_path / "prisma.db"
    result = prisma_cli.db_push(schema, made_by_prisma)
    assert result.code == 0, result.output
    made_by_trueup = tmp_path / "trueup.db"
    push_schema(schema, made_by_trueup)
    assert inspect_db(made_by_trueup) == inspect_db(made_by_prisma)
