"""The engine registry: each line leads to an engine that is what the line says, reading a
URL imports no other engine, and what an engine's Capabilities say is what it does."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from trueup.engines import (
    Registered,
    find_engine,
    for_paths,
    for_scheme,
    get_dialect,
    registered,
)
from trueup.engines.kinds import VALUE_KINDS
from trueup.errors import ConfigError
from trueup.urls import parse_url

NAMES = [line.name for line in registered()]


@pytest.mark.parametrize("name", NAMES)
def test_each_line_leads_to_an_engine_of_that_name(name: str) -> None:
    engine = find_engine(name)
    dialect = get_dialect(name)
    assert engine.name == dialect.name == name
    assert engine.label == dialect.label == engine.values.label
    assert dialect.capabilities == engine.capabilities


@pytest.mark.parametrize("line", registered(), ids=NAMES)
def test_an_engines_schemes_lead_to_it(line: Registered) -> None:
    for scheme in line.schemes:
        assert for_scheme(scheme) == line
    assert (for_paths() == line) == line.paths


def test_an_unknown_engine_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigError) as raised:
        find_engine("mysql")
    assert raised.value.hint is not None and ", ".join(sorted(NAMES)) in raised.value.hint


def test_an_unknown_scheme_names_every_engines_urls() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_url("mysql://db/app")
    assert all(line.shown in str(raised.value.hint) for line in registered())


@pytest.mark.parametrize("name", NAMES)
def test_concurrent_index_builds_are_an_option_of_the_engines_that_can(name: str) -> None:
    engine = find_engine(name)
    if engine.capabilities.concurrent_indexes:
        assert getattr(engine.dialect(concurrent_indexes=True), "concurrent_indexes", False)
    else:
        with pytest.raises(TypeError):
            engine.dialect(concurrent_indexes=True)


@pytest.mark.parametrize("name", NAMES)
def test_a_file_database_takes_a_plain_path(name: str) -> None:
    engine = find_engine(name)
    line = next(line for line in registered() if line.name == name)
    assert line.paths == engine.capabilities.file_database


@pytest.mark.parametrize("name", NAMES)
def test_every_kind_of_value_an_engine_names_is_a_neutral_one(name: str) -> None:
    values = find_engine(name).values
    for column_type in ("INTEGER", "TEXT", "BOOLEAN", "DATE", "TIMESTAMP", "UUID", "X"):
        assert values.kind_of(column_type) in VALUE_KINDS


def test_reading_a_url_imports_only_its_engine() -> None:
    # Each engine's descriptor is imported for its own URLs only: a database of one engine
    # never loads another's modules (nor its driver).
    script = (
        "import json, sys\n"
        "from trueup.urls import parse_url\n"
        "parse_url('file:./app.db'); parse_url('app.db')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('trueup.engines.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    loaded = json.loads(out)
    folders = {m.split(".")[2] for m in loaded}
    assert folders <= {"sqlite", "base", "descriptor"}, loaded
    assert "psycopg" not in out
