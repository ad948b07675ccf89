"""Statements of a PostgreSQL schema file that declare what trueup does not manage yet and
that nothing else in the file can need in order to load: triggers, rules, row-level
security and its policies, comments on anything but tables and columns. Run into the
scratch database, they would be made there, then neither made nor compared in the real
one: the database would lack them while `trueup diff` said "in sync". A schema file that
holds one is refused, naming it. (Functions, procedures and domains are not refused: a
column's type or default may need them for the file to load at all; docs/postgres.md says
what that means.)"""

from __future__ import annotations

import re

#: CREATE [OR REPLACE] <kind>, as the message names it.
_CREATED = {
    ("TRIGGER",): "triggers",
    ("CONSTRAINT", "TRIGGER"): "triggers",
    ("EVENT", "TRIGGER"): "event triggers",
    ("POLICY",): "row-level security policies",
    ("RULE",): "rules",
}
#: COMMENT ON <kind>: tables' and columns' comments are managed, no other.
_COMMENTED = ("TABLE", "COLUMN")
_ROW_SECURITY = re.compile(
    r"\b(?:ENABLE|DISABLE|FORCE|NO\s+FORCE)\s+ROW\s+LEVEL\s+SECURITY\b", re.IGNORECASE
)


def unmanaged_statement(words: list[str], statement: str) -> str | None:
    """What ``statement`` (its first words upper-cased in ``words``) declares that trueup
    does not manage yet, in words for a message; None when it is managed."""
    if words[:1] == ["CREATE"]:
        kind = words[3:] if words[1:3] == ["OR", "REPLACE"] else words[1:]
        return next(
            (name for key, name in _CREATED.items() if tuple(kind[: len(key)]) == key), None
        )
    if words[:2] == ["COMMENT", "ON"] and len(words) > 2:
        if words[2] in _COMMENTED:
            return None
        on = "MATERIALIZED VIEW" if words[2:4] == ["MATERIALIZED", "VIEW"] else words[2]
        return f"`COMMENT ON {on}`"
    if words[:2] == ["ALTER", "TABLE"] and _ROW_SECURITY.search(statement):
        return "row-level security"
    return None
