"""``inspect --format prisma`` against the real Prisma CLI (6.19.3, see test_conformance):
for each schema of the corpus, on the database ``prisma db push`` made from it,

- Prisma accepts the pulled schema (``prisma validate``), and finds its own database in
  sync with it exactly when it finds it in sync with the original schema;
- pushed by trueup into an empty file, the pulled schema makes the same database again;
- it names models, fields and relations as Prisma's own ``prisma db pull`` does, with the
  same types, optionality and relation names.

And for databases made from SQL schemas Prisma can express, Prisma itself pushing the
pulled schema into an empty file makes the same database.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import DIALECT, inspect_db
from tests.prisma import prisma_cli
from tests.prisma.pull_support import round_trip
from tests.prisma.test_pull import EXPRESSIBLE, sqlite_db
from trueup.diff.differ import diff
from trueup.sources.prisma.parser import parse_file
from trueup.sources.prisma.source import SourceFile
from trueup.sources.prisma.syntax import Model

CORPUS = sorted((Path(__file__).parent / "corpus" / "sqlite").iterdir())


def shape(text: str) -> dict[str, set[tuple[str, str, str]]]:
    """Per model: each field's name, type (an Unsupported type by its kind only: trueup
    keeps the database's spelling, Prisma lower-cases it) and relation name."""
    out: dict[str, set[tuple[str, str, str]]] = {}
    for block in parse_file(SourceFile("pulled.prisma", text)):
        if not isinstance(block, Model):
            continue
        fields = set()
        for f in block.fields:
            kind = "Unsupported" if f.type.unsupported is not None else f.type.name
            kind += "[]" if f.type.list else "?" if f.type.optional else ""
            relation = next(
                (a.args[0].value for a in f.attributes if a.name == "relation" and a.args),
                None,
            )
            name = getattr(relation, "value", "") if relation is not None else ""
            fields.add((f.name, kind, name))
        out[block.name] = fields
    return out


@pytest.mark.usefixtures("prisma")
@pytest.mark.parametrize("schema", CORPUS, ids=lambda p: p.stem)
def test_a_database_made_by_prisma_round_trips(schema: Path, tmp_path: Path) -> None:
    made_by_prisma = tmp_path / "prisma.db"
    pushed = prisma_cli.db_push(schema, made_by_prisma)
    assert pushed.code == 0, pushed.output

    result = round_trip(made_by_prisma, tmp_path)
    assert result.changes == [], result.text
    assert inspect_db(made_by_prisma) == result.original
    pulled = tmp_path / "pulled.prisma"

    checked = prisma_cli.validate(pulled, tmp_path / "unused.db")
    assert checked.code == 0, checked.output + result.text

    # Prisma pushing the pulled schema onto its own database: nothing to do, exactly when
    # pushing the original schema again has nothing to do (a few columns Prisma rebuilds
    # on every push, e.g. Unsupported types and some defaults).
    copy = tmp_path / "copy.db"
    shutil.copy(made_by_prisma, copy)
    again = prisma_cli.db_push(schema, copy)
    on_pulled = prisma_cli.db_push(pulled, made_by_prisma)
    assert again.code == 0 and on_pulled.code == 0, again.output + on_pulled.output
    in_sync = "already in sync" in again.output
    assert ("already in sync" in on_pulled.output) == in_sync, on_pulled.output

    # The same names as Prisma's own db pull.
    theirs = prisma_cli.db_pull(made_by_prisma, tmp_path)
    assert theirs.code == 0, theirs.output
    assert shape(result.text) == shape(theirs.stdout), theirs.stdout


@pytest.mark.usefixtures("prisma")
@pytest.mark.parametrize("name", sorted(EXPRESSIBLE))
def test_prisma_pushes_the_pulled_schema_to_the_same_database(name: str, tmp_path: Path) -> None:
    original = sqlite_db(tmp_path / "made.db", EXPRESSIBLE[name])
    result = round_trip(original, tmp_path)
    made_by_prisma = tmp_path / "prisma.db"
    pushed = prisma_cli.db_push(tmp_path / "pulled.prisma", made_by_prisma)
    assert pushed.code == 0, pushed.output + result.text
    assert diff(result.original, inspect_db(made_by_prisma), DIALECT.hooks) == [], result.text


@pytest.mark.usefixtures("prisma")
def test_json_defaults_are_pulled_as_prisma_pulls_them(tmp_path: Path) -> None:
    # Prisma writes a Json default unquoted into SQLite's DDL (DEFAULT []) and its db pull
    # reads that back as @default("[]"): the same text, and the same database again.
    schema = Path(__file__).parent / "corpus" / "conformance" / "sqlite" / "json_defaults.prisma"
    made_by_prisma = tmp_path / "prisma.db"
    pushed = prisma_cli.db_push(schema, made_by_prisma)
    assert pushed.code == 0, pushed.output
    result = round_trip(made_by_prisma, tmp_path)
    assert result.changes == [], result.text
    theirs = prisma_cli.db_pull(made_by_prisma, tmp_path)
    assert theirs.code == 0, theirs.output
    assert _defaults(result.text) == _defaults(theirs.stdout), theirs.stdout


def _defaults(text: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(\w+)\s.*?(@default\(.*\))", text, re.MULTILINE))
