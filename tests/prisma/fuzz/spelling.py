"""The spellings Prisma accepts for one meaning: a lone value where a list is expected
(``@@index(a)``, ``fields: a``), the first argument given by position or by name, and that
positional argument first or after named ones; named arguments in any order."""

from __future__ import annotations

from collections.abc import Sequence

from tests.prisma.fuzz.ast import Arg, Array, Attr, Call, Expr, Name
from tests.prisma.fuzz.choose import Chooser


def field_ref(name: str, args: Sequence[Arg] = ()) -> Expr:
    """A field in a list of fields, with its arguments (``a(sort: Desc)``) if any."""
    return Call(name, tuple(args)) if args else Name(name)


def field_list(c: Chooser, items: Sequence[Expr]) -> Expr:
    """``[a, b]``; one field as ``[a]`` or as the lone ``a``."""
    if len(items) == 1 and not c.plain and c.chance(0.35):
        return items[0]
    return Array(tuple(items))


def arguments(
    c: Chooser,
    positional: tuple[str | None, Expr] | None,
    named: Sequence[tuple[str, Expr]],
) -> tuple[Arg, ...]:
    """An argument list: ``named`` in a drawn order, and ``positional`` (its name, when it
    may be given by name, and its value) by position (mostly first, else anywhere) or
    by its name."""
    args = [Arg(n, v) for n, v in named]
    if len(args) > 1 and not c.plain:
        args = c.shuffled(args)
    if positional is not None:
        name, value = positional
        by_name = name is not None and not c.plain and c.chance(0.25)
        arg = Arg(name if by_name else None, value)
        at = 0 if not args or c.plain or c.chance(0.7) else c.integers(0, len(args))
        args.insert(at, arg)
    return tuple(args)


def attribute(
    c: Chooser,
    name: str,
    positional: tuple[str | None, Expr] | None = None,
    named: Sequence[tuple[str, Expr]] = (),
) -> Attr:
    """``@name(...)``; with no arguments, now and then ``@name()``."""
    if positional is None and not named:
        return Attr(name, () if not c.plain and c.chance(0.1) else None)
    return Attr(name, arguments(c, positional, named))
