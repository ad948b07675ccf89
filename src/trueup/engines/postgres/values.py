"""PostgreSQL's types, defaults and values as neutral kinds, and back (see
:mod:`trueup.engines.kinds`). Types are read in trueup's canonical spelling (``TIMESTAMPTZ(3)``,
``DOUBLE PRECISION``), defaults as ``pg_get_expr`` prints them."""

from __future__ import annotations

import re

from trueup.engines.kinds import DefaultValue, MomentWriter, Values, ValueType
from trueup.engines.postgres.engine import NATIVE
from trueup.engines.postgres.expressions import expr, tokens, view_expr
from trueup.engines.postgres.render import type_name
from trueup.model import Expr, Schema, Table, View

_KINDS = {
    "SMALLINT": "integer",
    "INTEGER": "integer",
    "BIGINT": "integer",
    "REAL": "real",
    "DOUBLE PRECISION": "real",
    "DECIMAL": "decimal",
    "BOOLEAN": "boolean",
    "BYTEA": "blob",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPTZ": "timestamp",
    "TIME": "time",
    "JSON": "json",
    "JSONB": "json",
    "UUID": "uuid",
}
#: Types as neutral ones: their kind and size.
_NEUTRAL = {
    "SMALLINT": ("integer", "16"),
    "INTEGER": ("integer", "32"),
    "BIGINT": ("integer", "64"),
    "REAL": ("real", "32"),
    "DOUBLE PRECISION": ("real", "64"),
    "TEXT": ("text", None),
    "VARCHAR": ("varchar", None),
    "BOOLEAN": ("boolean", None),
    "BYTEA": ("blob", None),
    "DATE": ("date", None),
    "TIMESTAMP": ("timestamp", None),
    "TIMESTAMPTZ": ("timestamptz", None),
    "TIME": ("time", None),
    "JSON": ("json", None),
    "JSONB": ("json", None),
    "UUID": ("uuid", None),
    "DECIMAL": ("decimal", None),
}
#: Types whose modifiers are a neutral size.
_MODIFIED_KINDS = {
    "VARCHAR": "varchar",
    "CHAR": "char",
    "DECIMAL": "decimal",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPTZ": "timestamptz",
    "TIME": "time",
}
_MODIFIED = re.compile(r"^([A-Z ]+?)\((\d+(?:,\d+)?)\)$")
_INTEGERS = {"16": "SMALLINT", "32": "INTEGER"}
_NAMES = {
    "decimal": "DECIMAL",
    "text": "TEXT",
    "varchar": "VARCHAR",
    "char": "CHAR",
    "boolean": "BOOLEAN",
    "blob": "BYTEA",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "time": "TIME",
    "json": "JSONB",
    "uuid": "UUID",
}

_NOW = {
    ("current_timestamp",): "timestamp",
    ("now", "(", ")"): "timestamp",
    ("transaction_timestamp", "(", ")"): "timestamp",
    ("localtimestamp",): "timestamp",
    ("current_date",): "date",
    ("current_time",): "time",
    ("localtime",): "time",
}
_NOW_NAMES = {"timestamp": "CURRENT_TIMESTAMP", "date": "CURRENT_DATE", "time": "CURRENT_TIME"}
_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")
_NUMERIC_CASTS = {"smallint", "integer", "bigint", "numeric", "real", "double"}
# What may follow "::" in a cast printed after a literal: type names, modifiers.
_CAST_PIECE = re.compile(r'^(?:[a-z_][a-z_0-9$]*|"(?:[^"]|"")*"|\d+|[()\[\],.])$')
#: Collations that compare as bytes do.
_BYTEWISE = {"C", "POSIX", "default"}


def _moments(zone: bool) -> MomentWriter:
    def write(whole: str, fraction: str) -> str:
        return whole.replace("T", " ") + fraction + ("+00:00" if zone else "")

    return write


class PostgresValues(Values):
    label = "PostgreSQL"

    def kind_of(self, column_type: str) -> str:
        if column_type.endswith("[]"):
            return "text"
        return _KINDS.get(column_type.split("(", 1)[0].strip().upper(), "text")

    def canonical_as_read(self, column_type: str, kind: str) -> bool:
        # The driver gives an integer column ints, a text column str (or None), and so on.
        base = column_type.split("(", 1)[0]
        if kind == "text":
            return base in ("TEXT", "VARCHAR", "CHAR")
        return kind in ("integer", "real", "boolean", "blob") and base in NATIVE

    def moment_writer(self, column_type: str, source: ValueType) -> MomentWriter | None:
        return _moments(column_type.upper().startswith("TIMESTAMPTZ"))

    def neutral_type(self, column_type: str, enums: frozenset[str]) -> ValueType:
        if column_type.endswith("[]"):
            return ValueType(
                "array", name=column_type, as_text="are kept as PostgreSQL's array text ('{a,b}')"
            )
        if column_type in enums:
            return ValueType("enum", name=column_type, as_text="are kept as text")
        if column_type in _NEUTRAL:
            kind, size = _NEUTRAL[column_type]
            return ValueType(kind, size, name=column_type)
        m = _MODIFIED.match(column_type)
        if m and m.group(1) in _MODIFIED_KINDS:
            return ValueType(_MODIFIED_KINDS[m.group(1)], m.group(2), name=column_type)
        return ValueType("other", name=column_type, as_text="are kept as PostgreSQL's text")

    def engine_type(self, value: ValueType) -> tuple[str, str | None]:
        if value.kind == "integer":
            return _INTEGERS.get(value.size or "", "BIGINT"), value.note
        if value.kind == "real":
            return ("REAL" if value.size == "32" else "DOUBLE PRECISION"), value.note
        if value.kind not in _NAMES:
            what = {"array": "arrays", "enum": "enums"}.get(value.kind)
            shown = f"type {value.name}" if what is None else what
            return "TEXT", f"PostgreSQL has no {shown}; its values {value.as_text}"
        name = _NAMES[value.kind]
        if value.size is not None:
            name = f"{name}({value.size})"
        return name, value.note

    def neutral_default(self, text: str) -> DefaultValue | None:
        toks = tokens(text)
        while len(toks) >= 2 and toks[0] == "(" and toks[-1] == ")" and _wraps(toks):
            toks = toks[1:-1]
        if tuple(toks) in _NOW:
            return DefaultValue("now", _NOW[tuple(toks)])
        if toks in (["true"], ["false"]):
            return DefaultValue("boolean", toks[0])
        if toks and toks[0] == "null" and _is_cast(toks[1:]):
            return DefaultValue("null")
        if len(toks) == 2 and toks[0] == "-" and _NUMBER.match(toks[1]):
            return DefaultValue("number", "-" + toks[1])
        if len(toks) == 1 and _NUMBER.match(toks[0]):
            return DefaultValue("number", toks[0])
        if toks and toks[0].startswith("'") and _is_cast(toks[1:]):
            value = toks[0][1:-1].replace("''", "'")
            cast = toks[2] if len(toks) > 2 else ""
            if cast in _NUMERIC_CASTS and _NUMBER.match(value):
                return DefaultValue("number", value)  # -1 is printed as '-1'::integer
            if cast == "bytea" and value.startswith("\\x"):
                return DefaultValue("blob", value[2:])
            return DefaultValue("string", value)
        return None

    def engine_default(self, value: DefaultValue, column_type: str) -> str | None:
        boolean = column_type == "BOOLEAN"
        if value.kind == "now":
            return _NOW_NAMES[value.value]
        if value.kind == "number":
            if boolean:  # another engine's booleans may be the integers 0 and 1
                return {"0": "false", "1": "true"}.get(value.value)
            return value.value
        if value.kind == "boolean":
            if boolean:
                return value.value
            return "1" if value.value == "true" else "0"
        if value.kind == "blob":
            return "'\\x" + value.value.lower() + "'" if column_type == "BYTEA" else None
        if value.kind == "null":
            return "NULL"
        return "'" + value.value.replace("'", "''") + "'"

    def expr(self, text: str) -> Expr:
        return expr(text)

    def enum_names(self, schema: Schema) -> frozenset[str]:
        return frozenset(type_name(e.name, e.schema) for e in schema.enums)

    def numbered(self, table: Table) -> frozenset[str]:
        return frozenset(c.name for c in table.columns if c.autoincrement or c.identity is not None)

    def numbered_type(self, key: tuple[str, ...], column: str, column_type: str) -> str | None:
        return "BIGINT"  # a serial, whatever the other engine's integer was

    def numbering(self) -> str:
        return "numbered by a sequence in PostgreSQL"

    def plain_collation(self, name: str) -> bool:
        return name in _BYTEWISE

    def view_query(self, view: View) -> str | None:
        return view.definition.text

    def make_view(self, name: str, query: str) -> View:
        return View(name, view_expr(query))


def _wraps(toks: list[str]) -> bool:
    """Whether the first parenthesis closes at the very end."""
    depth = 0
    for i, t in enumerate(toks):
        depth += {"(": 1, ")": -1}.get(t, 0)
        if depth == 0:
            return i == len(toks) - 1
    return False


def _is_cast(rest: list[str]) -> bool:
    """Nothing, or ``::`` and a type name: a literal's cast, not an expression."""
    if not rest:
        return True
    return rest[0] == "::" and len(rest) > 1 and all(_CAST_PIECE.match(t) for t in rest[1:])
