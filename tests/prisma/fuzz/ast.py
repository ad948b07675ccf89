"""The generated schemas before they are text: blocks, fields, attributes and their
arguments, in the spelling the generator chose (a lone value where a list is expected, a
positional argument after named ones, ...). :mod:`.render` lays them out as text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Str:
    value: str
    #: The exact text between the quotes, when the generator spelled it itself (escapes).
    raw: str | None = None

    def text(self) -> str:
        if self.raw is not None:
            return f'"{self.raw}"'
        return json.dumps(self.value, ensure_ascii=False)


@dataclass(frozen=True)
class Num:
    literal: str

    def text(self) -> str:
        return self.literal


@dataclass(frozen=True)
class Name:
    """A bare identifier or path: a field, an enum value, ``true``, ``Desc``, ``Cascade``."""

    name: str

    def text(self) -> str:
        return self.name


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Arg, ...] = ()

    def text(self) -> str:
        return f"{self.name}({', '.join(a.text() for a in self.args)})"


@dataclass(frozen=True)
class Array:
    items: tuple[Expr, ...]

    def text(self) -> str:
        return "[" + ", ".join(i.text() for i in self.items) + "]"


Expr = Str | Num | Name | Call | Array


@dataclass(frozen=True)
class Arg:
    name: str | None
    value: Expr

    def text(self) -> str:
        return self.value.text() if self.name is None else f"{self.name}: {self.value.text()}"


@dataclass(frozen=True)
class Attr:
    """``@name(args)`` on a field or ``@@name(args)`` on a block; ``args`` None: no
    parentheses at all."""

    name: str
    args: tuple[Arg, ...] | None = None

    def arg(self, name: str) -> Arg | None:
        return next((a for a in self.args or () if a.name == name), None)

    def text(self, prefix: str = "@") -> str:
        if self.args is None:
            return f"{prefix}{self.name}"
        return f"{prefix}{self.name}({', '.join(a.text() for a in self.args)})"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "Int", "User", 'Unsupported("circle")'
    modifier: str = ""  # "", "?", "[]"
    attrs: tuple[Attr, ...] = ()

    def with_attr(self, attr: Attr) -> Field:
        return replace(self, attrs=(*self.attrs, attr))

    def attr(self, name: str) -> Attr | None:
        return next((a for a in self.attrs if a.name == name), None)


@dataclass(frozen=True)
class Prop:
    """``name = value`` in a datasource or generator block."""

    name: str
    value: Expr


@dataclass(frozen=True)
class EnumValue:
    name: str
    attrs: tuple[Attr, ...] = ()


@dataclass
class Block:
    keyword: str  # model, view, enum, datasource, generator
    name: str
    fields: list[Field] = field(default_factory=list)
    values: list[EnumValue] = field(default_factory=list)
    props: list[Prop] = field(default_factory=list)
    attrs: list[Attr] = field(default_factory=list)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def attr(self, name: str) -> Attr | None:
        return next((a for a in self.attrs if a.name == name), None)


@dataclass
class Document:
    """One schema: its blocks, and how they are spread over files (one file, or a folder
    of several)."""

    provider: str  # "sqlite", "postgresql": the engine it runs on
    blocks: list[Block]
    #: For each block, the file it goes in (an index into ``file_names``).
    placement: list[int] = field(default_factory=list)
    file_names: list[str] = field(default_factory=lambda: ["schema.prisma"])

    def models(self) -> list[Block]:
        return [b for b in self.blocks if b.keyword in ("model", "view")]

    def block(self, name: str) -> Block:
        return next(b for b in self.blocks if b.name == name and b.keyword != "datasource")
