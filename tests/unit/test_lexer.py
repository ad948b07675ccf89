from __future__ import annotations

import pytest

from trueup.engines.sqlite.lexer import Kind, normalize, references, strip_parens, tokenize


def test_tokenize_kinds_and_positions() -> None:
    toks = tokenize("SELECT \"a b\", 'it''s', x'00', 1.5e3, ?1 -- note\n FROM [t]")
    assert [t.kind for t in toks] == [
        Kind.WORD,
        Kind.QUOTED,
        Kind.PUNCT,
        Kind.STRING,
        Kind.PUNCT,
        Kind.BLOB,
        Kind.PUNCT,
        Kind.NUMBER,
        Kind.PUNCT,
        Kind.VARIABLE,
        Kind.WORD,
        Kind.QUOTED,
    ]
    assert toks[1].name == "a b"
    assert toks[3].name == "it's"
    assert toks[-1].name == "t"
    assert toks[0].start == 0 and toks[0].end == 6


def test_tokenize_never_raises_on_unterminated_quote() -> None:
    toks = tokenize("SELECT 'abc")
    assert toks[-1].kind is Kind.ERROR


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("price>0", '"price" > 0'),
        ("x == 1", "x = 1"),
        ("a != b", "a <> b"),
        ("LOWER(Name)", "lower(name)"),
        ("(1)", "1"),
        ("((a + b))", "a + b"),
        ("`col` /* c */ IS NULL", "[col] is null"),
        ("X'AB'", "x'ab'"),
    ],
)
def test_normalize_folds_spellings(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("'abc'", "'ABC'"),  # string literals keep their case
        ("a + b", "a - b"),
        ("(a) + (b)", "a + b"),  # the parentheses do not wrap the whole expression
        ('"my col"', "my_col"),
    ],
)
def test_normalize_keeps_real_differences(a: str, b: str) -> None:
    assert normalize(a) != normalize(b)


def test_strip_parens_only_when_they_wrap_everything() -> None:
    toks = tokenize("(a) + (b)")
    assert strip_parens(toks) == toks


def test_references_are_case_folded_and_unquoted() -> None:
    assert references('SELECT "Title", x.y FROM [Media]') >= {"title", "x", "y", "media"}
