"""The names a relation's ``fields`` give, resolved before anything else about relations is
checked, as Prisma resolves them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.sources.prisma.datamodel import ModelDef
from trueup.sources.prisma.source import fail

if TYPE_CHECKING:
    from trueup.sources.prisma.relations import RelationField


def check_names(fields: list[RelationField], models: dict[str, ModelDef]) -> None:
    """The names in `fields` and `references` exist. Prisma resolves them before it checks
    anything else about a relation, so an unknown name is its error first."""
    for f in sorted(fields, key=lambda f: (f.pos.source.path, f.pos.line, f.pos.column)):
        missing = [name for name in f.fields if models[f.model].field(name) is None]
        if missing and not any(r.model == f.model and r.name in missing for r in fields):
            raise fail(
                f.pos,
                "Error validating: The argument fields must refer only to existing fields. "
                f"The following fields do not exist in this model: {', '.join(missing)}",
            )
