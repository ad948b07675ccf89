"""The syntax tree of a Prisma schema: what was written, where, before any meaning is
given to it. Every node keeps the position it starts at, so later checks can point at it."""

from __future__ import annotations

from dataclasses import dataclass

from trueup.sources.prisma.source import Pos


@dataclass(frozen=True, slots=True)
class Str:
    value: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Num:
    """A numeric literal, kept as written (``-1``, ``0.5``) so nothing is lost to floats."""

    text: str
    pos: Pos

    @property
    def is_int(self) -> bool:
        return "." not in self.text


@dataclass(frozen=True, slots=True)
class Const:
    """A bare name or dotted path: ``true``, ``Cascade``, ``Desc``, an enum value, a field."""

    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Array:
    items: tuple[Expr, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Call:
    """A function call: ``now()``, ``env("URL")``, or a field with arguments in an index
    list, ``title(sort: Desc)``."""

    name: str
    args: tuple[Argument, ...]
    pos: Pos
    trailing_comma: Pos | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """``key: value`` in an object."""

    key: str
    value: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class Object:
    """``{ key: value, … }`` (``{}`` when empty): an object literal, as in a partial
    index's ``where: { deletedAt: null }``."""

    members: tuple[Member, ...]
    pos: Pos


Expr = Str | Num | Const | Array | Call | Object


@dataclass(frozen=True, slots=True)
class Argument:
    """``name: value``, a positional ``value`` (name None), or an empty ``name:``
    (value None, which Prisma parses so that it can complain)."""

    name: str | None
    value: Expr | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class Attribute:
    """``@name(args)`` on a field or ``@@name(args)`` on a block; ``name`` has no ``@``
    and may be dotted (``db.VarChar``)."""

    name: str
    args: tuple[Argument, ...]
    pos: Pos
    block: bool = False
    trailing_comma: Pos | None = None

    @property
    def display(self) -> str:
        return ("@@" if self.block else "@") + self.name


@dataclass(frozen=True, slots=True)
class FieldType:
    """``T``, ``T?``, ``T[]`` or ``Unsupported("…")`` with its modifiers."""

    name: str
    pos: Pos
    optional: bool = False
    list: bool = False
    unsupported: str | None = None


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: FieldType
    attributes: tuple[Attribute, ...]
    doc: tuple[str, ...]
    pos: Pos

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True, slots=True)
class Model:
    """A ``model``, ``view`` or composite ``type`` block (they share one syntax)."""

    kind: str
    name: str
    fields: tuple[Field, ...]
    attributes: tuple[Attribute, ...]
    doc: tuple[str, ...]
    pos: Pos
    name_pos: Pos

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True, slots=True)
class EnumValue:
    name: str
    attributes: tuple[Attribute, ...]
    doc: tuple[str, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Enum:
    name: str
    values: tuple[EnumValue, ...]
    attributes: tuple[Attribute, ...]
    doc: tuple[str, ...]
    pos: Pos
    name_pos: Pos

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True, slots=True)
class Property:
    """``key = value`` in a datasource or generator."""

    key: str
    value: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class Config:
    """A ``datasource`` or ``generator`` block."""

    kind: str
    name: str
    properties: tuple[Property, ...]
    pos: Pos
    name_pos: Pos

    def get(self, key: str) -> Property | None:
        return next((p for p in self.properties if p.key == key), None)


Block = Model | Enum | Config


@dataclass(frozen=True, slots=True)
class Document:
    """Every block of every file of one schema, in file order."""

    blocks: tuple[Block, ...]

    @property
    def models(self) -> tuple[Model, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Model))

    @property
    def enums(self) -> tuple[Enum, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Enum))

    def configs(self, kind: str) -> tuple[Config, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Config) and b.kind == kind)
