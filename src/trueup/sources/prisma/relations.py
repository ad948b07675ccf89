"""Relations: pair each relation field with its opposite, decide the kind (one-to-one,
one-to-many, implicit many-to-many) and turn the owning side into a foreign key.

Only the side with ``fields``/``references`` holds columns; list fields hold nothing; two
list fields make a join table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from trueup.sources.declared import SchemaWarning
from trueup.sources.prisma import names
from trueup.sources.prisma.attributes import Args
from trueup.sources.prisma.cycles import Forward, check_cycles
from trueup.sources.prisma.datamodel import (
    POSTGRESQL,
    Datasource,
    ForeignKeyDef,
    ManyToMany,
    ModelDef,
)
from trueup.sources.prisma.foreign_key_checks import (
    check_fields_and_references,
    check_relation_kind,
    matching_scalars,
    referential_actions,
)
from trueup.sources.prisma.relation_names import check_names
from trueup.sources.prisma.source import Pos, fail


@dataclass(frozen=True, slots=True)
class RelationField:
    model: str
    name: str
    target: str
    optional: bool
    is_list: bool
    pos: Pos
    args: Args | None  # the @relation attribute's arguments, if written

    @property
    def relation_name(self) -> str:
        return (self.args.string("name", allow_empty=True) or "") if self.args else ""

    @property
    def fields(self) -> list[str]:
        return [c.name for c in self.args.constants("fields")] if self.args else []

    @property
    def references(self) -> list[str]:
        return [c.name for c in self.args.constants("references")] if self.args else []

    def has(self, arg: str) -> bool:
        return self.args is not None and self.args.get(arg) is not None

    @property
    def where(self) -> str:
        return f"`{self.name}` on Model `{self.model}`"


@dataclass(frozen=True, slots=True)
class Relations:
    foreign_keys: dict[str, tuple[ForeignKeyDef, ...]]
    many_to_many: tuple[ManyToMany, ...]
    warnings: tuple[SchemaWarning, ...] = ()


def resolve_relations(
    fields: list[RelationField],
    models: dict[str, ModelDef],
    datasource: Datasource,
    views: set[str],
) -> Relations:
    check_names(fields, models)
    groups: dict[tuple[tuple[str, str], str], list[RelationField]] = defaultdict(list)
    for f in fields:
        pair = tuple(sorted((f.model, f.target)))
        groups[((pair[0], pair[1]), f.relation_name)].append(f)

    fks: dict[str, list[tuple[tuple[int, int], ForeignKeyDef]]] = defaultdict(list)
    join_tables: list[ManyToMany] = []
    warnings: list[SchemaWarning] = []
    forward: list[Forward] = []
    for (pair, relation), members in groups.items():
        first, second = _pair(pair, relation, members)
        if first.is_list and second.is_list:
            join_tables.append(_many_to_many(first, second, relation, models, datasource))
            continue
        owner, other = _owner(first, second)
        fk = _foreign_key(owner, other, models, datasource, warnings)
        written = frozenset(a for a in ("onDelete", "onUpdate") if owner.has(a))
        forward.append(Forward(owner.model, owner.name, owner.target, fk, written, owner.pos))
        if datasource.foreign_keys and owner.model not in views and owner.target not in views:
            fks[owner.model].append(((owner.pos.line, owner.pos.column), fk))
    if not datasource.foreign_keys:
        check_cycles(forward)  # Prisma emulates the actions: a cycle would never end
    # A table's foreign keys come in the order of the relation fields holding them, as in
    # Prisma's DDL (on SQLite, where they are part of CREATE TABLE, the order shows).
    return Relations(
        {k: tuple(fk for _, fk in sorted(v, key=lambda item: item[0])) for k, v in fks.items()},
        tuple(join_tables),
        tuple(warnings),
    )


def _pair(
    pair: tuple[str, str], relation: str, members: list[RelationField]
) -> tuple[RelationField, RelationField]:
    if pair[0] == pair[1]:
        if len(members) == 2:
            return members[0], members[1]
        if len(members) == 1:
            f = members[0]
            raise fail(
                f.pos,
                f"The relation field {f.where} is missing an opposite relation field on the "
                f"model `{f.target}`. A relation of a model to itself needs two fields, one on "
                "each side, with the same relation name.",
            )
    else:
        sides = [[m for m in members if m.model == model] for model in pair]
        for side, other in ((sides[0], sides[1]), (sides[1], sides[0])):
            if len(side) == 1 and not other:
                f = side[0]
                raise fail(
                    f.pos,
                    f"The relation field {f.where} is missing an opposite relation field on "
                    f"the model `{f.target}`. Either run `prisma format` or add it manually.",
                )
        if len(sides[0]) == 1 and len(sides[1]) == 1:
            return sides[0][0], sides[1][0]
    by_model: dict[str, list[RelationField]] = defaultdict(list)
    for m in members:
        by_model[m.model].append(m)
    crowded = next((side for side in by_model.values() if len(side) > 1), members)
    first = crowded[0]
    shown = " and ".join(f"`{m.name}`" for m in crowded[:2])
    raise fail(
        first.pos,
        f"Ambiguous relation detected. The fields {shown} in model `{first.model}` both refer "
        f"to `{first.target}`. Please provide different relation names for them by adding "
        "`@relation(<name>)`."
        + (f' (They all use the relation name "{relation}".)' if relation else ""),
    )


def _owner(a: RelationField, b: RelationField) -> tuple[RelationField, RelationField]:
    for side, other in ((a, b), (b, a)):
        if side.is_list:
            for arg in ("fields", "references", "onDelete", "onUpdate"):
                if side.has(arg):
                    raise fail(
                        side.pos,
                        f"The relation field {side.where} must not specify the `{arg}` "
                        f"argument in the @relation attribute. You must only specify it on "
                        f"the opposite field `{other.name}` on model `{other.model}`.",
                    )
            owner = other
            break
    else:
        holding = [f for f in (a, b) if f.has("fields") or f.has("references")]
        if not holding:
            raise fail(
                a.pos,
                f"The relation fields {a.where} and {b.where} do not provide the `fields` "
                "argument in the @relation attribute. You have to provide it on one of the "
                "two fields.",
            )
        if len(holding) == 2:
            raise fail(
                b.pos,
                f"The relation fields {a.where} and {b.where} both provide the `fields` or "
                "`references` argument in the @relation attribute. You have to provide it "
                "only on one of the two fields.",
            )
        owner = holding[0]
        back = b if owner is a else a
        if not back.optional:
            raise fail(
                back.pos,
                f"The relation field {back.where} is required. This is not valid because "
                "it's not possible to enforce this constraint on the database level. Please "
                f"change the field type from `{back.target}` to `{back.target}?` to fix this.",
            )
        for arg in ("onDelete", "onUpdate"):
            if back.has(arg):
                raise fail(
                    back.pos,
                    f"The relation field {back.where} must not specify the `{arg}` argument "
                    f"in the @relation attribute. You must only specify it on the opposite "
                    f"field `{owner.name}` on model `{owner.model}`.",
                )
    return owner, (b if owner is a else a)


def _foreign_key(
    owner: RelationField,
    other: RelationField,
    models: dict[str, ModelDef],
    datasource: Datasource,
    warnings: list[SchemaWarning],
) -> ForeignKeyDef:
    for arg in ("fields", "references"):
        if not owner.has(arg):
            raise fail(
                owner.pos,
                f"The relation field {owner.where} must specify the `{arg}` argument in the "
                "@relation attribute. You can run `prisma format` to fix this automatically.",
            )
    assert owner.args is not None
    model, target = models[owner.model], models[owner.target]
    fields, references = owner.fields, owner.references
    check_fields_and_references(owner, model, target, fields, references)
    scalars = matching_scalars(owner, model, target, fields, references)
    required = any(f is not None and not f.optional for f in scalars)
    check_relation_kind(owner, other, model, fields, scalars)
    on_delete, on_update = referential_actions(owner, owner.args, required, datasource, warnings)
    columns = tuple(f.db_name for f in scalars if f is not None)
    fk_name = _constraint_name(owner.args, datasource)
    return ForeignKeyDef(
        columns=columns,
        ref_model=target.name,
        ref_columns=tuple(f.db_name for r in references if (f := target.field(r)) is not None),
        on_delete=on_delete,
        on_update=on_update,
        name=fk_name or names.foreign_key_name(model.db_name, columns, datasource.provider),
    )


def _constraint_name(args: Args, datasource: Datasource) -> str | None:
    """The foreign key's name given with ``map``: only PostgreSQL names foreign keys."""
    fk_name = args.string("map")
    if fk_name is not None:
        map_pos = args.values["map"].pos
        if datasource.provider != POSTGRESQL:
            raise fail(
                map_pos,
                'Error parsing attribute "@relation": Your provider does not support named '
                "foreign keys.",
            )
        check_map_length(fk_name, "@relation", map_pos, datasource)
    return fk_name


def _many_to_many(
    a: RelationField,
    b: RelationField,
    relation: str,
    models: dict[str, ModelDef],
    datasource: Datasource,
) -> ManyToMany:
    for f in (a, b):
        for arg in ("fields", "references"):
            if f.has(arg):
                raise fail(
                    f.pos,
                    f"Implicit many-to-many relations must not have a `{arg}` argument. "
                    "Please remove it.",
                )
        model = models[f.target]
        pk = model.primary_key
        if pk is None or len(pk.fields) != 1:
            raise fail(
                f.pos,
                f"The relation field {f.where} references `{model.name}` which does not have "
                "an `@id` field. Models without `@id` cannot be part of a many to many "
                "relation. Use an explicit intermediate Model to represent this relationship.",
            )
    first, second = sorted((a.model, b.model))
    name = relation or f"{first}To{second}"
    return ManyToMany(names.join_table_name(name, datasource.provider), first, second)


def check_map_length(name: str, attribute: str, pos: Pos, datasource: Datasource) -> None:
    limit = names.MAX_IDENTIFIER[datasource.provider]
    if len(name.encode()) > limit:
        raise fail(
            pos,
            f"The constraint name '{name}' specified in the `map` argument for the "
            f"`{attribute}` constraint is too long for your chosen provider. The maximum "
            f"allowed length is {limit} bytes.",
        )
