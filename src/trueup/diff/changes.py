"""The closed set of schema changes the differ produces and the planners consume.

Named Verb+Noun. A drop carries the whole dropped object (for messages, risk and reversal);
a modify carries the old and the new object and, for columns, a flag of what changed, so no
later stage has to diff again. Planners and checks ``match`` on these exhaustively.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Flag, auto

from trueup.model import (
    Check,
    Column,
    Enum,
    Extension,
    ForeignKey,
    Index,
    PrimaryKey,
    SequenceGenerator,
    Table,
    Trigger,
    View,
    VirtualTable,
)


class ColumnChange(Flag):
    """What differs between two versions of a column."""

    NONE = 0
    TYPE = auto()
    NULLABLE = auto()
    DEFAULT = auto()
    AUTOINCREMENT = auto()
    GENERATED = auto()
    IDENTITY = auto()
    COLLATION = auto()
    COMMENT = auto()
    NOT_NULL_CONFLICT = auto()  # SQLite's NOT NULL ON CONFLICT clause

    def describe(self) -> str:
        """What changed, in words: ``nullability and default``."""
        names = [_WORDS.get(m.name, m.name.lower()) for m in ColumnChange if m.name and m in self]
        return and_list([n for n in names if n])


def and_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_WORDS = {
    "NONE": "",
    "NULLABLE": "nullability",
    "NOT_NULL_CONFLICT": "NOT NULL conflict clause",
}


# --- changes inside one table -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddColumn:
    column: Column


@dataclass(frozen=True, slots=True)
class DropColumn:
    column: Column


@dataclass(frozen=True, slots=True)
class ModifyColumn:
    old: Column
    new: Column
    kind: ColumnChange


@dataclass(frozen=True, slots=True)
class RenameColumn:
    """A column keeps its data under a new name (only from an explicit rename hint)."""

    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ModifyPrimaryKey:
    """The primary key is added (``old is None``), dropped (``new is None``) or changed."""

    old: PrimaryKey | None
    new: PrimaryKey | None

    @property
    def renamed_only(self) -> bool:
        """The same key under another constraint name (PostgreSQL's ``t_pkey`` after the
        table was renamed): every row keeps its key."""
        return (
            self.old is not None
            and self.new is not None
            and self.old.columns == self.new.columns
            and self.old.parts == self.new.parts
        )


@dataclass(frozen=True, slots=True)
class AddIndex:
    index: Index


@dataclass(frozen=True, slots=True)
class DropIndex:
    index: Index


@dataclass(frozen=True, slots=True)
class RenameIndex:
    old: Index
    new: Index


@dataclass(frozen=True, slots=True)
class AddForeignKey:
    foreign_key: ForeignKey


@dataclass(frozen=True, slots=True)
class DropForeignKey:
    foreign_key: ForeignKey


@dataclass(frozen=True, slots=True)
class ModifyForeignKey:
    """A foreign key that keeps its columns and its parent and changes its actions or
    deferral (its name too, perhaps): every row met the old key, so none is new to it."""

    old: ForeignKey
    new: ForeignKey


@dataclass(frozen=True, slots=True)
class AddCheck:
    check: Check


@dataclass(frozen=True, slots=True)
class DropCheck:
    check: Check


@dataclass(frozen=True, slots=True)
class ModifyCheck:
    """A check that keeps its name and changes its expression."""

    old: Check
    new: Check


Constraint = ForeignKey | Check | Index
"""What :class:`RenameConstraint` renames: a foreign key, a check or a unique constraint."""


@dataclass(frozen=True, slots=True)
class RenameConstraint:
    """A constraint that keeps its definition under another name (both of the same kind)."""

    old: Constraint
    new: Constraint

    @property
    def old_name(self) -> str:
        assert self.old.name is not None, "only a named constraint is renamed"
        return self.old.name

    @property
    def new_name(self) -> str:
        assert self.new.name is not None, "only a named constraint is renamed"
        return self.new.name


@dataclass(frozen=True, slots=True)
class ModifyTableOptions:
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ModifyTableComment:
    old: str | None
    new: str | None


TableChange = (
    AddColumn
    | DropColumn
    | ModifyColumn
    | RenameColumn
    | ModifyPrimaryKey
    | AddIndex
    | DropIndex
    | RenameIndex
    | AddForeignKey
    | DropForeignKey
    | ModifyForeignKey
    | AddCheck
    | DropCheck
    | ModifyCheck
    | RenameConstraint
    | ModifyTableOptions
    | ModifyTableComment
)


# --- changes to the schema ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddTable:
    table: Table


@dataclass(frozen=True, slots=True)
class DropTable:
    table: Table


@dataclass(frozen=True, slots=True)
class RenameTable:
    """A table keeps its rows under a new name (only from an explicit rename hint).
    Other changes to the same table follow as a :class:`ModifyTable` under the new name."""

    old: Table
    new_name: str


@dataclass(frozen=True, slots=True)
class ModifyTable:
    """``old`` and ``new`` carry the same name (after any rename); ``changes`` lists what
    differs, in the order the differ found it."""

    old: Table
    new: Table
    changes: tuple[TableChange, ...]


@dataclass(frozen=True, slots=True)
class AddView:
    view: View


@dataclass(frozen=True, slots=True)
class DropView:
    view: View


@dataclass(frozen=True, slots=True)
class ModifyView:
    old: View
    new: View


@dataclass(frozen=True, slots=True)
class AddTrigger:
    trigger: Trigger


@dataclass(frozen=True, slots=True)
class DropTrigger:
    trigger: Trigger


@dataclass(frozen=True, slots=True)
class ModifyTrigger:
    old: Trigger
    new: Trigger


@dataclass(frozen=True, slots=True)
class AddVirtualTable:
    table: VirtualTable


@dataclass(frozen=True, slots=True)
class DropVirtualTable:
    table: VirtualTable


@dataclass(frozen=True, slots=True)
class ModifyVirtualTable:
    old: VirtualTable
    new: VirtualTable


@dataclass(frozen=True, slots=True)
class AddEnum:
    enum: Enum


@dataclass(frozen=True, slots=True)
class DropEnum:
    enum: Enum


@dataclass(frozen=True, slots=True)
class ModifyEnum:
    old: Enum
    new: Enum


@dataclass(frozen=True, slots=True)
class AddSequence:
    sequence: SequenceGenerator


@dataclass(frozen=True, slots=True)
class DropSequence:
    sequence: SequenceGenerator


@dataclass(frozen=True, slots=True)
class ModifySequence:
    old: SequenceGenerator
    new: SequenceGenerator


@dataclass(frozen=True, slots=True)
class AddNamespace:
    name: str


@dataclass(frozen=True, slots=True)
class AddExtension:
    """An extension the database lacks (a push never drops or changes one)."""

    extension: Extension


Change = (
    AddTable
    | DropTable
    | RenameTable
    | ModifyTable
    | AddView
    | DropView
    | ModifyView
    | AddTrigger
    | DropTrigger
    | ModifyTrigger
    | AddVirtualTable
    | DropVirtualTable
    | ModifyVirtualTable
    | AddEnum
    | DropEnum
    | ModifyEnum
    | AddSequence
    | DropSequence
    | ModifySequence
    | AddNamespace
    | AddExtension
)
