"""SQL text for SQLite: the one place names and literals are quoted, and the shapes of
``CREATE TABLE`` / ``CREATE INDEX`` rendered from the model.

Names are always double-quoted (with ``"`` doubled), so no identifier ever reaches SQL
unquoted, whatever characters or reserved words it holds.
"""

from __future__ import annotations

from trueup.engines.sqlite.lexer import Kind, normalize, strip_parens, tokenize
from trueup.engines.sqlite.quoting import literal as literal
from trueup.engines.sqlite.quoting import quote as quote
from trueup.engines.sqlite.rowid import written_descending
from trueup.model import (
    Action,
    Column,
    Deferral,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)

INDENT = "    "


def names(columns: tuple[str, ...] | list[str]) -> str:
    return ", ".join(quote(c) for c in columns)


_CONSTANT_WORDS = {"NULL", "TRUE", "FALSE"}
_TIME_WORDS = {"CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"}


def is_literal(sql: str) -> bool:
    """A default that is a single literal (``0``, ``-1.5``, ``'x'``, ``X'00'``, ``NULL``,
    ``TRUE``): one ``ALTER TABLE ADD COLUMN`` accepts, and one that needs no parentheses."""
    toks = tokenize(sql)
    if len(toks) == 2 and toks[0].text in ("+", "-") and toks[1].kind is Kind.NUMBER:
        return True
    if len(toks) != 1:
        return False
    tok = toks[0]
    return tok.kind in (Kind.NUMBER, Kind.STRING, Kind.BLOB) or tok.upper in _CONSTANT_WORDS


def literal_kind(sql: str) -> str | None:
    """The storage class of a literal: integer, real, text, blob or null."""
    toks = [t for t in tokenize(sql) if t.text not in ("+", "-")]
    if len(toks) != 1:
        return None
    tok = toks[0]
    if tok.kind is Kind.NUMBER:
        is_real = any(c in tok.text for c in ".eE") and not tok.text.lower().startswith("0x")
        return "real" if is_real else "integer"
    if tok.kind is Kind.STRING:
        return "text"
    if tok.kind is Kind.BLOB:
        return "blob"
    if tok.upper in ("TRUE", "FALSE"):
        return "integer"
    if tok.upper == "NULL":
        return "null"
    return None


def _is_name(sql: str) -> bool:
    """A lone name (``abc``, ``"x"``, ``[x]``): after ``DEFAULT``, SQLite takes it as the
    string it spells (``DEFAULT []`` is ``''``)."""
    toks = tokenize(sql)
    if len(toks) != 1 or toks[0].kind not in (Kind.WORD, Kind.QUOTED):
        return False
    return toks[0].upper not in _CONSTANT_WORDS | _TIME_WORDS


def default_sql(text: str) -> str:
    """A default expression as it may follow ``DEFAULT``: in parentheses unless it is a
    literal, a time word, a name or already wholly in parentheses."""
    toks = tokenize(text)
    if is_literal(text) or _is_name(text) or (len(toks) == 1 and toks[0].upper in _TIME_WORDS):
        return text
    if toks and toks[0].text == "(" and strip_parens(toks) != toks:
        return text
    return f"({text})"


def default_value_sql(text: str) -> str:
    """A default as an expression anywhere else (``COALESCE(x, …)``): a name becomes the
    string it stands for."""
    if _is_name(text):
        return literal(tokenize(text)[0].name)
    return default_sql(text)


def string_default(text: str) -> str:
    """A default written ``"text"`` is a string in SQLite (a DEFAULT cannot name a column),
    but only bare: in parentheses it would be read as a name. Spell it as the string."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return "'" + text[1:-1].replace('""', '"').replace("'", "''") + "'"
    return text


def written_default(col: Column) -> str | None:
    """What follows ``DEFAULT`` for ``col``: the default as it was written where the column
    keeps that and it still says the same (a column changed since keeps its old spelling
    only if that means its new default), else the default in trueup's own spelling."""
    written = col.written_default
    if written is not None:
        key = normalize(string_default(written))
        if col.default is None and key == "null":
            return written
        if col.default is not None and key == normalize(string_default(col.default.text)):
            return written
    return None if col.default is None else default_sql(col.default.text)


def column_definition(col: Column, *, primary_key: PrimaryKey | None = None) -> str:
    """The column's definition; with ``primary_key``, the key is written in it."""
    parts = [quote(col.name)]
    if col.type:
        parts.append(col.type)
    if not col.nullable:
        parts.append("NOT NULL" + _conflict(col.not_null_conflict))
    if primary_key is not None:
        if primary_key.name:
            parts.append(f"CONSTRAINT {quote(primary_key.name)}")
        order = " DESC" if written_descending(primary_key) else ""
        parts.append(f"PRIMARY KEY{order}" + _conflict(primary_key.on_conflict))
        if col.autoincrement:
            parts.append("AUTOINCREMENT")
    default = written_default(col)
    if default is not None:
        parts.append("DEFAULT " + default)
    if col.collation:
        parts.append("COLLATE " + quote(col.collation))
    if col.generated is not None:
        kind = "STORED" if col.generated.stored else "VIRTUAL"
        parts.append(f"GENERATED ALWAYS AS ({col.generated.expression.text}) {kind}")
    return " ".join(parts)


def index_part(part: IndexPart) -> str:
    if part.column is not None:
        text = quote(part.column)
    else:
        assert part.expression is not None
        text = part.expression.text
    if part.collation:
        text += " COLLATE " + quote(part.collation)
    if part.descending:
        text += " DESC"
    elif part.written_asc:
        text += " ASC"
    return text


def foreign_key_clause(fk: ForeignKey) -> str:
    text = ""
    if fk.name:
        text = f"CONSTRAINT {quote(fk.name)} "
    text += f"FOREIGN KEY ({names(fk.columns)}) REFERENCES {quote(fk.ref_table)}"
    if fk.ref_columns:
        text += f" ({names(fk.ref_columns)})"
    if fk.on_delete is not Action.NO_ACTION or fk.written_actions:
        text += f" ON DELETE {fk.on_delete.value}"
    if fk.on_update is not Action.NO_ACTION or fk.written_actions:
        text += f" ON UPDATE {fk.on_update.value}"
    if fk.deferral is not Deferral.IMMEDIATE:
        text += " " + fk.deferral.value
    return text


def inline_primary_key(table: Table) -> str | None:
    """The column whose definition carries ``PRIMARY KEY`` (a single unnamed key column
    without its own order or collation, or one written ``PRIMARY KEY DESC``), or None when
    the key is a table constraint. A descending key must be written in the column: as a
    table constraint, an INTEGER key would be the rowid (see rowid.py)."""
    pk = table.primary_key
    if pk is None or len(pk.columns) != 1:
        return None
    if (not pk.name and not pk.parts) or written_descending(pk):
        return pk.columns[0]
    return None


def _conflict(clause: str | None) -> str:
    return f" ON CONFLICT {clause}" if clause else ""


def create_table(table: Table, *, name: str | None = None) -> str:
    """``CREATE TABLE`` for the whole table (indexes made by ``CREATE INDEX`` excepted)."""
    inline_pk = inline_primary_key(table)
    pk = table.primary_key
    lines = [
        column_definition(c, primary_key=pk if c.name == inline_pk else None) for c in table.columns
    ]
    if pk is not None and inline_pk is None:
        head = f"CONSTRAINT {quote(pk.name)} " if pk.name else ""
        keys = ", ".join(index_part(p) for p in pk.parts) if pk.parts else names(pk.columns)
        # Prisma's layout sets the key apart from the columns by a blank line.
        head = ("\n" + INDENT if pk.set_apart else "") + head
        lines.append(f"{head}PRIMARY KEY ({keys}){_conflict(pk.on_conflict)}")
    for idx in table.indexes:
        if idx.constraint:
            head = f"CONSTRAINT {quote(idx.name)} " if idx.name else ""
            keys = ", ".join(index_part(p) for p in idx.parts)
            lines.append(f"{head}UNIQUE ({keys}){_conflict(idx.on_conflict)}")
    for check in table.checks:
        head = f"CONSTRAINT {quote(check.name)} " if check.name else ""
        lines.append(f"{head}CHECK ({check.expression.text})")
    lines.extend(foreign_key_clause(fk) for fk in table.foreign_keys)
    body = ",\n".join(line if line.startswith("\n") else INDENT + line for line in lines)
    tail = ""
    if table.options:
        tail = " " + ", ".join(table.options)
    return f"CREATE TABLE {quote(name or table.name)} (\n{body}\n){tail}"


def create_index(index: Index, table: str) -> str:
    assert index.name is not None, "a CREATE INDEX needs a name"
    unique = "UNIQUE " if index.unique else ""
    parts = ", ".join(index_part(p) for p in index.parts)
    sql = f"CREATE {unique}INDEX {quote(index.name)} ON {quote(table)}({parts})"
    if index.where is not None:
        sql += f" WHERE {index.where.text}"
    return sql


def drop_index(index: Index) -> str:
    assert index.name is not None
    return f"DROP INDEX {quote(index.name)}"


def schema_statements(schema: Schema) -> list[str]:
    """The whole schema as SQL statements, in an order SQLite accepts."""
    out: list[str] = []
    for table in schema.tables:
        out.append(create_table(table))
        out.extend(create_index(i, table.name) for i in table.indexes if not i.constraint)
    out.extend(v.definition.text for v in schema.virtual_tables)
    out.extend(v.definition.text for v in schema.views)
    out.extend(t.definition.text for t in schema.triggers)
    return out
