"""The engines the shared test runners run on: one line each in ENGINES. An engine
registered here gets the golden cases of its folder, the safety runner, and the crash and
property tests, through the ``engine`` fixture (tests/conftest.py): a live, empty database
of that engine for each test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.engines.base import Live, TestEngine
from tests.engines.postgres import PostgresEngine
from tests.engines.sqlite import SQLiteEngine

ENGINES: dict[str, TestEngine] = {
    "sqlite": SQLiteEngine(),
    "postgres": PostgresEngine(),
}


@contextmanager
def live_database(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Live]:
    """An empty database of the engine ``name`` for one test."""
    engine = ENGINES[name]
    with engine.database(request, tmp_path) as url:
        yield Live(engine, url)


__all__ = ["ENGINES", "Live", "TestEngine", "live_database"]
