"""SQLite's types, defaults and values as neutral kinds, and back (see
:mod:`trueup.engines.kinds`).

SQLite's declared types are free text with an affinity. To a neutral kind, a type is read
by its name where apps commonly mean something by it (``BOOLEAN``, ``DATETIME``, ``JSON``),
else by its affinity; from a neutral kind, every kind gets a name that maps back to it.
"""

from __future__ import annotations

import re

from trueup.engines.kinds import DefaultValue, MomentWriter, Values, ValueType
from trueup.engines.sqlite.lexer import Kind, expr, statement_expr, strip_parens, tokenize
from trueup.engines.sqlite.quoting import quote
from trueup.engines.sqlite.rowid import rowid_alias
from trueup.engines.sqlite.types import affinity
from trueup.model import Expr, Index, PrimaryKey, Schema, Table, View

#: Type names that carry a meaning beyond their affinity, by their first word(s).
_NAMED = {
    "BOOLEAN": "boolean",
    "BOOL": "boolean",
    "DATE": "date",
    "DATETIME": "timestamp",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPTZ": "timestamptz",
    "TIME": "time",
    "JSON": "json",
    "JSONB": "json",
    "UUID": "uuid",
    "DECIMAL": "decimal",
    "NUMERIC": "decimal",
    "BLOB": "blob",
}
_STAMPS = ("TIMESTAMP", "DATETIME", "TIMESTAMPTZ", "TIME")
_REALS = ("REAL", "DOUBLE", "DOUBLE PRECISION", "FLOAT")
_VARYING = re.compile(
    r"^(?:VARCHAR|NVARCHAR|VARYING CHARACTER|CHARACTER VARYING|NATIVE CHARACTER|CHARACTER|"
    r"NCHAR|CHAR)\((\d+)\)$"
)
_MODIFIED = re.compile(r"^([A-Z ]+?)\((\d+(?:,\d+)?)\)$")
#: The kinds a checksum compares values by, where the name says more than the affinity.
_VALUE_KINDS = {**_NAMED, "TIMESTAMPTZ": "timestamp"}
_AFFINITY_KINDS = {"INTEGER": "integer", "TEXT": "text", "REAL": "real"}

#: Neutral kinds by the name SQLite gives them; a size is kept in the name where given.
_NAMES = {
    "integer": "INTEGER",
    "real": "REAL",
    "decimal": "DECIMAL",
    "text": "TEXT",
    "varchar": "VARCHAR",
    "char": "CHAR",
    "boolean": "BOOLEAN",
    "blob": "BLOB",
    "date": "DATE",
    "timestamptz": "TIMESTAMPTZ",
    "time": "TIME",
    "json": "JSON",
    "uuid": "UUID",
}
_SIZED = {"varchar", "char", "decimal", "timestamp", "timestamptz", "time"}

_NOW = {"CURRENT_TIMESTAMP": "timestamp", "CURRENT_DATE": "date", "CURRENT_TIME": "time"}
# The date functions called with 'now' alone are the same moments.
_NOW_CALLS = {"DATETIME": "timestamp", "DATE": "date", "TIME": "time"}
_NOW_NAMES = {kind: name for name, kind in _NOW.items()}


def _stamp(whole: str, fraction: str) -> str:
    # Prisma's DateTime and an instant: ISO 8601 with milliseconds and the zone, as
    # Prisma's SQLite connector writes them.
    return whole + (fraction or ".").ljust(4, "0") + "+00:00"


class SQLiteValues(Values):
    label = "SQLite"

    def kind_of(self, column_type: str) -> str:
        base = column_type.split("(", 1)[0].strip().upper()
        if base in _VALUE_KINDS:
            return _VALUE_KINDS[base]
        # Any other name: what SQLite does with it. A BLOB or untyped column keeps any value.
        return _AFFINITY_KINDS.get(affinity(column_type), "any")

    def moment_writer(self, column_type: str, source: ValueType) -> MomentWriter | None:
        # Another engine's TIMESTAMP(3) is Prisma's DateTime, and a time stamp with a zone is
        # an instant; any other time stamp goes as the source wrote it, SQLite's own form
        # (2026-12-07 10:00:00.123456), for apps that read it as they wrote it.
        if source.kind == "timestamptz" or (source.kind, source.size) == ("timestamp", "3"):
            return _stamp
        return None

    def neutral_type(self, column_type: str, enums: frozenset[str]) -> ValueType:
        t = column_type.strip()
        if not t:
            return ValueType("text", note="it has no declared type; its values become text")
        m = _VARYING.match(t)
        if m:  # CHAR(n) too: SQLite does not pad it with blanks
            return ValueType("varchar", m.group(1))
        m = _MODIFIED.match(t)
        base, size = (m.group(1), m.group(2)) if m else (t, None)
        if base in ("DECIMAL", "NUMERIC"):
            return ValueType("decimal", size)
        if base in _STAMPS and size is not None:
            return ValueType(_NAMED[base], size)
        if base in _NAMED:
            return ValueType(_NAMED[base])
        if base in _REALS:
            return ValueType("real", "64")
        kind = affinity(t)
        if kind == "INTEGER":
            return ValueType("integer", "64")  # 64-bit whatever the name says
        if kind == "TEXT":
            return ValueType("text")
        if kind == "REAL":
            return ValueType("real", "64")
        return ValueType("other", name=t)

    def engine_type(self, value: ValueType) -> tuple[str, str | None]:
        if value.kind == "array":
            return "TEXT", f"SQLite has no arrays; the {value.name} values {value.as_text}"
        if value.kind == "enum":
            return "TEXT", f"SQLite has no enums; the values of {value.name} {value.as_text}"
        if value.kind == "timestamp":  # DATETIME: what SQLite apps mostly write
            name = "DATETIME" if value.size is None else "TIMESTAMP"
        elif value.kind in _NAMES:
            name = _NAMES[value.kind]
        else:
            return "TEXT", f"SQLite has no type {value.name}; its values {value.as_text}"
        if value.size is not None and value.kind in _SIZED:
            name = f"{name}({value.size})"
        return name, value.note

    def neutral_default(self, text: str) -> DefaultValue | None:
        toks = strip_parens(tokenize(text))
        words = [t.upper for t in toks]
        if len(toks) == 1 and words[0] in _NOW:
            return DefaultValue("now", _NOW[words[0]])
        if (
            len(toks) == 4
            and words[0] in _NOW_CALLS
            and toks[1].text == "("
            and toks[2].text.lower() == "'now'"
            and toks[3].text == ")"
        ):
            return DefaultValue("now", _NOW_CALLS[words[0]])
        sign = ""
        if len(toks) == 2 and toks[0].text in ("+", "-") and toks[1].kind is Kind.NUMBER:
            sign, toks = ("-" if toks[0].text == "-" else ""), toks[1:]
        if len(toks) != 1:
            return None
        tok = toks[0]
        if tok.kind is Kind.NUMBER:
            number = str(int(tok.text, 16)) if tok.text.lower().startswith("0x") else tok.text
            return DefaultValue("number", sign + number)
        if tok.upper in ("TRUE", "FALSE"):
            return DefaultValue("boolean", tok.upper.lower())
        if tok.kind is Kind.STRING:
            return DefaultValue("string", tok.text[1:-1].replace("''", "'"))
        if tok.kind is Kind.BLOB:
            return DefaultValue("blob", tok.text[2:-1])
        return None

    def engine_default(self, value: DefaultValue, column_type: str) -> str | None:
        if value.kind == "now":
            return _NOW_NAMES[value.value]
        if value.kind == "boolean":  # SQLite's booleans are the integers 0 and 1
            return "1" if value.value == "true" else "0"
        if value.kind == "null":
            return "NULL"
        if value.kind == "number":
            return value.value
        if value.kind == "blob":
            return "X'" + value.value + "'"
        return "'" + value.value.replace("'", "''") + "'"

    def expr(self, text: str) -> Expr:
        return expr(text)

    def numbered(self, table: Table) -> frozenset[str]:
        # An INTEGER PRIMARY KEY is numbered by SQLite, AUTOINCREMENT or not.
        alias = rowid_alias(table)
        return frozenset() if alias is None else frozenset({alias})

    def numbered_type(self, key: tuple[str, ...], column: str, column_type: str) -> str | None:
        return column_type if key == (column,) and column_type == "INTEGER" else None

    def numbering_limit(self) -> str:
        return "SQLite numbers only an INTEGER PRIMARY KEY"

    def view_query(self, view: View) -> str | None:
        # The query after AS; a view that names its columns has no other engine's form.
        toks = tokenize(view.definition.text)
        for i, tok in enumerate(toks):
            if tok.is_word("AS"):
                if any(t.text == "(" for t in toks[:i]):
                    return None
                return view.definition.text[tok.end :].strip().rstrip(";").strip()
        return None

    def make_view(self, name: str, query: str) -> View:
        return View(name, statement_expr(f"CREATE VIEW {quote(name)} AS {query}"))

    def not_copied(self, schema: Schema, target: str) -> list[str]:
        notes = [
            f"trigger {trigger.name}: not copied (a SQLite trigger's body cannot run in "
            f"{target}, which runs trigger functions)"
            for trigger in schema.triggers
        ]
        notes += [
            f"virtual table {virtual.name}: not copied (it is a SQLite module)"
            for virtual in schema.virtual_tables
        ]
        return notes

    def dropped_with(self, table: Table) -> list[str]:
        if table.comment is not None or any(c.comment is not None for c in table.columns):
            return [f"{table.name}: comments dropped (SQLite has none)"]
        return []

    def takes_index(self, index: Index, notes: list[str]) -> bool:
        if index.method is not None:
            notes.append(f"index {index.name}: not copied (SQLite has no {index.method} indexes)")
            return False
        if index.include:
            notes.append(f"index {index.name}: INCLUDE columns dropped (SQLite has none)")
        if index.nulls_not_distinct:
            notes.append(
                f"index {index.name}: NULLS NOT DISTINCT dropped (SQLite has none: its unique "
                "keys take any number of NULLs)"
            )
        if any(p.nulls for p in index.parts):
            notes.append(
                f"index {index.name}: NULLS FIRST / LAST of its keys dropped (SQLite has none)"
            )
        return True

    def primary_key(self, key: PrimaryKey) -> PrimaryKey:
        # Unnamed: SQLite numbers an INTEGER PRIMARY KEY with AUTOINCREMENT only when the key
        # is declared on the column, and a name would make it a table constraint.
        return PrimaryKey(key.columns)

    def takes_view(self, view: View, notes: list[str]) -> bool:
        if view.materialized:
            notes.append(f"materialized view {view.name}: not copied (SQLite has none)")
            return False
        return True
