"""The one place SQLite names and string literals are quoted.

Names are always double-quoted (with ``"`` doubled), so no identifier ever reaches SQL
unquoted, whatever characters or reserved words it holds.
"""

from __future__ import annotations


def quote(name: str) -> str:
    """An identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A string literal."""
    return "'" + value.replace("'", "''") + "'"
