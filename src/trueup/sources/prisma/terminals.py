"""The terminals of Prisma's schema grammar: spaces, line ends, names, numbers, strings and
comments, each a regular expression matched at a position of the text; and the value of a
string literal (JSON's escapes, as Prisma reads them).

Prisma's whitespace is spaces (any Unicode space separator) and tabs, never a line end:
the language is line-oriented. A name starts with an ASCII letter or digit or any Unicode
letter and goes on with those, ``_`` and ``-`` (what is then not allowed in a model or field
name is a validation error, not a syntax error).
"""

from __future__ import annotations

import re

from trueup.sources.prisma.source import Pos, SourceFile, fail

SPACES = re.compile("[\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*")
NEWLINE = re.compile(r"\r\n|\r|\n")
# Candidates only: `name_chars` cuts a candidate where Prisma's name ends.
_WORD = re.compile(r"[\w-]+")
NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# JSON's string: no raw control character; a backslash takes any next character (which
# `string_value` then judges).
STRING = re.compile(r'"((?:\\[\s\S]|[^"\\\x00-\x1f])*)"')
REST_OF_LINE = re.compile(r"[^\r\n]*")
BLOCK_COMMENT = re.compile(r"/\*[\s\S]*?\*/")


def name_at(text: str, i: int) -> int:
    """Where a name starting at ``i`` ends (``i`` when there is none)."""
    m = _WORD.match(text, i)
    if m is None:
        return i
    word = m.group()
    if word.isascii():
        if word[0] in "_-":
            return i
        return m.end()
    for k, ch in enumerate(word):
        if not ((ch.isascii() and ch.isalnum()) or ch.isalpha() or (k and ch in "_-")):
            return i + k
    return m.end()


def path_at(text: str, i: int) -> int:
    """Where a dotted path (``db.VarChar``, also ``a.`` as Prisma's grammar has it) starting
    at ``i`` ends (``i`` when there is none)."""
    end = name_at(text, i)
    if end == i:
        return i
    while end < len(text) and text[end] == ".":
        end = max(name_at(text, end + 1), end + 1)
    return end


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX = re.compile(r"[0-9a-fA-F]{4}")


def string_value(raw: str, source: SourceFile, at: Pos) -> str:
    """The value of a string literal whose text between the quotes is ``raw`` (it starts
    at ``at``, the opening quote): JSON's escapes, UTF-16 surrogate pairs included."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        where = Pos(source, at.line, at.column + 1 + i)
        if nxt != "u":
            raise fail(
                where,
                "Unknown escape sequence. If the value is a windows-style path, `\\` must be "
                "escaped as `\\\\`.",
            )
        code, i = _code_point(raw, i, where)
        out.append(chr(code))
    return "".join(out)


def _code_point(raw: str, i: int, where: Pos) -> tuple[int, int]:
    """The character of the ``\\uXXXX`` escape at ``i`` (two of them for a surrogate pair)
    and where the text goes on."""
    first = _HEX.fullmatch(raw, i + 2, i + 6)
    if first is None:
        raise fail(where, "Invalid unicode escape sequence.")
    code = int(first.group(), 16)
    if not 0xD800 <= code <= 0xDFFF:
        return code, i + 6
    second = _HEX.fullmatch(raw, i + 8, i + 12) if raw.startswith("\\u", i + 6) else None
    low = int(second.group(), 16) if second else 0
    if code > 0xDBFF or not 0xDC00 <= low <= 0xDFFF:
        raise fail(where, "Invalid unicode escape sequence.")
    return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), i + 12
