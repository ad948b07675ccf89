"""How Prisma reads an attribute's arguments (docs/prisma-grammar.md, "Argument shapes"):
each rule with what it means to trueup, and the corpus cases that carry Prisma's verdict
(checked against the real Prisma by test_conformance.py)."""

from __future__ import annotations

import pytest

from tests.prisma.grammar_support import (
    POSTGRES,
    SQLITE,
    assert_refused_at,
    columns,
    corpus_text,
    data_model,
    index_named,
    model,
    refusal,
)

# --- a lone value is a one-item list --------------------------------------------------------


def test_a_lone_value_is_a_one_item_list() -> None:
    data = data_model(corpus_text("conformance/grammar_lone_values"))
    user, account, like = (model(data, n) for n in ("User", "Account", "Like"))
    assert [(i.kind, columns(i)) for i in user.indexes] == [
        ("unique", [("slug", False)]),
        ("unique", [("orgId", False)]),
    ]
    assert index_named(user, "user_org").kind == "unique"
    assert [columns(i) for i in account.indexes] == [
        [("userId", False)],
        [("updatedAt", True)],
    ]
    (fk,) = account.foreign_keys
    assert (fk.columns, fk.ref_model, fk.ref_columns) == (("userId",), "User", ("id",))
    assert like.primary_key is not None and like.primary_key.columns == ("postId",)


def test_a_lone_value_in_the_datasource_and_generator() -> None:
    data = data_model(
        POSTGRES.replace("}", '  schemas  = "public"\n}')
        + 'generator c {\n  provider        = "x"\n  previewFeatures = "views"\n}\n'
        + 'view V {\n  id Int @unique\n\n  @@schema("public")\n}\n'
        + 'model A {\n  id Int @id\n\n  @@schema("public")\n}\n'
    )
    assert data.datasource.schemas == ("public",)
    assert model(data, "V").is_view


# --- the default argument ------------------------------------------------------------------


def test_an_unnamed_argument_is_the_default_argument_wherever_it_stands() -> None:
    data = data_model(corpus_text("conformance/grammar_arguments"))
    like = model(data, "Like")
    assert like.primary_key is not None and like.primary_key.columns == ("postId", "userId")
    assert [i.name for i in like.indexes] == ["like_user"]
    # `"LikedBy"` after the named arguments names the relation: it pairs with User.likes.
    (fk,) = like.foreign_keys
    assert (fk.columns, fk.ref_model) == (("userId",), "User")


def test_a_default_argument_may_be_named() -> None:
    user = model(data_model(corpus_text("conformance/grammar_arguments")), "User")
    worker = user.field("workerId")
    assert worker is not None and worker.default is not None
    assert getattr(worker.default.value, "text", None) == "0"


@pytest.mark.parametrize(
    ("case", "where", "words"),
    [
        ("two_unnamed_arguments", "@@index([tag], [id])", "multiple unnamed arguments"),
        (
            "unnamed_and_named_default_argument",
            "fields: [id]",
            'Argument "fields" is already specified as unnamed argument.',
        ),
        ("unknown_argument", "clusterd", "No such argument."),
        ("argument_to_updated_at", "@updatedAt(1)", "No such argument."),
        ("index_with_empty_field_list", "@@index([])", "cannot be empty"),
    ],
)
def test_default_argument_errors(case: str, where: str, words: str) -> None:
    assert_refused_at(case, where, words)


def test_a_missing_default_argument() -> None:
    assert (
        'Argument "fields" is missing.'
        in refusal(SQLITE + 'model A {\n  id Int @id\n\n  @@index(map: "x")\n}\n').message
    )
    assert (
        'Argument "value" is missing.'
        in refusal(SQLITE + "model A {\n  id Int @id @default()\n}\n").message
    )


def test_an_argument_given_twice() -> None:
    err = refusal(SQLITE + 'model A {\n  id Int @id(map: "a", map: "b")\n}\n')
    assert err.message == 'Argument "map" is already specified.'


# --- empty arguments and trailing commas ----------------------------------------------------


@pytest.mark.parametrize(
    ("case", "where", "words"),
    [
        ("empty_argument", "map:)", "The `map` argument is missing a value."),
        ("empty_argument_in_index_field", "sort:)", "The `sort` argument is missing a value."),
        ("trailing_comma_in_attribute", "[tag],)", "Trailing commas are not valid"),
        ("trailing_comma_in_default_call", "uuid(4,)", "Trailing commas are not valid"),
        ("trailing_comma_in_list", "[tag,]", "not a valid field or attribute definition"),
    ],
)
def test_empty_arguments_and_trailing_commas(case: str, where: str, words: str) -> None:
    assert_refused_at(case, where, words)


def test_a_trailing_comma_prisma_lets_pass() -> None:
    # Prisma checks the attribute's calls, not those inside its lists.
    text = "model A {\n  id Int @id\n  s String\n\n  @@index([s(sort: Desc,)])\n}\n"
    data = data_model(SQLITE + text)
    assert [columns(i) for i in model(data, "A").indexes] == [[("s", True)]]


def test_an_empty_argument_list() -> None:
    data = data_model(SQLITE + "model A {\n  id Int @id()\n}\n")
    assert model(data, "A").primary_key is not None


# --- index fields ---------------------------------------------------------------------------


def test_arguments_prisma_ignores_in_an_index_field() -> None:
    user = model(data_model(corpus_text("conformance/grammar_arguments")), "User")
    # `id(order: Desc)`: no such argument, ignored: an ascending index.
    assert columns(index_named(user, "User_workerId_id_idx")) == [
        ("workerId", False),
        ("id", False),
    ]
    # `name(Desc)`: unnamed, ignored; `createdAt(sort: Desc, sort: Asc)`: the first counts.
    assert columns(index_named(user, "User_user_name_createdAt_idx")) == [
        ("user_name", False),
        ("createdAt", True),
    ]


@pytest.mark.parametrize(
    ("case", "where", "words"),
    [
        ("bad_sort_in_index_field", "sort: Down", "Expected one of: Asc, Desc"),
        ("length_in_index_field", "length: 10", "length argument is not supported"),
        ("operator_class_on_unique", "@@unique", "only be defined to fields in an @@index"),
        ("unknown_operator_class", "@@index", "Invalid operator class"),
    ],
)
def test_index_field_argument_errors(case: str, where: str, words: str) -> None:
    assert_refused_at(case, where, words)


def test_an_operator_class_on_sqlite_is_checked_and_ignored() -> None:
    doc = model(data_model(corpus_text("conformance/sqlite/index_operator_class_ignored")), "Doc")
    assert [p.opclass for i in doc.indexes for p in i.fields] == ["text_pattern_ops", "text_ops"]


# --- kinds of values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "where", "words"),
    [
        ("map_not_a_string", "@map(1)", "Expected a string value, but received numeric value"),
        ("call_in_relation_fields", "userId()", "received functional value `userId()`"),
    ],
)
def test_values_of_the_wrong_kind(case: str, where: str, words: str) -> None:
    assert_refused_at(case, where, words)
