"""Prisma's checks on the owning side of a relation before it becomes a foreign key: its
``fields`` and ``references``, their types, whether the relation may be optional or
one-to-one, and its referential actions. Each check keeps Prisma's order and message, so the
first error found is the one Prisma reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.sources.declared import SchemaWarning
from trueup.sources.prisma.attributes import Args
from trueup.sources.prisma.datamodel import POSTGRESQL, Datasource, ModelDef, ScalarField
from trueup.sources.prisma.source import fail, warn
from trueup.sources.prisma.syntax import Const

if TYPE_CHECKING:
    from trueup.sources.prisma.relations import RelationField

ACTIONS = ("Cascade", "Restrict", "NoAction", "SetNull", "SetDefault")
# With relationMode = "prisma" the client emulates these; NoAction is not implemented for
# SQLite and PostgreSQL (Prisma 6 rejects it and suggests Restrict).
_EMULATED_ACTIONS = ("Cascade", "Restrict", "SetNull")


def check_fields_and_references(
    owner: RelationField,
    model: ModelDef,
    target: ModelDef,
    fields: list[str],
    references: list[str],
) -> None:
    """As many ``fields`` as ``references``, at least one, all existing, none twice, and
    the references a unique criterion of the related model."""
    if len(fields) != len(references):
        raise fail(
            owner.pos, "You must specify the same number of fields in `fields` and `references`."
        )
    if not fields:
        raise fail(owner.pos, "The `fields` of a relation must name at least one field.")
    missing = [f for f in fields if model.field(f) is None]
    if missing:
        raise fail(
            owner.pos,
            "The argument fields must refer only to existing scalar fields. The following "
            f"fields do not exist in this model: {', '.join(missing)}",
        )
    missing = [f for f in references if target.field(f) is None]
    if missing:
        raise fail(
            owner.pos,
            "The argument `references` must refer only to existing scalar fields in the "
            f"related model `{target.name}`. The following fields do not exist in the related "
            f"model: {', '.join(missing)}",
        )
    if len(set(fields)) != len(fields):
        twice = next(f for f in fields if fields.count(f) > 1)
        raise fail(
            owner.pos,
            f'Error validating model "{model.name}": The unique index definition refers to the '
            f"field {twice} multiple times.",
        )
    if not _is_unique(target, references):
        raise fail(
            owner.pos,
            "The argument `references` must refer to a unique criterion in the related model. "
            f"Consider adding an `@unique` attribute to the field "
            f"`{references[0] if len(references) == 1 else ', '.join(references)}` in the "
            f"model `{target.name}`.",
        )


def matching_scalars(
    owner: RelationField,
    model: ModelDef,
    target: ModelDef,
    fields: list[str],
    references: list[str],
) -> list[ScalarField | None]:
    """The scalar fields of ``fields``, each of its reference's type."""
    scalars = [model.field(f) for f in fields]
    for f, ref in zip(scalars, references, strict=True):
        assert f is not None
        r = target.field(ref)
        assert r is not None
        # The scalar types alone: a foreign key column keeps its own native type.
        if (f.type, f.unsupported) != (r.type, r.unsupported):
            raise fail(
                owner.pos,
                f"The type of the field `{f.name}` in the model `{model.name}` is not matching "
                f"the type of the referenced field `{r.name}` in model `{target.name}`.",
            )
    return scalars


def check_relation_kind(
    owner: RelationField,
    other: RelationField,
    model: ModelDef,
    fields: list[str],
    scalars: list[ScalarField | None],
) -> None:
    """An optional scalar field makes the relation optional; a one-to-one relation needs
    unique fields on the defining side."""
    if not owner.optional and any(f is not None and f.optional for f in scalars):
        raise fail(
            owner.pos,
            f"The relation field `{owner.name}` uses the scalar fields {', '.join(fields)}. At "
            "least one of those fields is optional. Hence the relation field must be optional "
            "as well.",
        )
    if not other.is_list and not _is_unique(model, fields):
        raise fail(
            owner.pos,
            "A one-to-one relation must use unique fields on the defining side. Either add an "
            f"`@unique` attribute to the field `{fields[0]}`, or change the relation to "
            "one-to-many."
            if len(fields) == 1
            else "A one-to-one relation must use unique fields on the defining side. Either "
            f"add an `@@unique([{', '.join(fields)}])` attribute to the model, or change the "
            "relation to one-to-many.",
        )


def referential_actions(
    owner: RelationField,
    args: Args,
    required: bool,
    datasource: Datasource,
    warnings: list[SchemaWarning],
) -> tuple[str, str]:
    """``onDelete`` and ``onUpdate``, as given or Prisma's defaults. SetNull on a required
    field is refused (on PostgreSQL with foreign keys, only advised against)."""
    if not datasource.foreign_keys:
        _check_emulated_actions(args, datasource)
    on_delete = args.constant("onDelete", ACTIONS) or ("Restrict" if required else "SetNull")
    on_update = args.constant("onUpdate", ACTIONS) or "Cascade"
    for arg, action in (("onDelete", on_delete), ("onUpdate", on_update)):
        if action != "SetNull" or not required or not owner.has(arg):
            continue
        # PostgreSQL takes SET NULL on a NOT NULL column (it fails only when it fires), so
        # Prisma accepts it there, with foreign keys, and only advises against it.
        if datasource.provider == POSTGRESQL and datasource.foreign_keys:
            warnings.append(
                warn(
                    owner.pos,
                    f"The `{arg}` referential action of a relation should not be set to "
                    "`SetNull` when a referenced field is required. We recommend either to "
                    "choose another referential action, or to make the referenced fields "
                    "optional. Read more at https://pris.ly/d/postgres-set-null",
                )
            )
            continue
        raise fail(
            owner.pos,
            f"The `{arg}` referential action of a relation must not be set to `SetNull` "
            "when a referenced field is required. Either choose another referential "
            "action, or make the referenced fields optional.",
        )
    return on_delete, on_update


def _is_unique(model: ModelDef, fields: list[str]) -> bool:
    wanted = set(fields)
    criteria = [i for i in model.indexes if i.kind == "unique"]
    if model.primary_key is not None:
        criteria.append(model.primary_key)
    return any({f.field for f in c.fields} == wanted for c in criteria)


def _check_emulated_actions(args: Args, datasource: Datasource) -> None:
    engine = "Postgres" if datasource.provider == POSTGRESQL else datasource.provider
    for arg in ("onDelete", "onUpdate"):
        value = args.get(arg)
        if not isinstance(value, Const) or value.name not in ACTIONS:
            continue  # not an action at all: the general check reports it
        if value.name not in _EMULATED_ACTIONS:
            shown = ", ".join(f"`{a}`" for a in _EMULATED_ACTIONS)
            raise fail(
                value.pos,
                f"Invalid referential action: `{value.name}`. Allowed values: ({shown}). "
                f"`{value.name}` is not implemented for {engine} when using "
                '`relationMode = "prisma"`, you could try using `Restrict` instead. Learn more '
                "at https://pris.ly/d/relation-mode",
            )
