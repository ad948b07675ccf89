"""What differs between engines when a database is written as a Prisma schema: which
column types are Prisma scalars (and with which ``@db.*`` native type), how a default
literal is read, and which names Prisma lets a schema keep.

A column type is written as a Prisma type only when pushing that type gives the column
type back exactly; anything else is ``Unsupported("…")``, which Prisma passes through
verbatim, so a pulled schema pushed again makes the same database.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from trueup.engines.sqlite.lexer import Kind, fold, strip_parens, tokenize
from trueup.engines.sqlite.render import default_sql
from trueup.model import Column
from trueup.sources.prisma.datamodel import POSTGRESQL, SQLITE
from trueup.sources.prisma.lower import PG_TYPES, sql_literal
from trueup.sources.prisma.pull.naming import string
from trueup.sources.prisma.scalars import PG_NATIVE_TYPES


@dataclass(frozen=True, slots=True)
class PulledEnum:
    """A database enum with its Prisma name and a Prisma name for each value."""

    name: str
    db_name: str
    values: tuple[str, ...]  # database values
    value_names: tuple[str, ...]  # their Prisma names, in the same order

    def value_name(self, value: str) -> str | None:
        if value in self.values:
            return self.value_names[self.values.index(value)]
        return None


@dataclass(frozen=True, slots=True)
class FieldType:
    """A scalar field's type: ``name`` is a built-in scalar, an enum's Prisma name or
    ``Unsupported``; ``native`` the ``@db.`` attribute without its prefix."""

    name: str
    native: str | None = None
    unsupported: str | None = None
    is_list: bool = False
    enum: PulledEnum | None = None

    def text(self, optional: bool) -> str:
        base = self.name
        if self.unsupported is not None:
            base = f"Unsupported({string(self.unsupported)})"
        if self.is_list:
            return base + "[]"
        return base + "?" if optional else base

    @property
    def relatable(self) -> tuple[str, str | None] | None:
        """What must match between a foreign key column and the column it references, or
        None when the field cannot be part of a relation."""
        if self.unsupported is not None or self.is_list:
            return None
        return (self.name, self.native)


@dataclass(frozen=True, slots=True)
class Literal:
    """A default that is a plain value: ``kind`` is string, number, bool or now."""

    kind: str
    value: str = ""


class Flavour(ABC):
    provider: str
    #: Prisma lets the schema name primary keys and foreign keys (``map:``).
    named_keys: bool
    #: An implicit many-to-many table keeps its pair unique by a primary key, not an index.
    join_table_primary_key: bool
    #: Prisma takes ``SetNull`` on a relation with a required field (with a warning).
    set_null_on_required: bool = False
    #: Prisma writes a Json literal default into DDL as a string literal.
    json_literals: bool = True
    #: Prisma writes a Json literal default into DDL as the JSON text itself.
    raw_json: bool = False

    def key(self, name: str) -> str:
        """The form in which the engine compares two names."""
        return name

    @abstractmethod
    def field_type(self, column: Column, enums: Mapping[str, PulledEnum]) -> FieldType: ...

    @abstractmethod
    def literal(self, text: str) -> Literal | None: ...

    def array_items(self, text: str) -> list[str] | None:
        """The items of a list default written as an array of literals, or None."""
        return None

    @abstractmethod
    def bytes_value(self, text: str) -> bytes | None:
        """The bytes a Bytes default's string holds, or None when it is not a form Prisma
        writes."""

    @abstractmethod
    def bytes_sql(self, raw: bytes) -> str: ...

    def decimal_sql(self, value: str) -> str:
        """How Prisma writes a Decimal default given as a string."""
        return sql_literal(value)

    def autoincrement(self, column: Column, single_int_key: bool) -> bool:
        """Whether the field gets ``@default(autoincrement())``."""
        return column.autoincrement

    def raw_default(self, text: str) -> str:
        """A default as ``dbgenerated("…")`` holds it: Prisma writes that text after
        ``DEFAULT`` as it is."""
        return text


class SQLiteFlavour(Flavour):
    provider = SQLITE
    named_keys = False
    join_table_primary_key = False
    # Prisma writes a Json literal default unquoted into SQLite DDL (DEFAULT [] reads as
    # ''); a default in quotes stays dbgenerated("'…'"), which makes it again.
    json_literals = False
    raw_json = True

    #: The exact column types Prisma writes for its scalars on SQLite.
    TYPES: ClassVar[dict[str, str]] = {
        "TEXT": "String",
        "INTEGER": "Int",
        "BIGINT": "BigInt",
        "REAL": "Float",
        "DECIMAL": "Decimal",
        "DATETIME": "DateTime",
        "BOOLEAN": "Boolean",
        "BLOB": "Bytes",
        "JSONB": "Json",
    }

    def key(self, name: str) -> str:
        return fold(name)

    def field_type(self, column: Column, enums: Mapping[str, PulledEnum]) -> FieldType:
        scalar = self.TYPES.get(column.type.upper())
        if scalar is None:
            return FieldType("Unsupported", unsupported=column.type)
        return FieldType(scalar)

    def literal(self, text: str) -> Literal | None:
        toks = strip_parens(tokenize(text))
        if len(toks) == 2 and toks[0].text == "-" and toks[1].kind is Kind.NUMBER:
            return Literal("number", "-" + toks[1].text)
        if len(toks) != 1:
            return None
        tok = toks[0]
        if tok.kind is Kind.STRING:
            return Literal("string", tok.name)
        if tok.kind is Kind.NUMBER:
            return Literal("number", tok.text)
        if tok.upper in ("TRUE", "FALSE"):
            return Literal("bool", tok.upper.lower())
        if tok.upper == "CURRENT_TIMESTAMP":
            return Literal("now")
        return None

    def bytes_value(self, text: str) -> bytes | None:
        # Prisma writes a Bytes default as its hex digits in a string.
        if re.fullmatch(r"(?:[0-9a-f]{2})*", text):
            return bytes.fromhex(text)
        return None

    def bytes_sql(self, raw: bytes) -> str:
        return sql_literal(raw.hex())

    def decimal_sql(self, value: str) -> str:
        return value  # Prisma's SQLite DDL writes a Decimal string default unquoted

    def raw_default(self, text: str) -> str:
        # SQLite reports an expression default without the parentheses its grammar needs
        # around it (DEFAULT (1 + 2) reads as "1 + 2").
        toks = tokenize(text)
        if toks and toks[0].text == "(" and strip_parens(toks) != toks:
            return text
        return default_sql(text)

    def autoincrement(self, column: Column, single_int_key: bool) -> bool:
        # Prisma writes AUTOINCREMENT on every single-column Int key, so its db pull writes
        # autoincrement() there whether the table has AUTOINCREMENT or not.
        return single_int_key


# PostgreSQL: a type's base name -> (Prisma scalar, native type name).
_PG_TYPES = {
    "TEXT": ("String", "Text"),
    "VARCHAR": ("String", "VarChar"),
    "CHAR": ("String", "Char"),
    "UUID": ("String", "Uuid"),
    "XML": ("String", "Xml"),
    "INET": ("String", "Inet"),
    "CITEXT": ("String", "Citext"),
    "BIT": ("String", "Bit"),
    "VARBIT": ("String", "VarBit"),
    "INTEGER": ("Int", "Integer"),
    "SMALLINT": ("Int", "SmallInt"),
    "OID": ("Int", "Oid"),
    "BIGINT": ("BigInt", "BigInt"),
    "DECIMAL": ("Decimal", "Decimal"),
    "MONEY": ("Decimal", "Money"),
    "REAL": ("Float", "Real"),
    "DOUBLE PRECISION": ("Float", "DoublePrecision"),
    "BOOLEAN": ("Boolean", "Boolean"),
    "BYTEA": ("Bytes", "ByteA"),
    "TIMESTAMP": ("DateTime", "Timestamp"),
    "TIMESTAMPTZ": ("DateTime", "Timestamptz"),
    "DATE": ("DateTime", "Date"),
    "TIME": ("DateTime", "Time"),
    "TIMETZ": ("DateTime", "Timetz"),
    "JSON": ("Json", "Json"),
    "JSONB": ("Json", "JsonB"),
}
_PG_TYPE = re.compile(r"^([A-Za-z][A-Za-z ]*?)(?:\((\d+(?:,\d+)*)\))?$")
_PG_STRING = re.compile(r"^'((?:[^']|'')*)'(?:::(.+))?$", re.DOTALL)
_PG_ARRAY = re.compile(r"^ARRAY\[(.*)\](?:::.+)?$", re.DOTALL)
_PG_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_PG_NUMERIC_CASTS = re.compile(r"^(integer|bigint|smallint|numeric|real|double precision)\b")


class PostgresFlavour(Flavour):
    provider = POSTGRESQL
    named_keys = True
    join_table_primary_key = True
    set_null_on_required = True

    def field_type(self, column: Column, enums: Mapping[str, PulledEnum]) -> FieldType:
        ctype = column.type
        is_list = ctype.endswith("[]")
        base = ctype[:-2] if is_list else ctype
        enum = enums.get(base)
        if enum is not None:
            return FieldType(enum.name, is_list=is_list, enum=enum)
        scalar = self._scalar(base)
        if scalar is None:
            # A list of an unsupported type stays one Unsupported type ("circle[]").
            return FieldType("Unsupported", unsupported=ctype)
        name, native = scalar
        return FieldType(name, native, is_list=is_list)

    def _scalar(self, ctype: str) -> tuple[str, str | None] | None:
        m = _PG_TYPE.match(ctype)
        if m is None or m.group(1).upper() not in _PG_TYPES:
            return None
        base, args = m.group(1).upper(), m.group(2)
        scalar, native = _PG_TYPES[base]
        if ctype.upper() == PG_TYPES[scalar]:
            return scalar, None
        count = len(args.split(",")) if args else 0
        _, least, most = PG_NATIVE_TYPES[native]
        if not least <= count <= most:
            return None
        return scalar, native + (f"({args.replace(',', ', ')})" if args else "")

    def literal(self, text: str) -> Literal | None:
        text = text.strip()
        while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
            text = text[1:-1].strip()
        m = _PG_STRING.match(text)
        if m:
            value = m.group(1).replace("''", "'")
            cast = (m.group(2) or "").strip()
            # PostgreSQL writes negative and big numbers as a string cast to the number type.
            if _PG_NUMERIC_CASTS.match(cast) and _PG_NUMBER.match(value):
                return Literal("number", value)
            return Literal("string", value)
        if _PG_NUMBER.match(text):
            return Literal("number", text)
        if text.lower() in ("true", "false"):
            return Literal("bool", text.lower())
        if text.lower() in ("current_timestamp", "now()"):
            return Literal("now")
        return None

    def array_items(self, text: str) -> list[str] | None:
        m = _PG_ARRAY.match(text.strip())
        if m is None or not m.group(1).strip():
            return None
        items, depth, quoted, start = [], 0, False, 0
        body = m.group(1)
        for i, ch in enumerate(body):
            if ch == "'":
                quoted = not quoted
            elif not quoted and ch in "([":
                depth += 1
            elif not quoted and ch in ")]":
                depth -= 1
            elif not quoted and depth == 0 and ch == ",":
                items.append(body[start:i].strip())
                start = i + 1
        items.append(body[start:].strip())
        return items

    def bytes_value(self, text: str) -> bytes | None:
        if re.fullmatch(r"\\x(?:[0-9a-f]{2})*", text):
            return bytes.fromhex(text[2:])
        return None

    def bytes_sql(self, raw: bytes) -> str:
        return sql_literal("\\x" + raw.hex())


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def flavour_for(provider: str) -> Flavour:
    if provider == SQLITE:
        return SQLiteFlavour()
    if provider == POSTGRESQL:
        return PostgresFlavour()
    raise ValueError(f"no Prisma provider for {provider}")
