"""SQLite statement text cut into tokens, so that two texts that mean the same compare
equal: whitespace and comments go, identifiers lose their quotes and their case (SQLite
matches names without regard to ASCII case), string literals stay as written."""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|--[^\n]*|/\*.*?(?:\*/|$))
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
  | (?P<blob>[xX]'[0-9a-fA-F]*')
  | (?P<word>[A-Za-z_\x80-\U0010ffff][\w$\x80-\U0010ffff]*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<op>\|\||<<|>>|<=|>=|==|!=|<>|->>|->|.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(sql: str) -> list[str]:
    """The tokens of ``sql``, identifiers and keywords upper-cased and unquoted."""
    out: list[str] = []
    for m in _TOKEN.finditer(sql):
        kind, text = m.lastgroup, m.group(0)
        if kind == "space":
            continue
        if kind == "quoted":
            inner = text[1:-1] if text[0] == "[" else text[1:-1].replace(text[0] * 2, text[0])
            out.append(inner.upper())
        elif kind in ("word", "blob"):
            out.append(text.upper())
        else:
            out.append(text)
    return out


def normal(sql: str) -> str:
    """``sql`` as one line of its tokens."""
    return " ".join(tokens(sql))


def split_top(items: list[str]) -> list[list[str]]:
    """Tokens cut at the commas outside parentheses."""
    out: list[list[str]] = [[]]
    depth = 0
    for tok in items:
        if tok == "," and depth == 0:
            out.append([])
            continue
        depth += tok == "("
        depth -= tok == ")"
        out[-1].append(tok)
    return [x for x in out if x]


def parenthesised(items: list[str], start: int) -> tuple[list[str], int]:
    """The tokens inside the parentheses that open at ``items[start]``, and the index after
    the closing one."""
    depth = 0
    for i in range(start, len(items)):
        depth += items[i] == "("
        depth -= items[i] == ")"
        if depth == 0:
            return items[start + 1 : i], i + 1
    return items[start + 1 :], len(items)


def table_body(sql: str) -> list[list[str]]:
    """The column definitions and table constraints of a CREATE TABLE statement."""
    items = tokens(sql)
    if "(" not in items:
        return []  # CREATE TABLE ... AS SELECT
    inner, _ = parenthesised(items, items.index("("))
    return split_top(inner)
