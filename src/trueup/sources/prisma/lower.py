"""A validated Prisma data model as trueup's neutral :class:`~trueup.model.Schema`, with
Prisma's type mapping, defaults, keys and join tables for one engine.

The result is then normalised by the engine itself (see
:mod:`trueup.sources.prisma.normalize`) where it can be; it is spelled the way the engine
spells types, so that it stands as the model when it cannot be (no server known).
"""

from __future__ import annotations

import base64
import decimal
import json
import re

from trueup.model import (
    Action,
    Column,
    Enum,
    Expr,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)
from trueup.sources.prisma import names
from trueup.sources.prisma.datamodel import (
    POSTGRESQL,
    SQLITE,
    DataModel,
    Default,
    IndexDef,
    ManyToMany,
    ModelDef,
    ScalarField,
)
from trueup.sources.prisma.syntax import Array, Const, Num, Str
from trueup.sources.prisma.syntax import Expr as Value

_SQLITE_TYPES = {
    "String": "TEXT",
    "Boolean": "BOOLEAN",
    "Int": "INTEGER",
    "BigInt": "BIGINT",
    "Float": "REAL",
    "Decimal": "DECIMAL",
    "DateTime": "DATETIME",
    "Json": "JSONB",
    "Bytes": "BLOB",
}
#: The column type each scalar gets on PostgreSQL without a native type attribute.
PG_TYPES = {
    "String": "TEXT",
    "Boolean": "BOOLEAN",
    "Int": "INTEGER",
    "BigInt": "BIGINT",
    "Float": "DOUBLE PRECISION",
    "Decimal": "DECIMAL(65,30)",
    "DateTime": "TIMESTAMP(3)",
    "Json": "JSONB",
    "Bytes": "BYTEA",
}
_PG_NATIVE = {
    "SmallInt": "SMALLINT",
    "Integer": "INTEGER",
    "BigInt": "BIGINT",
    "Oid": "OID",
    "Decimal": "DECIMAL",
    "Money": "MONEY",
    "Real": "REAL",
    "DoublePrecision": "DOUBLE PRECISION",
    "VarChar": "VARCHAR",
    "Char": "CHAR",
    "Text": "TEXT",
    "Inet": "INET",
    "Citext": "CITEXT",
    "Bit": "BIT",
    "VarBit": "VARBIT",
    "Uuid": "UUID",
    "Xml": "XML",
    "ByteA": "BYTEA",
    "Timestamp": "TIMESTAMP",
    "Timestamptz": "TIMESTAMPTZ",
    "Date": "DATE",
    "Time": "TIME",
    "Timetz": "TIMETZ",
    "Boolean": "BOOLEAN",
    "Json": "JSON",
    "JsonB": "JSONB",
}
_ACTIONS = {
    "Cascade": Action.CASCADE,
    "Restrict": Action.RESTRICT,
    "NoAction": Action.NO_ACTION,
    "SetNull": Action.SET_NULL,
    "SetDefault": Action.SET_DEFAULT,
}


def lower(data: DataModel) -> Schema:
    """The schema ``prisma db push`` would make from ``data`` (views left out: Prisma
    never creates them)."""
    lowering = _Lowering(data)
    tables = [lowering.table(m) for m in data.models if not m.is_view]
    tables += [lowering.join_table(j) for j in data.many_to_many]
    enums: tuple[Enum, ...] = ()
    if data.datasource.provider == POSTGRESQL:
        enums = tuple(Enum(e.db_name, e.values, e.schema) for e in data.enums)
    return Schema(
        tables=tuple(tables),
        enums=enums,
        namespaces=data.datasource.schemas,
        extensions=data.datasource.extensions,
    )


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Lowering:
    def __init__(self, data: DataModel) -> None:
        self.data = data
        self.provider = data.datasource.provider

    # --- types -------------------------------------------------------------------------------

    def column_type(self, model: ModelDef, f: ScalarField) -> str:
        if f.unsupported is not None:
            base = f.unsupported
        elif f.is_enum:
            enum = self.data.enum(f.type)
            assert enum is not None
            if self.provider == SQLITE:
                base = "TEXT"
            else:
                base = _quote(enum.db_name)
                if enum.schema is not None:
                    # A type is found on the search_path, whatever the table's schema.
                    base = _quote(enum.schema) + "." + base
        elif self.provider == SQLITE:
            base = _SQLITE_TYPES[f.type]
        elif f.native is not None:
            base = _PG_NATIVE[f.native.name]
            if f.native.args:
                base += "(" + ",".join(str(a) for a in f.native.args) + ")"
        else:
            base = PG_TYPES[f.type]
        return base + "[]" if f.list else base

    # --- tables ---------------------------------------------------------------------------

    def table(self, model: ModelDef) -> Table:
        pk = model.primary_key
        columns = tuple(self.column(model, f) for f in model.fields)
        primary_key = None
        if pk is not None:
            primary_key = PrimaryKey(
                pk.columns,
                pk.name if self.provider == POSTGRESQL else None,
                # Prisma's SQLite DDL sets a key of several columns apart by a blank line.
                set_apart=self.provider == SQLITE and len(pk.columns) > 1,
            )
        return Table(
            name=model.db_name,
            columns=columns,
            primary_key=primary_key,
            indexes=tuple(self.index(i) for i in model.indexes),
            foreign_keys=tuple(
                ForeignKey(
                    columns=fk.columns,
                    ref_table=(target := self.data.model(fk.ref_model)).db_name,
                    ref_columns=fk.ref_columns,
                    name=fk.name,
                    ref_schema=target.schema if self.provider == POSTGRESQL else None,
                    on_delete=_ACTIONS[fk.on_delete],
                    on_update=_ACTIONS[fk.on_update],
                    written_actions=True,  # Prisma writes both, NO ACTION too
                )
                for fk in model.foreign_keys
            ),
            schema=model.schema,
        )

    def column(self, model: ModelDef, f: ScalarField) -> Column:
        ctype = self.column_type(model, f)
        default = f.default
        autoincrement = default is not None and default.kind == "autoincrement"
        pk = model.primary_key
        if self.provider == SQLITE:
            # Prisma writes AUTOINCREMENT on every single-column Int primary key, written
            # @default(autoincrement()) or not; never on BigInt.
            autoincrement = (
                pk is not None
                and pk.columns == (f.db_name,)
                and f.type == "Int"
                and f.unsupported is None
            )
        value = self.default(f, default, ctype) if default is not None else None
        return Column(
            name=f.db_name,
            type=ctype,
            # Lists are never NOT NULL in Prisma's DDL.
            nullable=f.optional or f.list,
            default=value,
            autoincrement=autoincrement,
            written_default=self.written_default(f, value),
        )

    def written_default(self, f: ScalarField, value: Expr | None) -> str | None:
        """Prisma's SQLite DDL writes dbgenerated("…") SQL and Json literals after DEFAULT
        as they are, without parentheses or quotes (DEFAULT [] then reads as '', and
        DEFAULT lower('X') is refused by SQLite); those stand as written."""
        if self.provider != SQLITE or value is None or f.default is None:
            return None
        if f.default.kind == "dbgenerated" or (f.default.kind == "value" and f.type == "Json"):
            return value.text
        return None

    def index(self, index: IndexDef) -> Index:
        parts = tuple(
            IndexPart(
                column=p.column,
                descending=p.descending,
                opclass=p.opclass if self.provider == POSTGRESQL else None,
                # Prisma's SQLite DDL writes ASC where the schema gives sort: Asc.
                written_asc=self.provider == SQLITE and p.explicit_sort and not p.descending,
            )
            for p in index.fields
        )
        return Index(
            name=index.name,
            parts=parts,
            unique=index.kind == "unique",
            where=_expr(index.where) if index.where is not None else None,
            method=index.algorithm if self.provider == POSTGRESQL else None,
        )

    def join_table(self, join: ManyToMany) -> Table:
        a, b = self.data.model(join.a), self.data.model(join.b)
        jn = names.join_table_names(join.table, self.provider)
        columns = []
        for label, model in (("A", a), ("B", b)):
            assert model.primary_key is not None
            key = model.field(model.primary_key.fields[0].field)
            assert key is not None
            columns.append(Column(label, self.column_type(model, key), nullable=False))
        part_a, part_b = IndexPart(column="A"), IndexPart(column="B")
        indexes = [Index(jn["b_index"], (part_b,))]
        primary_key = None
        if self.provider == POSTGRESQL:
            # Since Prisma 6 the pair is the primary key on PostgreSQL; SQLite keeps a
            # unique index.
            primary_key = PrimaryKey(("A", "B"), jn["pkey"])
        else:
            indexes.insert(0, Index(jn["unique"], (part_a, part_b), unique=True))
        fks: tuple[ForeignKey, ...] = ()
        if self.data.datasource.foreign_keys:
            fks = tuple(
                ForeignKey(
                    columns=(label,),
                    ref_table=model.db_name,
                    ref_columns=(model.primary_key.columns[0],) if model.primary_key else (),
                    name=jn[f"{label.lower()}_fkey"],
                    ref_schema=model.schema if self.provider == POSTGRESQL else None,
                    on_delete=Action.CASCADE,
                    on_update=Action.CASCADE,
                    written_actions=True,
                )
                for label, model in (("A", a), ("B", b))
            )
        return Table(
            name=join.table,
            columns=tuple(columns),
            primary_key=primary_key,
            indexes=tuple(indexes),
            foreign_keys=fks,
            schema=a.schema,
        )

    # --- defaults -----------------------------------------------------------------------

    def default(self, f: ScalarField, default: Default, ctype: str) -> Expr | None:
        if default.kind == "now":
            return _expr("CURRENT_TIMESTAMP")
        if default.kind == "dbgenerated":
            # dbgenerated() without SQL means "the database has some default": nothing to
            # declare here.
            return _expr(default.sql) if default.sql is not None else None
        if default.kind != "value" or default.value is None:
            return None  # autoincrement and client-side functions (uuid(), cuid(), ...)
        if f.list and isinstance(default.value, Array):
            items = ", ".join(self.literal(f, v) for v in default.value.items)
            return _expr(f"ARRAY[{items}]::{ctype}")
        return _expr(self.literal(f, default.value))

    def literal(self, f: ScalarField, value: Value) -> str:
        if f.is_enum and isinstance(value, Const):
            enum = self.data.enum(f.type)
            assert enum is not None
            return sql_literal(enum.values[enum.value_names.index(value.name)])
        if isinstance(value, Const):
            return value.name  # true / false
        if isinstance(value, Num) and value.is_int and f.type in ("Int", "BigInt"):
            return str(int(value.text))  # as Prisma writes the number it read: 007 is 7
        if isinstance(value, Num):
            return value.text
        if isinstance(value, Str):
            if f.type == "Bytes":
                raw = base64.b64decode(value.value)
                if self.provider == POSTGRESQL:
                    return sql_literal("\\x" + raw.hex())
                return sql_literal(raw.hex())
            if f.type == "Decimal":
                # As Prisma writes it: the number (an exponent worked out), unquoted.
                return format(decimal.Decimal(value.value), "f")
            if f.type == "DateTime":
                return sql_literal(_datetime_text(value.value))
            if f.type == "Json" and self.provider == SQLITE:
                return value.value  # unquoted, as Prisma writes it (see written_default)
            return sql_literal(value.value)
        return sql_literal(json.dumps(str(value)))


_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$"
)


def _datetime_text(value: str) -> str:
    """A DateTime default as Prisma writes it into DDL (the Display of a date-time with
    offset): ``2024-01-31T12:00:00.5Z`` -> ``2024-01-31 12:00:00.500 +00:00``."""
    m = _RFC3339.match(value)
    if not m:
        return value
    day, time, fraction, offset = m.groups()
    nanos = int((fraction or "").ljust(9, "0")[:9] or "0")
    if nanos == 0:
        frac = ""
    elif nanos % 1_000_000 == 0:
        frac = f".{nanos // 1_000_000:03d}"
    elif nanos % 1000 == 0:
        frac = f".{nanos // 1000:06d}"
    else:
        frac = f".{nanos:09d}"
    return f"{day} {time}{frac} {'+00:00' if offset in 'Zz' else offset}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _expr(text: str) -> Expr:
    # The key of a PostgreSQL default is its text until the PostgreSQL engine normalises
    # it; SQLite defaults are re-read from a real database (normalize.py).
    return Expr(text, text)
