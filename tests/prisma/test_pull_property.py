"""The round trip of ``inspect --format prisma`` on random SQLite schemas that Prisma can
express: names Prisma must sanitise, every Prisma scalar type and some it does not write,
literal and expression defaults, AUTOINCREMENT, text and compound keys, tables without a
key, unique and plain indexes with sort orders and their own names, foreign keys with every
action (several between the same tables, self-references, one-to-one) and Prisma's implicit
many-to-many tables.

Property: the database made by pushing the pulled schema into an empty file equals the
original (the differ with SQLite's hooks finds nothing), and no part of it was listed as
something Prisma cannot declare.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.prisma.pull_support import round_trip

TABLE_NAMES = [
    "users",
    "Media Items",
    "2fa",
    "orders",
    "_private",
    "café",
    "String",
    "tag",
    "my-table",
]
# Join tables need model names that sort as their table names do: valid, unreserved names.
JOINABLE = ("users", "orders", "tag")
COLUMN_NAMES = ["name", "first name", "2nd", "type", "model", "a_b", "a b", "value", "users", "tag"]
DEFAULTS: dict[str, list[str | None]] = {
    "TEXT": [None, "'x'", "''", "'it''s'", "CURRENT_TIMESTAMP"],
    "INTEGER": [None, "0", "-3", "(1 + 2)", "99999999999"],
    "BIGINT": [None, "9007199254740993"],
    "REAL": [None, "0.5", "1e5"],
    "DECIMAL": [None, "10.50", "'3.25'"],
    "DATETIME": [None, "CURRENT_TIMESTAMP", "'2024-01-31 12:00:00 +00:00'", "(datetime('now'))"],
    "BOOLEAN": [None, "true", "false", "0"],
    "BLOB": [None, "X'00'", "'00ff'"],
    "JSONB": [None, "'{}'", "'[1]'"],
    "VARCHAR(20)": [None, "'v'"],
    "INT": [None, "7"],
    "": [None],
}
ACTIONS = ["NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"]
KEYS = ["auto", "text", "compound", "none"]
KEY_TYPE = {"auto": "INTEGER", "text": "TEXT"}


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Spec:
    name: str
    key: str
    columns: list[str] = field(default_factory=list)  # column definitions
    column_names: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)

    @property
    def key_columns(self) -> list[str]:
        return {"auto": ["id"], "text": ["code"], "compound": ["k1", "k2"], "none": []}[self.key]

    def sql(self) -> str:
        key = {
            "auto": ["id INTEGER PRIMARY KEY AUTOINCREMENT"],
            "text": ["code TEXT NOT NULL PRIMARY KEY"],
            "compound": ["k1 INTEGER NOT NULL", "k2 TEXT NOT NULL"],
            "none": [],
        }[self.key]
        lines = key + self.columns or ["note TEXT"]  # a table needs a column
        if self.key == "compound":
            lines.append("PRIMARY KEY (k1, k2)")
        lines += self.constraints
        body = ",\n    ".join(lines)
        return f"CREATE TABLE {q(self.name)} (\n    {body}\n);\n" + "".join(self.indexes)


@st.composite
def schemas(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.sampled_from(TABLE_NAMES), min_size=1, max_size=4, unique=True))
    specs = [Spec(n, draw(st.sampled_from(KEYS))) for n in names]
    index_names: set[str] = set()
    for spec in specs:
        taken = {c.lower() for c in spec.key_columns}
        for name in draw(st.lists(st.sampled_from(COLUMN_NAMES), max_size=4, unique=True)):
            if name.lower() in taken:
                continue
            taken.add(name.lower())
            ctype = draw(st.sampled_from(sorted(DEFAULTS)))
            not_null = " NOT NULL" if draw(st.booleans()) else ""
            default = draw(st.sampled_from(DEFAULTS[ctype]))
            text = f"{q(name)} {ctype}{not_null}" + (f" DEFAULT {default}" if default else "")
            spec.columns.append(text)
            spec.column_names.append(name)
        targets = [s for s in specs if s.key in KEY_TYPE]
        for n in range(draw(st.integers(0, 2)) if targets else 0):
            target = draw(st.sampled_from(targets))
            # Sometimes the column has the name the relation field would get.
            name = target.name if n == 0 and draw(st.booleans()) else f"ref{n}"
            if name.lower() in taken:
                name = f"ref{n}"
            taken.add(name.lower())
            required = draw(st.booleans())
            actions = [a for a in ACTIONS if not (required and a == "SET NULL")]
            on_delete, on_update = draw(st.sampled_from(actions)), draw(st.sampled_from(actions))
            ctype = KEY_TYPE[target.key]
            spec.columns.append(f"{q(name)} {ctype}{' NOT NULL' if required else ''}")
            spec.column_names.append(name)
            spec.constraints.append(
                f"FOREIGN KEY ({q(name)}) REFERENCES {q(target.name)} "
                f"({target.key_columns[0]}) ON DELETE {on_delete} ON UPDATE {on_update}"
            )
        for _ in range(draw(st.integers(0, 2)) if spec.column_names else 0):
            cols = draw(
                st.lists(st.sampled_from(spec.column_names), min_size=1, max_size=2, unique=True)
            )
            unique = draw(st.booleans())
            default = "_".join([spec.name, *cols]) + ("_key" if unique else "_idx")
            name = default if draw(st.booleans()) else f"ix_{len(index_names)}"
            if name.lower() in index_names:
                name = f"ix_{len(index_names)}"
            index_names.add(name.lower())
            parts = ", ".join(q(c) + (" DESC" if draw(st.booleans()) else "") for c in cols)
            kind = "UNIQUE INDEX" if unique else "INDEX"
            spec.indexes.append(f"CREATE {kind} {q(name)} ON {q(spec.name)} ({parts});\n")
    sql = "".join(s.sql() for s in specs)
    return sql + draw(_join_tables(specs))


@st.composite
def _join_tables(draw: st.DrawFn, specs: list[Spec]) -> str:
    keyed = sorted(
        (s for s in specs if s.key in KEY_TYPE and s.name in JOINABLE), key=lambda s: s.name
    )
    out: list[str] = []
    for i, a in enumerate(keyed):
        for b in keyed[i:]:
            if not draw(st.booleans()):
                continue
            relation = (
                f"{a.name}To{b.name}" if a is not b and draw(st.booleans()) else f"r{len(out)}"
            )
            table = "_" + relation
            out.append(
                f'CREATE TABLE {q(table)} ("A" {KEY_TYPE[a.key]} NOT NULL REFERENCES {q(a.name)} '
                f'({a.key_columns[0]}) ON DELETE CASCADE ON UPDATE CASCADE, "B" {KEY_TYPE[b.key]} '
                f"NOT NULL REFERENCES {q(b.name)} ({b.key_columns[0]}) ON DELETE CASCADE ON UPDATE "
                "CASCADE);\n"
                f'CREATE UNIQUE INDEX {q(table + "_AB_unique")} ON {q(table)} ("A", "B");\n'
                f'CREATE INDEX {q(table + "_B_index")} ON {q(table)} ("B");\n'
            )
    return "".join(out)


@given(schemas())
def test_pulled_schemas_push_back_to_the_same_database(sql: str) -> None:
    with tempfile.TemporaryDirectory(prefix="trueup-pull-") as name:
        folder = Path(name)
        db = folder / "original.db"
        conn = sqlite3.connect(db)
        conn.executescript(sql)
        conn.close()
        result = round_trip(db, folder)
    assert "Prisma cannot declare" not in result.text, sql + "\n" + result.text
    assert result.changes == [], sql + "\n" + result.text
