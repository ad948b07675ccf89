"""Prisma schema text as tokens, each with its position.

Line ends are tokens of their own: the language is line-oriented (one field, one property,
one block attribute per line). Whitespace is spaces (any Unicode space separator) and tabs,
as in Prisma's grammar; anything else outside a string is an error at that character.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum, auto

from trueup.sources.prisma.source import Pos, SourceFile, fail


class Tok(Enum):
    IDENT = auto()  # names, keywords and dotted-path parts
    NUMBER = auto()
    STRING = auto()
    PUNCT = auto()  # { } ( ) [ ] , : = ? ! . @ @@
    NEWLINE = auto()
    COMMENT = auto()  # `// …`; the value is the text after the slashes
    DOC = auto()  # `/// …`; the value is the text after the slashes
    END = auto()


@dataclass(frozen=True, slots=True)
class Token:
    kind: Tok
    value: str
    pos: Pos

    def is_punct(self, text: str) -> bool:
        return self.kind is Tok.PUNCT and self.value == text

    def describe(self) -> str:
        """How the token reads in an error message."""
        if self.kind is Tok.NEWLINE:
            return "the end of the line"
        if self.kind is Tok.END:
            return "the end of the file"
        if self.kind is Tok.STRING:
            return json.dumps(self.value)
        if self.kind in (Tok.COMMENT, Tok.DOC):
            return "a comment"
        return f"`{self.value}`"


# One pattern for every token but strings (which have escapes and their own errors); a
# character none of it matches is an error. Spaces are tabs and Unicode space separators.
_SPACES = "\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_TOKEN = re.compile(
    rf"""
    (?P<space>[{_SPACES}]+)
  | (?P<newline>\r\n|\r|\n)
  | (?P<doc>///[^\r\n]*)
  | (?P<comment>//[^\r\n]*)
  | (?P<at>@@?)
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?)(?![A-Za-z0-9_-])
  | (?P<ident>[A-Za-z0-9][A-Za-z0-9_-]*)
  | (?P<punct>[{{}}()\[\],:=?!.])
    """,
    re.VERBOSE,
)


def tokenize(source: SourceFile) -> list[Token]:
    text = source.text
    out: list[Token] = []
    i, line, line_start = 0, 1, 0
    n = len(text)
    match = _TOKEN.match
    while i < n:
        m = match(text, i)
        if m is None:
            at = Pos(source, line, i - line_start + 1)
            ch = text[i]
            if ch == '"':
                value, end = _string(source, text, i, at)
                out.append(Token(Tok.STRING, value, at))
                i = end
                continue
            if ch == "-":
                raise fail(at, "Unexpected character `-`: expected a number after it.")
            shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
            raise fail(
                at,
                f"Unexpected character `{shown}`.",
                hint="Names are ASCII letters, digits, `_` and `-`; text goes in double quotes.",
            )
        kind = m.lastgroup
        end = m.end()
        if kind != "space":
            at = Pos(source, line, i - line_start + 1)
            if kind == "newline":
                out.append(Token(Tok.NEWLINE, "\n", at))
                line, line_start = line + 1, end
            elif kind == "ident":
                out.append(Token(Tok.IDENT, m.group(), at))
            elif kind == "punct" or kind == "at":
                out.append(Token(Tok.PUNCT, m.group(), at))
            elif kind == "number":
                out.append(Token(Tok.NUMBER, m.group(), at))
            elif kind == "doc":
                out.append(Token(Tok.DOC, text[i + 3 : end], at))
            else:
                out.append(Token(Tok.COMMENT, text[i + 2 : end], at))
        i = end
    out.append(Token(Tok.END, "", Pos(source, line, i - line_start + 1)))
    return out


_HEX = "0123456789abcdefABCDEF"
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _string(source: SourceFile, text: str, start: int, at: Pos) -> tuple[str, int]:
    """A double-quoted string with JSON's escapes; returns its value and where it ends."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return "".join(out), i + 1
        if ch in "\r\n":
            break
        if ch == "\\":
            nxt = text[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            digits = text[i + 2 : i + 6]
            if nxt == "u" and len(digits) == 4 and all(c in _HEX for c in digits):
                code = int(digits, 16)
                # A lone surrogate is no character: it could not be written to a database.
                if not 0xD800 <= code <= 0xDFFF:
                    out.append(chr(code))
                    i += 6
                    continue
            column = at.column + (i - start)
            raise fail(
                Pos(source, at.line, column),
                'Invalid escape in a string: use \\", \\\\, \\n, \\t or \\uXXXX.',
            )
        out.append(ch)
        i += 1
    raise fail(at, 'This string is not closed: a `"` is missing before the end of the line.')
