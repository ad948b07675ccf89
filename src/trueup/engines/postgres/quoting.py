"""The one place PostgreSQL names and string literals are quoted.

Names are always double-quoted (``"`` doubled), schema-qualified when they are not in the
default schema (the session's ``search_path``), so no identifier reaches SQL unquoted. Kept
apart from the renderer, which needs the model: opening a session needs neither.
"""

from __future__ import annotations


def quote(name: str) -> str:
    """An identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def qualified(name: str, schema: str | None) -> str:
    """A schema object's name; ``schema`` None is the default schema."""
    return quote(name) if schema is None else f"{quote(schema)}.{quote(name)}"


def literal(value: str) -> str:
    """A string literal (standard_conforming_strings is on since PostgreSQL 9.1)."""
    return "'" + value.replace("'", "''") + "'"
