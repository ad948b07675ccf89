"""SQL fragments (defaults, CHECKs, index expressions, view queries) as the model's
:class:`~trueup.model.Expr`: the text PostgreSQL gives back, and a key under which equal
spellings compare equal.

Both sides of a diff are read back from PostgreSQL's own deparser, so most text is already
canonical; the key folds what still differs between equal spellings: whitespace and keyword
case, ``now()`` / ``CURRENT_TIMESTAMP`` / ``transaction_timestamp()`` (the same value), a
literal's cast to the type it already has (``'x'::text`` and ``'x'``), and outer parentheses.
"""

from __future__ import annotations

import re

from trueup.model import Expr

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>[eE]?'(?:[^']|'')*')
  | (?P<dollar>\$(?P<tag>[A-Za-z_]*)\$.*?\$(?P=tag)\$)
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z_0-9$]*)
  | (?P<cast>::)
  | (?P<op>[^\sA-Za-z_0-9'"])
    """,
    re.VERBOSE | re.DOTALL,
)

_NOW = ("now()", "current_timestamp", "transaction_timestamp()")
# Type names as they follow "::" in PostgreSQL's output, several words long at most.
_MULTIWORD = (
    "character varying",
    "double precision",
    "timestamp without time zone",
    "timestamp with time zone",
    "time without time zone",
    "time with time zone",
    "bit varying",
)


def tokens(text: str) -> list[str]:
    """The tokens of ``text``: whitespace dropped, unquoted words lower-cased."""
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            continue
        value = m.group(0)
        out.append(value.lower() if kind == "word" else value)
    return out


def _join(toks: list[str]) -> str:
    out: list[str] = []
    for t in toks:
        if out and _wordish(out[-1][-1]) and _wordish(t[0]):
            out.append(" ")
        out.append(t)
    return "".join(out)


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch in "_$\"'"


def _strip_literal_casts(toks: list[str]) -> list[str]:
    """Drop ``::type`` right after a string literal: the literal has its column's type
    either way. Casts of anything else are kept."""
    out: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        out.append(t)
        i += 1
        if t.startswith(("'", "e'", "E'")) and i < len(toks) and toks[i] == "::":
            j = i + 1
            # the type: words (several for "character varying"), a quoted name, a schema
            # prefix, a modifier in parentheses and [] suffixes
            while j < len(toks) and (toks[j][0].isalpha() or toks[j][0] in '"_' or toks[j] == "."):
                j += 1
            if j < len(toks) and toks[j] == "(":
                depth = 0
                while j < len(toks):
                    depth += {"(": 1, ")": -1}.get(toks[j], 0)
                    j += 1
                    if depth == 0:
                        break
            while j + 1 < len(toks) and toks[j] == "[" and toks[j + 1] == "]":
                j += 2
            i = j
    return out


def _fold_now(text: str) -> str:
    for spelling in _NOW[1:]:
        text = re.sub(rf"(?<![\w\"']){re.escape(spelling)}(?![\w(])", "now()", text)
    return text


def _strip_parens(toks: list[str]) -> list[str]:
    while len(toks) >= 2 and toks[0] == "(" and toks[-1] == ")":
        depth = 0
        for i, t in enumerate(toks):
            depth += {"(": 1, ")": -1}.get(t, 0)
            if depth == 0 and i < len(toks) - 1:
                return toks
        toks = toks[1:-1]
    return toks


def key(text: str) -> str:
    """The normalised form of a SQL fragment; equal keys mean the same expression."""
    toks = _strip_parens(_strip_literal_casts(tokens(text)))
    return _fold_now(_join(toks))


def expr(text: str) -> Expr:
    return Expr(text, key(text))


def view_key(text: str) -> str:
    """A view's query: only whitespace, keyword case and a final ``;`` fold."""
    toks = tokens(text.strip().rstrip(";"))
    return _join(toks)


def view_expr(text: str) -> Expr:
    return Expr(text.strip().rstrip(";").strip(), view_key(text))
