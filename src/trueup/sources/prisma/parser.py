"""Tokens to the syntax tree: a recursive-descent reader of the Prisma Schema Language.

It knows the shapes (blocks, fields, attributes, arguments, expressions) and nothing of
their meaning; :mod:`~trueup.sources.prisma.validate` gives them one. Every error names
what was found and what was expected there.
"""

from __future__ import annotations

from trueup.errors import SchemaError
from trueup.sources.prisma.lexer import Tok, Token, tokenize
from trueup.sources.prisma.source import SourceFile, fail
from trueup.sources.prisma.syntax import (
    Argument,
    Array,
    Attribute,
    Block,
    Call,
    Config,
    Const,
    Enum,
    EnumValue,
    Expr,
    Field,
    FieldType,
    Member,
    Model,
    Num,
    Object,
    Property,
    Str,
)

_BLOCK_KEYWORDS = "model, enum, view, type, datasource or generator"


def parse_file(source: SourceFile) -> tuple[Block, ...]:
    return _Parser(tokenize(source)).blocks()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        # Inside ( ) and [ ] a list may run over several lines.
        self.depth = 0

    # --- token helpers ---------------------------------------------------------------

    def peek(self) -> Token:
        if self.depth:
            while self.tokens[self.i].kind in (Tok.NEWLINE, Tok.COMMENT, Tok.DOC):
                self.i += 1
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.peek()
        if tok.kind is not Tok.END:
            self.i += 1
        return tok

    def punct(self, text: str) -> bool:
        """Take the punctuation ``text`` if it comes next."""
        if self.peek().is_punct(text):
            self.take()
            return True
        return False

    def expect(self, text: str, what: str) -> Token:
        tok = self.peek()
        if not tok.is_punct(text):
            raise self.unexpected(tok, f"`{text}` {what}")
        return self.take()

    def ident(self, what: str) -> Token:
        tok = self.peek()
        if tok.kind is not Tok.IDENT:
            raise self.unexpected(tok, what)
        return self.take()

    def unexpected(self, tok: Token, expected: str) -> SchemaError:
        return fail(tok.pos, f"Unexpected {tok.describe()}: expected {expected}.")

    def end_of_line(self, what: str) -> None:
        """The rest of a line: an optional trailing comment, then the line end."""
        tok = self.peek()
        if tok.kind in (Tok.COMMENT, Tok.DOC):
            self.take()
            tok = self.peek()
        if tok.kind is Tok.NEWLINE:
            self.take()
        elif tok.kind is not Tok.END and not tok.is_punct("}"):
            raise self.unexpected(tok, f"the end of the line after {what}")

    def skip_blank(self) -> list[str]:
        """Skip empty lines and comments; return the text of doc comments on the way."""
        docs: list[str] = []
        while True:
            tok = self.peek()
            if tok.kind is Tok.DOC:
                docs.append(tok.value.strip())
            elif tok.kind not in (Tok.NEWLINE, Tok.COMMENT):
                return docs
            self.take()

    # --- blocks ------------------------------------------------------------------------

    def blocks(self) -> tuple[Block, ...]:
        out: list[Block] = []
        while True:
            doc = self.skip_blank()
            tok = self.peek()
            if tok.kind is Tok.END:
                return tuple(out)
            if tok.kind is not Tok.IDENT:
                raise self.unexpected(tok, f"a block ({_BLOCK_KEYWORDS})")
            keyword = tok.value
            if keyword in ("model", "view", "type"):
                out.append(self.model(doc))
            elif keyword == "enum":
                out.append(self.enum(doc))
            elif keyword in ("datasource", "generator"):
                out.append(self.config())
            else:
                raise fail(
                    tok.pos,
                    f"This block is invalid: `{keyword}` is not a Prisma schema keyword. "
                    f"Expected {_BLOCK_KEYWORDS}.",
                )

    def open_block(self, keyword: str) -> tuple[Token, Token]:
        start = self.take()
        name = self.ident(f"the name of the {keyword}")
        if keyword == "type" and self.peek().is_punct("="):
            raise fail(
                start.pos,
                "Type aliases (`type Name = …`) are not supported by Prisma.",
                hint="Write the field type in each model instead.",
            )
        self.expect("{", f"to open the {keyword} `{name.value}`")
        tok = self.peek()
        if tok.kind in (Tok.COMMENT, Tok.DOC):
            self.take()
            tok = self.peek()
        if tok.kind is not Tok.NEWLINE:
            raise fail(
                tok.pos,
                f"Unexpected {tok.describe()}: the `{{` of a {keyword} must end its line; "
                "put each field on a line of its own.",
            )
        self.take()
        return start, name

    def model(self, doc: list[str]) -> Model:
        start, name = self.open_block(start_kw := self.peek().value)
        fields: list[Field] = []
        attributes: list[Attribute] = []
        while True:
            member_doc = self.skip_blank()
            tok = self.peek()
            if tok.is_punct("}"):
                self.take()
                self.end_of_line("the closing `}`")
                return Model(
                    start_kw,
                    name.value,
                    tuple(fields),
                    tuple(attributes),
                    tuple(doc),
                    start.pos,
                    name.pos,
                )
            if tok.is_punct("@@"):
                attributes.append(self.attribute())
                self.end_of_line(f"the attribute `{attributes[-1].display}`")
            elif tok.kind is Tok.IDENT:
                fields.append(self.field(member_doc))
            elif tok.kind is Tok.END:
                raise fail(start.pos, f"The {start_kw} `{name.value}` is not closed by a `}}`.")
            else:
                raise self.unexpected(tok, "a field (`name Type`), a `@@` attribute or `}`")

    def field(self, doc: list[str]) -> Field:
        name = self.take()
        self.punct(":")  # a legacy `name: Type`, which Prisma's grammar still accepts
        ftype = self.field_type(name)
        attributes: list[Attribute] = []
        while self.peek().is_punct("@"):
            attributes.append(self.attribute())
        tok = self.peek()
        if tok.kind is Tok.DOC:
            doc = [*doc, tok.value.strip()]
        self.end_of_line(f"the field `{name.value}`")
        return Field(name.value, ftype, tuple(attributes), tuple(doc), name.pos)

    def field_type(self, name: Token) -> FieldType:
        tok = self.peek()
        if tok.is_punct("["):
            raise fail(tok.pos, "To declare a list, write `Type[]` instead of `[Type]`.")
        if tok.kind is not Tok.IDENT:
            raise fail(
                tok.pos if tok.kind is not Tok.NEWLINE else name.pos,
                f"The field `{name.value}` has no type: expected `{name.value} Type`.",
            )
        self.take()
        unsupported = None
        if tok.value == "Unsupported" and self.peek().is_punct("("):
            self.take()
            text = self.peek()
            if text.kind is not Tok.STRING:
                raise self.unexpected(text, 'the database type as a string: Unsupported("…")')
            self.take()
            self.expect(")", 'to close Unsupported("…")')
            unsupported = text.value
        optional = is_list = False
        if self.peek().is_punct("["):
            self.take()
            self.expect("]", "to close `[]`")
            is_list = True
        if self.peek().is_punct("?"):
            if is_list:
                raise fail(
                    self.peek().pos,
                    "Optional lists are not supported: use either `Type[]` or `Type?`.",
                )
            self.take()
            optional = True
            if self.peek().is_punct("["):
                raise fail(
                    self.peek().pos,
                    "Optional lists are not supported: use either `Type[]` or `Type?`.",
                )
        if self.peek().is_punct("!"):
            raise fail(self.peek().pos, "Fields are required by default: remove the `!`.")
        return FieldType(tok.value, tok.pos, optional, is_list, unsupported)

    def enum(self, doc: list[str]) -> Enum:
        start, name = self.open_block("enum")
        values: list[EnumValue] = []
        attributes: list[Attribute] = []
        while True:
            value_doc = self.skip_blank()
            tok = self.peek()
            if tok.is_punct("}"):
                self.take()
                self.end_of_line("the closing `}`")
                return Enum(
                    name.value, tuple(values), tuple(attributes), tuple(doc), start.pos, name.pos
                )
            if tok.is_punct("@@"):
                attributes.append(self.attribute())
                self.end_of_line(f"the attribute `{attributes[-1].display}`")
            elif tok.kind is Tok.IDENT:
                self.take()
                value_attrs: list[Attribute] = []
                while self.peek().is_punct("@"):
                    value_attrs.append(self.attribute())
                self.end_of_line(f"the enum value `{tok.value}`")
                values.append(EnumValue(tok.value, tuple(value_attrs), tuple(value_doc), tok.pos))
            elif tok.kind is Tok.END:
                raise fail(start.pos, f"The enum `{name.value}` is not closed by a `}}`.")
            else:
                raise self.unexpected(tok, "an enum value, a `@@` attribute or `}`")

    def config(self) -> Config:
        keyword = self.peek().value
        start, name = self.open_block(keyword)
        properties: list[Property] = []
        while True:
            self.skip_blank()
            tok = self.peek()
            if tok.is_punct("}"):
                self.take()
                self.end_of_line("the closing `}`")
                return Config(keyword, name.value, tuple(properties), start.pos, name.pos)
            if tok.kind is Tok.END:
                raise fail(start.pos, f"The {keyword} `{name.value}` is not closed by a `}}`.")
            if tok.kind is not Tok.IDENT:
                raise self.unexpected(tok, "a property (`key = value`) or `}`")
            self.take()
            self.expect("=", f"after `{tok.value}` (properties are written `key = value`)")
            value = self.expression()
            self.end_of_line(f"the value of `{tok.value}`")
            properties.append(Property(tok.value, value, tok.pos))

    # --- attributes and expressions ---------------------------------------------------------

    def attribute(self) -> Attribute:
        at = self.take()
        name = self.path("the attribute's name after `" + at.value + "`")
        args: tuple[Argument, ...] = ()
        if self.peek().is_punct("("):
            args = self.arguments()
        return Attribute(name, args, at.pos, block=at.value == "@@")

    def path(self, what: str) -> str:
        parts = [self.ident(what).value]
        while self.peek().is_punct("."):
            self.take()
            parts.append(self.ident("a name after `.`").value)
        return ".".join(parts)

    def arguments(self) -> tuple[Argument, ...]:
        self.expect("(", "to start the arguments")
        self.depth += 1
        args: list[Argument] = []
        while not self.peek().is_punct(")"):
            args.append(self.argument())
            if not self.punct(","):
                break
        closing = self.peek()
        if not closing.is_punct(")"):
            raise self.unexpected(closing, "`,` or `)` in the argument list")
        self.take()
        self.depth -= 1
        return tuple(args)

    def argument(self) -> Argument:
        tok = self.peek()
        nxt = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else tok
        if tok.kind is Tok.IDENT and nxt.is_punct(":"):
            self.take()
            self.take()
            after = self.peek()
            if after.is_punct(",") or after.is_punct(")"):
                return Argument(tok.value, None, tok.pos)
            return Argument(tok.value, self.expression(), tok.pos)
        value = self.expression()
        return Argument(None, value, value.pos)

    def expression(self) -> Expr:
        tok = self.peek()
        if tok.kind is Tok.STRING:
            self.take()
            return Str(tok.value, tok.pos)
        if tok.kind is Tok.NUMBER:
            self.take()
            return Num(tok.value, tok.pos)
        if tok.is_punct("["):
            self.take()
            self.depth += 1
            items: list[Expr] = []
            while not self.peek().is_punct("]"):
                items.append(self.expression())
                if not self.punct(","):
                    break
            closing = self.peek()
            if not closing.is_punct("]"):
                raise self.unexpected(closing, "`,` or `]` in the list")
            self.take()
            self.depth -= 1
            return Array(tuple(items), tok.pos)
        if tok.is_punct("{"):
            return self.object()
        if tok.kind is Tok.IDENT:
            name = self.path("a name")
            if self.peek().is_punct("("):
                return Call(name, self.arguments(), tok.pos)
            return Const(name, tok.pos)
        raise self.unexpected(
            tok, "a value (a string, a number, a name, a list, an object or a function)"
        )

    def object(self) -> Object:
        """``{ key: value, … }``: keys are names, members are separated by commas (none
        after the last), and ``{}`` is an empty object."""
        start = self.take()
        self.depth += 1
        members: list[Member] = []
        if not self.peek().is_punct("}"):
            while True:
                key = self.ident("a key (`name: value`) in the object")
                self.expect(":", f"after `{key.value}` in the object")
                members.append(Member(key.value, self.expression(), key.pos))
                if not self.punct(","):
                    break
        closing = self.peek()
        if not closing.is_punct("}"):
            raise self.unexpected(closing, "`,` or `}` in the object")
        self.take()
        self.depth -= 1
        return Object(tuple(members), start.pos)
