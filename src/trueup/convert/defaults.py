"""Column defaults from one engine to the other.

Only defaults whose meaning is the same on both engines carry over: literals (a number, a
string, a blob, a boolean) and the current date and time. Anything else is an expression
in one engine's functions (``datetime('now', 'localtime')``, ``gen_random_uuid()``): the
functions below return None for it, and the caller reports it as dropped.
"""

from __future__ import annotations

import re

from trueup.engines.postgres.expressions import tokens as pg_tokens
from trueup.engines.sqlite.lexer import Kind, strip_parens, tokenize

_SQLITE_NOW = {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"}
# SQLite's date functions called with 'now' alone are the same moments.
_SQLITE_NOW_CALLS = {
    "DATETIME": "CURRENT_TIMESTAMP",
    "DATE": "CURRENT_DATE",
    "TIME": "CURRENT_TIME",
}
_PG_NOW = {
    ("current_timestamp",): "CURRENT_TIMESTAMP",
    ("now", "(", ")"): "CURRENT_TIMESTAMP",
    ("transaction_timestamp", "(", ")"): "CURRENT_TIMESTAMP",
    ("localtimestamp",): "CURRENT_TIMESTAMP",
    ("current_date",): "CURRENT_DATE",
    ("current_time",): "CURRENT_TIME",
    ("localtime",): "CURRENT_TIME",
}
_PG_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")
_PG_NUMERIC_CASTS = {"smallint", "integer", "bigint", "numeric", "real", "double"}
# What may follow "::" in a cast PostgreSQL prints after a literal: type names, modifiers.
_PG_CAST_PIECE = re.compile(r'^(?:[a-z_][a-z_0-9$]*|"(?:[^"]|"")*"|\d+|[()\[\],.])$')


def to_postgres(text: str, pg_type: str) -> str | None:
    """A SQLite default (as SQLite keeps it) for a column of ``pg_type``, or None."""
    toks = strip_parens(tokenize(text))
    words = [t.upper for t in toks]
    if len(toks) == 1 and words[0] in _SQLITE_NOW:
        return words[0]
    if (
        len(toks) == 4
        and words[0] in _SQLITE_NOW_CALLS
        and toks[1].text == "("
        and toks[2].text.lower() == "'now'"
        and toks[3].text == ")"
    ):
        return _SQLITE_NOW_CALLS[words[0]]
    sign = ""
    if len(toks) == 2 and toks[0].text in ("+", "-") and toks[1].kind is Kind.NUMBER:
        sign, toks = ("-" if toks[0].text == "-" else ""), toks[1:]
    if len(toks) != 1:
        return None
    tok = toks[0]
    if tok.kind is Kind.NUMBER:
        number = str(int(tok.text, 16)) if tok.text.lower().startswith("0x") else tok.text
        if pg_type == "BOOLEAN":  # SQLite's booleans are the integers 0 and 1
            return {"0": "false", "1": "true"}.get(number) if not sign else None
        return sign + number
    if tok.upper in ("TRUE", "FALSE"):
        if pg_type == "BOOLEAN":
            return tok.upper.lower()
        return "1" if tok.upper == "TRUE" else "0"
    if tok.kind is Kind.STRING:
        return tok.text  # the same standard SQL string literal
    if tok.kind is Kind.BLOB and pg_type == "BYTEA":
        return "'\\x" + tok.text[2:-1].lower() + "'"
    return None


def to_sqlite(text: str) -> str | None:
    """A PostgreSQL default (as ``pg_get_expr`` prints it) for SQLite, or None."""
    toks = pg_tokens(text)
    while len(toks) >= 2 and toks[0] == "(" and toks[-1] == ")" and _wraps(toks):
        toks = toks[1:-1]
    if tuple(toks) in _PG_NOW:
        return _PG_NOW[tuple(toks)]
    if toks in (["true"], ["false"]):
        return "1" if toks[0] == "true" else "0"  # SQLite's booleans are 0 and 1
    if toks and toks[0] == "null" and _is_cast(toks[1:]):
        return "NULL"
    if len(toks) == 2 and toks[0] == "-" and _PG_NUMBER.match(toks[1]):
        return "-" + toks[1]
    if len(toks) == 1 and _PG_NUMBER.match(toks[0]):
        return toks[0]
    if toks and toks[0].startswith("'") and _is_cast(toks[1:]):
        value = toks[0][1:-1].replace("''", "'")
        cast = toks[2] if len(toks) > 2 else ""
        if cast in _PG_NUMERIC_CASTS and _PG_NUMBER.match(value):
            return value  # PostgreSQL prints -1 as '-1'::integer
        if cast == "bytea" and value.startswith("\\x"):
            return "X'" + value[2:] + "'"
        return toks[0]
    return None


def _wraps(toks: list[str]) -> bool:
    """Whether the first parenthesis closes at the very end."""
    depth = 0
    for i, t in enumerate(toks):
        depth += {"(": 1, ")": -1}.get(t, 0)
        if depth == 0:
            return i == len(toks) - 1
    return False


def _is_cast(rest: list[str]) -> bool:
    """Nothing, or ``::`` and a type name: a literal's cast, not an expression."""
    if not rest:
        return True
    return rest[0] == "::" and len(rest) > 1 and all(_PG_CAST_PIECE.match(t) for t in rest[1:])
