"""The parser never crashes: random text and mutated schemas of the corpus either load or
end in a SchemaError (with a position when it points into a file)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from trueup.errors import SchemaError
from trueup.sources.prisma import read_data_model, schema_for
from trueup.sources.prisma.source import SourceFile

CORPUS = Path(__file__).parent / "corpus"
SEEDS = [p.read_text() for p in sorted((CORPUS / "sqlite").glob("*.prisma"))] + [
    p.read_text() for p in sorted((CORPUS / "invalid").glob("*.prisma"))
]
FRAGMENTS = [
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "=",
    "?",
    "!",
    "@",
    "@@",
    ".",
    "\n",
    " ",
    "\t",
    '"',
    "\\",
    "//",
    "///",
    "-",
    "0",
    "1.5",
    "model",
    "enum",
    "view",
    "type",
    "datasource",
    "generator",
    "Int",
    "String",
    "Unsupported",
    "@id",
    "@unique",
    "@default(",
    "@relation(",
    "fields: [",
    "references: [",
    "@@index([",
    "@db.",
    "autoincrement()",
    "now()",
    "dbgenerated(",
    "env(",
    "sqlite",
    "postgresql",
    "\r",
    "\u00a0",
    "é",
    "\x00",
]


def load(text: str) -> None:
    try:
        _, data = read_data_model([SourceFile("fuzz.prisma", text)], environ={})
        schema_for(data)
    except SchemaError as exc:
        str(exc)  # the message renders, caret and all


@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    load(text)


@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(
            st.floats(0, 1),
            st.integers(0, 8),
            st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_schemas(seed: str, edits: list[tuple[float, int, str]]) -> None:
    text = seed
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    load(text)


@given(st.sampled_from(SEEDS), st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_token_soup_inside_a_model(seed: str, parts: list[str]) -> None:
    head = seed.split("model", 1)[0]
    load(head + "model Fuzz {\n  id Int @id\n  " + " ".join(parts) + "\n}\n")
