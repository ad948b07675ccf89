"""Which attributes exist, which arguments each takes, and reading those arguments.

An attribute's first positional argument stands for a named one (``@map("x")`` is
``@map(name: "x")``, ``@@index([a])`` is ``@@index(fields: [a])``); :class:`Args` resolves
that once, and rejects unknown, repeated and empty arguments the way Prisma does.
"""

from __future__ import annotations

from trueup.sources.prisma.source import fail
from trueup.sources.prisma.syntax import Argument, Array, Attribute, Call, Const, Expr, Str

# attribute name -> (name of the positional argument or None, the named arguments it takes)
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

    def __init__(self, attr: Attribute, positional: str | None, known: frozenset[str]) -> None:
        self.attr = attr
        self.values: dict[str, Argument] = {}
        for i, arg in enumerate(attr.args):
            name = arg.name
            if name is None:
                if i > 0 or positional is None:
                    raise fail(
                        arg.pos,
                        f"Unexpected unnamed argument in `{attr.display}`: "
                        + (
                            f"name it, like `{sorted(known)[0]}: …`."
                            if known
                            else "it takes no arguments."
                        ),
                    )
                name = positional
            if name not in known:
                raise fail(arg.pos, f"No such argument `{name}` in `{attr.display}`.")
            if name in self.values:
                raise fail(arg.pos, f"The argument `{name}` is given twice in `{attr.display}`.")
            if arg.value is None:
                raise fail(arg.pos, f"The argument `{name}` in `{attr.display}` has no value.")
            self.values[name] = arg

    def get(self, name: str) -> Expr | None:
        arg = self.values.get(name)
        return arg.value if arg is not None else None

    def require(self, name: str) -> Expr:
        value = self.get(name)
        if value is None:
            raise fail(self.attr.pos, f"The attribute `{self.attr.display}` needs `{name}`.")
        return value

    def string(self, name: str, *, allow_empty: bool = False) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, Str):
            raise fail(value.pos, f"Expected a string for `{name}` in `{self.attr.display}`.")
        if not value.value and not allow_empty:
            raise fail(
                value.pos,
                f"The `{name}` argument of `{self.attr.display}` cannot be an empty string.",
            )
        return value.value

    def constant(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, Const) or value.name not in allowed:
            shown = ", ".join(f"`{a}`" for a in allowed)
            raise fail(value.pos, f"Invalid `{name}` in `{self.attr.display}`: expected {shown}.")
        return value.name

    def names(self, name: str) -> list[Const | Call]:
        """A list of field references, like ``[a, b(sort: Desc)]``."""
        value = self.get(name)
        if value is None:
            return []
        if not isinstance(value, Array):
            raise fail(value.pos, f"Expected a list of field names for `{name}`, like `[id]`.")
        out: list[Const | Call] = []
        for item in value.items:
            if not isinstance(item, Const | Call) or "." in item.name:
                raise fail(item.pos, f"Expected a field name in `{name}`.")
            out.append(item)
        return out


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
