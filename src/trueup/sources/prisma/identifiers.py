"""What Prisma allows as the name of a model, view, enum, enum value or field, beyond the
grammar's names (which take ``-`` and a leading digit so that these get a clear error)."""

from __future__ import annotations

import unicodedata

from trueup.sources.prisma.source import Pos, fail

#: Names the generated client cannot use for a model, view or enum: its own class and
#: JavaScript's keywords.
RESERVED = frozenset(
    [
        "PrismaClient",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
    ]
)


def check_identifier(name: str, what: str, pos: Pos) -> None:
    """``what`` is Prisma's word for the kind of name: Model, Field, Enum, Enum Value,
    view, field."""
    # A number as Unicode classes it (Nd, Nl, No): `一` is a letter with a numeric value.
    if unicodedata.category(name[0]).startswith("N"):
        raise fail(pos, f"Error validating: The name of a {what} must not start with a number.")
    if "-" in name:
        raise fail(pos, f"Error validating: The character `-` is not allowed in {what} names.")


def check_type_name(name: str, kind: str, pos: Pos) -> None:
    """A model, view or enum name the client can use (``kind``: model, view or enum)."""
    if name not in RESERVED:
        return
    if kind == "enum":
        raise fail(
            pos,
            f"Error validating enum `{name}`: The enum name `{name}` is invalid. It is a "
            "reserved name. Please change it. Read more at https://www.prisma.io/docs/"
            "reference/tools-and-interfaces/prisma-schema/data-model#naming-enums",
        )
    raise fail(
        pos,
        f'Error validating model "{name}": The {kind} name `{name}` is invalid. It is a '
        "reserved name. Please change it. Read more at https://pris.ly/d/naming-models",
    )
