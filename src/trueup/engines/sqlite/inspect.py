"""Read a live SQLite database into the model, in four bulk queries.

``sqlite_schema`` joined with the pragma table-valued functions gives every table's columns,
indexes and foreign keys at once, whatever the number of tables. What the pragmas leave out
comes from the stored ``CREATE`` statements (:mod:`trueup.engines.sqlite.ddl`).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from trueup.engines.sqlite import ddl
from trueup.engines.sqlite.lexer import expr, fold, normalize, statement_expr, trigger_expr
from trueup.engines.sqlite.render import default_sql, string_default
from trueup.engines.sqlite.types import canonical_type
from trueup.errors import ConnectionError
from trueup.model import (
    Action,
    Check,
    Column,
    Deferral,
    ForeignKey,
    Generated,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    View,
    VirtualTable,
)

#: Tables that belong to SQLite itself or to trueup and are never part of a user's schema.
INTERNAL_PREFIXES = ("sqlite_", "_trueup_")


@cache
def query(name: str) -> str:
    return (resources.files("trueup.engines.sqlite") / "queries" / f"{name}.sql").read_text()


def is_internal(name: str) -> bool:
    return fold(name).startswith(INTERNAL_PREFIXES)


def inspect(conn: sqlite3.Connection, *, ignore: Callable[[str], bool] | None = None) -> Schema:
    """The schema of the ``main`` database of ``conn``."""
    skip = (lambda name: is_internal(name) or ignore(name)) if ignore else is_internal
    try:
        objects = conn.execute(query("objects")).fetchall()
        column_rows = conn.execute(query("columns")).fetchall()
        index_rows = conn.execute(query("indexes")).fetchall()
        fk_rows = conn.execute(query("foreign_keys")).fetchall()
    except sqlite3.DatabaseError as exc:
        raise ConnectionError(
            f"Cannot read the database schema: {exc}.",
            hint="Check that the file is a SQLite database and is not damaged "
            "(sqlite3 FILE 'PRAGMA integrity_check').",
        ) from exc

    columns: dict[str, list[Any]] = defaultdict(list)
    for row in column_rows:
        columns[row[0]].append(row)
    indexes: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in index_rows:
        indexes[row[0]][row[1]].append(row)
    fks: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in fk_rows:
        fks[row[0]][row[1]].append(row)
    index_sql = {name: sql for kind, name, _, sql, *_ in objects if kind == "index" and sql}

    tables: list[Table] = []
    views: list[View] = []
    triggers: list[Trigger] = []
    virtual: list[VirtualTable] = []
    for kind, name, tbl_name, sql, table_kind, without_rowid, strict in objects:
        if skip(name) or sql is None:
            continue
        if kind == "table" and table_kind == "table":
            tables.append(
                _table(
                    name,
                    sql,
                    columns[name],
                    indexes[name],
                    fks[name],
                    index_sql,
                    bool(without_rowid),
                    bool(strict),
                )
            )
        elif kind == "table" and table_kind == "virtual":
            virtual.append(VirtualTable(name, statement_expr(sql)))
        elif kind == "view":
            views.append(View(name, statement_expr(sql)))
        elif kind == "trigger" and not skip(tbl_name):
            triggers.append(Trigger(name, tbl_name, trigger_expr(sql)))
    tables = _resolve_implied_references(tables)
    by_name = lambda o: o.name.lower()  # noqa: E731 - a sort key
    return Schema(
        tables=tuple(sorted(tables, key=by_name)),
        views=tuple(sorted(views, key=by_name)),
        triggers=tuple(sorted(triggers, key=by_name)),
        virtual_tables=tuple(sorted(virtual, key=by_name)),
    )


def _table(
    name: str,
    sql: str,
    column_rows: list[Any],
    index_rows: dict[str, list[Any]],
    fk_rows: dict[int, list[Any]],
    index_sql: dict[str, str],
    without_rowid: bool,
    strict: bool,
) -> Table:
    parsed = ddl.parse_create_table(sql)
    pk_cols = sorted((r for r in column_rows if r[6]), key=lambda r: r[6])
    pk_names = tuple(r[2] for r in pk_cols)
    # A rowid table's key is the rowid exactly when SQLite made no index for it: a lone
    # INTEGER PRIMARY KEY, but not one written INTEGER PRIMARY KEY DESC (see rowid.py).
    rowid_alias = (
        not without_rowid
        and len(pk_cols) == 1
        and not any(rows[0][3] == "pk" for rows in index_rows.values())
    )
    cols = [_column(row, parsed, without_rowid or rowid_alias) for row in column_rows]
    primary_key, idx_list = _keys(parsed, pk_names, cols, index_rows, index_sql)
    fk_list = [_foreign_key(rows, parsed) for _, rows in sorted(fk_rows.items(), reverse=True)]
    checks = [Check(expr(text), cname) for c in parsed.columns for cname, text in c.checks]
    checks += [Check(expr(text), cname) for cname, text in parsed.checks]
    options = []
    if strict:
        options.append("STRICT")
    if without_rowid:
        options.append("WITHOUT ROWID")
    return Table(
        name=name,
        columns=tuple(cols),
        primary_key=primary_key,
        indexes=tuple(idx_list),
        foreign_keys=tuple(fk_list),
        checks=tuple(checks),
        options=tuple(options),
    )


def _column(row: Any, parsed: ddl.ParsedTable, key_not_null: bool) -> Column:
    """One ``table_xinfo`` row as a column. ``key_not_null``: the table's key columns cannot
    hold NULL (a WITHOUT ROWID table's, or the rowid), so writing NOT NULL there or not is
    the same schema."""
    _, _, col_name, col_type, notnull, default, pk, hidden = row
    info = parsed.column(col_name)
    nullable = not notnull and not (pk and key_not_null)
    generated = None
    if hidden in (2, 3) and info is not None and info.generated is not None:
        generated = Generated(expr(info.generated[0]), stored=hidden == 3)
    default_expr = None
    if default is not None and normalize(default) != "null":
        default_expr = expr(string_default(default))
    written = info.default if info else None
    if default_expr is not None and written == default_sql(default_expr.text):
        written = None  # as trueup writes it anyway
    collation = info.collation.upper() if info and info.collation else None
    return Column(
        name=col_name,
        type=canonical_type(col_type or ""),
        nullable=nullable,
        default=default_expr,
        autoincrement=bool(info and info.autoincrement),
        generated=generated,
        collation=None if collation == "BINARY" else collation,
        not_null_conflict=info.not_null_conflict if info and notnull else None,
        written_default=written,
    )


def _keys(
    parsed: ddl.ParsedTable,
    pk_names: tuple[str, ...],
    cols: list[Column],
    index_rows: dict[str, list[Any]],
    index_sql: dict[str, str],
) -> tuple[PrimaryKey | None, list[Index]]:
    """The table's primary key, and its indexes (unique constraints among them)."""
    pk_name, pk_conflict = parsed.primary_key_name, parsed.primary_key_conflict
    if len(pk_names) == 1 and (info := parsed.column(pk_names[0])):
        pk_name = pk_name or info.primary_key_name
        pk_conflict = pk_conflict or info.primary_key_conflict

    collations = {fold(c.name): c.collation for c in cols}

    def key_parts(rows: list[Any]) -> tuple[IndexPart, ...]:
        return tuple(
            IndexPart(
                column=r[7],
                descending=bool(r[8]),
                collation=_explicit_collation(r[9], collations.get(fold(str(r[7])))),
            )
            for r in rows
        )

    uniques = {tuple(fold(n) for n in c): (u, conflict) for u, c, conflict in parsed.uniques}
    for c in parsed.columns:
        if c.is_unique:
            uniques.setdefault((fold(c.name),), (c.unique_name, c.unique_conflict))
    pk_parts: tuple[IndexPart, ...] = ()
    idx_list: list[Index] = []
    for idx_name, rows in index_rows.items():
        origin = rows[0][3]
        if origin == "pk":
            parts = key_parts(rows)
            if any(p.descending or p.collation for p in parts):
                pk_parts = parts
        elif origin == "u":
            parts = key_parts(rows)
            written, conflict = uniques.get(tuple(fold(str(p.column)) for p in parts), (None, None))
            idx_list.append(
                Index(written, parts, unique=True, constraint=True, on_conflict=conflict)
            )
        else:
            idx_list.append(_created_index(idx_name, rows, index_sql.get(idx_name)))
    primary_key = None
    if pk_names:
        apart = parsed.primary_key_set_apart
        primary_key = PrimaryKey(pk_names, pk_name, pk_parts, pk_conflict, set_apart=apart)
    idx_list.sort(key=lambda i: (i.constraint, fold(i.name or ""), i.columns))
    return primary_key, idx_list


def _explicit_collation(coll: str | None, column_collation: str | None) -> str | None:
    """An index key's collation only when it differs from what the column already uses."""
    if coll is None:
        return None
    coll = coll.upper()
    if coll == (column_collation or "BINARY"):
        return None
    return coll


def _created_index(name: str, rows: list[Any], sql: str | None) -> Index:
    parsed = ddl.parse_create_index(sql) if sql else None
    parts: list[IndexPart] = []
    for pos, r in enumerate(rows):
        cid, col_name, desc = r[6], r[7], bool(r[8])
        written = parsed.parts[pos] if parsed and pos < len(parsed.parts) else None
        collation = written.collation.upper() if written and written.collation else None
        if collation == "BINARY":
            collation = None
        asc = bool(written and written.written_asc)
        if cid == -2:
            text = written.text if written else ""
            parts.append(
                IndexPart(
                    expression=expr(text), descending=desc, collation=collation, written_asc=asc
                )
            )
        else:
            parts.append(
                IndexPart(
                    column=col_name or "rowid",
                    descending=desc,
                    collation=collation,
                    written_asc=asc,
                )
            )
    where = expr(parsed.where) if parsed and parsed.where else None
    return Index(name, tuple(parts), unique=bool(rows[0][2]), where=where)


def _foreign_key(rows: list[Any], parsed: ddl.ParsedTable) -> ForeignKey:
    rows = sorted(rows, key=lambda r: r[2])
    columns = tuple(r[4] for r in rows)
    ref_table = rows[0][3]
    ref_columns = tuple(r[5] for r in rows) if all(r[5] is not None for r in rows) else ()
    written = _written_foreign_key(parsed, columns, ref_table)
    return ForeignKey(
        columns=columns,
        ref_table=ref_table,
        ref_columns=ref_columns,
        name=written.name if written else None,
        on_delete=Action(rows[0][7]),
        on_update=Action(rows[0][6]),
        deferral=Deferral(written.deferral) if written else Deferral.IMMEDIATE,
        written_actions=bool(written and written.written_actions),
    )


def _written_foreign_key(
    parsed: ddl.ParsedTable, columns: tuple[str, ...], ref_table: str
) -> ddl.ParsedForeignKey | None:
    want = (tuple(fold(c) for c in columns), fold(ref_table))
    candidates = list(parsed.foreign_keys)
    candidates += [c.foreign_key for c in parsed.columns if c.foreign_key is not None]
    for fk in candidates:
        if (tuple(fold(c) for c in fk.columns), fold(fk.ref_table)) == want:
            return fk
    return None


def _resolve_implied_references(tables: list[Table]) -> list[Table]:
    """``REFERENCES parent`` without columns means the parent's primary key: spell it out,
    so both ways of writing the same key compare equal."""
    pks = {fold(t.name): t.primary_key.columns for t in tables if t.primary_key}
    out = []
    for t in tables:
        if any(not fk.ref_columns and fold(fk.ref_table) in pks for fk in t.foreign_keys):
            fks = tuple(
                fk
                if fk.ref_columns or fold(fk.ref_table) not in pks
                else replace(fk, ref_columns=pks[fold(fk.ref_table)])
                for fk in t.foreign_keys
            )
            t = replace(t, foreign_keys=fks)
        out.append(t)
    return out
