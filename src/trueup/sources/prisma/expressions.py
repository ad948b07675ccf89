"""The productions inside a line: field types, attributes, argument lists and expressions,
as Prisma's grammar has them (``psl/schema-ast``'s ``datamodel.pest``).

Spaces may separate any two parts (``@default (1)``, ``String []``) but never a line end:
an argument list or a list value is written on one line. A name or number is matched
alone, so ``1abc`` is the number ``1`` followed by what does not fit there.
"""

from __future__ import annotations

from dataclasses import dataclass

from trueup.sources.prisma.reader import Reader
from trueup.sources.prisma.source import Pos
from trueup.sources.prisma.syntax import (
    Argument,
    Array,
    Attribute,
    Call,
    Const,
    Expr,
    FieldType,
    Member,
    Num,
    Object,
    Str,
)
from trueup.sources.prisma.terminals import NUMBER, STRING, string_value


@dataclass(frozen=True, slots=True)
class Problem:
    """A line that parses but that Prisma refuses (a legacy spelling): reported once the
    whole line is known to parse, as Prisma reports it."""

    message: str
    pos: Pos


class ExpressionReader(Reader):
    # --- field types ----------------------------------------------------------------------

    def field_type(self) -> tuple[FieldType, Problem | None] | None:
        """``T``, ``T?``, ``T[]``, ``Unsupported("…")`` and their modifiers; the legacy
        ``T!``, ``[T]`` and ``T[]?`` parse, with the problem Prisma reports for them."""
        start = self.i
        if self.lit("["):
            self.spaces()
            base = self.base_type()
            self.spaces()
            if base is None or not self.lit("]"):
                self.i = start
                return None
            problem = Problem(
                "To specify a list, please use `Type[]` instead of `[Type]`.", self.pos(start)
            )
            return base, problem
        base = self.base_type()
        if base is None:
            return None
        after = self.i
        self.spaces()
        if self.lit("[]"):
            list_end = self.i
            self.spaces()
            if self.lit("?"):
                problem = Problem(
                    "Optional lists are not supported. Use either `Type[]` or `Type?`.",
                    self.pos(start),
                )
                return base, problem
            self.i = list_end
            return _with(base, is_list=True), None
        if self.lit("?"):
            return _with(base, optional=True), None
        if self.lit("!"):
            problem = Problem(
                "Fields are required by default, `!` is no longer required.", self.pos(start)
            )
            return base, problem
        self.i = after
        return base, None

    def base_type(self) -> FieldType | None:
        start = self.i
        if self.lit("Unsupported("):
            self.spaces()
            text = self.string()
            self.spaces()
            if text is not None and self.lit(")"):
                return FieldType("Unsupported", self.pos(start), unsupported=text.value)
            self.i = start
        name = self.name("a type")
        if name is None:
            return None
        return FieldType(name, self.pos(start))

    # --- attributes -------------------------------------------------------------------------

    def attribute(self, block: bool) -> Attribute | None:
        """``@name(args)`` (``block`` False) or ``@@name(args)``."""
        start = self.i
        if not self.lit("@@" if block else "@"):
            return None
        self.spaces()
        name = self.path("the attribute's name")
        if name is None:
            self.i = start
            return None
        after = self.i
        self.spaces()
        listed = self.arguments()
        if listed is None:
            self.i = after
            return Attribute(name, (), self.pos(start), block=block)
        args, trailing = listed
        return Attribute(name, args, self.pos(start), block=block, trailing_comma=trailing)

    def arguments(self) -> tuple[tuple[Argument, ...], Pos | None] | None:
        """``( argument, … [,] )``: the arguments and where a trailing comma is."""
        start = self.i
        if not self.lit("("):
            return None
        self.spaces()
        args: list[Argument] = []
        first = self.argument()
        if first is not None:
            args.append(first)
            while True:
                before = self.i
                self.spaces()
                if self.lit(","):
                    self.spaces()
                    nxt = self.argument()
                    if nxt is not None:
                        args.append(nxt)
                        continue
                self.i = before
                break
        self.spaces()
        trailing = self.pos() if self.lit(",") else None
        self.spaces()
        if not self.lit(")"):
            self.i = start
            return None
        return tuple(args), trailing

    def argument(self) -> Argument | None:
        """``name: value``, ``name:`` (no value; Prisma parses it so that it can
        complain) or a value alone."""
        start = self.i
        name = self.name()
        if name is not None:
            self.spaces()
            if self.lit(":"):
                after_colon = self.i
                self.spaces()
                value = self.expression()
                if value is None:
                    self.i = after_colon
                return Argument(name, value, self.pos(start))
            self.i = start
        value = self.expression()
        if value is None:
            return None
        return Argument(None, value, value.pos)

    # --- expressions ------------------------------------------------------------------------

    def expression(self) -> Expr | None:
        """A function call, a list, an object, a number, a string or a name, tried in that
        order."""
        start = self.i
        path = self.path("a value")
        if path is not None:
            self.spaces()
            listed = self.arguments()
            if listed is not None:
                return Call(path, listed[0], self.pos(start), trailing_comma=listed[1])
            self.i = start
        if self.lit("["):
            return self.array(start)
        if self.lit("{"):
            return self.object(start)
        m = NUMBER.match(self.text, self.i)
        if m is not None:
            self.i = m.end()
            return Num(m.group(), self.pos(start))
        text = self.string()
        if text is not None:
            return text
        path = self.path("a value")
        if path is not None:
            return Const(path, self.pos(start))
        return None

    def array(self, start: int) -> Array | None:
        items: list[Expr] = []
        self.spaces()
        first = self.expression()
        if first is not None:
            items.append(first)
            while True:
                before = self.i
                self.spaces()
                if self.lit(","):
                    self.spaces()
                    nxt = self.expression()
                    if nxt is not None:
                        items.append(nxt)
                        continue
                self.i = before
                break
        self.spaces()
        if not self.lit("]"):
            self.i = start
            return None
        return Array(tuple(items), self.pos(start))

    def object(self, start: int) -> Object | None:
        """``{ key: value, … }`` (Prisma 7's, for a partial index's ``where``): keys are
        names, members are separated by commas, and ``{}`` is an empty object."""
        members: list[Member] = []
        self.spaces()
        while not self.lit("}"):
            if members:
                if not self.lit(","):
                    self.i = start
                    return None
                self.spaces()
            member = self.member()
            if member is None:
                self.i = start
                return None
            members.append(member)
            self.spaces()
        return Object(tuple(members), self.pos(start))

    def member(self) -> Member | None:
        at = self.i
        key = self.name("a key")
        if key is None:
            return None
        self.spaces()
        if not self.lit(":"):
            return None
        self.spaces()
        value = self.expression()
        return None if value is None else Member(key, value, self.pos(at))

    def string(self) -> Str | None:
        m = STRING.match(self.text, self.i)
        if m is None:
            self.expect('a closing `"`' if self.peek('"') else "a string")
            return None
        at = self.pos()
        self.i = m.end()
        return Str(string_value(m.group(1), self.source, at), at)


def _with(base: FieldType, *, optional: bool = False, is_list: bool = False) -> FieldType:
    return FieldType(base.name, base.pos, optional, is_list, base.unsupported)
