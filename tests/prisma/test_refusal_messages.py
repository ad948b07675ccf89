"""What a refused push says about a Prisma schema, next to what `prisma db push` says on the
same database: a required column with a Prisma-level default (``uuid()``, ``cuid()``,
``nanoid()``) gets Prisma's advice, and each finding is printed once."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.prisma import prisma_cli
from trueup.cli import cli

V1 = """datasource db {
  provider = "sqlite"
  url      = env("DATABASE_URL")
}

model Item {
  id    Int    @id @default(autoincrement())
  label String%s
}
"""
ADDED = """
  token String @default(uuid())
  code  String @default(cuid())
  slug  String @default(nanoid())
  rank  Int"""


def seeded(folder: Path) -> Path:
    db = folder / "app.db"
    conn = sqlite3.connect(db)
    conn.execute(
        'CREATE TABLE "Item" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, '
        '"label" TEXT NOT NULL)'
    )
    conn.executemany('INSERT INTO "Item" (label) VALUES (?)', [("a",), ("b",)])
    conn.commit()
    conn.close()
    return db


def bullets(text: str) -> list[str]:
    """The findings a refusal lists, one a bullet."""
    return [line.strip() for line in re.findall(r"^\s+• (.+)$", text, re.MULTILINE)]


def test_required_columns_with_prisma_level_defaults_get_prismas_advice(
    tmp_path: Path, prisma: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = tmp_path / "schema.prisma"
    schema.write_text(V1 % ADDED)
    ours = seeded(tmp_path)
    theirs = tmp_path / "prisma.db"
    shutil.copy(ours, theirs)

    by_prisma = prisma_cli.db_push(schema, theirs)
    assert by_prisma.code != 0
    expected = sorted(bullets(by_prisma.output))
    assert len(expected) == 4, by_prisma.output  # three Prisma-level defaults, one plain

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["push", "--schema", str(schema), "--url", "app.db"])
    assert result.exit_code == 3, result.output
    assert sorted(bullets(result.output)) == expected  # Prisma's words, each once
    assert (
        "The required column `token` was added to the `Item` table with a prisma-level "
        "default value. There are 2 rows in this table, it is not possible to execute this "
        "step. Please add this column as optional, then populate it before making it required."
    ) in expected
    assert "Added the required column `rank` to the `Item` table without a default value." in (
        " ".join(expected)
    )
