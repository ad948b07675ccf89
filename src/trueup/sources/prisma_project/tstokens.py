"""The tokens of a Prisma config file (TypeScript or JavaScript), for reading it without
running it. Only what a config file holds needs to come out right: strings, template
literals, names, numbers and punctuation, with comments skipped; a regular expression
literal is passed over whole so that the quotes inside it are not taken for strings."""

from __future__ import annotations

import re

from trueup.errors import Location, SchemaError

_NEWLINE = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_SPACE = re.compile(r"(?:[ \t\v\f\ufeff\u00a0\s]|//[^\r\n\u2028\u2029]*|/\*(?:[^*]|\*(?!/))*\*/)+")
_NAME = re.compile(r"(?:[^\W\d]|\$)[\w$]*")
_NUMBER = re.compile(r"(?:0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?)n?")
_PUNCT = re.compile(
    r"\?\?=|\?\.(?!\d)|\?\?|\.\.\.|===|!==|\*\*=|<<=|>>>=|>>>|>>=|=>|==|!=|<=|>=|&&=|\|\|=|"
    r"&&|\|\||\+\+|--|<<|>>|\*\*|[-+*/%&|^]=|[{}()\[\];,<>+\-*/%&|^!~?:=.@#]"
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
#: After these a ``/`` divides; after anything else it starts a regular expression.
_VALUE_END = {")", "]", "}"}


class Token:
    """``kind`` is "str", "tpl" (a template literal: ``parts`` alternate text and the token
    lists of its ``${…}``), "num", "name", "punct", "regex" or "eof"; ``text`` is the
    decoded string, the name, the number or the punctuation. (Plain classes here and in
    the parser: they are made on every push of a project with a config file, and
    dataclasses cost more to define than the whole file takes to read.)"""

    __slots__ = ("column", "kind", "line", "parts", "text")

    def __init__(
        self,
        kind: str,
        text: str,
        line: int,
        column: int,
        parts: tuple[str | tuple[Token, ...], ...] = (),
    ) -> None:
        self.kind = kind
        self.text = text
        self.line = line
        self.column = column
        self.parts = parts

    def is_(self, text: str) -> bool:
        return self.kind in ("punct", "name") and self.text == text

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.text!r}, {self.line}:{self.column})"


class ConfigSource:
    """One config file's text, and the error for a place in it."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self._starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        low, high = 0, len(self._starts) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if self._starts[mid] <= offset:
                low = mid
            else:
                high = mid - 1
        return low + 1, offset - self._starts[low] + 1

    def line_text(self, line: int) -> str:
        lines = _NEWLINE.split(self.text)
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def error(self, line: int, column: int, message: str, hint: str | None = None) -> SchemaError:
        return SchemaError(
            message,
            location=Location(self.path, line, column),
            source_line=self.line_text(line),
            hint=hint,
        )


def tokenize(source: ConfigSource) -> tuple[Token, ...]:
    tokens, end = _Lexer(source).run(0, top=True)
    line, column = source.position(end)
    return (*tokens, Token("eof", "", line, column))


class _Lexer:
    def __init__(self, source: ConfigSource) -> None:
        self.source = source
        self.text = source.text

    def run(self, at: int, *, top: bool) -> tuple[tuple[Token, ...], int]:
        """The tokens from ``at`` to the end (``top``) or to the ``}`` that closes a
        template's ``${``; and the offset after them."""
        text, depth = self.text, 0
        out: list[Token] = []
        if top and text.startswith("#!"):
            at = text.find("\n") if "\n" in text else len(text)
        while True:
            space = _SPACE.match(text, at)
            if space:
                at = space.end()
            if at >= len(text):
                if not top:
                    raise self._fail(at, "This template literal's ${ is never closed.")
                return tuple(out), at
            ch = text[at]
            line, column = self.source.position(at)
            if ch in "'\"":
                value, at = self._string(at)
                out.append(Token("str", value, line, column))
            elif ch == "`":
                parts, at = self._template(at)
                out.append(Token("tpl", "", line, column, parts))
            elif ch == "/" and (not out or _starts_regex(out[-1])):
                at = self._regex(at)
                out.append(Token("regex", "", line, column))
            elif match := _NAME.match(text, at):
                out.append(Token("name", match.group(), line, column))
                at = match.end()
            elif ch.isdigit() or (ch == "." and text[at + 1 : at + 2].isdigit()):
                match = _NUMBER.match(text, at)
                assert match is not None
                out.append(Token("num", match.group(), line, column))
                at = match.end() or at + 1
            else:
                match = _PUNCT.match(text, at)
                punct = match.group() if match else ch
                if not top and punct == "}" and depth == 0:
                    return tuple(out), at + 1
                depth += punct == "{"
                depth -= punct == "}"
                out.append(Token("punct", punct, line, column))
                at += len(punct)

    def _string(self, at: int) -> tuple[str, int]:
        quote, out, i, text = self.text[at], [], at + 1, self.text
        while i < len(text) and text[i] != quote:
            if text[i] in "\r\n":
                break
            if text[i] == "\\":
                value, i = self._escape(i)
                out.append(value)
            else:
                out.append(text[i])
                i += 1
        if i >= len(text) or text[i] != quote:
            raise self._fail(at, "This string is never closed.")
        return "".join(out), i + 1

    def _template(self, at: int) -> tuple[tuple[str | tuple[Token, ...], ...], int]:
        parts: list[str | tuple[Token, ...]] = []
        chunk: list[str] = []
        i, text = at + 1, self.text
        while True:
            if i >= len(text):
                raise self._fail(at, "This template literal is never closed.")
            if text[i] == "`":
                parts.append("".join(chunk))
                return tuple(parts), i + 1
            if text.startswith("${", i):
                parts.append("".join(chunk))
                chunk = []
                inner, i = self.run(i + 2, top=False)
                parts.append(inner)
            elif text[i] == "\\":
                value, i = self._escape(i)
                chunk.append(value)
            else:
                chunk.append(text[i])
                i += 1

    def _escape(self, at: int) -> tuple[str, int]:
        """The character of the escape sequence at ``at`` (a backslash), and the offset
        after it."""
        text = self.text
        ch = text[at + 1 : at + 2]
        if ch in _ESCAPES and not (ch == "0" and text[at + 2 : at + 3].isdigit()):
            return _ESCAPES[ch], at + 2
        if ch == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[at + 2 : at + 4]):
            return chr(int(text[at + 2 : at + 4], 16)), at + 4
        if ch == "u":
            braced = re.match(r"\{([0-9a-fA-F]{1,6})\}", text[at + 2 :])
            if braced:
                return chr(int(braced.group(1), 16)), at + 2 + braced.end()
            if re.fullmatch(r"[0-9a-fA-F]{4}", text[at + 2 : at + 6]):
                return chr(int(text[at + 2 : at + 6], 16)), at + 6
            raise self._fail(at, "This \\u escape is not valid.")
        newline = _NEWLINE.match(text, at + 1)
        if newline:  # a line continuation
            return "", newline.end()
        if not ch:
            raise self._fail(at, "The file ends inside a string.")
        return ch, at + 2

    def _regex(self, at: int) -> int:
        i, text, in_class = at + 1, self.text, False
        while i < len(text) and text[i] not in "\r\n":
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "[":
                in_class = True
            elif ch == "]":
                in_class = False
            elif ch == "/" and not in_class:
                flags = _NAME.match(text, i + 1)
                return flags.end() if flags else i + 1
            i += 1
        raise self._fail(at, "This regular expression is never closed.")

    def _fail(self, at: int, message: str) -> SchemaError:
        line, column = self.source.position(at)
        return self.source.error(line, column, message)


def _starts_regex(previous: Token) -> bool:
    if previous.kind in ("str", "tpl", "num", "regex"):
        return False
    if previous.kind == "name":
        return previous.text in ("return", "typeof", "case", "do", "else", "in", "of", "void")
    return previous.text not in _VALUE_END
