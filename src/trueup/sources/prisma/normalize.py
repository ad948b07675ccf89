"""SQLite: the lowered model goes through SQLite itself, the same normaliser as the live
side. It is rendered to DDL, run in an empty in-memory database and read back by the
inspector, so a database made by ``prisma db push`` and the declared schema compare as
SQLite sees them (type spelling, default text, implied keys) and SQLite judges anything
passed through verbatim (``Unsupported("…")`` types, ``dbgenerated("…")`` SQL).
"""

from __future__ import annotations

from trueup.dialects import get_dialect
from trueup.model import Schema
from trueup.sources.prisma.datamodel import DataModel
from trueup.sources.prisma.source import Pos, fail


def normalize_sqlite(schema: Schema, data: DataModel) -> Schema:
    dialect = get_dialect("sqlite")
    positions: dict[str, Pos] = {m.db_name: m.pos for m in data.models if not m.is_view}
    scratch = dialect.scratch()
    try:
        for table in schema.tables:
            for statement in dialect.render_schema(Schema(tables=(table,))):
                try:
                    scratch.execute(statement)
                except Exception as exc:  # sqlite3's errors, whatever the kind
                    pos = positions.get(table.name, data.datasource.pos)
                    raise fail(
                        pos,
                        f"SQLite rejected the table `{table.name}` made from this model: {exc}.",
                        hint='Check Unsupported("…") types, dbgenerated("…") and Json defaults '
                        "(written after DEFAULT as they are, as Prisma writes them: an "
                        "expression needs its parentheses, dbgenerated(\"(lower('X'))\")) "
                        "and names (SQLite reserves names starting with sqlite_).",
                    ) from None
        return scratch.inspect()
    finally:
        scratch.close()
