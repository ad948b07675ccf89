"""Rename hints in the models: ``info={"trueup": {"renamed_from": "old"}}`` on a column,
and the same in a table's ``info`` (``__table_args__ = {"info": {...}}``). Names are the
database's (a column's ``name``, not its attribute)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trueup.diff.renames import Renames
from trueup.errors import SchemaError

KEY = "trueup"
_KNOWN = {"renamed_from"}


def rename_hints(metadata: Any) -> Renames:
    tables: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    for table in metadata.tables.values():
        for old in _renamed_from(table.info, f"the table {table.fullname}"):
            tables[old] = table.name
        for column in table.columns:
            where = f"the column {table.fullname}.{column.name}"
            for old in _renamed_from(column.info, where):
                columns[(table.name, old)] = column.name
    return Renames(tables, columns)


def _renamed_from(info: Mapping[str, Any], where: str) -> tuple[str, ...]:
    hints = info.get(KEY)
    if hints is None:
        return ()
    example = '{"trueup": {"renamed_from": "old_name"}}'
    if not isinstance(hints, Mapping):
        raise SchemaError(
            f"The info of {where} has {KEY!r} set to {hints!r}; it must be a dict.",
            hint=f"Write info={example}.",
        )
    unknown = sorted(set(hints) - _KNOWN)
    if unknown:
        raise SchemaError(
            f"The info of {where} has unknown trueup keys: {', '.join(map(repr, unknown))}.",
            hint=f"trueup reads only 'renamed_from': info={example}.",
        )
    old = hints.get("renamed_from")
    names = (old,) if isinstance(old, str) else old
    if (
        not isinstance(names, (list, tuple))
        or not names
        or not all(isinstance(n, str) and n for n in names)
    ):
        raise SchemaError(
            f"The info of {where} has renamed_from {old!r}; it must be the old name (or a "
            "list of old names).",
            hint=f"Write info={example}.",
        )
    return tuple(names)
