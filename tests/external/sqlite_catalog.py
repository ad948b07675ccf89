"""The SQLite oracle: a database's schema as SQLite itself reports it.

A table is what its pragmas say (``table_list``: WITHOUT ROWID, STRICT; ``table_xinfo``:
each column's declared type, NOT NULL, default, primary key position, generated or not;
``index_list``/``index_xinfo``: its UNIQUE and PRIMARY KEY indexes; ``foreign_key_list``:
its foreign keys), plus what only its stored CREATE TABLE text holds, read from that text's
tokens: CHECK constraints, a column's COLLATE, a generated column's expression,
AUTOINCREMENT, and whether a foreign key is DEFERRABLE. Constraint names are not compared:
SQLite uses them only in error messages. NOT NULL on a rowid table's INTEGER PRIMARY KEY
is not either: that column is the rowid, and a NULL stored in it gives a new rowid with
or without it. Declared indexes, views and triggers are their
stored statement text (SQLite keeps it as written), compared token by token (sql_tokens.py),
with a view's columns too.

Objects whose names start with ``sqlite_`` (SQLite's own) or ``_trueup_`` are left out."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.external.catalog import Catalog
from tests.external.sql_tokens import normal, parenthesised, table_body

IGNORED = ("sqlite_", "_trueup_")
_CONSTRAINT_WORDS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"}
#: Words that start a column constraint: they end the one before (a REFERENCES clause).
_CLAUSE_START = {"CONSTRAINT", "NOT", "NULL", "PRIMARY", "UNIQUE", "CHECK", "DEFAULT"}
_CLAUSE_START |= {"COLLATE", "REFERENCES", "GENERATED", "AS"}


def describe(path: Path) -> Catalog:
    """The catalog of the SQLite database file ``path`` (opened read-only)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _describe(conn)
    finally:
        conn.close()


def _describe(conn: sqlite3.Connection) -> Catalog:
    out: Catalog = {}
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    for kind, name, table, sql in rows:
        if str(name).startswith(IGNORED) or (kind == "index" and sql is None):
            continue  # an index of a UNIQUE or PRIMARY KEY constraint is its table's
        key = f"{kind.upper()}: {name}"
        if kind == "table":
            out[key] = "\n".join(_table(conn, name, sql))
        elif kind == "view":
            columns = [f"column {c[1]}" for c in _pragma(conn, "table_info", name)]
            out[key] = "\n".join([normal(sql), *columns])
        else:
            out[key] = f"on {table}\n{normal(sql)}"
    return out


def _pragma(conn: sqlite3.Connection, pragma: str, arg: str) -> list[tuple[Any, ...]]:
    return conn.execute(f"SELECT * FROM pragma_{pragma}(?)", (arg,)).fetchall()


def _table(conn: sqlite3.Connection, name: str, sql: str) -> list[str]:
    listed = [r for r in _pragma(conn, "table_list", name) if r[0] == "main"]
    wr, strict = (listed[0][4], listed[0][5]) if listed else (0, 0)
    lines = [f"without rowid={wr} strict={strict}"]
    extras, checks, deferrals = _text_facts(sql)
    columns = _pragma(conn, "table_xinfo", name)
    alias = _rowid_alias(conn, name, columns) if not wr else None
    for cid, col, typ, notnull, default, pk, hidden in columns:
        del cid
        if col == alias:
            notnull = "rowid"  # NULL gives a new rowid, NOT NULL or not
        lines.append(
            f"column {col} {' '.join(str(typ).upper().split())} notnull={notnull}"
            f" default={normal(default) if default is not None else None} pk={pk}"
            f" hidden={hidden}{extras.get(str(col).upper(), '')}"
        )
    lines += sorted(_key_indexes(conn, name))
    lines += sorted(_foreign_keys(conn, name, deferrals))
    lines += sorted(f"check {c}" for c in checks)
    return lines


def _rowid_alias(
    conn: sqlite3.Connection, table: str, columns: list[tuple[Any, ...]]
) -> str | None:
    """The column that is the rowid of a rowid table (its one INTEGER PRIMARY KEY column,
    with no index of its own), if there is one."""
    keys = [c for c in columns if c[5]]
    if len(keys) != 1 or str(keys[0][2]).upper() != "INTEGER":
        return None
    if any(r[3] == "pk" for r in _pragma(conn, "index_list", table)):
        return None  # INTEGER PRIMARY KEY DESC: an ordinary key
    return str(keys[0][1])


def _key_indexes(conn: sqlite3.Connection, table: str) -> list[str]:
    out = []
    for _seq, index, unique, origin, partial in _pragma(conn, "index_list", table):
        if origin == "c":
            continue  # declared with CREATE INDEX: an object of its own
        keys = [r for r in _pragma(conn, "index_xinfo", index) if r[5]]
        cols = ", ".join(f"{r[2]} {'DESC' if r[3] else 'ASC'} {r[4]}" for r in keys)
        out.append(f"{'primary key' if origin == 'pk' else 'unique'} ({cols})")
        del unique, partial
    return out


def _foreign_keys(conn: sqlite3.Connection, table: str, deferrals: Deferrals) -> list[str]:
    keys: dict[int, list[tuple[Any, ...]]] = {}
    for row in _pragma(conn, "foreign_key_list", table):
        keys.setdefault(row[0], []).append(row)
    out = []
    for rows in keys.values():
        rows.sort(key=lambda r: r[1])
        parent = rows[0][2]
        to = [r[4] for r in rows]
        if any(t is None for t in to):  # REFERENCES parent: its primary key
            pk = sorted((r[5], r[1]) for r in _pragma(conn, "table_info", parent) if r[5])
            to = [c for _, c in pk]
        on_update, on_delete, match = rows[0][5], rows[0][6], rows[0][7]
        deferral = deferrals.get((tuple(str(r[3]).upper() for r in rows), str(parent).upper()))
        out.append(
            f"foreign key ({', '.join(r[3] for r in rows)}) references {parent}"
            f"({', '.join(map(str, to))}) on update {on_update} on delete {on_delete}"
            f" match {match}{' ' + deferral if deferral else ''}"
        )
    return out


Deferrals = dict[tuple[tuple[str, ...], str], str]


def _text_facts(sql: str) -> tuple[dict[str, str], list[str], Deferrals]:
    """From a CREATE TABLE text: per column (upper-cased name) its COLLATE, generated
    expression and AUTOINCREMENT; every CHECK; the deferral of every DEFERRABLE foreign
    key, by its columns and parent table (upper-cased)."""
    extras: dict[str, str] = {}
    checks: list[str] = []
    deferrals: Deferrals = {}
    for item in table_body(sql):
        column = item[0] not in _CONSTRAINT_WORDS
        facts: list[str] = []
        i = 1 if column else 0
        while i < len(item):
            word = item[i]
            if word == "CHECK" and i + 1 < len(item) and item[i + 1] == "(":
                inner, i = parenthesised(item, i + 1)
                checks.append(" ".join(inner))
                continue
            if word == "AS" and i + 1 < len(item) and item[i + 1] == "(":
                inner, i = parenthesised(item, i + 1)
                stored = i < len(item) and item[i] == "STORED"
                facts.append(f"generated ({' '.join(inner)}) {'STORED' if stored else ''}")
                continue
            if word == "COLLATE" and column and i + 1 < len(item):
                facts.append(f"collate {item[i + 1]}")
            if word == "AUTOINCREMENT":
                facts.append("autoincrement")
            if word == "REFERENCES" and i + 1 < len(item):
                deferral = _deferral(_references(item, i))
                if deferral:
                    deferrals[(_fk_columns(item, column), item[i + 1])] = deferral
            i += 1
        if column and facts:
            extras[item[0]] = " " + " ".join(facts)
    return extras, checks, deferrals


def _fk_columns(item: list[str], column: bool) -> tuple[str, ...]:
    """The referencing columns of the foreign key in ``item``: the column it defines, or
    the list after FOREIGN KEY."""
    if column:
        return (item[0],)
    at = item.index("FOREIGN") if "FOREIGN" in item else -1
    if at < 0 or at + 2 >= len(item) or item[at + 2] != "(":
        return ()
    inner, _ = parenthesised(item, at + 2)
    return tuple(t for t in inner if t != ",")


def _deferral(clause: list[str]) -> str:
    """``DEFERRABLE INITIALLY DEFERRED`` or ``... IMMEDIATE`` (what a bare DEFERRABLE
    means), or "" for a key that is not deferrable."""
    if "DEFERRABLE" not in clause:
        return ""
    at = clause.index("DEFERRABLE")
    if at and clause[at - 1] == "NOT":
        return ""
    deferred = clause[at + 1 : at + 3] == ["INITIALLY", "DEFERRED"]
    return f"DEFERRABLE INITIALLY {'DEFERRED' if deferred else 'IMMEDIATE'}"


def _references(item: list[str], start: int) -> list[str]:
    """A REFERENCES clause, from its keyword to the next column constraint."""
    end = start + 1
    depth = 0
    while end < len(item):
        tok, before = item[end], item[end - 1]
        after = item[end + 1] if end + 1 < len(item) else ""
        depth += tok == "("
        depth -= tok == ")"
        own = (before == "SET" and tok in ("NULL", "DEFAULT")) or (
            tok == "NOT" and after == "DEFERRABLE"
        )
        if depth == 0 and tok in _CLAUSE_START and not own:
            break
        end += 1
    return item[start:end]
