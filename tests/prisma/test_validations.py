"""Checks Prisma makes once a schema parses, where trueup once differed from it: values it
takes in more spellings than trueup did, and refusals trueup did not make. Each has a corpus
case that carries Prisma's verdict (test_conformance.py checks them with the real Prisma)."""

from __future__ import annotations

import pytest

from tests.prisma.grammar_support import (
    SQLITE,
    assert_refused_at,
    corpus_text,
    data_model,
    model,
)
from trueup.model import Expr
from trueup.sources.prisma import schema_for
from trueup.sources.prisma.datamodel import NativeType


def test_native_type_arguments_are_positional() -> None:
    text = corpus_text("conformance/postgresql/native_type_argument_spellings")
    item = model(data_model(text), "Item")
    natives = {f.name: f.native for f in item.fields}
    assert natives["code"] == NativeType("VarChar", (12,))
    assert natives["note"] == NativeType("VarChar", ())
    assert natives["price"] == NativeType("Decimal", (10, 2))


def test_a_relation_column_keeps_its_own_native_type() -> None:
    data = data_model(corpus_text("conformance/postgresql/relation_native_types_differ"))
    schema = schema_for(data)
    user, account = schema.table("User"), schema.table("Account")
    assert user is not None and account is not None
    assert user.column("id").type == "VARCHAR(30)"  # type: ignore[union-attr]
    assert account.column("userId").type == "TEXT"  # type: ignore[union-attr]
    (fk,) = account.foreign_keys
    assert (fk.columns, fk.ref_table, fk.ref_columns) == (("userId",), "User", ("id",))


def test_default_values_in_the_spellings_prisma_takes() -> None:
    data = data_model(corpus_text("conformance/grammar_default_spellings"))
    schema = schema_for(data)
    table = schema.table("Reading")
    assert table is not None
    defaults = {c.name: c.default for c in table.columns}
    spaced = "'2024-01-31 12:00:00 +00:00'"
    assert defaults["spaced"] == Expr(spaced, spaced)
    assert defaults["lower"] is not None and "12:00:00.500 +00:00" in defaults["lower"].text
    assert defaults["offset"] is not None and "+02:00" in defaults["offset"].text
    assert defaults["scaled"] is not None and defaults["scaled"].text == "100"
    text = corpus_text("conformance/sqlite/int_default_beyond_32_bits")
    counter = model(data_model(text), "Counter")
    start = counter.field("start")
    assert start is not None and start.default is not None
    assert getattr(start.default.value, "text", None) == "3000000000"


def test_an_empty_map_is_a_name() -> None:
    # Prisma takes @map("") as the name "", and so does trueup (the database judges it).
    data = data_model(SQLITE + 'model A {\n  id Int @id\n  b Int @map("")\n}\n')
    b = model(data, "A").field("b")
    assert b is not None and b.db_name == ""


@pytest.mark.parametrize(
    ("case", "where", "words"),
    [
        ("relation_with_empty_name", 'Account[] @relation("")', "cannot have an empty name"),
        ("key_name_with_dash", "@@id", "only allows for the following characters: `_a-zA-Z0-9`"),
        ("key_name_of_a_field", "model A", "is already used as a name for a field"),
        ("ignore_on_unsupported", "@ignore", "cannot take an `@ignore` attribute"),
        ("enums_with_one_database_name", "enum Shade", "same database name is already defined"),
        ("named_default", "map:", "database name for the default value"),
        ("unknown_type_before_attribute_errors", "Strng", 'Type "Strng" is neither'),
        ("two_ids", "model A", "At most one field must be marked as the id field"),
    ],
)
def test_refusals_prisma_makes(case: str, where: str, words: str) -> None:
    assert_refused_at(case, where, words)
