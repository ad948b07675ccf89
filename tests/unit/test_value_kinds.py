"""Each engine's mapping to the neutral kinds and back, on its own: a type or default of an
engine, taken to a neutral one and back, means what it meant. A conversion between two
engines is one engine's mapping followed by the other's, so these hold for every pair."""

from __future__ import annotations

import pytest

from trueup.engines import find_engine, registered
from trueup.engines.kinds import DefaultValue, ValueType

NAMES = [line.name for line in registered()]
#: Types in each engine's canonical spelling, by engine.
TYPES = {
    "sqlite": [
        "INTEGER",
        "REAL",
        "TEXT",
        "BLOB",
        "BOOLEAN",
        "DATE",
        "DATETIME",
        "TIMESTAMP(3)",
        "TIMESTAMPTZ",
        "TIME",
        "JSON",
        "UUID",
        "DECIMAL(10,2)",
        "VARCHAR(9)",
    ],
    "postgresql": [
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "REAL",
        "DOUBLE PRECISION",
        "TEXT",
        "VARCHAR(9)",
        "CHAR(2)",
        "BOOLEAN",
        "BYTEA",
        "DATE",
        "TIMESTAMP",
        "TIMESTAMP(3)",
        "TIMESTAMPTZ(6)",
        "TIME",
        "JSONB",
        "UUID",
        "DECIMAL",
        "DECIMAL(10,2)",
    ],
}
DEFAULTS = [
    DefaultValue("now", "timestamp"),
    DefaultValue("now", "date"),
    DefaultValue("number", "-12.5"),
    DefaultValue("string", "it's"),
]


def test_every_registered_engine_has_cases_here() -> None:
    assert sorted(TYPES) == sorted(NAMES)


@pytest.mark.parametrize(
    ("name", "column_type"), [(n, t) for n in NAMES for t in TYPES[n]], ids=str
)
def test_a_type_comes_back_as_itself(name: str, column_type: str) -> None:
    values = find_engine(name).values
    neutral = values.neutral_type(column_type, frozenset())
    assert neutral.kind not in ("other", "array", "enum"), neutral
    back, note = values.engine_type(neutral)
    assert note is None
    assert values.kind_of(back) == values.kind_of(column_type)


@pytest.mark.parametrize("name", NAMES)
def test_a_type_the_engine_does_not_know_becomes_text_with_a_note(name: str) -> None:
    values = find_engine(name).values
    column_type, note = values.engine_type(ValueType("other", name="GEOGRAPHY"))
    assert values.kind_of(column_type) == "text"
    assert note is not None and "GEOGRAPHY" in note and values.label in note


@pytest.mark.parametrize(("name", "default"), [(n, d) for n in NAMES for d in DEFAULTS], ids=str)
def test_a_default_comes_back_as_itself(name: str, default: DefaultValue) -> None:
    values = find_engine(name).values
    text = values.engine_default(default, "TEXT")
    assert text is not None
    assert values.neutral_default(text) == default


@pytest.mark.parametrize("name", NAMES)
def test_a_boolean_default_comes_back_true(name: str) -> None:
    # An engine without a boolean literal keeps true as the integer 1.
    values = find_engine(name).values
    text = values.engine_default(DefaultValue("boolean", "true"), "BOOLEAN")
    assert text is not None
    assert values.neutral_default(text) in (
        DefaultValue("boolean", "true"),
        DefaultValue("number", "1"),
    )
