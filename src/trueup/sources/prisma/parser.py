"""Schema text to the syntax tree: Prisma's grammar (``psl/schema-ast``'s ``datamodel.pest``)
read as a PEG, block by block and line by line.

A block opens with ``{`` and whatever follows it on that line is ignored, as Prisma ignores
it. Inside a block each line is one item (a field, an enum value, a block attribute, a
``key = value`` property), a comment or blank; a line that is none of these is the error
Prisma reports on that line. Comments are ``//``, ``///`` (documentation) and ``/* … */``,
which may span lines; they stand on their own lines or at the end of an item's line. The
tree knows the shapes and nothing of their meaning: :mod:`.validate` gives them one.
"""

from __future__ import annotations

from trueup.errors import SchemaError
from trueup.sources.prisma.expressions import ExpressionReader
from trueup.sources.prisma.source import Pos, SourceFile, fail
from trueup.sources.prisma.syntax import (
    Attribute,
    Block,
    Config,
    Enum,
    EnumValue,
    Expr,
    Field,
    Model,
    Property,
)
from trueup.sources.prisma.terminals import REST_OF_LINE, SPACES

_KEYWORDS = ("model", "enum", "view", "type", "datasource", "generator")


def parse_file(source: SourceFile) -> tuple[Block, ...]:
    return _Parser(source).schema()


class _Parser(ExpressionReader):
    def schema(self) -> tuple[Block, ...]:
        blocks: list[Block] = []
        docs: list[str] = []
        while True:
            self.spaces()
            if self.at_end():
                return tuple(blocks)
            self.forget()
            start = self.i
            block = self.model(docs) or self.enum(docs) or self.config()
            if block is not None:
                blocks.append(block)
                docs = []
                continue
            comments = self.comment_block()
            if comments is not None:
                docs += comments
            elif not self.newline():
                raise self.top_level_error(start)

    # --- blocks -------------------------------------------------------------------------

    def header(self, keywords: tuple[str, ...]) -> tuple[str, str, int, int] | None:
        """``keyword name {`` and the rest of that line: the keyword, the name, and where
        the block and its name start."""
        start = self.i
        keyword = next((k for k in keywords if self.keyword(k)), None)
        if keyword is None:
            return None
        self.spaces()
        name_at = self.i
        name = self.name(f"the name of the {keyword}")
        if name is not None:
            self.spaces()
            if self.block_open():
                return keyword, name, start, name_at
        self.i = start
        return None

    def block_open(self) -> bool:
        if not self.lit("{"):
            return False
        self.i = REST_OF_LINE.match(self.text, self.i).end()  # type: ignore[union-attr]
        return self.newline()

    def close(self, keyword: str, name: str, start: int) -> bool:
        """The block's ``}`` if it comes next; an error at the end of the file."""
        self.spaces()
        if self.lit("}"):
            return True
        if self.at_end():
            raise fail(self.pos(start), f"The {keyword} `{name}` is not closed by a `}}`.")
        self.forget()
        return False

    def model(self, doc: list[str]) -> Model | None:
        opened = self.header(("model", "type", "view"))
        if opened is None:
            return None
        keyword, name, start, name_at = opened
        fields: list[Field] = []
        attributes: list[Attribute] = []
        docs: list[str] = []
        while not self.close(keyword, name, start):
            line = self.i
            field = self.field(docs)
            if field is not None:
                fields.append(field)
                docs = []
                continue
            attribute = self.block_attribute()
            if attribute is not None:
                attributes.append(attribute)
                continue
            comments = self.comment_block()
            if comments is not None:
                docs += comments
            elif not self.newline():
                raise self.line_error(
                    line, "This line is not a valid field or attribute definition."
                )
        return Model(
            keyword,
            name,
            tuple(fields),
            tuple(attributes),
            tuple(doc),
            self.pos(start),
            self.pos(name_at),
        )

    def enum(self, doc: list[str]) -> Enum | None:
        opened = self.header(("enum",))
        if opened is None:
            return None
        keyword, name, start, name_at = opened
        values: list[EnumValue] = []
        attributes: list[Attribute] = []
        docs: list[str] = []
        while not self.close(keyword, name, start):
            line = self.i
            value = self.enum_value(docs)
            if value is not None:
                values.append(value)
                docs = []
                continue
            attribute = self.block_attribute()
            if attribute is not None:
                attributes.append(attribute)
                continue
            comments = self.comment_block()
            if comments is not None:
                docs += comments
            elif not self.newline():
                raise self.line_error(line, "This line is not an enum value definition.")
        return Enum(
            name, tuple(values), tuple(attributes), tuple(doc), self.pos(start), self.pos(name_at)
        )

    def config(self) -> Config | None:
        opened = self.header(("datasource", "generator"))
        if opened is None:
            return None
        keyword, name, start, name_at = opened
        properties: list[Property] = []
        while not self.close(keyword, name, start):
            line = self.i
            prop = self.key_value()
            if prop is None:
                if self.comment_block() is None and not self.newline():
                    raise self.line_error(
                        line, f"This line is not a valid definition within a {keyword}."
                    )
                continue
            key, value, at = prop
            if value is None:  # `key =`: Prisma parses it, then refuses it
                raise fail(
                    self.pos(start),
                    f"Property {key} in {keyword} {name} needs to be assigned a value",
                )
            properties.append(Property(key, value, at))
        return Config(keyword, name, tuple(properties), self.pos(start), self.pos(name_at))

    # --- lines --------------------------------------------------------------------------

    def field(self, docs: list[str]) -> Field | None:
        """``name [:] [Type] @attribute… [comment]`` and the line end. A legacy ``:``, a
        missing type and the legacy type spellings parse, and are then refused."""
        start = self.i
        name = self.name()
        if name is None:
            return None
        self.spaces()
        colon = self.pos() if self.peek(":") else None
        self.lit(":")
        self.spaces()
        typed = self.field_type()
        attributes = self.field_attributes()
        doc = self.line_end()
        if doc is None:
            self.i = start
            return None
        if colon is not None:
            raise fail(colon, "Field declarations don't require a `:`.")
        if typed is None:
            raise fail(
                self.pos(start),
                "This field declaration is invalid. It is either missing a name or a type.",
            )
        ftype, problem = typed
        if problem is not None:
            raise fail(problem.pos, problem.message)
        return Field(name, ftype, attributes, tuple(docs + doc), self.pos(start))

    def enum_value(self, docs: list[str]) -> EnumValue | None:
        start = self.i
        name = self.name()
        if name is None:
            return None
        attributes = self.field_attributes()
        doc = self.line_end()
        if doc is None:
            self.i = start
            return None
        return EnumValue(name, attributes, tuple(docs + doc), self.pos(start))

    def block_attribute(self) -> Attribute | None:
        start = self.i
        attribute = self.attribute(block=True)
        if attribute is None or self.line_end() is None:
            self.i = start
            return None
        return attribute

    def key_value(self) -> tuple[str, Expr | None, Pos] | None:
        """``key = value`` (or ``key =``) and the line end."""
        start = self.i
        key = self.name()
        if key is not None:
            self.spaces()
            if self.lit("="):
                self.spaces()
                value = self.expression()
                if self.line_end() is not None:
                    return key, value, self.pos(start)
        self.i = start
        return None

    def field_attributes(self) -> tuple[Attribute, ...]:
        attributes: list[Attribute] = []
        while True:
            before = self.i
            self.spaces()
            attribute = self.attribute(block=False)
            if attribute is None:
                self.i = before
                return tuple(attributes)
            attributes.append(attribute)

    def line_end(self) -> list[str] | None:
        """An optional trailing comment, then the line end: the comment's text when it is
        a documentation comment; None when the line goes on."""
        self.spaces()
        comment = self.comment()
        self.spaces()
        if not self.newline():
            return None
        return [comment[1].strip()] if comment is not None and comment[0] == "doc" else []

    def comment_block(self) -> list[str] | None:
        """Comments, one after another, each ending its line or not: the text of the
        documentation comments among them; None when there is no comment here."""
        docs: list[str] = []
        found = False
        while (comment := self.comment()) is not None:
            found = True
            if comment[0] == "doc":
                docs.append(comment[1].strip())
            if not self.at_end():
                self.newline()
        return docs if found else None

    # --- errors -------------------------------------------------------------------------

    def line_error(self, line: int, message: str) -> SchemaError:
        """The error for the line starting at ``line``, which matches nothing: where and
        why it stopped matching, when that is on this line."""
        at = self.far if line <= self.far <= self.line_end_at(line) else line
        at = SPACES.match(self.text, at).end()  # type: ignore[union-attr]
        return fail(
            self.pos(at),
            f"{message} Unexpected {self.found(at)}: expected {self.expected()}.",
        )

    def line_end_at(self, i: int) -> int:
        m = REST_OF_LINE.match(self.text, i)
        return m.end() if m is not None else i

    def top_level_error(self, start: int) -> SchemaError:
        self.i = start
        if self.keyword("type"):
            self.spaces()
            if self.name() is not None:
                self.spaces()
                if self.lit("="):
                    return fail(
                        self.pos(start),
                        "Invalid type definition. Please check the documentation in "
                        "https://pris.ly/d/composite-types",
                        hint="Prisma has no type aliases: write the type on each field.",
                    )
        self.i = start
        word = self.name()
        if word is not None and word in _KEYWORDS:
            return self.line_error(start, "This line is invalid.")
        self.spaces()
        if word is not None and self.lit("{"):
            return fail(
                self.pos(start),
                "This block is invalid. It does not start with any known Prisma schema "
                "keyword. Valid keywords include 'model', 'enum', 'type', 'datasource' and "
                "'generator'.",
            )
        return fail(
            self.pos(start),
            "This line is invalid. It does not start with any known Prisma schema keyword.",
            hint="A block starts with model, enum, view, type, datasource or generator.",
        )
