"""One form for a value, whichever engine it was read from.

The same value reads differently from different engines: SQLite gives a boolean as 0 or 1 and
PostgreSQL as True, a decimal as the REAL 12.5 or the text '12.50', a time stamp as
'2024-03-01T12:00:00Z' or '2024-03-01 12:00:00+00'. A copy is checked by putting every
value of a column into the form of its *kind* (the meaning of the target column's type) and
comparing those. Values are read as Python's ``None``, ``bool``, ``int``, ``float``,
``str`` or ``bytes`` (PostgreSQL types other than numbers, booleans and ``bytea`` as
PostgreSQL's text for them, as the export reads them).

A value that does not read as its kind (text that is not a date in a date column) keeps
its own form, so it can only equal the very same value on the other side.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from trueup.engines import find_engine

Canonical = Callable[[Any], Any]

_INTEGER = re.compile(r"^\s*[-+]?\d+\s*$")
_PLAIN_DECIMAL = re.compile(r"^\s*(-?)\+?(\d+)(?:\.(\d*))?\s*$")
_TRUE = {"t", "true", "y", "yes", "on", "1"}
_FALSE = {"f", "false", "n", "no", "off", "0"}
_STAMP = re.compile(
    r"^\s*(\d{4})-(\d\d)-(\d\d)"
    r"(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?"
    r"\s*(Z|[-+]\d\d(?::?\d\d)?(?::?\d\d)?)?\s*$",
    re.IGNORECASE,
)
_TIME = re.compile(r"^\s*(\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?\s*$")
_EPOCH = datetime(1970, 1, 1)


def kind_of(engine: str, column_type: str) -> str:
    """What the values of a column of this type mean, on the engine called ``engine``."""
    return find_engine(engine).values.kind_of(column_type)


def canonical(kind: str) -> Canonical:
    return _BY_KIND[kind]


def _any(v: Any) -> Any:
    return int(v) if isinstance(v, bool) else v


def _integer(v: Any) -> Any:
    if type(v) is int:
        return v
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v.is_integer() and -(2**63) <= v < 2**63:
        return int(v)
    if isinstance(v, str) and _INTEGER.match(v):
        return int(v)
    return v


def _real(v: Any) -> Any:
    if type(v) is float:
        return v
    if type(v) is int and int(float(v)) == v:  # exactly representable: the same number
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return v
    return _any(v)


def _decimal_text(d: Decimal) -> str:
    if d.is_nan():
        return "NaN"
    if d.is_infinite():
        return "Infinity" if d > 0 else "-Infinity"
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def _plain_decimal(text: str) -> str | None:
    """``-0012.500`` as ``-12.5``, by its digits (the common case, without the cost of a
    Decimal); None for text in any other form."""
    m = _PLAIN_DECIMAL.match(text)
    if m is None:
        return None
    sign, whole, fraction = m.groups()
    whole = whole.lstrip("0") or "0"
    fraction = (fraction or "").rstrip("0")
    if whole == "0" and not fraction:
        return "0"
    return sign + whole + ("." + fraction if fraction else "")


def _decimal(v: Any) -> Any:
    try:
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            text = repr(v)
            return _plain_decimal(text) or _decimal_text(Decimal(text))
        if isinstance(v, str):
            return _plain_decimal(v) or _decimal_text(Decimal(v.strip()))
        if isinstance(v, Decimal):
            return _decimal_text(v)
    except InvalidOperation:
        pass
    return v


def _boolean(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if type(v) is int and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        word = v.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return v


def _blob(v: Any) -> Any:
    return v if isinstance(v, bytes) else _any(v)


def _text(v: Any) -> Any:
    if isinstance(v, str):
        return v
    if type(v) is int:
        return str(v)
    if type(v) is float:
        return repr(v)
    return _any(v)


def _fraction(digits: str | None) -> str:
    digits = (digits or "").rstrip("0")
    return "." + digits if digits else ""


def _iso(m: datetime) -> str:
    # Not strftime: it writes the year 1 as "1" on some platforms.
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"


def stamp(v: Any) -> tuple[str, str] | None:
    """A time stamp as (``YYYY-MM-DDTHH:MM:SS`` in UTC when it had an offset, else as
    written; its fraction of a second without trailing zeros), or None."""
    if type(v) is int:
        # Integer milliseconds since 1970: how Prisma's SQLite connector stores DateTime.
        try:
            moment = _EPOCH + timedelta(milliseconds=v)
        except OverflowError:
            return None
        return _iso(moment), _fraction(f"{moment.microsecond:06d}")
    if not isinstance(v, str):
        return None
    m = _STAMP.match(v)
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    if zone is None or not zone.upper().strip("Z+-:0"):  # no offset, or UTC: as written
        return f"{year}-{month}-{day}T{hour or '00'}:{minute or '00'}:{second or '00'}", (
            _fraction(fraction)
        )
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = timedelta(
            hours=int(digits[:2]), minutes=int(digits[2:4] or 0), seconds=int(digits[4:6] or 0)
        )
        moment -= sign * offset
    except (ValueError, OverflowError):
        return None
    return _iso(moment), _fraction(fraction)


def _timestamp(v: Any) -> Any:
    found = stamp(v)
    return v if found is None else found[0] + found[1]


def _date(v: Any) -> Any:
    found = stamp(v) if isinstance(v, str) else None
    if found is None:
        return _any(v)
    whole, fraction = found
    if whole.endswith("T00:00:00") and not fraction:
        return whole[:10]
    return whole + fraction


def _time(v: Any) -> Any:
    m = _TIME.match(v) if isinstance(v, str) else None
    if m is None:
        return _any(v)
    hour, minute, second, fraction = m.groups()
    return f"{hour}:{minute}:{second or '00'}{_fraction(fraction)}"


def _json_text(value: Any) -> str:
    """A JSON document in one spelling: keys sorted, numbers as decimals, no spaces."""
    if isinstance(value, dict):
        items = sorted(value.items())
        return (
            "{"
            + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_json_text(x)}" for k, x in items)
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(_json_text(x) for x in value) + "]"
    if isinstance(value, Decimal):
        return _decimal_text(value)
    return json.dumps(value, ensure_ascii=False)


def _json(v: Any) -> Any:
    if type(v) in (int, float):  # SQLite keeps a bare JSON number as a number
        return _decimal(v)
    if not isinstance(v, str):
        return _any(v)
    try:
        parsed = json.loads(v, parse_float=Decimal, parse_int=Decimal)
    except ValueError:
        return v
    return _json_text(parsed)


def _uuid(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return str(uuid.UUID(v.strip()))
        except ValueError:
            return v
    return _any(v)


_BY_KIND: dict[str, Canonical] = {
    "any": _any,
    "integer": _integer,
    "real": _real,
    "decimal": _decimal,
    "boolean": _boolean,
    "blob": _blob,
    "text": _text,
    "timestamp": _timestamp,
    "date": _date,
    "time": _time,
    "json": _json,
    "uuid": _uuid,
}
