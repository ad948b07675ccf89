"""Prisma's schema grammar, production by production: what each spelling means to trueup.
docs/prisma-grammar.md maps every production to these tests and to the corpus cases that
carry Prisma's verdict on the same spellings (corpus/conformance: Prisma and trueup build
the same database; corpus/invalid: both refuse it, at the same line; test_conformance.py
checks both with the real Prisma)."""

from __future__ import annotations

import pytest

from tests.prisma.grammar_support import (
    SQLITE,
    assert_refused_at,
    columns,
    corpus_text,
    data_model,
    document,
    model,
    refusal,
)

# --- comments -------------------------------------------------------------------------------


def test_comments_stand_where_prisma_takes_them() -> None:
    text = corpus_text("conformance/grammar_comments")
    data = data_model(text)
    assert [f.name for f in model(data, "Author").fields] == ["id", "name"]
    post = model(data, "Post")
    assert post.db_name == "posts"
    assert [columns(i) for i in post.indexes] == [[("authorId", False)]]
    # `///` is documentation (where rename hints are read); other comments are not.
    author = next(m for m in document(text).models if m.name == "Author")
    assert {f.name: f.doc for f in author.fields}["posts"] == ("documentation after a field",)


def test_a_trailing_block_comment_may_be_followed_by_spaces() -> None:
    text = SQLITE + "model A {\n  id Int @id /* a\n  b */   \n  name String\n}\n"
    assert [f.name for f in model(data_model(text), "A").fields] == ["id", "name"]


@pytest.mark.parametrize(
    ("case", "where", "words"),
    [
        ("block_comment_between_attributes", "/* no */ @id", "Unexpected `@`"),
        ("block_comment_in_arguments", "(/* no */", "Unexpected `/*`: expected a value"),
        ("two_trailing_comments", "// two", "Unexpected `//`"),
        ("nested_block_comment", "rest */", "does not start with any known"),
        ("unclosed_block_comment", "/* never", "expected `*/` to close the comment"),
    ],
)
def test_comments_where_prisma_refuses_them(case: str, where: str, words: str) -> None:
    assert_refused_at(case, where, words)


# --- blocks and lines -----------------------------------------------------------------------


def test_text_after_an_opening_brace_is_ignored() -> None:
    # Prisma's BLOCK_OPEN takes the rest of the line: a field there is no field.
    data = data_model(SQLITE + "model A { id Int @id\n  name String @id\n}\n")
    assert [f.name for f in model(data, "A").fields] == ["name"]
    err = refusal(corpus_text("invalid/text_on_the_open_line_hides_a_field"))
    assert "unique criteria" in err.message


def test_a_block_may_follow_a_closing_brace_on_its_line() -> None:
    data = data_model(corpus_text("conformance/grammar_names"))
    assert [m.name for m in data.models] == ["Café", "Next", "Same_line_after_close"]


def test_keywords_are_their_letters_alone() -> None:
    # As in Prisma's grammar, `models {` is the keyword `model` and the model `s`.
    data = data_model(SQLITE + "models {\n  id Int @id\n}\n")
    assert [m.name for m in data.models] == ["s"]


@pytest.mark.parametrize(
    ("case", "where", "words"),
    [
        ("field_on_the_closing_line", "id Int @id }", "not a valid field or attribute"),
        ("enum_values_on_one_line", "USER, ADMIN", "not an enum value definition"),
        ("arguments_over_several_lines", "@@index([", "not a valid field or attribute"),
        ("list_over_several_lines_in_datasource", "schemas  = [", "within a datasource"),
        ("bad_block", "table A {", "does not start with any known"),
        ("syntax_missing_brace", "model A {", "not closed"),
    ],
)
def test_lines_that_match_nothing(case: str, where: str, words: str) -> None:
    assert_refused_at(case, where, words)


def test_a_line_that_matches_nothing_is_reported_where_it_stops_matching() -> None:
    err = refusal(SQLITE + "model A {\n  id Int @id @default(1 2)\n}\n")
    assert err.location is not None
    assert (err.location.line, err.location.column) == (6, 25)
    assert "Unexpected `2`: expected" in err.message
    top = refusal(SQLITE + "hello world\n")
    assert top.hint == "A block starts with model, enum, view, type, datasource or generator."


def test_a_type_alias_is_refused() -> None:
    err = refusal(SQLITE + "type Money = Decimal\n")
    assert err.message.startswith("Invalid type definition.")


# --- fields -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "optional", "is_list"),
    [
        ("String", False, False),
        ("String?", True, False),
        ("String ?", True, False),
        ("String[]", False, True),
        ("String []", False, True),
    ],
)
def test_field_types_and_their_modifiers(spelling: str, optional: bool, is_list: bool) -> None:
    doc = document(f"model A {{\n  f {spelling}\n}}\n")
    ftype = doc.models[0].fields[0].type
    assert (ftype.optional, ftype.list) == (optional, is_list)


def test_unsupported_types() -> None:
    doc = document('model A {\n  p Unsupported( "point" )[]\n  q Unsupported("x")?\n}\n')
    p, q = doc.models[0].fields
    assert (p.type.unsupported, p.type.list) == ("point", True)
    assert (q.type.unsupported, q.type.optional) == ("x", True)
    # `Unsupported` and its `(` are one word.
    err = refusal(SQLITE + 'model A {\n  id Int @id\n  p Unsupported ("x")\n}\n')
    assert err.location is not None and err.location.line == 7


@pytest.mark.parametrize(
    ("field", "line", "column", "words"),
    [
        ("id: Int @id", 6, 5, "Field declarations don't require a `:`."),
        ("id Int! @id", 6, 6, "`!` is no longer required."),
        ("id Int @id\n  t [String]", 7, 5, "use `Type[]` instead of `[Type]`"),
        ("id Int @id\n  t String[]?", 7, 5, "Optional lists are not supported."),
        ("id @id", 6, 3, "It is either missing a name or a type."),
        ("id Int[ ] @id", 6, 9, "not a valid field or attribute definition"),
    ],
)
def test_legacy_and_broken_field_spellings(field: str, line: int, column: int, words: str) -> None:
    err = refusal(SQLITE + f"model A {{\n  {field}\n}}\n")
    assert err.location is not None
    assert (err.location.line, err.location.column) == (line, column), str(err)
    assert words in err.message


def test_spaces_may_separate_the_parts_of_a_line() -> None:
    user = model(data_model(corpus_text("conformance/grammar_arguments")), "User")
    assert user.primary_key is not None and user.primary_key.columns == ("id",)
    ids = user.field("id")
    assert ids is not None and ids.default is not None and ids.default.kind == "autoincrement"
    name = user.field("name")
    assert name is not None and name.db_name == "user_name"


# --- names ----------------------------------------------------------------------------------


def test_names_take_any_unicode_letter() -> None:
    cafe = model(data_model(corpus_text("conformance/grammar_names")), "Café")
    assert [f.name for f in cafe.fields] == ["id", "señal", "model", "enum", "Größe_2"]


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("field_name_starts_with_digit", "The name of a Field must not start with a number."),
        ("model_name_with_dash", "The character `-` is not allowed in Model names."),
        ("enum_value_with_dash", "The character `-` is not allowed in Enum Value names."),
        ("reserved_model_name", "The model name `delete` is invalid. It is a reserved name."),
        ("scalar_type_as_model_name", '"String" is a reserved scalar type name'),
    ],
)
def test_names_prisma_refuses(case: str, words: str) -> None:
    assert words in refusal(corpus_text(f"invalid/{case}")).message


@pytest.mark.parametrize("name", ["_x", "x٣", "x😀", "e\u0301"])
def test_characters_no_name_has(name: str) -> None:
    refusal(SQLITE + f"model A {{\n  id Int @id\n  {name} Int\n}}\n")


def test_a_letter_with_a_numeric_value_may_start_a_name() -> None:
    # 一 is a letter (Lo) with a numeric value: Prisma, like Rust, does not call it a number.
    data = data_model(SQLITE + "model A {\n  id Int @id\n  一x Int\n}\n")
    assert model(data, "A").field("一x") is not None


# --- literals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        (r"a\"b\\c\/d", 'a"b\\c/d'),
        (r"\b\f\n\r\t", "\b\f\n\r\t"),
        (r"\u00e9", "é"),
        (r"\uD83D\uDE00", "😀"),
        ("é😀", "é😀"),
    ],
)
def test_strings_take_json_escapes(written: str, value: str) -> None:
    data = data_model(SQLITE + f'model A {{\n  id Int @id\n  s String @default("{written}")\n}}\n')
    default = model(data, "A").fields[1].default
    assert default is not None and getattr(default.value, "value", None) == value


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("tab_in_string", "not a valid field or attribute definition"),
        ("unknown_escape", "Unknown escape sequence."),
        ("lone_surrogate_escape", "Invalid unicode escape sequence."),
        ("number_then_name", "not a valid field or attribute definition"),
    ],
)
def test_literals_prisma_refuses(case: str, words: str) -> None:
    assert words in refusal(corpus_text(f"invalid/{case}")).message


@pytest.mark.parametrize(("written", "text"), [("-0.5", "-0.5"), ("007", "007"), ("3", "3")])
def test_numbers(written: str, text: str) -> None:
    data = data_model(SQLITE + f"model A {{\n  id Int @id\n  f Float @default({written})\n}}\n")
    default = model(data, "A").fields[1].default
    assert default is not None and getattr(default.value, "text", None) == text


# --- line ends ------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_ends(newline: str) -> None:
    text = (SQLITE + "model A {\n  id Int @id // c\n  b Int\n}\n").replace("\n", newline)
    assert [f.name for f in model(data_model(text), "A").fields] == ["id", "b"]
    err = refusal(text.replace("b Int", "b Int @"))
    # Prisma numbers lines at each `\n` only: a file of lone `\r`s is all line 1.
    assert err.location is not None and err.location.line == (1 if newline == "\r" else 7)


def test_windows_line_ends_in_the_corpus() -> None:
    data = data_model(corpus_text("conformance/grammar_crlf"))
    default = model(data, "Note").fields[1].default
    assert default is not None and getattr(default.value, "value", None) == "a\r\nb"
