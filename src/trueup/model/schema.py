"""The neutral schema model: what a database's schema is, whatever the engine.

Plain frozen dataclasses with tuples, references by name, no back-pointers and no SQL
rendering. Equality is semantic: every piece of SQL text is an :class:`Expr` that compares by
its normalised key, so two spellings the engine treats alike compare equal. A few fields
say only how a definition is spelled where the engine keeps the text (SQLite): they are left
out of equality, hashing and fingerprints (``compare=False``), and a renderer uses them to
write a definition back the way it was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Expr:
    """A fragment of SQL (a default, a CHECK, an index expression, a view's statement).

    ``text`` is kept as written so it can be rendered back; ``key`` is the dialect's
    normalised form (keyword case, whitespace and quoting folded) and is all that equality
    and hashing look at.
    """

    text: str = field(compare=False)
    key: str = field(repr=False)

    def __str__(self) -> str:
        return self.text


class Action(StrEnum):
    """A referential action of a foreign key."""

    NO_ACTION = "NO ACTION"
    RESTRICT = "RESTRICT"
    CASCADE = "CASCADE"
    SET_NULL = "SET NULL"
    SET_DEFAULT = "SET DEFAULT"


class Deferral(StrEnum):
    """When a foreign key is checked."""

    IMMEDIATE = "NOT DEFERRABLE"
    DEFERRABLE = "DEFERRABLE INITIALLY IMMEDIATE"
    DEFERRED = "DEFERRABLE INITIALLY DEFERRED"


@dataclass(frozen=True, slots=True)
class Generated:
    """A generated (computed) column: its expression and whether it is stored."""

    expression: Expr
    stored: bool = False


@dataclass(frozen=True, slots=True)
class SequenceOptions:
    """A PostgreSQL sequence's parameters, as its catalog holds them (a standalone
    sequence's, or an identity column's)."""

    type: str = "BIGINT"
    start: int = 1
    increment: int = 1
    min_value: int = 1
    max_value: int = 9223372036854775807
    cache: int = 1
    cycle: bool = False


@dataclass(frozen=True, slots=True)
class Column:
    """A column. ``type`` is the declared type in the dialect's canonical spelling
    (``INTEGER``, ``VARCHAR(255)``, ``TIMESTAMP(3)``, ``TEXT[]``); ``""`` means none declared.

    ``autoincrement`` is SQLite's ``AUTOINCREMENT`` or PostgreSQL's serial default;
    ``identity`` is PostgreSQL's ``ALWAYS`` / ``BY DEFAULT`` identity, and
    ``identity_options`` the parameters of its sequence (None: not known, as from a
    source that does not say; then they are not compared).
    ``not_null_conflict`` is the resolution of SQLite's ``NOT NULL ON CONFLICT …`` clause
    (``REPLACE`` writes the default instead of a NULL); None for ABORT, the default.
    """

    name: str
    type: str = ""
    nullable: bool = True
    default: Expr | None = None
    autoincrement: bool = False
    generated: Generated | None = None
    identity: str | None = None
    collation: str | None = None
    comment: str | None = None
    not_null_conflict: str | None = None
    identity_options: SequenceOptions | None = None
    #: The default as written after ``DEFAULT`` where that differs from the engine's own
    #: reading in ``default`` (SQLite drops a pair of parentheses: ``DEFAULT ((1))`` reads
    #: as ``(1)``); how ``prisma db push`` writes ``dbgenerated("…")`` and Json defaults.
    written_default: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class IndexPart:
    """One key of an index: a column or an expression, with its order and collation.

    ``nulls`` is where PostgreSQL sorts the key's NULLs (``FIRST`` or ``LAST``) when that
    is not the default for its order (last ascending, first descending); a part made with
    the default keeps None, so ``DESC NULLS FIRST`` equals ``DESC``. ``written_asc`` says
    an ascending key is written ``ASC`` (as Prisma writes a key given ``sort: Asc``)."""

    column: str | None = None
    expression: Expr | None = None
    descending: bool = False
    collation: str | None = None
    opclass: str | None = None
    nulls: str | None = None
    written_asc: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if self.nulls is not None and self.nulls == ("FIRST" if self.descending else "LAST"):
            object.__setattr__(self, "nulls", None)


@dataclass(frozen=True, slots=True)
class PrimaryKey:
    """A primary key. ``parts`` is filled only when a key column carries its own sort
    order or collation (SQLite's ``PRIMARY KEY (code COLLATE NOCASE)``); ``on_conflict``
    is SQLite's conflict clause (``REPLACE``, ``IGNORE``, ...). ``set_apart`` says a key
    written as a table constraint follows a blank line (Prisma's layout)."""

    columns: tuple[str, ...]
    name: str | None = None
    parts: tuple[IndexPart, ...] = ()
    on_conflict: str | None = None
    set_apart: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Index:
    """An index. ``constraint`` marks a UNIQUE declared inside the table (a unique
    constraint) rather than a separate ``CREATE INDEX``; ``name`` is ``None`` when the engine
    named it itself and the name carries no meaning. ``valid`` is False for an index
    PostgreSQL left INVALID (a concurrent build that failed): it serves no query and
    enforces nothing, and being unequal to any declared index, it is dropped and built
    again by the next push. ``nulls_not_distinct`` is PostgreSQL's ``NULLS NOT DISTINCT``
    (15+) on a unique index or constraint: NULLs in the key count as equal values."""

    name: str | None
    parts: tuple[IndexPart, ...]
    unique: bool = False
    where: Expr | None = None
    constraint: bool = False
    method: str | None = None
    include: tuple[str, ...] = ()
    on_conflict: str | None = None
    valid: bool = True
    nulls_not_distinct: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        """The plain columns the index keys on (expressions left out)."""
        return tuple(p.column for p in self.parts if p.column is not None)


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """A foreign key. ``written_actions`` says both actions are written out, ``NO ACTION``
    too (as Prisma writes them)."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    name: str | None = None
    ref_schema: str | None = None
    on_delete: Action = Action.NO_ACTION
    on_update: Action = Action.NO_ACTION
    deferral: Deferral = Deferral.IMMEDIATE
    written_actions: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Check:
    expression: Expr
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A table. ``options`` are the dialect's table options in canonical spelling
    (SQLite: ``STRICT``, ``WITHOUT ROWID``), sorted."""

    name: str
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()
    options: tuple[str, ...] = ()
    schema: str | None = None
    comment: str | None = None

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True, slots=True)
class View:
    """A view. ``definition`` is what the engine keeps: SQLite the whole ``CREATE VIEW``
    statement, PostgreSQL the query."""

    name: str
    definition: Expr
    schema: str | None = None
    materialized: bool = False
    #: False for a materialized view declared ``WITH NO DATA``: it is made so. Whether one
    #: in the database holds its rows is its data, not its schema, and is not compared.
    populated: bool = field(default=True, compare=False)


@dataclass(frozen=True, slots=True)
class Trigger:
    """A trigger on ``table``; ``definition`` is the whole ``CREATE TRIGGER`` statement."""

    name: str
    table: str
    definition: Expr
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class VirtualTable:
    """A SQLite virtual table (FTS5, R*Tree, …); ``definition`` is its ``CREATE VIRTUAL
    TABLE`` statement. Its shadow tables belong to it and are not listed as tables."""

    name: str
    definition: Expr


@dataclass(frozen=True, slots=True)
class Enum:
    """A PostgreSQL enum type and its values in order."""

    name: str
    values: tuple[str, ...]
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class SequenceGenerator:
    """A PostgreSQL sequence of its own (``CREATE SEQUENCE``): not a serial's or an
    identity column's, which belong to their column."""

    name: str
    options: SequenceOptions = SequenceOptions()
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class Extension:
    """A PostgreSQL extension. ``schema`` and ``version`` are where and in which version
    it is made; None leaves that to PostgreSQL (the default schema, the default version).

    A declared extension is made when the database has none of that name, and one the
    database has is left as it is, wherever and in whichever version: a push never moves,
    updates or drops an extension (its types and functions may hold the data of tables),
    as ``prisma db push`` does not."""

    name: str
    schema: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Unmodelled:
    """Something the engine holds on a table, or on its index or constraint, or on a
    materialized view, that the model has no place for yet (PostgreSQL's ``PARTITION BY``,
    ``UNLOGGED``, storage parameters, ...). A schema file that declares one is refused; a
    database that has one is told about, and left as it is. ``kind`` is the object's
    (``table``, ``index``, ``constraint``, ``materialized view``), ``what`` a stable word
    for the feature and ``written`` how the engine writes it."""

    table: str
    kind: str
    name: str
    what: str
    written: str
    schema: str | None = None

    @property
    def shown(self) -> str:
        """The object as messages name it: ``the index t_v_idx on table app.t``."""
        table = self.table if self.schema is None else f"{self.schema}.{self.table}"
        if self.kind in ("table", "materialized view"):
            return f"the {self.kind} {table}"
        return f"the {self.kind} {self.name} on table {table}"


@dataclass(frozen=True, slots=True)
class Schema:
    """A whole database schema as trueup manages it."""

    tables: tuple[Table, ...] = ()
    views: tuple[View, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    virtual_tables: tuple[VirtualTable, ...] = ()
    enums: tuple[Enum, ...] = ()
    namespaces: tuple[str, ...] = ()
    sequences: tuple[SequenceGenerator, ...] = ()
    extensions: tuple[Extension, ...] = ()
    #: What the database holds that the model has no place for (read, never compared).
    unmodelled: tuple[Unmodelled, ...] = field(default=(), compare=False)

    def table(self, name: str, schema: str | None = None) -> Table | None:
        for t in self.tables:
            if t.name == name and t.schema == schema:
                return t
        return None

    @property
    def is_empty(self) -> bool:
        return not (
            self.tables
            or self.views
            or self.triggers
            or self.virtual_tables
            or self.enums
            or self.sequences
        )
