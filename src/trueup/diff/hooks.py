"""The questions the differ asks an engine (:class:`DiffHooks`): how names compare, whether
constraint names count, what makes two objects the same definition."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from trueup.diff import changes as ch
from trueup.model import Check, Column, ForeignKey, Index, IndexPart, PrimaryKey


class DiffHooks:
    """The questions the differ asks an engine. The defaults suit an engine with
    case-sensitive names whose constraint names matter (PostgreSQL)."""

    #: Constraint names (FK, CHECK, unique constraint, PK) are part of the schema.
    compare_constraint_names: bool = True
    #: Indexes can be renamed in place (otherwise a rename is a drop and a create).
    rename_index: bool = True
    #: A foreign key or check that changes but stays itself (renamed, or its actions or
    #: expression changed) is one change, not a drop and an add: where constraints are
    #: objects of their own that can be renamed. Where a constraint is part of its table's
    #: text (SQLite), any change to it rebuilds the table, and it is a drop and an add.
    pair_constraints: bool = True

    def key(self, name: str) -> str:
        """The form in which two names compare equal (SQLite folds ASCII case)."""
        return name

    def column_changes(self, old: Column, new: Column) -> ch.ColumnChange:
        kind = ch.ColumnChange.NONE
        if old.type.upper() != new.type.upper():
            kind |= ch.ColumnChange.TYPE
        if old.nullable != new.nullable:
            kind |= ch.ColumnChange.NULLABLE
        if old.default != new.default:
            kind |= ch.ColumnChange.DEFAULT
        if old.autoincrement != new.autoincrement:
            kind |= ch.ColumnChange.AUTOINCREMENT
        if old.generated != new.generated:
            kind |= ch.ColumnChange.GENERATED
        if old.identity != new.identity or _options_differ(old, new):
            kind |= ch.ColumnChange.IDENTITY
        if self._collation(old.collation) != self._collation(new.collation):
            kind |= ch.ColumnChange.COLLATION
        if old.comment != new.comment:
            kind |= ch.ColumnChange.COMMENT
        if old.not_null_conflict != new.not_null_conflict:
            kind |= ch.ColumnChange.NOT_NULL_CONFLICT
        return kind

    def _collation(self, name: str | None) -> str | None:
        return None if name is None else self.key(name)

    # --- keys that decide whether two objects are the same definition --------------------

    def names(self, names: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.key(n) for n in names)

    def parts(self, parts: Iterable[IndexPart]) -> tuple[IndexPart, ...]:
        return tuple(
            dataclasses.replace(
                p,
                column=None if p.column is None else self.key(p.column),
                collation=self._collation(p.collation),
            )
            for p in parts
        )

    def index_definition(self, index: Index) -> object:
        parts = self.parts(index.parts)
        name = None
        if index.constraint and self.compare_constraint_names and index.name is not None:
            name = self.key(index.name)
        return (
            parts,
            index.unique,
            index.where,
            index.constraint,
            index.method,
            self.names(index.include),
            index.on_conflict,
            name,
            index.valid,
            index.nulls_not_distinct,
        )

    def foreign_key_definition(self, fk: ForeignKey) -> object:
        name = self.key(fk.name) if self.compare_constraint_names and fk.name else None
        return (
            self.names(fk.columns),
            self.key(fk.ref_table),
            fk.ref_schema,
            self.names(fk.ref_columns),
            fk.on_delete,
            fk.on_update,
            fk.deferral,
            name,
        )

    def check_definition(self, check: Check) -> object:
        name = self.key(check.name) if self.compare_constraint_names and check.name else None
        return (check.expression, name)

    def primary_key_definition(self, pk: PrimaryKey | None) -> object:
        if pk is None:
            return None
        name = self.key(pk.name) if self.compare_constraint_names and pk.name else None
        return (self.names(pk.columns), self.parts(pk.parts), pk.on_conflict, name)


def _options_differ(old: Column, new: Column) -> bool:
    """An identity column's sequence parameters, where both sides know them."""
    return (
        old.identity is not None
        and new.identity is not None
        and old.identity_options is not None
        and new.identity_options is not None
        and old.identity_options != new.identity_options
    )
