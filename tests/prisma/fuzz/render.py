"""A generated schema as text, laid out the ways Prisma reads alike: comments of every kind
(``//``, ``///``, ``/* */``, ``/** */``) wherever Prisma takes them, text after a block's
``{``, blank lines, tabs, CRLF or CR line ends, spacing inside argument lists, block
attributes between fields. Where each comment may go was checked against the Prisma CLI:
on a line of its own; before a field, value, property or block attribute on its line (a
block comment); as the one comment after one; after ``{`` (any text) and after ``}``."""

from __future__ import annotations

from dataclasses import dataclass

from tests.prisma.fuzz.ast import (
    Arg,
    Array,
    Attr,
    Block,
    Call,
    Document,
    Expr,
    Field,
    Name,
    Num,
    Str,
)
from tests.prisma.fuzz.choose import Chooser

WORDS = (
    "note",
    "TODO: fix }",
    "see @id",
    'a "quoted" word',
    "ünïcode ✓",
    "{ braces }",
    "x // y",
    "",
)


@dataclass(frozen=True)
class Style:
    """The layout of one document: chosen once, so most schemas look like real ones."""

    newline: str = "\n"
    indent: str = "  "
    comma: str = ", "
    colon: str = ": "
    pad: str = ""  # inside ( ) and [ ]
    noise: float = 0.0  # how often a comment, a blank line or odd spacing turns up


def draw_style(c: Chooser) -> Style:
    if c.plain or c.chance(0.35):
        return Style()
    return Style(
        newline=c.pick(["\n"] * 8 + ["\r\n", "\r"]),
        indent=c.pick(["  ", "  ", "    ", "\t", "", " \t"]),
        comma=c.pick([", ", ", ", ",", " , "]),
        colon=c.pick([": ", ": ", ":", " : "]),
        pad=c.pick(["", "", " "]),
        noise=c.pick([0.1, 0.25, 0.5]),
    )


def render(c: Chooser, doc: Document, style: Style) -> dict[str, str]:
    """The files of the schema, by name."""
    r = _Renderer(c, style)
    texts = {name: [] for name in doc.file_names}  # type: dict[str, list[str]]
    # Blocks a mutant added go in the first file.
    placement = [*doc.placement, *[0] * (len(doc.blocks) - len(doc.placement))]
    for block, where in zip(doc.blocks, placement, strict=False):
        lines = texts[doc.file_names[where]]
        lines += r.comments(top=True)
        lines += r.block(block)
        if r.maybe(0.6):
            lines.append("")
    out: dict[str, str] = {}
    for name, lines in texts.items():
        lines += r.comments(top=True)
        end = style.newline if not r.maybe(0.1) else ""
        out[name] = style.newline.join(lines) + end
    return out


class _Renderer:
    def __init__(self, c: Chooser, style: Style) -> None:
        self.c = c
        self.s = style

    def maybe(self, p: float) -> bool:
        return self.s.noise > 0 and self.c.chance(p * self.s.noise)

    # Comments

    def _words(self) -> str:
        return self.c.pick(WORDS)

    def comments(self, *, top: bool = False) -> list[str]:
        """Lines of comments (or blank ones), maybe none."""
        lines: list[str] = []
        indent = "" if top else self.s.indent
        while self.maybe(0.5):
            kind = self.c.pick(["//", "///", "/*", "/**", "blank", "multi"])
            if kind == "blank":
                lines.append(self.c.pick(["", " ", "\t"]))
            elif kind == "multi":
                lines += [indent + "/*", indent + " * " + self._words(), indent + " */"]
            elif kind.startswith("/*"):
                lines.append(f"{indent}{kind} {self._words()} */")
            else:
                lines.append(f"{indent}{kind} {self._words()}")
        return lines

    def trailing(self) -> str:
        """The one comment Prisma takes after a field, a value, a property, an attribute."""
        if not self.maybe(0.35):
            return self.c.pick(["", "", " "]) if self.maybe(0.2) else ""
        kind = self.c.pick(["//", "///", "/*", "/**"])
        text = self._words()
        return f" {kind} {text}" + (" */" if kind.startswith("/*") else "")

    def leading(self) -> str:
        """A block comment before an item on its line."""
        return f"/* {self._words()} */ " if self.maybe(0.15) else ""

    def after_open(self) -> str:
        if not self.maybe(0.3):
            return ""
        return self.c.pick([" // " + self._words(), " /* x */", " anything goes here", " //"])

    def after_close(self) -> str:
        return self.c.pick([" // end", " /* end */"]) if self.maybe(0.2) else ""

    # Blocks

    def block(self, block: Block) -> list[str]:
        gap = self.c.pick([" ", " ", "", "\t"]) if self.maybe(0.3) else " "
        head = f"{block.keyword} {block.name}{gap}{{{self.after_open()}"
        items: list[str]
        if block.keyword in ("datasource", "generator"):
            items = [f"{p.name}{self._eq()}{self.expr(p.value)}" for p in block.props]
        elif block.keyword == "enum":
            items = [" ".join([v.name, *(self.attr(a) for a in v.attrs)]) for v in block.values]
            items += ["@" + self.attr(a) for a in block.attrs]
        else:
            items = [self.field(f) for f in block.fields]
            attrs = ["@" + self.attr(a) for a in block.attrs]
            for attr in attrs:
                at = len(items) if not self.maybe(0.4) else self.c.integers(0, len(items))
                items.insert(at, attr)
        lines = [head]
        for item in items:
            lines += self.comments()
            lines.append(self.s.indent + self.leading() + item + self.trailing())
        lines += self.comments()
        lines.append("}" + self.after_close())
        return lines

    def _eq(self) -> str:
        return self.c.pick([" = ", "=", "  = "]) if self.maybe(0.3) else " = "

    def field(self, field: Field) -> str:
        sep = self.c.pick([" ", "\t", "   "]) if self.maybe(0.3) else " "
        modifier = field.modifier
        if modifier and self.maybe(0.05):
            modifier = " " + modifier
        parts = [field.name, field.type + modifier]
        text = sep.join(parts)
        for attr in field.attrs:
            glue = "" if self.maybe(0.04) else sep
            text += glue + self.attr(attr)
        return text

    # Attributes and expressions

    def attr(self, attr: Attr) -> str:
        if attr.name == "__raw__" and attr.args:  # a mutant's attribute, as written
            return "@" + attr.args[0].value.text()
        name = ("@ " if self.maybe(0.02) else "@") + attr.name
        if attr.args is None:
            return name
        return f"{name}({self.s.pad}{self.args(attr.args)}{self.s.pad if attr.args else ''})"

    def args(self, args: tuple[Arg, ...]) -> str:
        return self.s.comma.join(self.arg(a) for a in args)

    def arg(self, arg: Arg) -> str:
        if arg.name is None:
            return self.expr(arg.value)
        return f"{arg.name}{self.s.colon}{self.expr(arg.value)}"

    def expr(self, e: Expr) -> str:
        if isinstance(e, Array):
            inner = self.s.comma.join(self.expr(i) for i in e.items)
            return f"[{self.s.pad}{inner}{self.s.pad if e.items else ''}]"
        if isinstance(e, Call):
            return f"{e.name}({self.args(e.args)})"
        if isinstance(e, Str | Num | Name):
            return e.text()
        raise TypeError(e)
