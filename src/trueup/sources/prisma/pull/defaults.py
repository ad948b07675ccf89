"""A column's default as a Prisma ``@default(…)``.

A literal is written as a Prisma literal only when Prisma would write it back as the same
value (checked by lowering the candidate the way a push does and reading both the same
way); anything else is ``dbgenerated("…")`` with the database's own text, which a push
writes back verbatim. So the round trip never changes a default.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import replace

from trueup.model import Column
from trueup.sources.prisma.lower import _datetime_text, sql_literal
from trueup.sources.prisma.pull.flavours import FieldType, Flavour, Literal
from trueup.sources.prisma.pull.naming import string

_INT_LIMITS = {"Int": 2**31, "BigInt": 2**63}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_INTEGER = re.compile(r"-?\d+")
# A DateTime default as Prisma writes it into DDL: "2024-01-31 12:00:00.500 +00:00".
_DDL_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2}:\d{2})")


def default_attribute(column: Column, ftype: FieldType, flavour: Flavour) -> str | None:
    """The argument of ``@default(…)`` for ``column``, or None for no default."""
    if column.default is None:
        return None
    text = column.default.text
    if ftype.name == "Json" and not ftype.is_list and flavour.raw_json:
        # Pushed, a Json literal is written as it is: the same default (DEFAULT "s" too,
        # which SQLite reads as the string 's').
        written = column.written_default or text
        if _is_json(written):
            return string(written)
    if ftype.is_list:
        items = _list_default(text, ftype, flavour)
        if items is not None:
            return items
    found = flavour.literal(text)
    if found is not None:
        for psl, lowered in _candidates(found, ftype, flavour):
            if flavour.literal(lowered) == found:
                return psl
    return f"dbgenerated({string(flavour.raw_default(text))})"


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _list_default(text: str, ftype: FieldType, flavour: Flavour) -> str | None:
    """``ARRAY['a'::text, 'b'::text]`` -> ``["a", "b"]``, when every item is a literal
    Prisma writes back as it is."""
    items = flavour.array_items(text)
    if items is None:
        return None
    element = replace(ftype, is_list=False)
    out = []
    for item in items:
        found = flavour.literal(item)
        if found is None:
            return None
        psl = next(
            (
                p
                for p, lowered in _candidates(found, element, flavour)
                if flavour.literal(lowered) == found
            ),
            None,
        )
        if psl is None:
            return None
        out.append(psl)
    return "[" + ", ".join(out) + "]"


def _candidates(found: Literal, ftype: FieldType, flavour: Flavour) -> Iterator[tuple[str, str]]:
    """Prisma defaults that may stand for ``found``, each with the SQL a push writes for
    it (see :mod:`trueup.sources.prisma.lower`)."""
    scalar = ftype.name
    if ftype.unsupported is not None or ftype.is_list:
        return  # Unsupported types take dbgenerated() only; list literals are left as SQL
    if found.kind == "now" and scalar == "DateTime":
        yield "now()", "CURRENT_TIMESTAMP"
    elif found.kind == "bool" and scalar == "Boolean":
        yield found.value, found.value
    elif found.kind == "number" and scalar in ("Int", "BigInt", "Float", "Decimal"):
        value = found.value
        if scalar in _INT_LIMITS:
            limit = _INT_LIMITS[scalar]
            if _INTEGER.fullmatch(value) and -limit <= int(value) < limit:
                yield value, value
        elif _NUMBER.fullmatch(value):
            yield value, value
    elif found.kind == "string":
        yield from _string_candidates(found.value, ftype, flavour)


def _string_candidates(value: str, ftype: FieldType, flavour: Flavour) -> Iterator[tuple[str, str]]:
    scalar = ftype.name
    if ftype.enum is not None:
        name = ftype.enum.value_name(value)
        if name is not None:
            yield name, sql_literal(value)
    elif scalar == "String":
        yield string(value), sql_literal(value)
    elif scalar == "Json" and flavour.json_literals:
        try:
            json.loads(value)
        except ValueError:
            return
        yield string(value), sql_literal(value)
    elif scalar == "DateTime":
        m = _DDL_DATETIME.fullmatch(value)
        if m:
            day, time, fraction, offset = m.groups()
            rfc = f"{day}T{time}{fraction or ''}{'Z' if offset == '+00:00' else offset}"
            yield string(rfc), sql_literal(_datetime_text(rfc))
    elif scalar == "Bytes":
        raw = flavour.bytes_value(value)
        if raw is not None:
            yield string(base64.b64encode(raw).decode()), flavour.bytes_sql(raw)
    elif scalar == "Decimal" and _NUMBER.fullmatch(value):
        yield string(value), flavour.decimal_sql(value)
