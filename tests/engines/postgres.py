"""PostgreSQL as the shared test runners drive it: a database of its own on the throwaway
server of tests/postgres_server.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.engines.crash import CrashSubject
from tests.postgres import support
from tests.postgres.support import DIALECT, Server
from trueup.diff.differ import DiffHooks
from trueup.model import Schema, Table
from trueup.plan import Plan
from trueup.push import PushResult, push

GOLDEN_DIR = Path(__file__).parents[1] / "golden" / "postgres"

#: Declared models by SQL text, read once per test process: a scratch database each time is
#: most of a case's cost, and a model is frozen, so sharing it is safe.
_declared: dict[str, Schema] = {}


def _db(url: str) -> Server:
    """The database of ``url`` (its name is the URL's path)."""
    return Server(url, urlsplit(url).path.lstrip("/"))


def table_rows(
    db: Server, table: Table, key: tuple[str, ...] | None = None
) -> dict[Any, dict[str, Any]]:
    """The rows of ``table`` by ``key`` (its primary key, else all its columns)."""
    name = f'"{table.name}"' if table.schema is None else f'"{table.schema}"."{table.name}"'
    cols = [c.name for c in table.columns]
    if key is None:
        key = table.primary_key.columns if table.primary_key else tuple(cols)
    found = db.query(f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM {name}")
    out: dict[Any, dict[str, Any]] = {}
    for row in found:
        values = dict(zip(cols, row, strict=True))
        out[tuple(values[k] for k in key)] = values
    return out


def _key(table: Table) -> tuple[str, ...]:
    return table.primary_key.columns if table.primary_key else table.column_names


class GoldenRows:
    """The golden runner's check of the rows on PostgreSQL: every row of every surviving
    table is still there (found by its old key, compared as text: a key column may change
    its type, integer 1 becoming text '1'), with the values of its surviving columns whose
    type, generation and nullability did not change."""

    def snapshot(self, url: str, current: Schema) -> object:
        db = _db(url)
        return {(t.schema, t.name): table_rows(db, t) for t in current.tables}

    def row_counts(self, url: str, current: Schema) -> dict[str, int]:
        db = _db(url)
        return {t.name: len(table_rows(db, t)) for t in current.tables}

    def data_problems(
        self, before: object, url: str, current: Schema, desired: Schema
    ) -> list[str]:
        assert isinstance(before, dict)
        problems: list[str] = []
        for old in current.tables:
            new = desired.table(old.name, old.schema)
            if new is None:
                continue
            after = table_rows(_db(url), new, _key(old))
            rows_before = before[(old.schema, old.name)]
            if len(after) != len(rows_before):
                problems.append(f"{old.name}: row count changed")
            kept = [
                c.name
                for c in old.columns
                if (n := new.column(c.name)) is not None
                and n.type == c.type
                and n.generated == c.generated
                and (n.nullable or not c.nullable)
            ]
            by_text = {tuple(str(v) for v in k): row for k, row in after.items()}
            for key, row in rows_before.items():
                text_key = tuple(str(v) for v in key)
                if text_key not in by_text:
                    problems.append(f"{old.name}: row {key} is gone")
                    continue
                problems += [
                    f"{old.name}.{col} of {key} changed"
                    for col in kept
                    if by_text[text_key][col] != row[col]
                ]
        return problems


class PostgresEngine(GoldenRows):
    name = "postgres"
    golden_dir = GOLDEN_DIR
    hooks: DiffHooks = DIALECT.hooks

    @contextmanager
    def database(self, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
        server = Server(request.getfixturevalue("postgres_server"))
        db = server.create_database()
        try:
            yield db.url
        finally:
            server.drop_database(db)

    def execute(self, url: str, script: str) -> None:
        _db(url).execute(script)

    def query(self, url: str, sql: str) -> list[tuple[Any, ...]]:
        return _db(url).query(sql)

    def schema_from_sql(self, url: str, sql: str) -> Schema:
        if sql not in _declared:
            _declared[sql] = support.schema_from_sql(_db(url), sql)
        return _declared[sql]

    def inspect(self, url: str, namespaces: tuple[str, ...] = ()) -> Schema:
        return support.inspect_db(_db(url), namespaces)

    def plan_now(self, url: str, desired: Schema) -> Plan:
        return support.plan_now(_db(url), desired)

    def push_sql(self, url: str, desired_sql: str, **options: Any) -> PushResult:
        return push(_db(url).database_url, self.schema_from_sql(url, desired_sql), **options)

    def crash_subject(self, url: str, folder: Path) -> AbstractContextManager[CrashSubject]:
        from tests.engines.postgres_crash import crash_subject

        return crash_subject(url, folder)

    def run_in_one_transaction(self, url: str, statements: list[str]) -> None:
        with _db(url).connect() as conn, conn.transaction():
            for statement in statements:
                conn.execute(statement.encode())

    def soundness(self, url: str) -> list[str]:
        # A PostgreSQL database cannot be left half-written by a statement; what can be
        # left is an index that failed to build.
        invalid = _db(url).query(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE NOT (indisvalid AND indisready AND indislive)"
        )
        return [f"invalid index {name}" for (name,) in invalid]

    def state(self, url: str) -> object:
        db = _db(url)
        schema = support.inspect_db(db)
        return schema, {t.name: table_rows(db, t) for t in schema.tables}
