"""Loading: dispatch from load_schema, schema folders, the datasource URL, rename hints,
views, and the engine check."""

from __future__ import annotations

from pathlib import Path

import pytest

from trueup.diff.renames import Renames
from trueup.errors import SchemaError
from trueup.sources import load_schema
from trueup.sources.prisma import load_prisma

CORPUS = Path(__file__).parent / "corpus" / "sqlite"


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_a_folder_of_prisma_files_is_one_schema_and_views_are_not_created() -> None:
    declared = load_schema(str(CORPUS / "multi_file"), "sqlite")
    assert [t.name for t in declared.schema.tables] == ["Customer", "Order"]
    assert declared.schema.views == ()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ('"file:./dev.db"', "file:{dir}/dev.db"),
        ('"file:../data/app.db?mode=rwc"', "file:{parent}/data/app.db?mode=rwc"),
        ('"file:/srv/app.db"', "file:/srv/app.db"),
        ('env("APP_DB")', "file:{dir}/from-env.db"),
        ('env("MISSING_VARIABLE")', None),
        (None, None),
    ],
)
def test_the_datasource_url_is_exposed_and_relative_to_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str | None, expected: str | None
) -> None:
    folder = tmp_path / "prisma"
    folder.mkdir()
    monkeypatch.setenv("APP_DB", "file:./from-env.db")
    monkeypatch.delenv("MISSING_VARIABLE", raising=False)
    line = f"  url = {url}\n" if url else ""
    path = write(
        folder / "schema.prisma",
        f'datasource db {{\n  provider = "sqlite"\n{line}}}\nmodel A {{\n  id Int @id\n}}\n',
    )
    want = expected.format(dir=folder, parent=tmp_path) if expected else None
    assert load_schema(path, "sqlite").url == want


def test_rename_hints_use_database_names(tmp_path: Path) -> None:
    path = write(
        tmp_path / "schema.prisma",
        """datasource db {
  provider = "sqlite"
}
/// A person.
/// @renamed from=people
model Person {
  id   Int    @id
  /// @renamed from="full name"
  name String @map("display_name")
  /// @renamed from=mail
  email String

  @@map("persons")
}
""",
    )
    assert load_schema(path, "sqlite").renames == Renames(
        tables={"people": "persons"},
        columns={("persons", "full name"): "display_name", ("persons", "mail"): "email"},
    )


def test_a_rename_hint_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "schema.prisma",
        'datasource db {\n  provider = "sqlite"\n}\n/// @renamed old\nmodel A {\n  id Int @id\n}\n',
    )
    with pytest.raises(SchemaError, match="@renamed from=oldName"):
        load_schema(path, "sqlite")


def test_the_schema_must_be_for_the_databases_engine(tmp_path: Path) -> None:
    path = write(
        tmp_path / "schema.prisma",
        'datasource db {\n  provider = "postgresql"\n}\nmodel A {\n  id Int @id\n}\n',
    )
    with pytest.raises(SchemaError, match="for postgresql, but the database is sqlite"):
        load_schema(path, "sqlite")
    assert load_prisma(path).schema.tables[0].name == "A"


def test_ignored_tables_are_left_out(tmp_path: Path) -> None:
    declared = load_schema(
        str(CORPUS / "worked_example.prisma"), "sqlite", ignore=lambda n: n.startswith("_")
    )
    assert [t.name for t in declared.schema.tables] == ["Post", "Tag", "User"]


def test_sqlite_rejecting_a_verbatim_type_is_a_schema_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "schema.prisma",
        'datasource db {\n  provider = "sqlite"\n}\nmodel A {\n  id Int @id\n'
        '  x Unsupported("a)")\n}\n',
    )
    with pytest.raises(SchemaError, match="SQLite rejected the table `A`") as caught:
        load_schema(path, "sqlite")
    assert caught.value.location is not None and caught.value.location.line == 4
