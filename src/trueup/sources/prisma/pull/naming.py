"""Prisma names for database names, as ``prisma db pull`` makes them: a name that is not a
valid Prisma identifier is sanitised (other characters become ``_``, leading digits and
underscores go) and the database name is kept with ``@map`` / ``@@map``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

from trueup.sources.prisma.identifiers import RESERVED as CLIENT_RESERVED
from trueup.sources.prisma.scalars import BUILTIN_TYPES

_VALID = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_INVALID_CHARS = re.compile(r"[^A-Za-z0-9_]")

#: Names a model or enum cannot have (the built-in types, the client's own names and
#: JavaScript's keywords). Prisma's introspection prefixes them with "Renamed".
RESERVED = frozenset((*BUILTIN_TYPES, "Unsupported", *CLIENT_RESERVED))


def is_valid(name: str) -> bool:
    return bool(_VALID.match(name))


def sanitize(name: str, fallback: str) -> str:
    """``my-table`` -> ``my_table``, ``2fa`` -> ``fa``; ``fallback`` when nothing is left."""
    if is_valid(name):
        return name
    cleaned = _INVALID_CHARS.sub("_", name).lstrip("0123456789_")
    return cleaned or fallback


def type_name(name: str, fallback: str) -> str:
    """A model or enum name: sanitised, and never one of Prisma's built-in type names."""
    out = sanitize(name, fallback)
    return "Renamed" + out if out in RESERVED else out


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``, ... : the first not in ``taken`` (then taken)."""
    out, n = name, 1
    while out in taken:
        n += 1
        out = f"{name}_{n}"
    taken.add(out)
    return out


def assign(names: list[str], make: Callable[[int, str], str], taken: set[str]) -> list[str]:
    """A distinct Prisma name for each of ``names`` (``make(i, name)`` proposes one). Names
    that are valid as they are go first, so they never yield to a sanitised one."""
    out = [""] * len(names)
    for valid_pass in (True, False):
        for i, name in enumerate(names):
            if is_valid(name) == valid_pass:
                out[i] = unique(make(i, name), taken)
    return out


def string(value: str) -> str:
    """A Prisma string literal (JSON's escapes). Unicode line separators are escaped too,
    so the literal always stays on one line."""
    text = json.dumps(value, ensure_ascii=False)
    for ch in ("\u2028", "\u2029", "\x85"):
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def field_list(names: Iterable[str]) -> str:
    return "[" + ", ".join(names) + "]"
