"""A schema file that declares what trueup does not manage yet (a partitioned table, an
UNLOGGED one, storage parameters, ...) is refused, naming the object and the line: pushed,
the database would differ from the file while trueup said it was in sync."""

from __future__ import annotations

import re
from collections.abc import Callable

from trueup.errors import SchemaError
from trueup.model import Unmodelled

#: What each feature is, as the messages name it (by ``Unmodelled.what``).
FEATURES = {
    "partitioned": "partitioned tables",
    "unlogged": "UNLOGGED tables",
    "storage": "storage parameters",
    "inherits": "table inheritance",
    "no inherit": "NO INHERIT constraints",
    "deferrable": "deferrable primary keys and unique constraints",
    "match full": "MATCH FULL foreign keys",
    "exclusion": "exclusion constraints",
}

#: Where a statement writes each feature.
_WRITTEN = {
    "partitioned": r"\bPARTITION\s+(?:BY|OF)\b",
    "unlogged": r"\bUNLOGGED\b",
    "storage": r"\b(?:WITH|SET)\s*\(",
    "inherits": r"\bINHERITS\b",
    "no inherit": r"\bNO\s+INHERIT\b",
    "deferrable": r"\bDEFERRABLE\b|\bINITIALLY\s+DEFERRED\b",
    "match full": r"\bMATCH\s+FULL\b",
    "exclusion": r"\bEXCLUDE\b",
}


def refuse_unmodelled(
    found: tuple[Unmodelled, ...],
    statements: list[tuple[int, str]],
    fail: Callable[..., SchemaError],
) -> None:
    """Refuse the first of ``found`` in the file (``statements``: offset and text)."""
    if not found:
        return
    placed = [(_offset(u, statements), u) for u in found]
    offset, first = min(placed, key=lambda p: p[0])
    feature = FEATURES.get(first.what, first.what)
    raise fail(
        offset,
        f"{first.shown[0].upper()}{first.shown[1:]} is declared with {first.written}, "
        f"and trueup does not manage {feature} yet.",
        hint="Declare it without that, and make it by hand if you need it: trueup "
        "leaves it as it is in the database, and says so on every push and diff. Nothing "
        "was changed in the database.",
    )


def _named(name: str) -> re.Pattern[str]:
    return re.compile(r'(?<![\w$"])"?' + re.escape(name) + r'"?(?![\w$"])', re.IGNORECASE)


def _offset(found: Unmodelled, statements: list[tuple[int, str]]) -> int:
    """Where the file writes ``found``: the feature in a statement that names the object
    (or its table), else the first statement that names it, else the file's start."""
    written = re.compile(_WRITTEN.get(found.what, re.escape(found.written)), re.IGNORECASE)
    names = [_named(found.name)] + ([_named(found.table)] if found.table != found.name else [])
    for name in names:
        for offset, statement in statements:
            if name.search(statement):
                feature = written.search(statement)
                if feature:
                    return offset + feature.start()
    for name in names:
        for offset, statement in statements:
            if name.search(statement):
                return offset
    return 0
