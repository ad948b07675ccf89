"""Two databases compared through the engines' own catalogs (sqlite_master and the
PRAGMAs; pg_catalog) and through SQLAlchemy's Inspector, never through trueup's inspector:
what the conformance tests call "the same database"."""

from __future__ import annotations

import re
import sqlite3
import warnings
from typing import Any

import psycopg
from sqlalchemy import create_engine, inspect

from trueup.engines.postgres.expressions import key as pg_expression_key


def sa_url(url: str) -> str:
    """A URL of the tests (a path, or postgresql://) as SQLAlchemy writes it."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return f"sqlite:///{url}"


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_catalog(path: str) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        objects = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE '\\_trueup\\_%' ESCAPE '\\' ORDER BY type, name"
        ).fetchall()
        out: dict[str, Any] = {"objects": [(t, n, tbl) for t, n, tbl, _ in objects]}
        for kind, name, _, sql in objects:
            if kind != "table" or name.startswith("sqlite_"):
                continue
            q = '"' + name.replace('"', '""') + '"'
            words = re.sub(r"\s+", " ", (sql or "").upper())
            out[name] = {
                # The type as written, spaces aside: NUMERIC(12, 2) is NUMERIC(12,2).
                "columns": [
                    (cid, n, re.sub(r"\s+", "", t), *rest)
                    for cid, n, t, *rest in conn.execute(f"PRAGMA table_xinfo({q})")
                ],
                "indexes": sorted(
                    (n, u, o, p, conn.execute(f'PRAGMA index_xinfo("{n}")').fetchall())
                    for _, n, u, o, p in conn.execute(f"PRAGMA index_list({q})")
                ),
                "foreign_keys": sorted(
                    tuple(r[2:]) for r in conn.execute(f"PRAGMA foreign_key_list({q})")
                ),
                "options": [w for w in ("WITHOUT ROWID", "STRICT", "AUTOINCREMENT") if w in words],
            }
        return out
    finally:
        conn.close()


# --- PostgreSQL -------------------------------------------------------------------------------

_PG = {
    "schemas": """
        SELECT nspname FROM pg_namespace
        WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1""",
    "types": """
        SELECT n.nspname, t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
        FROM pg_type AS t JOIN pg_namespace AS n ON n.oid = t.typnamespace
        JOIN pg_enum AS e ON e.enumtypid = t.oid GROUP BY 1, 2 ORDER BY 1, 2""",
    "sequences": """
        SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart,
            s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle,
            (SELECT a.attrelid::regclass::text || '.' || a.attname FROM pg_depend AS d
             JOIN pg_attribute AS a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                AND d.deptype IN ('a', 'i'))
        FROM pg_sequence AS s JOIN pg_class AS c ON c.oid = s.seqrelid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace ORDER BY 1, 2""",
    "tables": """
        SELECT n.nspname, c.relname, c.relkind, c.relpersistence, c.reloptions,
            obj_description(c.oid, 'pg_class')
        FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname !~ '^pg_'
            AND n.nspname <> 'information_schema' AND c.relname NOT LIKE '\\_trueup\\_%'
        ORDER BY 1, 2""",
    "columns": """
        SELECT c.relnamespace::regnamespace::text, c.relname, a.attnum, a.attname,
            format_type(a.atttypid, a.atttypmod), a.attnotnull,
            pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
            a.attcollation::regcollation::text, col_description(c.oid, a.attnum)
        FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            AND c.relnamespace::regnamespace::text !~ '^pg_'
            AND c.relnamespace::regnamespace::text <> 'information_schema'
            AND c.relname NOT LIKE '\\_trueup\\_%'
        ORDER BY 1, 2, 3""",
    "constraints": """
        SELECT con.connamespace::regnamespace::text, con.conrelid::regclass::text,
            con.conname, con.contype, pg_get_constraintdef(con.oid)
        FROM pg_constraint AS con JOIN pg_class AS c ON c.oid = con.conrelid
        WHERE c.relnamespace::regnamespace::text !~ '^pg_'
            AND c.relnamespace::regnamespace::text <> 'information_schema'
            AND c.relname NOT LIKE '\\_trueup\\_%'
        ORDER BY 1, 2, 3""",
    "indexes": """
        SELECT n.nspname, c.relname, pg_get_indexdef(c.oid)
        FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
            AND c.relname NOT LIKE '\\_trueup\\_%'
        ORDER BY 1, 2""",
}


def postgres_catalog(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """The catalog rows of the database at ``url``. CHECK constraints are compared by
    their expression as trueup keys it: PostgreSQL deparses a CHECK it reads back from its
    own deparsed text with casts moved (``ANY ((ARRAY['a'::varchar])::text[])`` becomes
    ``ANY (ARRAY[('a'::varchar)::text])``), one expression spelled two ways."""
    with psycopg.connect(url) as conn:
        out = {name: conn.execute(sql).fetchall() for name, sql in _PG.items()}
    out["constraints"] = [
        (*row[:4], pg_expression_key(row[4]) if row[3] == "c" else row[4])
        for row in out["constraints"]
    ]
    return out


# --- SQLAlchemy's Inspector -------------------------------------------------------------------


def reflected(url: str, schemas: tuple[str | None, ...] = (None,)) -> dict[str, Any]:
    """What SQLAlchemy's Inspector reads of every table."""
    engine = create_engine(sa_url(url))
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            # SQLite's Inspector skips an index on an expression (the catalog compares it).
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            insp = inspect(conn)
            out: dict[str, Any] = {}
            for schema in schemas:
                for table in sorted(insp.get_table_names(schema=schema)):
                    if table.startswith("_trueup_"):
                        continue
                    out[f"{schema}.{table}"] = _table(insp, table, schema)
            return out
    finally:
        engine.dispose()


def _table(insp: Any, table: str, schema: str | None) -> dict[str, Any]:
    columns = [
        {**c, "type": str(c["type"]), "default": _text(c.get("default"))}
        for c in insp.get_columns(table, schema=schema)
    ]
    checks = sorted(
        (c["name"], _text(c["sqltext"])) for c in insp.get_check_constraints(table, schema=schema)
    )
    return {
        "columns": columns,
        "pk": insp.get_pk_constraint(table, schema=schema),
        "fks": sorted(map(_plain, insp.get_foreign_keys(table, schema=schema))),
        "indexes": sorted(map(_plain, insp.get_indexes(table, schema=schema))),
        "uniques": sorted(map(_plain, insp.get_unique_constraints(table, schema=schema))),
        "checks": checks,
        "comment": _comment(insp, table, schema),
        "options": insp.get_table_options(table, schema=schema),
    }


def _plain(value: Any) -> str:
    """A reflected structure as text, SQL expressions in it written out."""
    from sqlalchemy.sql import ClauseElement

    def plain(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: plain(v[k]) for k in sorted(v)}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, ClauseElement):
            return _text(str(v))
        return v

    return repr(plain(value))


def _comment(insp: Any, table: str, schema: str | None) -> Any:
    try:
        return insp.get_table_comment(table, schema=schema)
    except NotImplementedError:  # SQLite keeps no comments
        return None


def _text(value: Any) -> Any:
    """SQL text, folded as the two engines' deparsers differ on it: PostgreSQL's CHECKs
    by trueup's key (see :func:`postgres_catalog`), SQLite's kept as written (its catalog
    holds the text of the CREATE statement)."""
    if not isinstance(value, str):
        return value
    return pg_expression_key(value)
