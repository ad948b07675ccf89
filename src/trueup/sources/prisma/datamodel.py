"""The meaning of a valid Prisma schema, as far as the database is concerned.

Validation turns the syntax tree into these plain values: database names already applied
(``@map``/``@@map``), defaults classified, relations paired and classified, constraint
names chosen. Lowering to a :class:`~trueup.model.Schema` for one engine is then a direct
walk over them.
"""

from __future__ import annotations

from dataclasses import dataclass

from trueup.model import Extension
from trueup.sources.declared import SchemaWarning
from trueup.sources.prisma.source import Pos
from trueup.sources.prisma.syntax import Expr

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

#: What to check when the engine refuses the DDL made from the models, by provider.
REJECTED_HINTS = {
    SQLITE: 'Check Unsupported("…") types, dbgenerated("…") and Json defaults (written after '
    "DEFAULT as they are, as Prisma writes them: an expression needs its parentheses, "
    "dbgenerated(\"(lower('X'))\")) and names (SQLite reserves names starting with sqlite_).",
    POSTGRESQL: 'Check Unsupported("…") types, dbgenerated("…") defaults and native type '
    "arguments.",
}


@dataclass(frozen=True, slots=True)
class Datasource:
    provider: str  # SQLITE or POSTGRESQL
    url: str | None
    relation_mode: str  # "foreignKeys" or "prisma"
    schemas: tuple[str, ...]
    pos: Pos
    extensions: tuple[Extension, ...] = ()  # PostgreSQL's, with postgresqlExtensions

    @property
    def foreign_keys(self) -> bool:
        return self.relation_mode == "foreignKeys"


@dataclass(frozen=True, slots=True)
class NativeType:
    """A ``@db.X(args)`` type, e.g. ``VarChar`` with ``(255,)``."""

    name: str
    args: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Default:
    """What a ``@default`` means to the database.

    ``kind`` is ``value`` (a literal, in ``value``), ``now``, ``autoincrement``,
    ``dbgenerated`` (raw SQL in ``sql``; None for ``dbgenerated()``, which leaves whatever
    the database has alone) or ``client`` (``uuid()``, ``cuid()``, … made by the client:
    nothing in the database).
    """

    kind: str
    value: Expr | None = None
    sql: str | None = None


@dataclass(frozen=True, slots=True)
class ScalarField:
    name: str
    db_name: str
    type: str  # a built-in scalar name, an enum name, or "Unsupported"
    is_enum: bool
    optional: bool
    list: bool
    pos: Pos
    unsupported: str | None = None
    native: NativeType | None = None
    default: Default | None = None


@dataclass(frozen=True, slots=True)
class IndexField:
    field: str
    column: str
    descending: bool = False
    explicit_sort: bool = False
    opclass: str | None = None


@dataclass(frozen=True, slots=True)
class IndexDef:
    """A primary key (``kind == "id"``), unique index or plain index, with its final
    database name; ``where`` is a partial index's SQL predicate."""

    kind: str
    fields: tuple[IndexField, ...]
    name: str
    pos: Pos
    algorithm: str | None = None
    where: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields)


@dataclass(frozen=True, slots=True)
class ForeignKeyDef:
    """An inline (1:1 or 1:n) relation as a foreign key on the model that holds the
    ``fields``."""

    columns: tuple[str, ...]
    ref_model: str
    ref_columns: tuple[str, ...]
    on_delete: str  # a referential action name: Cascade, Restrict, NoAction, SetNull, SetDefault
    on_update: str
    name: str


@dataclass(frozen=True, slots=True)
class ModelDef:
    name: str
    db_name: str
    schema: str | None
    fields: tuple[ScalarField, ...]
    primary_key: IndexDef | None
    indexes: tuple[IndexDef, ...]
    foreign_keys: tuple[ForeignKeyDef, ...]
    is_view: bool
    pos: Pos

    def field(self, name: str) -> ScalarField | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True, slots=True)
class EnumDef:
    name: str
    db_name: str
    schema: str | None
    values: tuple[str, ...]  # database values, in order
    value_names: tuple[str, ...]  # the names the schema uses, in the same order


@dataclass(frozen=True, slots=True)
class ManyToMany:
    """An implicit many-to-many relation: its join table ``_{name}`` and the two models,
    ``a`` being the one whose name sorts first."""

    table: str
    a: str
    b: str


@dataclass(frozen=True, slots=True)
class DataModel:
    datasource: Datasource
    models: tuple[ModelDef, ...]
    enums: tuple[EnumDef, ...]
    many_to_many: tuple[ManyToMany, ...]
    warnings: tuple[SchemaWarning, ...] = ()

    def model(self, name: str) -> ModelDef:
        return next(m for m in self.models if m.name == name)

    def enum(self, name: str) -> EnumDef | None:
        return next((e for e in self.enums if e.name == name), None)
