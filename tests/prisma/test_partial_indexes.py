"""Partial indexes (Prisma 7's ``partialIndexes`` preview feature): the object syntax of the
grammar, the predicate each spelling of ``where`` becomes (as Prisma 7.10.1 writes it, see
the partial_indexes conformance cases), and Prisma's checks with Prisma's wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from trueup.errors import SchemaError
from trueup.sources import load_schema
from trueup.sources.prisma.parser import parse_file
from trueup.sources.prisma.source import SourceFile
from trueup.sources.prisma.syntax import Attribute, Const, Model, Num, Object, Str

HEAD = (
    'datasource db {\n  provider = "sqlite"\n}\n\n'
    'generator client {\n  provider        = "prisma-client-js"\n'
    '  previewFeatures = ["partialIndexes"]\n}\n\n'
)
#: The line of the model's first field below HEAD; each body's fields follow.
MODEL = (
    "model Account {{\n"
    "  id        Int       @id\n"
    "  email     String\n"
    '  name      String?   @map("full_name")\n'
    "  active    Boolean\n"
    "  deletedAt DateTime?\n"
    "  score     Float\n"
    "  rank      Int\n"
    "  role      Role\n"
    '  geo       Unsupported("circle")?\n'
    "  posts     Post[]\n"
    "  {attribute}\n"
    "}}\n\n"
    "enum Role {{\n  ADMIN\n  MEMBER\n}}\n\n"
    "model Post {{\n  id        Int     @id\n  accountId Int\n"
    "  account   Account @relation(fields: [accountId], references: [id])\n}}\n"
)
ATTRIBUTE_LINE = HEAD.count("\n") + 12


def _schema(tmp_path: Path, attribute: str, head: str = HEAD) -> Path:
    path = tmp_path / "schema.prisma"
    path.write_text(head + MODEL.format(attribute=attribute))
    return path


def predicate(tmp_path: Path, attribute: str) -> str | None:
    """The predicate of the one index ``attribute`` makes, as the declared schema has it."""
    declared = load_schema(str(_schema(tmp_path, attribute)), "sqlite")
    table = declared.schema.table("Account")
    assert table is not None
    (index,) = table.indexes
    return index.where.text if index.where is not None else None


@pytest.mark.parametrize(
    ("attribute", "sql"),
    [
        ('@@index([email], where: raw("full_name IS NOT NULL"))', "full_name IS NOT NULL"),
        ("@@index([email], where: { deletedAt: null })", '"deletedAt" IS NULL'),
        ("@@index([email], where: { deletedAt: { not: null } })", '"deletedAt" IS NOT NULL'),
        ("@@index([email], where: { active: true })", '"active" = true'),
        ("@@index([email], where: { active: { not: false } })", '"active" != false'),
        ('@@index([email], where: { name: "it\'s" })', "\"full_name\" = 'it''s'"),
        ('@@index([email], where: { name: { not: "x" } })', "\"full_name\" != 'x'"),
        ("@@index([email], where: { rank: -1, score: 1.50 })", '"rank" = -1 AND "score" = 1.50'),
        ('@@index([email], where: { role: "ADMIN" })', "\"role\" = 'ADMIN'"),
        (
            '@@index([email], where: { deletedAt: "2020-01-02T03:04:05Z" })',
            "\"deletedAt\" = '2020-01-02T03:04:05Z'",
        ),
        # Prisma reads the first argument of raw(), named or not, and ignores the others.
        ('@@index([email], where: raw(sql: "rank > 0", "ignored"))', "rank > 0"),
        ("@@unique([email], where: {deletedAt:null})", '"deletedAt" IS NULL'),
        ("@@index([email], where: { geo: null })", '"geo" IS NULL'),
        ("@@index([email])", None),
    ],
)
def test_each_spelling_of_where_becomes_prismas_predicate(
    tmp_path: Path, attribute: str, sql: str | None
) -> None:
    assert predicate(tmp_path, attribute) == sql


def test_a_field_unique_takes_where(tmp_path: Path) -> None:
    path = tmp_path / "schema.prisma"
    path.write_text(
        HEAD + 'model A {\n  id Int @id\n  code String @unique(where: raw("id > 0"))\n}\n'
    )
    table = load_schema(str(path), "sqlite").schema.table("A")
    assert table is not None
    (index,) = table.indexes
    assert index.unique and index.where is not None and index.where.text == "id > 0"


def test_the_preview_feature_is_named_in_any_case(tmp_path: Path) -> None:
    head = HEAD.replace('"partialIndexes"', '"PARTIALINDEXES"')
    path = _schema(tmp_path, "@@index([email], where: { active: true })", head)
    assert load_schema(str(path), "sqlite").schema.table("Account") is not None


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        (
            '@@index([email], where: "active")',
            "The `where` argument must be either a raw() function call or an object literal, "
            "e.g. `where: raw(\"status = 'active'\")` or `where: { active: true }`.",
        ),
        (
            "@@index([email], where: raw())",
            "The `where` argument must be a raw() function with a string argument, e.g. "
            "`where: raw(\"status = 'active'\")`.",
        ),
        (
            '@@index([email], where: raw(""))',
            "The `where` argument cannot contain an empty string.",
        ),
        ("@@index([email], where: {})", "The `where` argument cannot be an empty object."),
        ("@@index([email], where: { nope: 1 })", "Field 'nope' does not exist in model 'Account'."),
        (
            "@@index([email], where: { posts: null })",
            "Field 'posts' is a relation field. Only scalar fields can be used in the where "
            "clause.",
        ),
        (
            "@@index([email], where: { active: 1 })",
            "Type mismatch: field 'active' is of type Boolean, but the value is a Number.",
        ),
        (
            "@@index([email], where: { email: true })",
            "Type mismatch: field 'email' is of type String, but the value is Boolean.",
        ),
        (
            '@@index([email], where: { rank: "high" })',
            "Type mismatch: field 'rank' is of type Int, but the value is a String.",
        ),
        (
            "@@index([email], where: { role: true })",
            "Type mismatch: field 'role' is an Enum and only accepts String values in the where "
            "clause.",
        ),
        (
            '@@index([email], where: { geo: "x" })',
            "Field 'geo' is an unsupported type and cannot be used in the object syntax of a "
            "where clause. Use raw() instead.",
        ),
        (
            "@@index([email], where: { active: maybe })",
            "Invalid value 'maybe' in where clause. Expected true, false, null, a string, a "
            "number, or an object like { not: null }.",
        ),
        (
            "@@index([email], where: { active: [true] })",
            "Invalid value in where clause. Expected true, false, null, a string, a number, or "
            "an object like { not: null }.",
        ),
        (
            "@@index([email], where: { deletedAt: { not: { not: null } } })",
            "Invalid value in where clause. Expected true, false, null, a string, a number, or "
            "an object like { not: null }.",
        ),
        (
            '@@index([email], where: { deletedAt: { not: null, eq: "x" } })',
            "Nested object in where clause must have exactly one key. Use `{ not: null }` or "
            '`{ not: "value" }`.',
        ),
        (
            "@@index([email], where: { deletedAt: { eq: null } })",
            "Unknown key 'eq' in nested where clause object. Only 'not' is supported.",
        ),
    ],
)
def test_prismas_checks_of_where(tmp_path: Path, attribute: str, message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        load_schema(str(_schema(tmp_path, attribute)), "sqlite")
    assert caught.value.message == message
    assert caught.value.location is not None
    assert caught.value.location.line == ATTRIBUTE_LINE


def test_where_needs_the_preview_feature(tmp_path: Path) -> None:
    head = HEAD.replace('  previewFeatures = ["partialIndexes"]\n', "")
    path = _schema(tmp_path, "@@unique([email], where: { deletedAt: null })", head)
    with pytest.raises(SchemaError) as caught:
        load_schema(str(path), "sqlite")
    assert caught.value.message == (
        'Partial indexes are a preview feature. Add "partialIndexes" to previewFeatures in '
        "your generator block."
    )


@pytest.mark.parametrize(
    "model",
    [
        "model A {\n  id Int @id(where: { id: 1 })\n}\n",
        "model A {\n  id Int\n\n  @@id([id], where: { id: 1 })\n}\n",
    ],
    ids=["field", "block"],
)
def test_where_is_no_argument_of_a_primary_key(tmp_path: Path, model: str) -> None:
    path = tmp_path / "schema.prisma"
    path.write_text(HEAD + model)
    with pytest.raises(SchemaError, match=r"No such argument\.") as caught:
        load_schema(str(path), "sqlite")
    assert "`where`" not in caught.value.message  # not among the arguments it takes


def _attribute(text: str) -> Attribute:
    (model,) = parse_file(SourceFile("s.prisma", f"model A {{\n  id Int @id\n  {text}\n}}\n"))
    assert isinstance(model, Model)
    return model.attributes[0]


def test_an_object_is_an_expression_of_the_grammar() -> None:
    attr = _attribute('@@index([a], where: { a: null, b: { not: "x" }, c: -1 })')
    value = attr.args[1].value
    assert isinstance(value, Object)
    assert [m.key for m in value.members] == ["a", "b", "c"]
    assert isinstance(value.members[0].value, Const)
    nested = value.members[1].value
    assert isinstance(nested, Object) and isinstance(nested.members[0].value, Str)
    assert isinstance(value.members[2].value, Num)
    empty = _attribute("@@index([a], where: {})").args[1].value
    assert isinstance(empty, Object) and empty.members == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('@@index([a], where: { a: "x", })', "expected a key"),
        ("@@index([a], where: { a null })", "Unexpected `null`: expected `:`"),
        ('@@index([a], where: { "a": 1 })', "or a key"),
        ("@@index([a], where: { a: 1 b: 2 })", "Unexpected `b`: expected `(`, `}` or `,`"),
        ("@@index([a], where: { a: })", "expected a value"),
    ],
)
def test_what_the_object_syntax_refuses(text: str, words: str) -> None:
    with pytest.raises(SchemaError) as caught:
        _attribute(text)
    assert words in caught.value.message
