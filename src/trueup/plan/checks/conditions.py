"""What the checks measure, as data: the table a check reads, conditions on its rows, and
the parts of a unique key. The rules build these; each engine writes them as SQL (its
``probes`` module, see :class:`trueup.engines.probes.ProbeSQL`), so no rule holds SQL.

Names here are a column's name in the database now (before any rename in the plan).
Expressions written in the declared schema (a CHECK, a generated column's expression, an
index's predicate) are SQL already; a probe that holds one may fail for want of what the
push has not made yet (a CHECK naming a column it adds), and then has no numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from trueup.model import Column, Table


@dataclass
class CheckedTable:
    """One table as the checks see it: its name in the database now (before any rename in
    the plan), and how to name its columns there."""

    name: str
    model: Table
    columns: dict[str, str] = field(default_factory=dict)  # declared name -> name now

    @property
    def schema(self) -> str | None:
        """Its schema (namespace); None is the default one."""
        return self.model.schema

    @property
    def shown(self) -> str:
        """Its name as messages give it: with its schema when that is not the default."""
        return self.name if self.schema is None else f"{self.schema}.{self.name}"

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


@dataclass(frozen=True, slots=True)
class NotNull:
    """The rows whose ``column`` holds a value."""

    column: str


@dataclass(frozen=True, slots=True)
class IsNull:
    """The rows whose ``column`` is NULL."""

    column: str


@dataclass(frozen=True, slots=True)
class Breaks:
    """The rows a CHECK (its declared expression) rejects: false, not NULL."""

    check: str


@dataclass(frozen=True, slots=True)
class DiffersFromComputed:
    """The rows whose ``column`` holds a value other than what ``expression`` (declared)
    computes for them."""

    column: str
    expression: str


@dataclass(frozen=True, slots=True)
class NotKept:
    """The values of ``column`` that changing it from ``old`` to ``new`` in ``table`` (the
    table as it will be) would refuse or change; the engine may not be able to tell."""

    column: str
    old: Column
    new: Column
    table: Table


@dataclass(frozen=True, slots=True)
class Refused:
    """Among the values :class:`NotKept` names, those that make the change fail."""

    column: str
    old: Column
    new: Column
    table: Table


@dataclass(frozen=True, slots=True)
class KeptAsOtherClass:
    """The values the change to ``new`` keeps as they are although they are not of its type
    (an engine that stores a value of any type in any column)."""

    column: str
    new: Column
    table: Table


@dataclass(frozen=True, slots=True)
class NotInEnum:
    """The rows whose ``column`` holds a label that is not among ``values`` (an array
    column: any of its elements)."""

    column: str
    values: tuple[str, ...]
    array: bool


@dataclass(frozen=True, slots=True)
class HoldsAnyOf:
    """The rows whose ``column`` holds one of ``values`` (an array column: in any of its
    elements)."""

    column: str
    values: tuple[str, ...]
    array: bool


@dataclass(frozen=True, slots=True)
class Both:
    """The rows both conditions hold for."""

    first: Condition
    second: Condition


Condition = (
    NotNull
    | IsNull
    | Breaks
    | DiffersFromComputed
    | NotKept
    | Refused
    | KeptAsOtherClass
    | NotInEnum
    | HoldsAnyOf
    | Both
)


@dataclass(frozen=True, slots=True)
class KeyPart:
    """One part of a unique key as the new table compares it: a column (its name now) or a
    declared expression, under ``collation`` (None: the default one). A column whose type
    or collation changes (``change``: its old and new column, in ``table`` as it will be)
    is compared as the new column will hold it."""

    column: str | None = None
    expression: str | None = None
    collation: str | None = None
    change: tuple[Column, Column] | None = None
    table: Table | None = None


@dataclass(frozen=True, slots=True)
class Orphaned:
    """The rows (of the child table, named ``c``) whose foreign key points at no row of
    ``parent`` (None: a table the push makes, so every reference dangles). ``values`` are
    the key's values: a column of the child (its name now) or, for a column the push adds,
    the constant its declared default gives every row. A parent column whose type the push
    changes (``parent_retyped``, by position: its old and new column) is compared as the
    new column will hold it."""

    values: tuple[ChildValue, ...]
    parent: CheckedTable | None
    parent_columns: tuple[str, ...]
    parent_retyped: tuple[tuple[Column, Column] | None, ...] = ()


@dataclass(frozen=True, slots=True)
class ChildValue:
    """One value of a foreign key: a column of the child, or a declared constant. A column
    whose type the push changes (``retyped``: its old and new column) is compared as the
    new column will hold it."""

    column: str | None = None
    constant: str | None = None
    retyped: tuple[Column, Column] | None = None


@dataclass(frozen=True, slots=True)
class PointsAt:
    """The rows (named ``g``) whose foreign key (``columns``, to ``ref_columns``) points at
    a row of ``child`` (named ``c``) that ``orphaned`` holds for."""

    child: CheckedTable
    orphaned: Orphaned
    columns: tuple[str, ...]
    ref_columns: tuple[str, ...]


def declared(condition: Condition | Orphaned | PointsAt) -> bool:
    """Whether ``condition`` holds SQL written in the declared schema (see the module)."""
    match condition:
        case Breaks() | DiffersFromComputed():
            return True
        case Both(first=a, second=b):
            return declared(a) or declared(b)
        case Orphaned(values=values):
            # A constant is declared SQL; a value cast to its new type may not survive it.
            return any(v.constant is not None or v.retyped is not None for v in values) or any(
                condition.parent_retyped
            )
        case PointsAt(orphaned=orphaned):
            return declared(orphaned)
        case _:
            return False


def may_fail(parts: Sequence[KeyPart]) -> bool:
    """Whether comparing a key's values may fail for reasons other than the probe's SQL:
    a declared expression (see the module), or a cast of the values to a new type, which
    some of them may not survive (the type change has its own finding for those)."""
    return any(
        p.expression is not None or (p.change is not None and p.change[0].type != p.change[1].type)
        for p in parts
    )
