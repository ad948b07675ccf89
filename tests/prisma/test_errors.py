"""Schema errors name file:line:col, show the line with a caret under the column, and say
what was expected. What Prisma only warns about is a warning with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from trueup.errors import Location, SchemaError
from trueup.model import Action
from trueup.sources import load_schema

HEAD = 'datasource db {\n  provider = "sqlite"\n}\n'


def error_for(tmp_path: Path, body: str, *, head: str = HEAD) -> SchemaError:
    path = tmp_path / "schema.prisma"
    path.write_text(head + body)
    with pytest.raises(SchemaError) as caught:
        load_schema(str(path))
    return caught.value


def test_an_error_shows_the_place_the_line_and_a_caret(tmp_path: Path) -> None:
    err = error_for(tmp_path, "model A {\n  id   Int @id\n  name Strin\n}\n")
    assert err.location is not None
    assert (err.location.line, err.location.column) == (6, 8)
    text = str(err)
    lines = text.splitlines()
    assert lines[0] == (
        f'{tmp_path / "schema.prisma"}:6:8: error: Type "Strin" is neither a built-in type, '
        "nor refers to another model, composite type, or enum."
    )
    assert lines[1] == "6 |   name Strin"
    assert lines[2] == "    " + " " * 7 + "^"


@pytest.mark.parametrize(
    ("body", "line", "column", "words"),
    [
        ("model A {\n  id Int @id @default(\n}\n", 5, 23, "Unexpected end of line"),
        ("model A {\n  id Int @id\n", 4, 1, "not closed"),
        ("model A { id Int @id }\n", 4, 1, "not closed"),
        ("model A {\n  id Int @id\n  name\n}\n", 6, 3, "missing a name or a type"),
        ("model A {\n  id Int @id\n  tags [String]\n}\n", 6, 8, "`Type[]` instead of `[Type]`"),
        ("model A {\n  id Int! @id\n}\n", 5, 6, "`!` is no longer required"),
        ('model A {\n  id Int @id @map("x)\n}\n', 5, 19, 'a closing `"`'),
        ("model A {\n  id Int @id $\n}\n", 5, 14, "Unexpected `$`"),
        ("tabel A {\n}\n", 4, 1, "does not start with any known Prisma schema keyword"),
        ("type Money = Decimal\n", 4, 1, "Invalid type definition"),
        ("model A {\n  id Int @id(sort: Up)\n}\n", 5, 10, "can only be `Asc` or `Desc`"),
        (
            "model A {\n  id Int @id\n  @@index([nope])\n}\n",
            6,
            3,
            "refers to the unknown fields: nope",
        ),
        ("model A {\n  id Int @id @default(1, 2)\n}\n", 5, 14, "multiple unnamed arguments"),
        ("model A {\n  id Int @id(sort: Desc)\n}\n", 5, 10, "sort argument is not supported"),
        (
            "model A {\n  a Int\n  b Int\n\n  @@id([a, b(sort: Asc)])\n}\n",
            8,
            3,
            "sort argument is not supported in the primary key",
        ),
    ],
)
def test_syntax_and_validation_errors_point_at_the_problem(
    tmp_path: Path, body: str, line: int, column: int, words: str
) -> None:
    err = error_for(tmp_path, body)
    assert err.location is not None
    assert (err.location.line, err.location.column) == (line, column), str(err)
    assert words in err.message


def test_errors_in_a_schema_folder_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "main.prisma").write_text(HEAD)
    (tmp_path / "models.prisma").write_text("model A {\n  id Int @id\n  b  Nope\n}\n")
    with pytest.raises(SchemaError) as caught:
        load_schema(str(tmp_path))
    assert str(caught.value).startswith(f"{tmp_path / 'models.prisma'}:3:")


@pytest.mark.parametrize(
    ("head", "words"),
    [
        ("", "no datasource block"),
        ('datasource db {\n  provider = "mysql"\n}\n', 'must be "sqlite" or "postgresql"'),
        ('datasource db {\n  provider = "oracle"\n}\n', 'Datasource provider not known: "oracle"'),
        ('datasource db {\n  provider = "sqlite"\n  url = "dev.db"\n}\n', "protocol `file:`"),
        ('datasource db {\n  provider = "sqlite"\n  colour = "red"\n}\n', "Property not known"),
        (HEAD + HEAD.replace("db", "other"), "more than one datasource"),
        ('datasource db {\n  provider = "sqlite"\n}\ngenerator c {\n}\n', '"provider" is missing'),
    ],
)
def test_datasource_errors(tmp_path: Path, head: str, words: str) -> None:
    err = error_for(tmp_path, "model A {\n  id Int @id\n}\n", head=head)
    assert words in err.message


def test_a_missing_datasource_names_the_files_it_was_looked_for_in(tmp_path: Path) -> None:
    err = error_for(tmp_path, "model A {\n  id Int @id\n}\n", head="")
    assert err.message.startswith(f"{tmp_path / 'schema.prisma'} has no datasource block")
    folder = tmp_path / "prisma"
    folder.mkdir()
    for name in ("a", "b", "c", "d"):
        (folder / f"{name}.prisma").write_text(f"model {name.upper()} {{\n  id Int @id\n}}\n")
    with pytest.raises(SchemaError) as caught:
        load_schema(str(folder))
    shown = ", ".join(str(folder / f"{n}.prisma") for n in "abc")
    assert caught.value.message.startswith(
        f"No file of the schema ({shown}, …) has a datasource block"
    )


def test_postgres_only_validations(tmp_path: Path) -> None:
    pg = 'datasource db {\n  provider = "postgresql"\n}\n'
    cases = {
        "model A {\n  id Int @id\n  n String @db.VarChar(1, 2)\n}\n": "takes 1 optional",
        "model A {\n  id Int @id\n  n Int @db.VarChar(3)\n}\n": "not compatible with declared",
        "model A {\n  id Int @id\n  n Decimal @db.Decimal(3, 5)\n}\n": "scale must not be larger",
        "model A {\n  id Int @id\n  n String @db.Bit(0)\n}\n": "M must be a positive integer",
        "model A {\n  id Int @id\n  n String @db.Strange\n}\n": "not supported for postgresql",
        "model A {\n  id Int @id\n  n String @x.Text\n}\n": "prefix x is invalid",
        "model A {\n  id Int @id\n\n  @@index([id], type: Fancy)\n}\n": "Unknown index type",
        'model A {\n  id Int @id\n\n  @@schema("a")\n}\n': "not defined in the datasource",
        'model A {\n  id Int @id(map: "' + "p" * 64 + '")\n}\n': "too long",
        "model A {\n  id Int @id\n  n String\n\n  @@index([n(ops: TextOps)])\n}\n": (
            "`TextOps` is not supported with the `BTree` index type"
        ),
        "model A {\n  id Int @id\n  n Int\n\n  @@index([n(ops: Int4MinMaxOps)], type: Hash)\n}\n": (
            "`Int4MinMaxOps` is not supported with the `Hash` index type"
        ),
    }
    for body, words in cases.items():
        assert words in error_for(tmp_path, body, head=pg).message, body


@pytest.mark.parametrize("action", ["NoAction", "SetDefault"])
def test_actions_the_client_cannot_emulate(tmp_path: Path, action: str) -> None:
    head = 'datasource db {\n  provider = "sqlite"\n  relationMode = "prisma"\n}\n'
    body = (
        "model A {\n  id Int @id\n  bs B[]\n}\n"
        "model B {\n  id Int @id\n  aId Int\n"
        f"  a A @relation(fields: [aId], references: [id], onDelete: {action})\n}}\n"
    )
    err = error_for(tmp_path, body, head=head)
    assert err.location is not None and err.location.line == 12
    assert f"`{action}` is not implemented for sqlite" in err.message
    # With foreign keys the database does it.
    path = tmp_path / "fk.prisma"
    path.write_text(HEAD + body)
    load_schema(str(path))


SET_NULL_MODELS = (
    "model A {\n  id Int @id\n  bs B[]\n}\n"
    "model B {\n  id Int @id\n  aId Int\n"
    "  a A @relation(fields: [aId], references: [id], ACTION)\n}\n"
)


@pytest.mark.parametrize("arg", ["onDelete", "onUpdate"])
@pytest.mark.parametrize(
    "head",
    [
        HEAD,
        'datasource db {\n  provider = "sqlite"\n  relationMode = "prisma"\n}\n',
        'datasource db {\n  provider = "postgresql"\n  relationMode = "prisma"\n}\n',
    ],
    ids=["sqlite", "sqlite-emulated", "postgresql-emulated"],
)
def test_set_null_on_a_required_relation_is_an_error_without_postgres_foreign_keys(
    tmp_path: Path, head: str, arg: str
) -> None:
    err = error_for(tmp_path, SET_NULL_MODELS.replace("ACTION", f"{arg}: SetNull"), head=head)
    assert err.location is not None
    assert (err.location.line, err.location.column) == (head.count("\n") + 8, 3)
    assert err.message == (
        f"The `{arg}` referential action of a relation must not be set to `SetNull` when a "
        "referenced field is required. Either choose another referential action, or make "
        "the referenced fields optional."
    )


def test_set_null_on_a_required_relation_is_a_warning_on_postgres(tmp_path: Path) -> None:
    path = tmp_path / "schema.prisma"
    head = 'datasource db {\n  provider = "postgresql"\n}\n'
    path.write_text(
        head + SET_NULL_MODELS.replace("ACTION", "onDelete: SetNull, onUpdate: SetNull")
    )
    declared = load_schema(str(path))
    table = declared.schema.table("B")
    assert table is not None
    (fk,) = table.foreign_keys
    assert (fk.on_delete, fk.on_update) == (Action.SET_NULL, Action.SET_NULL)
    where = Location(str(path), 11, 3)
    assert [(w.location, w.message.split(" of ")[0]) for w in declared.warnings] == [
        (where, "The `onDelete` referential action"),
        (where, "The `onUpdate` referential action"),
    ]
    assert str(declared.warnings[0]) == (
        f"{where}: warning: The `onDelete` referential action of a relation should not be set "
        "to `SetNull` when a referenced field is required. We recommend either to choose "
        "another referential action, or to make the referenced fields optional. Read more at "
        "https://pris.ly/d/postgres-set-null"
    )
    assert declared.warnings[1].to_data() == {
        "message": declared.warnings[1].message,
        "path": str(path),
        "line": 11,
        "column": 3,
    }
    # An optional relation may be set to NULL: nothing to warn about.
    path.write_text(
        head
        + SET_NULL_MODELS.replace("ACTION", "onDelete: SetNull")
        .replace("aId Int", "aId Int?")
        .replace("a A @", "a A? @")
    )
    assert load_schema(str(path)).warnings == ()
