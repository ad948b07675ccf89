"""The neutral kinds a schema and its values pass through from one engine to another.

Each engine maps its own column types, defaults and values to these kinds and back
(:class:`Values`); a conversion from one engine to another is one engine's mapping to the
kinds followed by the other's mapping from them, so N engines need N mappings, not a
conversion for every pair.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trueup.model import Expr, Index, PrimaryKey, Schema, Table, View

#: What the values of a column mean, whichever engine holds them: the kinds a copy's
#: checksum puts values in one form by (``any``: a column that keeps any value).
VALUE_KINDS = (
    "any",
    "integer",
    "real",
    "decimal",
    "boolean",
    "blob",
    "date",
    "timestamp",
    "time",
    "json",
    "uuid",
    "text",
)

#: How a time stamp read from an export is written into a column: given its whole seconds
#: (``2026-12-07T10:00:00``) and its fraction (``.123`` or empty), in UTC.
MomentWriter = Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class ValueType:
    """A column type as no engine writes it.

    ``kind`` is one of ``integer`` (``size``: its bits), ``real`` (its bits), ``decimal``
    (its precision and scale, ``10,2``), ``text``, ``varchar`` (its length, if any),
    ``char`` (its length; padded with blanks), ``boolean``, ``blob``, ``date``,
    ``timestamp``, ``timestamptz``, ``time`` (their fractional digits, if given), ``json``,
    ``uuid``, or, for what another engine may not have, ``array``, ``enum`` and ``other``.
    ``name`` is the type as the source engine writes it; ``as_text`` says, for a note, how
    its values are kept where they become text; ``note`` is what the source's own mapping
    gave up already."""

    kind: str
    size: str | None = None
    name: str = ""
    as_text: str = "become text"
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DefaultValue:
    """A column default both engines mean the same by: ``now`` (``value``: ``timestamp``,
    ``date`` or ``time``), ``number`` (its digits, with a ``-`` if negative), ``string``
    (its text), ``boolean`` (``true`` or ``false``), ``blob`` (its hex digits) or
    ``null``."""

    kind: str
    value: str = ""


class Values(ABC):
    """One engine's mapping of its types, defaults and values to the neutral kinds and
    back, and what it makes of another engine's schema objects."""

    label: str

    # --- the kinds of values, for checksums and imports --------------------------------------

    @abstractmethod
    def kind_of(self, column_type: str) -> str:
        """What the values of a column of this type mean (one of :data:`VALUE_KINDS`)."""

    def canonical_as_read(self, column_type: str, kind: str) -> bool:
        """Whether every value of such a column reads in ``kind``'s canonical form already
        (see :meth:`~trueup.engines.descriptor.Engine.read_rows`): its values need no
        conversion before they are compared."""
        return False

    def moment_writer(self, column_type: str, source: ValueType) -> MomentWriter | None:
        """How a time stamp from another engine's column of type ``source`` is written into
        a column of ``column_type`` (one of kind ``timestamp``) of this engine, or None when
        it goes as it is."""
        return None

    # --- types and defaults -------------------------------------------------------------------

    @abstractmethod
    def neutral_type(self, column_type: str, enums: frozenset[str]) -> ValueType:
        """A column type of this engine as a neutral one (``enums``: the names the schema's
        enum types have as column types)."""

    @abstractmethod
    def engine_type(self, value: ValueType) -> tuple[str, str | None]:
        """This engine's type for a neutral one, and a note when the meaning changes."""

    @abstractmethod
    def neutral_default(self, text: str) -> DefaultValue | None:
        """A default as this engine keeps it, as a neutral one; None when it is an
        expression in the engine's own functions."""

    @abstractmethod
    def engine_default(self, value: DefaultValue, column_type: str) -> str | None:
        """This engine's default for a column of ``column_type``, or None when it has no
        form of it."""

    # --- what a schema of another engine becomes ----------------------------------------------

    @abstractmethod
    def expr(self, text: str) -> Expr:
        """An expression written in SQL both engines may share, as this engine keeps it."""

    def enum_names(self, schema: Schema) -> frozenset[str]:
        """The names ``schema``'s enum types have as column types."""
        return frozenset()

    def numbered(self, table: Table) -> frozenset[str]:
        """The columns of ``table`` the engine numbers by itself as rows are inserted."""
        return frozenset()

    @abstractmethod
    def numbered_type(self, key: tuple[str, ...], column: str, column_type: str) -> str | None:
        """The type of ``column`` (of ``column_type`` here; ``key`` its table's primary key)
        when this engine numbers it by itself, or None when it cannot."""

    def numbering(self) -> str:
        """How the engine numbers such columns, for a note where another cannot."""
        return f"numbered by {self.label}"

    def numbering_limit(self) -> str:
        """Which columns the engine numbers, for a note where it cannot number one."""
        return f"{self.label} cannot number it"

    def plain_collation(self, name: str) -> bool:
        """Whether the collation ``name`` compares as bytes do (every engine's default)."""
        return False

    @abstractmethod
    def view_query(self, view: View) -> str | None:
        """The query of ``view``, or None when it has no form without this engine."""

    @abstractmethod
    def make_view(self, name: str, query: str) -> View:
        """A view of this engine named ``name`` over ``query``."""

    def not_copied(self, schema: Schema, target: str) -> list[str]:
        """Notes for the objects of ``schema`` no other engine (``target``, its label)
        takes, such as triggers in the engine's own language."""
        return []

    # --- what this engine has no place for ----------------------------------------------------

    def dropped_with(self, table: Table) -> list[str]:
        """Notes for what another engine's ``table`` has that this engine drops with it."""
        return []

    def takes_index(self, index: Index, notes: list[str]) -> bool:
        """Whether another engine's ``index`` is made here; a note for each of its options
        this engine drops."""
        return True

    def primary_key(self, key: PrimaryKey) -> PrimaryKey:
        """Another engine's primary key as this engine declares it."""
        return key

    def takes_view(self, view: View, notes: list[str]) -> bool:
        """Whether another engine's ``view`` is made here (a note when not)."""
        return True
