"""The gist of how two databases differ, as trueup's differ sees it: the kinds of change,
without the names and values, so that one cause gives one gist (and a schema made
smaller keeps it); and where the schemas differ when no change is made (an order)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from trueup.diff import changes as ch
from trueup.model import Schema


def change_gist(change: object) -> str:
    if isinstance(change, ch.ModifyTable):
        inner = sorted({change_gist(c) for c in change.changes})
        return f"ModifyTable[{', '.join(inner)}]"
    if isinstance(change, ch.ModifyColumn):
        of = change.old.type.split("(")[0] or "untyped"
        return f"ModifyColumn({change.kind.describe()} of {of})"
    if isinstance(change, ch.AddIndex | ch.DropIndex):
        kind = "unique" if change.index.unique else (change.index.method or "index")
        return f"{type(change).__name__}({kind})"
    return type(change).__name__


def changes_gist(changes: Sequence[object]) -> str:
    return "; ".join(sorted({change_gist(c) for c in changes}))


def first_difference(a: object, b: object, path: str = "") -> str | None:
    """Where ``a`` and ``b`` first differ: a path of field names, with both values."""
    if a == b:
        return None
    if dataclasses.is_dataclass(a) and type(a) is type(b):
        for f in dataclasses.fields(a):
            if not f.compare:
                continue
            found = first_difference(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
            if found is not None:
                return found
    if isinstance(a, tuple) and isinstance(b, tuple):
        names_a = [getattr(x, "name", None) for x in a]
        names_b = [getattr(x, "name", None) for x in b]
        if names_a != names_b and sorted(map(str, names_a)) == sorted(map(str, names_b)):
            return f"{path}: the order differs: {names_a} / {names_b}"
        for x, y in zip(a, b, strict=False):
            found = first_difference(x, y, f"{path}[{getattr(x, 'name', '')}]")
            if found is not None:
                return found
        if len(a) != len(b):
            return f"{path}: {len(a)} items / {len(b)}"
    return f"{path}: {a!r} / {b!r}"


def where_different(prisma: Schema, trueup: Schema) -> str:
    return first_difference(prisma, trueup) or "the schemas differ"
