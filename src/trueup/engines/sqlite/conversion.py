"""What SQLite stores when a table rebuild copies a value into a column of another type.

The rebuild copies rows with ``INSERT INTO new SELECT … FROM old``: each value passes
through the new column's affinity (section 3 of SQLite's datatype documentation), and a
STRICT table or a rowid alias then refuses what is not of its type. ``CAST`` does not
predict it: ``CAST('2026-12-07T10:00:00.000+00:00' AS DATETIME)`` is 2026, while a DATETIME
column keeps that text byte for byte (only text that is a whole, well-formed number
converts). The expressions here give the stored value itself, so the checks compare it
with the old one. tests/unit/test_sqlite_conversion.py holds them to what SQLite stores,
for every pair of affinities and many values.

A value counts as kept when the stored value is the same value: of the same storage class
and equal; a number equal to a number (1.0 and 1; not 2^53 + 1 as a REAL); a number whose
text reads back as the same number (12 as ``'12'``; not 0.1 + 0.2, which a TEXT column
stores as ``'0.3'``); text that became a number of its value: always for an integer that
fits 64 bits (``'007'`` is 7), else for text of at most 15 significant digits (what a REAL
holds for sure: ``'12.50'`` as 12.5, ``'1e3'`` as 1000), or text that is exactly the
number's own spelling. Not ``'12345678901234567890'`` (a REAL of 1.2345678901234567e19), nor
``'1e400'`` (infinity), nor text that becomes a subnormal REAL (below 2.2e-308, where fewer
digits are held).
"""

from __future__ import annotations

from trueup.engines.sqlite.types import BLOB, INTEGER, REAL, TEXT, affinity
from trueup.model import Column, Table

#: The storage class a STRICT column's type holds (None: any, for ANY).
_STRICT_CLASS: dict[str, str | None] = {"INT": "integer", "INTEGER": "integer", "REAL": "real"}
_STRICT_CLASS |= {"TEXT": "text", "BLOB": "blob", "ANY": None}
#: -2^63, the one integral REAL in range that the affinity leaves a REAL.
_SMALLEST = "-9223372036854775808.0"
#: The largest REAL, and the smallest with full precision (smaller ones are subnormal).
_LARGEST = "1.7976931348623157e308"
_TINIEST = "2.2250738585072014e-308"
#: The white space SQLite allows around a number.
_SPACE = "char(9, 10, 11, 12, 13, 32)"


def column_affinity(new: Column, table: Table) -> str | None:
    """The affinity a value meets on its way into ``new`` of ``table`` (None: no
    conversion, a STRICT table's ANY column)."""
    if "STRICT" in table.options:
        t = new.type.upper()
        if t == "ANY":
            return None
        return {"INT": INTEGER, "INTEGER": INTEGER, "REAL": REAL, "TEXT": TEXT}.get(t, BLOB)
    return affinity(new.type)


def required_class(new: Column, table: Table) -> str | None:
    """The storage class ``new`` refuses every other (non-NULL) value but, if any: a STRICT
    column's type, or the integer of a rowid alias (INTEGER PRIMARY KEY)."""
    from trueup.engines.sqlite.rowid import rowid_alias

    alias = rowid_alias(table)
    if alias is not None and alias.casefold() == new.name.casefold():
        return "integer"
    if "STRICT" in table.options:
        return _STRICT_CLASS.get(new.type.upper())
    return None


def is_number_text(c: str) -> str:
    """``c`` is text the numeric affinities convert: a whole, well-formed number. A
    comparison with a NUMERIC operand applies the same conversion to the other operand
    when that has no affinity of its own (``c || ''``: a column's could be NUMERIC)."""
    return f"(typeof({c}) = 'text' AND CAST({c} AS NUMERIC) = ({c} || ''))"


def _integer_if_whole(r: str) -> str:
    """The REAL ``r`` as the numeric affinities leave it: an INTEGER when it is one."""
    return (
        f"CASE WHEN {r} = CAST({r} AS INTEGER) AND {r} > {_SMALLEST} "
        f"THEN CAST({r} AS INTEGER) ELSE {r} END"
    )


def stored(c: str, to: str | None) -> str:
    """The value ``c`` is stored as under the affinity ``to`` (None: as it is)."""
    if to is None or to == BLOB:
        return c
    if to == TEXT:
        return f"(CASE WHEN typeof({c}) IN ('integer', 'real') THEN CAST({c} AS TEXT) ELSE {c} END)"
    number = is_number_text(c)
    if to == REAL:
        return (
            f"(CASE WHEN typeof({c}) = 'integer' OR {number} THEN CAST({c} AS REAL) ELSE {c} END)"
        )
    # INTEGER and NUMERIC: text without a point or an exponent that fits 64 bits becomes
    # that integer exactly; other number text becomes a REAL, and a REAL that is a whole
    # number in range becomes an INTEGER.
    whole_text = f"{c} NOT GLOB '*[.eE]*' AND CAST({c} AS INTEGER) = ({c} || '')"
    return (
        f"(CASE WHEN typeof({c}) = 'real' THEN {_integer_if_whole(c)} "
        f"WHEN {number} THEN CASE WHEN {whole_text} THEN CAST({c} AS INTEGER) "
        f"ELSE {_integer_if_whole(f'CAST({c} AS REAL)')} END "
        f"ELSE {c} END)"
    )


def _significant_digits(x: str) -> str:
    """How many significant digits the number text ``x`` gives (leading and trailing
    zeros aside): the digits of its mantissa, without sign, point or white space."""
    e = f"instr(lower({x}), 'e')"
    mantissa = f"CASE WHEN {e} > 0 THEN substr({x}, 1, {e} - 1) ELSE {x} END"
    digits = f"replace(replace(replace(trim({mantissa}, {_SPACE}), '-', ''), '+', ''), '.', '')"
    return f"length(rtrim(ltrim({digits}, '0'), '0'))"


def _number_kept(x: str, s: str) -> str:
    """The number ``s`` that the text ``x`` became has its value (see the docstring)."""
    sig = _significant_digits(x)
    whole = f"length(rtrim(ltrim(CAST({s} AS TEXT), '-'), '0')) <= 15 AND ({s} <> 0 OR {sig} = 0)"
    normal = (
        f"{s} BETWEEN -{_LARGEST} AND {_LARGEST} "
        f"AND ({s} >= {_TINIEST} OR {s} <= -{_TINIEST} OR ({s} = 0 AND {sig} = 0))"
    )
    return (
        f"((typeof({s}) = 'integer' AND {x} NOT GLOB '*[.eE]*') "
        f"OR CAST({s} AS TEXT) = {x} COLLATE BINARY "
        f"OR ({sig} <= 15 AND CASE typeof({s}) WHEN 'integer' THEN {whole} ELSE {normal} END))"
    )


def kept(c: str, s: str) -> str:
    """The stored value ``s`` is the old value ``c`` (see the module's docstring)."""
    return (
        f"(CASE WHEN typeof({s}) = typeof({c}) THEN 1 "
        f"WHEN typeof({c}) IN ('integer', 'real') AND typeof({s}) IN ('integer', 'real') "
        f"THEN {s} = {c} "
        f"WHEN typeof({c}) = 'real' THEN CAST({s} AS REAL) = {c} "
        f"WHEN typeof({c}) = 'integer' THEN 1 "
        f"ELSE {_number_kept(c, s)} END)"
    )


def refused(c: str, new: Column, table: Table) -> str | None:
    """A condition for the values ``new`` refuses ("datatype mismatch", "cannot store"),
    or None when it takes every value."""
    wanted = required_class(new, table)
    if wanted is None:
        return None
    return f"typeof({stored(c, column_affinity(new, table))}) NOT IN ('{wanted}', 'null')"


def not_kept(c: str, new: Column, table: Table) -> str:
    """A condition for the values that the copy into ``new`` changes or that ``new``
    refuses."""
    changed = f"NOT {kept(c, stored(c, column_affinity(new, table)))}"
    fails = refused(c, new, table)
    return changed if fails is None else f"({changed} OR {fails})"


def kept_as_other_class(c: str, new: Column, table: Table) -> str | None:
    """A condition for the values the copy keeps as they are although the new column is
    numeric (INTEGER or REAL affinity) and they are not of its kind: ``'abc'`` or 1.5 in an
    INTEGER column, text in a REAL one. Nothing is lost; an application that reads the
    column as numbers finds them. None where the column holds what it is given (TEXT,
    NUMERIC, BLOB, or a column that refuses them)."""
    to = column_affinity(new, table)
    if to not in (INTEGER, REAL) or required_class(new, table) is not None:
        return None
    wanted = "integer" if to == INTEGER else "real"
    s = stored(c, to)
    return f"(typeof({s}) NOT IN ('{wanted}', 'null') AND {kept(c, s)})"
