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
    """Drop ``::type`` right after a literal (a string, or an ARRAY of literals): the
    literal has its column's type either way. Casts of anything else are kept. A literal's
    parentheses go too (not a call's): PostgreSQL deparses ``x IN ('a', 'b')`` on a varchar
    as ``x::text = ANY ((ARRAY['a'::varchar, 'b'::varchar])::text[])``, and that text, run
    again, as ``x::text = ANY (ARRAY[('a'::varchar)::text, ('b'::varchar)::text])``: one
    expression, which must keep one key."""
    while True:
        folded = _fold_literals_once(toks)
        if folded == toks:
            return toks
        toks = folded


def _fold_literals_once(toks: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(toks):
        end = _literal_end(toks, i)
        if end is None:
            out.append(toks[i])
            i += 1
            continue
        literal = toks[i:end]
        # "( literal )" where the parenthesis is not a call's or a list's: unwrapped.
        if (
            out
            and out[-1] == "("
            and end < len(toks)
            and toks[end] == ")"
            and not (len(out) >= 2 and (_wordish(out[-2][-1]) or out[-2] in (")", "]")))
        ):
            out.pop()
            end += 1
        out += literal
        i = _cast_end(toks, end)
    return out


def _literal_end(toks: list[str], i: int) -> int | None:
    """Where the literal at ``i`` ends: a string, or ``array[...]`` of strings and numbers."""
    t = toks[i]
    if t.startswith(("'", "e'", "E'")):
        return i + 1
    if t != "array" or i + 1 >= len(toks) or toks[i + 1] != "[":
        return None
    j = i + 2
    while j < len(toks) and toks[j] != "]":
        if not (toks[j].startswith(("'", "e'", "E'")) or toks[j][0].isdigit() or toks[j] == ","):
            return None
        j += 1
    return j + 1 if j < len(toks) else None


def _cast_end(toks: list[str], i: int) -> int:
    """Past the ``::type`` at ``i`` (``i`` itself when there is none): words (several for
    "character varying"), a quoted name, a schema prefix, a modifier in parentheses and
    [] suffixes."""
    if i >= len(toks) or toks[i] != "::":
        return i
    j = i + 1
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
    return j


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
