"""Prisma schema text as tokens, each with its position.

Line ends are tokens of their own: the language is line-oriented (one field, one property,
one block attribute per line). Whitespace is spaces (any Unicode space separator) and tabs,
as in Prisma's grammar; anything else outside a string is an error at that character.
"""

from __future__ import annotations

import json
import unicodedata
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


_PUNCT = set("{}()[],:=?!.")


def _is_ident_start(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _is_ident_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "_-")


def _is_space(ch: str) -> bool:
    return ch == "\t" or unicodedata.category(ch) == "Zs"


def tokenize(source: SourceFile) -> list[Token]:
    text = source.text
    out: list[Token] = []
    i, line, line_start = 0, 1, 0
    n = len(text)

    def pos(at: int) -> Pos:
        return Pos(source, line, at - line_start + 1)

    while i < n:
        ch = text[i]
        if ch in "\r\n":
            out.append(Token(Tok.NEWLINE, "\n", pos(i)))
            i += 2 if text.startswith("\r\n", i) else 1
            line, line_start = line + 1, i
        elif _is_space(ch):
            i += 1
        elif text.startswith("//", i):
            end = _line_end(text, i)
            if text.startswith("///", i):
                out.append(Token(Tok.DOC, text[i + 3 : end], pos(i)))
            else:
                out.append(Token(Tok.COMMENT, text[i + 2 : end], pos(i)))
            i = end
        elif ch == '"':
            value, end = _string(source, text, i, pos(i))
            out.append(Token(Tok.STRING, value, pos(i)))
            i = end
        elif ch == "@":
            width = 2 if text.startswith("@@", i) else 1
            out.append(Token(Tok.PUNCT, "@" * width, pos(i)))
            i += width
        elif ch == "-" or (ch.isdigit() and ch.isascii()):
            end = _number_end(text, i)
            if end > i and not (end < n and _is_ident_char(text[end])):
                out.append(Token(Tok.NUMBER, text[i:end], pos(i)))
                i = end
            elif _is_ident_start(ch):
                end = _ident_end(text, i)
                out.append(Token(Tok.IDENT, text[i:end], pos(i)))
                i = end
            else:
                raise fail(pos(i), "Unexpected character `-`: expected a number after it.")
        elif _is_ident_start(ch):
            end = _ident_end(text, i)
            out.append(Token(Tok.IDENT, text[i:end], pos(i)))
            i = end
        elif ch in _PUNCT:
            out.append(Token(Tok.PUNCT, ch, pos(i)))
            i += 1
        else:
            shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
            raise fail(
                pos(i),
                f"Unexpected character `{shown}`.",
                hint="Names are ASCII letters, digits, `_` and `-`; text goes in double quotes.",
            )
    out.append(Token(Tok.END, "", pos(i)))
    return out


def _line_end(text: str, i: int) -> int:
    ends = [e for e in (text.find("\n", i), text.find("\r", i)) if e != -1]
    return min(ends) if ends else len(text)


def _ident_end(text: str, i: int) -> int:
    while i < len(text) and _is_ident_char(text[i]):
        i += 1
    return i


def _number_end(text: str, i: int) -> int:
    """The end of ``-?DIGIT+(.DIGIT+)?`` starting at ``i``, or ``i`` when there is none."""
    j = i + 1 if text[i] == "-" else i
    start = j
    while j < len(text) and text[j].isascii() and text[j].isdigit():
        j += 1
    if j == start:
        return i
    if j + 1 < len(text) and text[j] == "." and text[j + 1].isascii() and text[j + 1].isdigit():
        j += 1
        while j < len(text) and text[j].isascii() and text[j].isdigit():
            j += 1
    return j


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
