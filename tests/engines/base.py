"""What the tests need of an engine, written once: the golden, safety, crash and property
runners speak to a database only through this interface, so an engine registered in
tests/engines/__init__.py gets every one of them."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

from tests.engines.crash import CrashSubject
from trueup.diff.differ import DiffHooks
from trueup.model import Schema
from trueup.plan import Plan
from trueup.push import PushResult


class TestEngine(Protocol):
    """One engine, as the tests drive it. ``url`` is always the URL of a live database
    that :meth:`database` made."""

    #: The name used in test ids and in the registry.
    name: str
    #: The folder of this engine's golden cases.
    golden_dir: Path
    #: The diff hooks of the engine's dialect.
    hooks: DiffHooks

    def database(
        self, request: pytest.FixtureRequest, tmp_path: Path
    ) -> AbstractContextManager[str]:
        """An empty database of its own, dropped on the way out."""
        ...

    def execute(self, url: str, script: str) -> None:
        """Run a script of several statements and commit."""
        ...

    def query(self, url: str, sql: str) -> list[tuple[Any, ...]]: ...

    def schema_from_sql(self, url: str, sql: str) -> Schema:
        """The declared model of ``sql``, through the path a schema file takes."""
        ...

    def inspect(self, url: str, namespaces: tuple[str, ...] = ()) -> Schema: ...

    def plan_now(self, url: str, desired: Schema) -> Plan:
        """The plan a push would run now (read-only)."""
        ...

    def push_sql(self, url: str, desired_sql: str, **options: Any) -> PushResult:
        """``trueup.push`` of a SQL schema (with its rename hints)."""
        ...

    def run_in_one_transaction(self, url: str, statements: list[str]) -> None:
        """Statements run as written in one transaction, as a push runs its plan."""
        ...

    def soundness(self, url: str) -> list[str]:
        """What is wrong with the database as a whole (corruption), empty when nothing."""
        ...

    def state(self, url: str) -> object:
        """Everything a refused push must leave as it was: the schema and every row."""
        ...

    def crash_subject(self, url: str, folder: Path) -> AbstractContextManager[CrashSubject]:
        """The crash trial of this engine on the database ``url`` (tests/test_crash.py)."""
        ...

    # --- what the golden runner checks of the rows -----------------------------------------

    def snapshot(self, url: str, current: Schema) -> object:
        """The rows of ``current``'s tables, before a push."""
        ...

    def row_counts(self, url: str, current: Schema) -> dict[str, int]: ...

    def data_problems(
        self, before: object, url: str, current: Schema, desired: Schema
    ) -> list[str]:
        """Every row or value of a surviving table that the push lost, as messages."""
        ...


@dataclass(frozen=True)
class Live:
    """A live database of one engine: what the ``engine`` fixture gives a test."""

    engine: TestEngine
    url: str

    @property
    def name(self) -> str:
        return self.engine.name

    def execute(self, script: str) -> None:
        self.engine.execute(self.url, script)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.engine.query(self.url, sql)

    def schema_from_sql(self, sql: str) -> Schema:
        return self.engine.schema_from_sql(self.url, sql)

    def plan_now(self, desired_sql: str) -> Plan:
        return self.engine.plan_now(self.url, self.schema_from_sql(desired_sql))

    def push_sql(self, desired_sql: str, **options: Any) -> PushResult:
        return self.engine.push_sql(self.url, desired_sql, **options)

    def remaining_diff(self, desired: Schema) -> list[Any]:
        from trueup.diff.differ import diff

        live = self.engine.inspect(self.url, desired.namespaces)
        return list(diff(live, desired, self.engine.hooks))

    def state(self) -> object:
        return self.engine.state(self.url)
