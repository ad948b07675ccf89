"""PostgreSQL column types: their canonical spelling, which changes may lose values, and
which need an explicit ``USING`` cast.

Types are read with ``format_type`` and respelled the way people write them (and the way
Prisma renders them): ``character varying(255)`` is ``VARCHAR(255)``, ``timestamp(3) with
time zone`` is ``TIMESTAMPTZ(3)``. Types that are not built in (enums, domains, extension
types such as ``citext``) are kept exactly as ``format_type`` gives them.
"""

from __future__ import annotations

import re

_BUILTIN = {
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "real": "REAL",
    "double precision": "DOUBLE PRECISION",
    "numeric": "DECIMAL",
    "text": "TEXT",
    "character varying": "VARCHAR",
    "character": "CHAR",
    "boolean": "BOOLEAN",
    "bytea": "BYTEA",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
    "time without time zone": "TIME",
    "time with time zone": "TIMETZ",
    "interval": "INTERVAL",
    "json": "JSON",
    "jsonb": "JSONB",
    "uuid": "UUID",
    "xml": "XML",
    "inet": "INET",
    "cidr": "CIDR",
    "macaddr": "MACADDR",
    "money": "MONEY",
    "oid": "OID",
    "bit": "BIT",
    "bit varying": "VARBIT",
    "tsvector": "TSVECTOR",
    "tsquery": "TSQUERY",
}
# timestamp(3) with time zone: the precision sits inside the name.
_TIME = re.compile(r"^(timestamp|time)\((\d+)\) (with|without) time zone$")
_MODIFIED = re.compile(r"^([a-z ]+?)\(([\d, ]+)\)$")

INTEGERS = ("SMALLINT", "INTEGER", "BIGINT")
SERIALS = {"SMALLINT": "SMALLSERIAL", "INTEGER": "SERIAL", "BIGINT": "BIGSERIAL"}
TEXTS = ("TEXT", "VARCHAR", "CHAR")
_NUMBERS = (*INTEGERS, "DECIMAL", "REAL", "DOUBLE PRECISION")
_TIMES = ("DATE", "TIMESTAMP", "TIMESTAMPTZ")
_INT_DIGITS = {"SMALLINT": 5, "INTEGER": 10, "BIGINT": 19}


def canonical_type(formatted: str) -> str:
    """``format_type`` output in trueup's spelling (``"Role"[]`` and ``citext`` unchanged)."""
    if formatted.endswith("[]"):
        return canonical_type(formatted[:-2]) + "[]"
    if formatted in _BUILTIN:
        return _BUILTIN[formatted]
    m = _TIME.match(formatted)
    if m:
        base, precision, zone = m.groups()
        name = base.upper() + ("TZ" if zone == "with" else "")
        return f"{name}({precision})"
    m = _MODIFIED.match(formatted)
    if m and m.group(1) in _BUILTIN:
        args = ",".join(a.strip() for a in m.group(2).split(","))
        return f"{_BUILTIN[m.group(1)]}({args})"
    return formatted


def base_name(ctype: str) -> str:
    """``VARCHAR(20)`` -> ``VARCHAR``; arrays and other types unchanged."""
    if ctype.endswith("[]"):
        return ctype
    return ctype.split("(", 1)[0]


def modifiers(ctype: str) -> tuple[int, ...]:
    if ctype.endswith("[]") or "(" not in ctype or not ctype.endswith(")"):
        return ()
    inside = ctype[ctype.index("(") + 1 : -1]
    try:
        return tuple(int(a) for a in inside.split(","))
    except ValueError:
        return ()


def _digits(ctype: str) -> tuple[int, int] | None:
    """(integer digits, fraction digits) a numeric type holds; None when unbounded."""
    base = base_name(ctype)
    if base in _INT_DIGITS:
        return (_INT_DIGITS[base], 0)
    if base == "DECIMAL":
        mods = modifiers(ctype)
        if not mods:
            return None
        precision, scale = mods[0], mods[1] if len(mods) > 1 else 0
        return (precision - scale, scale)
    return None


def _length(ctype: str) -> int | None:
    """The length limit of a text type, None when unlimited."""
    base = base_name(ctype)
    if base == "TEXT":
        return None
    mods = modifiers(ctype)
    if base == "CHAR":
        return mods[0] if mods else 1
    return mods[0] if mods else None


def is_narrowing(old: str, new: str) -> bool:
    """Whether a value of type ``old`` may not come through a change to ``new`` as it was
    (cut, rounded, refused by the cast). Widening integers, longer texts, more precision,
    anything to TEXT and enums to text are safe; everything not known to be safe is not."""
    if old.upper() == new.upper():
        return False
    ob, nb = base_name(old), base_name(new)
    if nb in TEXTS:
        limit = _length(new)
        if limit is None:
            return False
        if ob in ("VARCHAR", "CHAR"):
            length = _length(old)
            return length is None or length > limit
        return True
    numbers = _numbers_narrowing(old, new, ob, nb)
    if numbers is not None:
        return numbers
    if ob == nb and ob in ("TIMESTAMP", "TIMESTAMPTZ", "TIME", "TIMETZ", "INTERVAL"):
        # More fractional digits (or none given, meaning 6) keep every value.
        old_mods, new_mods = modifiers(old), modifiers(new)
        return (new_mods[0] if new_mods else 6) < (old_mods[0] if old_mods else 6)
    if ob in _TIMES and nb in _TIMES:
        return ob != "DATE" and nb == "DATE"
    return {ob, nb} != {"JSON", "JSONB"}


def _numbers_narrowing(old: str, new: str, ob: str, nb: str) -> bool | None:
    """:func:`is_narrowing` between numeric types (``ob``, ``nb``: their base names); None
    when either is not one whose answer is known here."""
    if ob in INTEGERS and nb in INTEGERS:
        return INTEGERS.index(ob) > INTEGERS.index(nb)
    if ob in _NUMBERS and nb == "DECIMAL":
        have, want = _digits(old), _digits(new)
        if want is None:
            return ob in ("REAL", "DOUBLE PRECISION")
        if have is None:
            return True
        return have[0] > want[0] or have[1] > want[1]
    if ob in ("SMALLINT", "INTEGER") and nb == "DOUBLE PRECISION":
        return False
    if ob == "SMALLINT" and nb == "REAL":
        return False
    if ob == "REAL" and nb == "DOUBLE PRECISION":
        return False
    return None


def needs_using(old: str, new: str) -> bool:
    """Whether ``ALTER COLUMN ... TYPE new`` needs a ``USING`` cast: PostgreSQL converts
    by itself only where an assignment cast exists (to text types, between numbers, the
    same type with other modifiers, between date and time stamps, JSON and JSONB)."""
    ob, nb = base_name(old), base_name(new)
    if ob == nb:
        return False
    if nb in TEXTS and not new.endswith("[]"):
        return False
    if ob in _NUMBERS and nb in _NUMBERS:
        return False
    if ob in _TIMES and nb in _TIMES:
        return False
    return {ob, nb} != {"JSON", "JSONB"}


def is_builtin(ctype: str) -> bool:
    base = base_name(ctype[:-2] if ctype.endswith("[]") else ctype)
    return base in _BUILTIN.values()
