"""SQLite as the shared test runners drive it: a database file under the test's tmp_path."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests import helpers
from tests.engines.crash import CrashSubject
from trueup.diff.differ import DiffHooks
from trueup.model import Schema
from trueup.plan import Plan
from trueup.push import PushResult, plan_for
from trueup.urls import parse_url

GOLDEN_DIR = Path(__file__).parents[1] / "golden" / "sqlite"


class SQLiteEngine:
    name = "sqlite"
    golden_dir = GOLDEN_DIR
    hooks: DiffHooks = helpers.DIALECT.hooks

    @contextmanager
    def database(self, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
        path = tmp_path / "live.db"
        sqlite3.connect(path).close()
        yield str(path)

    def execute(self, url: str, script: str) -> None:
        conn = sqlite3.connect(url)
        try:
            conn.executescript(script)
            conn.commit()
        finally:
            conn.close()

    def query(self, url: str, sql: str) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(url)
        try:
            return list(conn.execute(sql).fetchall())
        finally:
            conn.close()

    def schema_from_sql(self, url: str, sql: str) -> Schema:
        return helpers.schema_from_sql(sql)

    def inspect(self, url: str, namespaces: tuple[str, ...] = ()) -> Schema:
        return helpers.inspect_db(Path(url))

    def plan_now(self, url: str, desired: Schema) -> Plan:
        return plan_for(parse_url(url), desired)

    def push_sql(self, url: str, desired_sql: str, **options: Any) -> PushResult:
        return helpers.push_sql(Path(url), desired_sql, **options)

    def crash_subject(self, url: str, folder: Path) -> AbstractContextManager[CrashSubject]:
        from tests.engines.sqlite_crash import crash_subject

        return crash_subject(url, folder)

    def run_in_one_transaction(self, url: str, statements: list[str]) -> None:
        # Foreign keys off, one write transaction: as a push runs its plan.
        conn = sqlite3.connect(url, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("BEGIN IMMEDIATE")
            for statement in statements:
                conn.execute(statement)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def soundness(self, url: str) -> list[str]:
        from tests.golden_support import integrity_check

        found = integrity_check(Path(url))
        return [] if found == ["ok"] else found

    def state(self, url: str) -> object:
        return helpers.file_bytes_and_schema(Path(url))

    # --- the golden runner's check of the rows (see tests/golden_support.py) ---------------

    def snapshot(self, url: str, current: Schema) -> object:
        from tests.golden_support import snapshot

        return snapshot(Path(url))

    def row_counts(self, url: str, current: Schema) -> dict[str, int]:
        from tests.golden_support import snapshot

        return {name: len(rows) for name, rows in snapshot(Path(url)).rows.items()}

    def data_problems(
        self, before: object, url: str, current: Schema, desired: Schema
    ) -> list[str]:
        from tests.golden_support import Snapshot, compare_data, snapshot

        assert isinstance(before, Snapshot)
        after = snapshot(Path(url))
        problems = compare_data(before, after, current, desired)
        new_violations = after.fk_violations - before.fk_violations
        if new_violations:
            problems.append(f"foreign_key_check: new violations {dict(new_violations)}")
        return problems
