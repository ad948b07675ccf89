"""A property of the push on every registered engine (tests/engines), on random schemas and
random rows. (SQLite has a richer one of its own besides, with its affinity as the oracle:
tests/integration/test_property.py.)

A random current schema (2-3 tables; integer, bigint, text, varchar, numeric, boolean and
timestamp columns; NOT NULL, defaults, unique and plain indexes, foreign keys to the first
table) is filled with random rows, and a desired schema is derived by random mutations
(columns added, dropped, widened, narrowed, made NOT NULL with a default or nullable,
defaults changed, indexes added or dropped, tables dropped).

Property (with accept_data_loss): either the push succeeds, and then nothing is left to
change and every surviving row keeps the values of its columns whose type did not change;
or it fails with a trueup error and the database is exactly as it was.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engines import ENGINES, Live, live_database
from trueup.errors import TrueupError

#: Each type: a default, and a random value of it.
TYPES: dict[str, tuple[str, Callable[[random.Random], object]]] = {
    "integer": ("0", lambda r: r.randint(-1000, 1000)),
    "bigint": ("7", lambda r: r.randint(-(2**40), 2**40)),
    "text": ("'x'", lambda r: r.choice(["a", "b c", "Zoë", "", "12"])),
    "varchar(12)": ("'v'", lambda r: r.choice(["short", "twelve chars", "", "7"])),
    "numeric(8,2)": ("1.5", lambda r: r.randint(-99999, 99999) / 100),
    "boolean": ("true", lambda r: r.random() < 0.5),
    "timestamp(3)": ("CURRENT_TIMESTAMP", lambda r: f"2024-01-{r.randint(1, 28):02d} 10:00:00"),
}
WIDER = {
    "integer": ["bigint", "numeric(14,2)", "text"],
    "varchar(12)": ["text", "varchar(40)"],
    "numeric(8,2)": ["numeric(12,4)", "text"],
    "bigint": ["numeric(20,0)", "integer"],
    "text": ["varchar(12)", "integer"],
}


@dataclass
class Col:
    name: str
    type: str
    notnull: bool = False
    default: str | None = None


@dataclass
class Tab:
    name: str
    cols: list[Col] = field(default_factory=list)
    unique: str | None = None
    index: str | None = None
    fk: bool = False

    def ddl(self) -> str:
        lines = ["id integer PRIMARY KEY"]
        for c in self.cols:
            text = f"{c.name} {c.type}"
            if c.notnull:
                text += " NOT NULL"
            if c.default is not None:
                text += f" DEFAULT {c.default}"
            lines.append(text)
        if self.fk:
            lines.append("parent_id integer REFERENCES t0 (id) ON DELETE CASCADE")
        out = f"CREATE TABLE {self.name} (\n    " + ",\n    ".join(lines) + "\n);\n"
        if self.unique:
            name = f"{self.name}_{self.unique}_key"
            out += f"CREATE UNIQUE INDEX {name} ON {self.name} (id, {self.unique});\n"
        if self.index:
            out += f"CREATE INDEX {self.name}_{self.index}_idx ON {self.name} ({self.index});\n"
        return out


def build(r: random.Random) -> list[Tab]:
    tables = []
    for t in range(r.randint(2, 3)):
        tab = Tab(f"t{t}", fk=t > 0 and r.random() < 0.6)
        for c in range(r.randint(1, 4)):
            ctype = r.choice(list(TYPES))
            notnull = r.random() < 0.3
            default = TYPES[ctype][0] if (notnull or r.random() < 0.3) else None
            tab.cols.append(Col(f"c{c}", ctype, notnull, default))
        if r.random() < 0.4:
            tab.unique = r.choice(tab.cols).name
        if r.random() < 0.4:
            tab.index = r.choice(tab.cols).name
        tables.append(tab)
    return tables


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def rows_sql(tables: list[Tab], r: random.Random) -> str:
    out = []
    for tab in tables:
        for i in range(1, r.randint(2, 5)):
            names = ["id"] + [c.name for c in tab.cols]
            values = [str(i)]
            for c in tab.cols:
                value = None if (not c.notnull and r.random() < 0.25) else TYPES[c.type][1](r)
                values.append(literal(value))
            if tab.fk:
                names.append("parent_id")
                values.append("1" if r.random() < 0.7 else "NULL")
            out.append(f"INSERT INTO {tab.name} ({', '.join(names)}) VALUES ({', '.join(values)});")
    return "\n".join(out) + "\n"


def mutate(tables: list[Tab], r: random.Random) -> list[Tab]:
    out = [replace(t, cols=[replace(c) for c in t.cols]) for t in tables]
    for _ in range(r.randint(1, 4)):
        tab = r.choice(out)
        choice = r.randrange(8)
        if choice == 0:
            ctype = r.choice(list(TYPES))
            notnull = r.random() < 0.5
            tab.cols.append(
                Col(f"n{len(tab.cols)}", ctype, notnull, TYPES[ctype][0] if notnull else None)
            )
        elif choice == 1 and len(tab.cols) > 1:
            gone = tab.cols.pop(r.randrange(len(tab.cols)))
            tab.unique = None if tab.unique == gone.name else tab.unique
            tab.index = None if tab.index == gone.name else tab.index
        elif choice == 2:
            c = r.choice(tab.cols)
            if c.type in WIDER:
                c.type = r.choice(WIDER[c.type])
                c.default = TYPES.get(c.type, ("'0'",))[0] if c.default is not None else None
        elif choice == 3:
            c = r.choice(tab.cols)
            c.notnull = not c.notnull
            if c.notnull:
                c.default = TYPES.get(c.type, ("'0'",))[0]
        elif choice == 4:
            c = r.choice(tab.cols)
            c.default = None if c.default is not None or c.notnull is False else c.default
        elif choice == 5:
            tab.index = None if tab.index else r.choice(tab.cols).name
        elif choice == 6:
            tab.unique = None
        elif choice == 7 and tab.name != "t0" and len(out) > 2:
            out.remove(tab)
    return out


def script(tables: list[Tab]) -> str:
    return "".join(t.ddl() for t in tables)


def state(db: Live) -> tuple[Any, ...]:
    schema = db.engine.inspect(db.url)
    data = tuple(tuple(db.query(f"SELECT * FROM {t.name} ORDER BY id")) for t in schema.tables)
    return schema, data


@pytest.mark.parametrize("name", sorted(ENGINES))
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32))
def test_a_push_keeps_the_data_or_changes_nothing(
    request: pytest.FixtureRequest, name: str, seed: int
) -> None:
    r = random.Random(seed)
    current = build(r)
    desired = mutate(current, r)
    with (
        tempfile.TemporaryDirectory() as folder,
        live_database(name, request, Path(folder)) as db,
    ):
        db.execute(script(current) + rows_sql(current, r))
        before = state(db)
        declared = db.schema_from_sql(script(desired))
        try:
            db.push_sql(script(desired), accept_data_loss=True)
        except TrueupError:
            assert state(db) == before
            return
        assert db.engine.plan_now(db.url, declared).is_empty
        old_schema, old_rows = before
        new_schema = db.engine.inspect(db.url)
        for old_table, rows in zip(old_schema.tables, old_rows, strict=True):
            new_table = new_schema.table(old_table.name)
            if new_table is None:
                continue
            kept = [
                i
                for i, c in enumerate(old_table.columns)
                if (n := new_table.column(c.name)) is not None
                and n.type == c.type
                and (n.nullable or not c.nullable)  # a NULL made NOT NULL takes the default
            ]
            names = [old_table.columns[i].name for i in kept]
            now = db.query(f"SELECT {', '.join(names)} FROM {old_table.name} ORDER BY id")
            assert [tuple(row[i] for i in kept) for row in rows] == [tuple(x) for x in now]
