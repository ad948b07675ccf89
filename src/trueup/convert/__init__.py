"""A schema of one engine as the closest schema of another, for ``trueup copy`` without a
declared schema.

The conversion is explicit and pure, and goes through neutral kinds: the source engine
maps every column type and default to one (:mod:`trueup.engines.kinds`), the target engine
maps it to its own; checks, generated columns, index expressions and views are carried as
their text. Whatever the target has no place for is left out with a note saying so.
Whether the target engine accepts what was mapped (a CHECK or a view written in the other
engine's SQL) is tried in a scratch database afterwards (:mod:`trueup.convert.fit`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from trueup.engines import engine_names, find_engine
from trueup.engines.kinds import Values
from trueup.errors import TrueupError
from trueup.model import (
    Check,
    Column,
    Expr,
    ForeignKey,
    Generated,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)

__all__ = ["Conversion", "ConversionError", "convert_default", "convert_schema", "convert_type"]


class ConversionError(TrueupError):
    """The schema cannot be moved to the other engine."""


@dataclass(frozen=True, slots=True)
class Conversion:
    schema: Schema
    #: What changed meaning or was left out, one line each, for the person copying.
    notes: tuple[str, ...]


def convert_schema(schema: Schema, source: str, target: str) -> Conversion:
    """``schema`` (inspected from a ``source`` database) for a ``target`` database."""
    if source == target:
        return Conversion(schema, ())
    if source not in engine_names() or target not in engine_names():
        raise ConversionError(f"trueup cannot convert a {source} schema for {target}.")
    notes: list[str] = []
    out = _Converter(source, target, notes).schema(schema)
    return Conversion(out, tuple(notes))


def convert_type(
    column_type: str, source: str, target: str, enums: frozenset[str] = frozenset()
) -> tuple[str, str | None]:
    """The ``target`` engine's type for a ``source`` column type (``enums``: the names of
    the source schema's enum types), and a note when the meaning changes."""
    values = find_engine(target).values
    return values.engine_type(find_engine(source).values.neutral_type(column_type, enums))


def convert_default(text: str, column_type: str, source: str, target: str) -> str | None:
    """A ``source`` default for a ``target`` column of ``column_type``, or None when it has
    no form there."""
    neutral = find_engine(source).values.neutral_default(text)
    if neutral is None:
        return None
    return find_engine(target).values.engine_default(neutral, column_type)


class _Converter:
    def __init__(self, source: str, target: str, notes: list[str]) -> None:
        self.src: Values = find_engine(source).values
        self.dst: Values = find_engine(target).values
        self.namespaces = find_engine(target).capabilities.namespaces
        self.notes = notes
        self.enums: frozenset[str] = frozenset()

    def schema(self, schema: Schema) -> Schema:
        self.enums = self.src.enum_names(schema)
        tables = tuple(self.table(t) for t in schema.tables)
        views = []
        for view in schema.views:
            if not self.dst.takes_view(view, self.notes):
                continue
            query = self.src.view_query(view)
            if query is None:
                self.notes.append(
                    f"view {view.name}: not copied (its column list has no {self.dst.label} form)"
                )
            else:
                views.append(self.dst.make_view(view.name, query))
        self.notes += self.src.not_copied(schema, self.dst.label)
        return Schema(tables=tables, views=tuple(views))

    def table(self, t: Table) -> Table:
        numbered = self.src.numbered(t)
        key = t.primary_key.columns if t.primary_key else ()
        columns = tuple(self.column(t, c, c.name in numbered, key) for c in t.columns)
        self.notes += self.dst.dropped_with(t)
        pk = None
        if t.primary_key is not None:
            # Without the source's ON CONFLICT: a note says so.
            pk = self.dst.primary_key(PrimaryKey(t.primary_key.columns, t.primary_key.name))
            if t.primary_key.on_conflict:
                self.notes.append(
                    f"{t.name}: ON CONFLICT {t.primary_key.on_conflict} of the key dropped"
                )
        indexes = tuple(i for index in t.indexes if (i := self.index(t, index)) is not None)
        return Table(
            t.name,
            columns,
            pk,
            indexes,
            self.foreign_keys(t),
            tuple(Check(self.dst.expr(c.expression.text), c.name) for c in t.checks),
        )

    def column(self, t: Table, c: Column, numbered: bool, key: tuple[str, ...]) -> Column:
        where = f"{t.name}.{c.name}"
        column_type, note = self.dst.engine_type(self.src.neutral_type(c.type, self.enums))
        if note:
            self.notes.append(f"{where}: {note}")
        auto = False
        if numbered:
            numbered_as = self.dst.numbered_type(key, c.name, column_type)
            auto = numbered_as is not None
            if numbered_as is None:
                self.notes.append(
                    f"{where}: {self.src.numbering()}; {self.dst.numbering_limit()}, so inserts "
                    "must give it a value"
                )
            else:
                column_type = numbered_as
        default = None
        if c.default is not None and not auto:
            default = self.default(where, c.default.text, column_type)
        if c.collation and not self.src.plain_collation(c.collation):
            self.notes.append(
                f"{where}: COLLATE {c.collation} dropped ({self.dst.label} has no such one)"
            )
        generated = None
        if c.generated is not None:
            generated = Generated(self.dst.expr(c.generated.expression.text), stored=True)
        if c.not_null_conflict:
            self.notes.append(f"{where}: ON CONFLICT {c.not_null_conflict} of NOT NULL dropped")
        return Column(
            c.name, column_type, c.nullable, default, autoincrement=auto, generated=generated
        )

    def default(self, where: str, text: str, column_type: str) -> Expr | None:
        neutral = self.src.neutral_default(text)
        out = None if neutral is None else self.dst.engine_default(neutral, column_type)
        if out is None:
            self.notes.append(f"{where}: default {text} dropped (no {self.dst.label} form)")
            return None
        return None if out == "NULL" else self.dst.expr(out)

    def index(self, t: Table, index: Index) -> Index | None:
        if index.on_conflict:
            self.notes.append(f"{t.name}: ON CONFLICT {index.on_conflict} of a unique key dropped")
        if not self.dst.takes_index(index, self.notes):
            return None
        parts = tuple(_part(p, self.dst.expr) for p in index.parts)
        predicate = self.dst.expr(index.where.text) if index.where else None
        return Index(index.name, parts, index.unique, predicate, index.constraint)

    def foreign_keys(self, t: Table) -> tuple[ForeignKey, ...]:
        fks = []
        for fk in t.foreign_keys:
            if fk.ref_schema is not None and not self.namespaces:
                self.notes.append(
                    f"{t.name}: the foreign key to {fk.ref_schema}.{fk.ref_table} not copied "
                    f"({self.dst.label} has one schema)"
                )
                continue
            fks.append(fk)
        return tuple(fks)


def _part(part: IndexPart, make: Callable[[str], Expr]) -> IndexPart:
    """An index key without its engine's collation and operator class (the other engine
    has neither of them by those names), nor the order of its NULLs."""
    expression = make(part.expression.text) if part.expression is not None else None
    return IndexPart(part.column, expression, part.descending)
