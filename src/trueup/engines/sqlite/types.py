"""SQLite's declared types: their canonical spelling and their affinity."""

from __future__ import annotations

from functools import lru_cache

from trueup.engines.sqlite.lexer import Kind, tokenize

INTEGER = "INTEGER"
TEXT = "TEXT"
BLOB = "BLOB"
REAL = "REAL"
NUMERIC = "NUMERIC"


@lru_cache(maxsize=1024)
def canonical_type(declared: str) -> str:
    """``varchar ( 255 )`` -> ``VARCHAR(255)``: words upper-cased and single-spaced,
    no spaces inside the parentheses. Quoted parts are kept as written."""
    out: list[str] = []
    prev = ""
    for tok in tokenize(declared):
        text = tok.text.upper() if tok.kind is Kind.WORD else tok.text
        if out and prev not in ("(", ",") and text not in ("(", ")", ","):
            out.append(" ")
        out.append(text)
        prev = text
    return "".join(out)


def affinity(declared: str) -> str:
    """The column affinity SQLite derives from a declared type (section 3.1 of its
    datatype documentation), in its order of rules."""
    t = declared.upper()
    if "INT" in t:
        return INTEGER
    if "CHAR" in t or "CLOB" in t or "TEXT" in t:
        return TEXT
    if "BLOB" in t or not t.strip():
        return BLOB
    if "REAL" in t or "FLOA" in t or "DOUB" in t:
        return REAL
    return NUMERIC


# Conversions that keep every stored value as it was (or as an equal value of a wider kind).
# Not REAL (or NUMERIC or INTEGER, which hold reals too: 1.5 stays 1.5 in an INTEGER
# column) into TEXT: TEXT affinity stores a real as its text with 15 significant digits,
# so 0.1 + 0.2 arrives as '0.3'.
_WIDENING = {
    (INTEGER, NUMERIC),
    (INTEGER, BLOB),
    (REAL, NUMERIC),
    (REAL, BLOB),
    (NUMERIC, BLOB),
    (TEXT, BLOB),
}


def is_narrowing(old_type: str, new_type: str) -> bool:
    """Whether values stored under ``old_type`` may not survive as they are under
    ``new_type`` (text that is not a number moving to a numeric column, big integers
    moving to REAL, ...). Same affinity is never narrowing."""
    a, b = affinity(old_type), affinity(new_type)
    return a != b and (a, b) not in _WIDENING
