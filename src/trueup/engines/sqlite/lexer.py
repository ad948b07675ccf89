"""SQLite's tokens, and the normalised form of SQL text used to compare it.

SQLite keeps the text of every ``CREATE`` statement as it was written, so two databases with
the same schema can hold different spellings (``price>0`` and ``"price" > 0``). The differ
compares :func:`normalize` keys instead: keyword and identifier case folded, quoting and
whitespace and comments removed, equivalent operators unified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from trueup.model import Expr


class Kind(Enum):
    WORD = "word"  # a bare identifier or keyword
    QUOTED = "quoted"  # "x", `x` or [x]
    STRING = "string"
    BLOB = "blob"
    NUMBER = "number"
    VARIABLE = "variable"
    PUNCT = "punct"
    ERROR = "error"  # an unterminated quote or a character SQLite does not accept


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind is Kind.WORD else ""

    @property
    def name(self) -> str:
        """The identifier this token spells, unquoted (for WORD, QUOTED and STRING tokens)."""
        return unquote(self.text)

    def is_word(self, *words: str) -> bool:
        return self.kind is Kind.WORD and self.text.upper() in words


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<blob>[xX]'[^']*')
  | (?P<word>[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)
  | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>0[xX][0-9A-Fa-f]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<variable>\?\d*|[:@$][A-Za-z0-9_]+)
  | (?P<punct>->>|->|\|\||<<|>>|<=|>=|==|!=|<>|[-+*/%&|~<>=(),;.])
    """,
    re.VERBOSE | re.DOTALL,
)

_KINDS = {
    "blob": Kind.BLOB,
    "word": Kind.WORD,
    "quoted": Kind.QUOTED,
    "string": Kind.STRING,
    "number": Kind.NUMBER,
    "variable": Kind.VARIABLE,
    "punct": Kind.PUNCT,
}


def tokenize(sql: str) -> list[Token]:
    """Split SQL into tokens, dropping whitespace and comments. Never raises: text SQLite
    would reject comes back as an ERROR token."""
    tokens: list[Token] = []
    pos = 0
    n = len(sql)
    while pos < n:
        m = _TOKEN.match(sql, pos)
        if m is None:
            # An unterminated quote runs to the end of the text; anything else is one bad char.
            end = n if sql[pos] in "'\"`[" else pos + 1
            tokens.append(Token(Kind.ERROR, sql[pos:end], pos, end))
            pos = end
            continue
        group = m.lastgroup
        if group not in ("ws", "comment"):
            tokens.append(Token(_KINDS[str(group)], m.group(), m.start(), m.end()))
        pos = m.end()
    return tokens


def unquote(text: str) -> str:
    """The identifier spelled by a bare or quoted token."""
    if len(text) >= 2:
        first, last = text[0], text[-1]
        if first == '"' and last == '"':
            return text[1:-1].replace('""', '"')
        if first == "`" and last == "`":
            return text[1:-1].replace("``", "`")
        if first == "[" and last == "]":
            return text[1:-1]
        if first == "'" and last == "'":
            return text[1:-1].replace("''", "'")
    return text


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(name: str) -> str:
    """A name as SQLite compares it: ASCII letters folded to lower case, nothing else
    (``"CAFÉ"`` and ``"café"`` are two tables)."""
    return name.translate(_ASCII_LOWER)


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SAME_OPERATOR = {"==": "=", "!=": "<>"}


def _key_token(tok: Token) -> str:
    if tok.kind in (Kind.WORD, Kind.QUOTED):
        # Identifiers and keywords are case-insensitive in SQLite, and quoting a plain name
        # does not change it: fold both to one spelling.
        name = fold(tok.name)
        return name if _PLAIN.match(name) else '"' + name.replace('"', '""') + '"'
    if tok.kind in (Kind.NUMBER, Kind.BLOB):
        return tok.text.lower()
    if tok.kind is Kind.PUNCT:
        return _SAME_OPERATOR.get(tok.text, tok.text)
    return tok.text


def strip_parens(tokens: list[Token]) -> list[Token]:
    """Remove parentheses that wrap the whole token list (``(1)`` is ``1``)."""
    while len(tokens) >= 2 and tokens[0].text == "(" and tokens[-1].text == ")":
        depth = 0
        for i, tok in enumerate(tokens):
            if tok.text == "(":
                depth += 1
            elif tok.text == ")":
                depth -= 1
                if depth == 0 and i != len(tokens) - 1:
                    return tokens  # "(a) + (b)": the first paren closes early
        tokens = tokens[1:-1]
    return tokens


@lru_cache(maxsize=8192)
def normalize(sql: str, *, unwrap: bool = True) -> str:
    """The comparison key of a piece of SQL text."""
    tokens = tokenize(sql)
    if tokens and tokens[-1].text == ";":
        tokens = tokens[:-1]
    if unwrap:
        tokens = strip_parens(tokens)
    return " ".join(_key_token(t) for t in tokens)


@lru_cache(maxsize=8192)
def expr(text: str) -> Expr:
    """An :class:`~trueup.model.Expr` for SQLite text: kept as written, compared normalised."""
    return Expr(text.strip(), normalize(text))


@lru_cache(maxsize=1024)
def statement_expr(text: str) -> Expr:
    """An Expr for a whole statement (a view or trigger): the key keeps every token."""
    return Expr(text.strip(), normalize(text, unwrap=False))


@lru_cache(maxsize=1024)
def trigger_expr(text: str) -> Expr:
    """An Expr for a ``CREATE TRIGGER`` statement. SQLite has row triggers only, so
    ``FOR EACH ROW`` is the same trigger written out; it is left out of the key."""
    tokens = tokenize(text)
    words = [t.upper for t in tokens]
    for i in range(len(tokens) - 2):
        if words[i : i + 3] == ["FOR", "EACH", "ROW"]:
            tokens = tokens[:i] + tokens[i + 3 :]
            break
        if words[i] == "BEGIN":
            break
    if tokens and tokens[-1].text == ";":
        tokens = tokens[:-1]
    return Expr(text.strip(), " ".join(_key_token(t) for t in tokens))


@lru_cache(maxsize=4096)
def references(sql: str) -> frozenset[str]:
    """Every identifier-like word in a piece of SQL, case-folded: a generous answer to
    "which tables and columns might this text use"."""
    return frozenset(fold(t.name) for t in tokenize(sql) if t.kind in (Kind.WORD, Kind.QUOTED))
