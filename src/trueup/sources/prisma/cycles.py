"""Prisma's check for cycles of referential actions, made when ``relationMode = "prisma"``
(Prisma emulates the actions itself there, and an emulated cascade that leads back to
where it started would run forever).

A relation triggers a modification unless both its actions are ``NoAction`` or
``Restrict``. From each relation that holds the ``fields`` (in the order of the schema),
Prisma follows the relations of the referenced model that trigger modifications: a
relation of a model to itself is refused, and a path back to the starting model is a
cycle, reported at the relation it started from."""

from __future__ import annotations

from dataclasses import dataclass

from trueup.sources.prisma.datamodel import ForeignKeyDef
from trueup.sources.prisma.source import Pos, fail

_QUIET = ("NoAction", "Restrict")
_MORE = " Read more at https://pris.ly/d/cyclic-referential-actions"


@dataclass(frozen=True, slots=True)
class Forward:
    """A relation from the side holding ``fields``: ``model.field`` to ``target``."""

    model: str
    field: str
    target: str
    key: ForeignKeyDef
    explicit: frozenset[str]  # which of onDelete / onUpdate are written
    pos: Pos

    @property
    def modifies(self) -> bool:
        return self.key.on_delete not in _QUIET or self.key.on_update not in _QUIET


def check_cycles(relations: list[Forward]) -> None:
    """Refuse, as Prisma does, the first relation that starts a cycle of actions."""
    by_model: dict[str, list[Forward]] = {}
    for r in relations:
        by_model.setdefault(r.model, []).append(r)
    for start in sorted(relations, key=lambda r: (r.pos.source.path, r.pos.line, r.pos.column)):
        _follow(start, by_model)


def _follow(start: Forward, by_model: dict[str, list[Forward]]) -> None:
    visited: set[tuple[str, str]] = set()
    pending: list[tuple[Forward, tuple[Forward, ...]]] = [(start, (start,))]
    while pending:
        relation, path = pending.pop()
        visited.add((relation.model, relation.field))
        if not relation.modifies:
            continue
        if relation.model == relation.target:
            raise _error(
                start,
                "A self-relation must have `onDelete` and `onUpdate` referential actions set "
                "to `NoAction` in one of the @relation attributes.",
            )
        if relation.target == start.model:
            shown = " → ".join(f"{r.model}.{r.field}" for r in path)
            raise _error(
                start,
                "Reference causes a cycle. One of the @relation attributes in this cycle must "
                f"have `onDelete` and `onUpdate` referential actions set to `NoAction`. Cycle "
                f"path: {shown}.",
            )
        for nxt in by_model.get(relation.target, []):
            if (nxt.model, nxt.field) not in visited:
                pending.append((nxt, (*path, nxt)))


def _error(relation: Forward, message: str) -> Exception:
    implicit = [
        f"`{name}`: `{action}`"
        for name, action in (
            ("onDelete", relation.key.on_delete),
            ("onUpdate", relation.key.on_update),
        )
        if name not in relation.explicit and action not in _QUIET
    ]
    if implicit:
        message += " (Implicit default " + ", and ".join(implicit) + ")"
    return fail(relation.pos, "Error validating: " + message + _MORE)
