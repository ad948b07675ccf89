"""Small helpers the tests share: build schemas and databases from SQL text, and take
snapshots of a database's rows to compare before and after a push."""

from __future__ import annotations

import random
import sqlite3
import threading
from pathlib import Path
from typing import Any

from trueup.diff.differ import diff
from trueup.engines import get_dialect
from trueup.engines.sqlite.dialect import SQLiteDialect
from trueup.engines.sqlite.lexer import fold
from trueup.model import Schema
from trueup.plan import Plan
from trueup.push import PushResult, make_plan, push
from trueup.sources.declared import Declared
from trueup.sources.sql import load_sql
from trueup.urls import DatabaseURL, parse_url

DIALECT = SQLiteDialect()


def schema_from_sql(sql: str, tmp_path: Path | None = None) -> Schema:
    """The model of a SQL schema, through the same path a schema file takes."""
    import tempfile

    if tmp_path is None:
        with tempfile.TemporaryDirectory() as folder:
            return schema_from_sql(sql, Path(folder))
    path = tmp_path / "schema_under_test.sql"
    path.write_text(sql)
    return load_sql(str(path), DIALECT).schema


def make_db(path: Path, ddl: str, data: str = "") -> DatabaseURL:
    conn = sqlite3.connect(path)
    conn.executescript(ddl)
    if data:
        conn.executescript(data)
    conn.commit()
    conn.close()
    return parse_url(str(path))


def inspect_db(path: Path) -> Schema:
    with get_dialect("sqlite").connect(parse_url(str(path)), create=False) as session:
        return session.inspect()


def plan_between(current_sql: str, desired_sql: str) -> Plan:
    """The plan from one SQL schema to another, computed on a scratch database."""
    desired = schema_from_sql(desired_sql)
    session = DIALECT.scratch()
    try:
        session.execute("BEGIN")
        for _, stmt in DIALECT.split_statements(current_sql):
            session.execute(stmt)
        return make_plan(session, desired, DIALECT)
    finally:
        session.close()


def declared_from_sql(sql: str, folder: Path) -> Declared:
    # A file of this thread's own: two pushes in threads (a concurrency test) must not read
    # each other's half-written schema.
    path = folder / f"schema_under_test_{threading.get_ident()}.sql"
    path.write_text(sql)
    return load_sql(str(path), DIALECT)


def push_sql(path: Path, desired_sql: str, **kwargs: Any) -> PushResult:
    """Push a SQL schema (with its rename hints) into the database file at ``path``."""
    declared = declared_from_sql(desired_sql, path.parent)
    kwargs.setdefault("renames", declared.renames)
    return push(parse_url(str(path)), declared.schema, **kwargs)


def remaining_diff(path: Path, desired_sql: str) -> list[Any]:
    return diff(inspect_db(path), schema_from_sql(desired_sql, path.parent), DIALECT.hooks)


def table_rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every user table, as dicts, keyed by lower-cased table name."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
                "AND name NOT LIKE 'sqlite%' AND name NOT LIKE '!_trueup!_%' ESCAPE '!'"
            )
        ]
        out = {}
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            out[fold(name)] = [dict(r) for r in conn.execute(f"SELECT * FROM {quoted}")]
        return out
    finally:
        conn.close()


def file_bytes_and_schema(path: Path) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """What "unchanged" means for a database: the same schema text and the same rows."""
    conn = sqlite3.connect(path)
    try:
        ddl = "\n".join(
            str(r[0]) for r in conn.execute("SELECT sql FROM sqlite_schema ORDER BY name")
        )
    finally:
        conn.close()
    return ddl, table_rows(path)


class KillWindow:
    """Random delays for killing a push, spread over all of it.

    A push's length varies with the load of the machine from one run to the next, so a
    window fixed by one timed run can end before the COMMIT on a slower stretch, and nearly
    every kill then lands on the old schema. The window widens after each kill that left
    the old schema and narrows after each that left the new one, which settles it near
    twice the moment of the COMMIT: kills land before it and after it about equally often,
    whatever the machine's pace, and still reach past the end of the push.
    """

    def __init__(self, rng: random.Random, first: float) -> None:
        self.rng = rng
        self.span = first

    def delay(self) -> float:
        return self.rng.uniform(0.0, self.span)

    def landed(self, outcome: str) -> None:
        self.span *= 1.05 if outcome == "old" else 0.95
