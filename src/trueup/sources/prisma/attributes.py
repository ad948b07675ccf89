"""Which attributes exist, which arguments each takes, and reading those arguments the way
Prisma reads them (``psl/parser-database``'s attribute context):

- an argument without a name stands for the attribute's default argument, wherever it is
  written (``@map("x")`` is ``@map(name: "x")``; ``@@id(name: "k", [a, b])`` is
  ``@@id(name: "k", fields: [a, b])``); two of them are an error;
- ``name:`` without a value and a trailing comma are errors, in the attribute's own
  arguments and in the function calls written as its arguments;
- a list argument takes a lone value as a one-item list (``@@index(userId)``);
- an argument the attribute does not read is an error.
"""

from __future__ import annotations

from trueup.errors import SchemaError
from trueup.sources.prisma.source import fail
from trueup.sources.prisma.syntax import (
    Argument,
    Array,
    Attribute,
    Call,
    Const,
    Expr,
    Num,
    Object,
    Str,
)

# attribute name -> (its default argument or None, the named arguments it takes)
FIELD_ATTRIBUTES: dict[str, tuple[str | None, frozenset[str]]] = {
    "id": (None, frozenset({"map", "length", "sort", "clustered"})),
    "unique": (None, frozenset({"map", "length", "sort", "clustered", "where"})),
    "default": ("value", frozenset({"value", "map"})),
    "relation": (
        "name",
        frozenset({"name", "fields", "references", "onDelete", "onUpdate", "map"}),
    ),
    "map": ("name", frozenset({"name"})),
    "updatedAt": (None, frozenset()),
    "ignore": (None, frozenset()),
    "shardKey": (None, frozenset()),
}
MODEL_ATTRIBUTES: dict[str, tuple[str | None, frozenset[str]]] = {
    "id": ("fields", frozenset({"fields", "name", "map", "length", "sort", "clustered"})),
    "unique": (
        "fields",
        frozenset({"fields", "name", "map", "length", "sort", "clustered", "where"}),
    ),
    "index": ("fields", frozenset({"fields", "name", "map", "type", "clustered", "where"})),
    "fulltext": ("fields", frozenset({"fields", "map"})),
    "map": ("name", frozenset({"name"})),
    "schema": ("name", frozenset({"name"})),
    "ignore": (None, frozenset()),
    "shardKey": ("fields", frozenset({"fields"})),
}
ENUM_ATTRIBUTES: dict[str, tuple[str | None, frozenset[str]]] = {
    "map": ("name", frozenset({"name"})),
    "schema": ("name", frozenset({"name"})),
}
ENUM_VALUE_ATTRIBUTES: dict[str, tuple[str | None, frozenset[str]]] = {
    "map": ("name", frozenset({"name"})),
}


class Args:
    """The arguments of one attribute, by name."""

    def __init__(self, attr: Attribute, default: str | None, known: frozenset[str]) -> None:
        self.attr = attr
        check_argument_shapes(attr)
        self.values: dict[str, Argument] = {}
        unnamed: list[Argument] = []
        for arg in attr.args:
            if arg.name is None:
                unnamed.append(arg)
            elif arg.name in self.values:
                raise fail(arg.pos, f'Argument "{arg.name}" is already specified.')
            else:
                self.values[arg.name] = arg
        if len(unnamed) > 1:
            shown = ", ".join(shown_value(a.value) for a in unnamed if a.value is not None)
            raise self.error(
                "You provided multiple unnamed arguments. This is not possible. Did you "
                f"forget the brackets? Did you mean `[{shown}]`?"
            )
        if unnamed and default is not None:
            if default in self.values:
                raise fail(
                    self.values[default].pos,
                    f'Argument "{default}" is already specified as unnamed argument.',
                )
            self.values[default] = unnamed[0]
        elif unnamed:
            raise fail(unnamed[0].pos, "No such argument.", hint=_takes(attr, known))
        for name, arg in self.values.items():
            if name not in known:
                raise fail(arg.pos, "No such argument.", hint=_takes(attr, known))

    def error(self, message: str) -> SchemaError:
        """Prisma's error about this attribute, at the attribute."""
        return fail(self.attr.pos, f'Error parsing attribute "{self.attr.display}": {message}')

    def get(self, name: str) -> Expr | None:
        arg = self.values.get(name)
        return arg.value if arg is not None else None

    def require(self, name: str) -> Expr:
        value = self.get(name)
        if value is None:
            raise fail(self.attr.pos, f'Argument "{name}" is missing.')
        return value

    def string(self, name: str, *, allow_empty: bool = False) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, Str):
            raise mismatch("string", value)
        if not value.value and not allow_empty:
            raise self.error(f"The `{name}` argument cannot be an empty string.")
        return value.value

    def constant(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, Const):
            raise mismatch("constant", value)
        if value.name not in allowed:
            shown = ", ".join(f"`{a}`" for a in allowed)
            raise fail(value.pos, f"Invalid `{name}` in `{self.attr.display}`: expected {shown}.")
        return value.name

    def items(self, name: str) -> list[Expr]:
        """A list argument's items; a lone value is a one-item list, as in Prisma."""
        value = self.get(name)
        if value is None:
            return []
        return list(value.items) if isinstance(value, Array) else [value]

    def names(self, name: str) -> list[Const | Call]:
        """Index fields, like ``[a, b(sort: Desc)]`` or a lone ``a``."""
        out: list[Const | Call] = []
        for item in self.items(name):
            if not isinstance(item, Const | Call):
                raise mismatch("constant literal", item)
            out.append(item)
        return out

    def constants(self, name: str) -> list[Const]:
        """Field names, like ``[a, b]`` or a lone ``a``."""
        out: list[Const] = []
        for item in self.items(name):
            if not isinstance(item, Const):
                raise mismatch("constant", item)
            out.append(item)
        return out


def check_argument_shapes(attr: Attribute) -> None:
    """``name:`` without a value and trailing commas, which Prisma refuses before it reads
    any argument: in the attribute's arguments, in the function calls among them, and
    (empty names only) in the calls inside their lists, like ``[a(sort:)]``."""
    where = f'Error parsing attribute "@{attr.name}": '
    calls = [a.value for a in attr.args if isinstance(a.value, Call)]
    nested = [
        item
        for a in attr.args
        if isinstance(a.value, Array)
        for item in a.value.items
        if isinstance(item, Call)
    ]
    for args in (attr.args, *(c.args for c in calls), *(c.args for c in nested)):
        for arg in args:
            if arg.name is not None and arg.value is None:
                raise fail(arg.pos, f"{where}The `{arg.name}` argument is missing a value.")
    for comma in (attr.trailing_comma, *(c.trailing_comma for c in calls)):
        if comma is not None:
            raise fail(
                comma,
                f"{where}Trailing commas are not valid in attribute arguments, please remove "
                "the comma.",
            )


def mismatch(expected: str, value: Expr) -> SchemaError:
    """Prisma's error for a value of the wrong kind."""
    return fail(
        value.pos,
        f"Expected a {expected} value, but received {kind_of(value)} value `{shown_value(value)}`.",
    )


def kind_of(value: Expr) -> str:
    if isinstance(value, Str):
        return "string"
    if isinstance(value, Num):
        return "numeric"
    if isinstance(value, Const):
        return "literal"
    if isinstance(value, Call):
        return "functional"
    return "array"


def shown_value(value: Expr) -> str:
    """A value as Prisma prints it in messages."""
    if isinstance(value, Str):
        return '"' + value.value + '"'
    if isinstance(value, Num):
        return value.text
    if isinstance(value, Const):
        return value.name
    if isinstance(value, Call):
        inner = ", ".join(
            (f"{a.name}: " if a.name else "") + (shown_value(a.value) if a.value else "")
            for a in value.args
        )
        return f"{value.name}({inner})"
    if isinstance(value, Object):
        return "{ " + ", ".join(f"{m.key}: {shown_value(m.value)}" for m in value.members) + " }"
    return "[" + ", ".join(shown_value(i) for i in value.items) + "]"


def _takes(attr: Attribute, known: frozenset[str]) -> str:
    if not known:
        return f"`{attr.display}` takes no arguments."
    return f"`{attr.display}` takes " + ", ".join(f"`{k}`" for k in sorted(known)) + "."


def known_attributes(
    attributes: tuple[Attribute, ...],
    catalogue: dict[str, tuple[str | None, frozenset[str]]],
    where: str,
) -> None:
    for attr in attributes:
        if attr.name not in catalogue:
            raise fail(attr.pos, f'Attribute not known: "{attr.display}" {where}.')


def read_args(
    attr: Attribute, catalogue: dict[str, tuple[str | None, frozenset[str]]], where: str
) -> Args:
    spec = catalogue.get(attr.name)
    if spec is None:
        raise fail(attr.pos, f'Attribute not known: "{attr.display}" {where}.')
    return Args(attr, *spec)


def check_unique_attributes(attributes: tuple[Attribute, ...], repeatable: set[str]) -> None:
    seen: set[str] = set()
    for attr in attributes:
        if attr.name in seen and attr.name not in repeatable:
            raise fail(attr.pos, f'Attribute "{attr.display}" can only be defined once.')
        seen.add(attr.name)
