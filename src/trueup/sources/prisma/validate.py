"""From the syntax tree to a :class:`~trueup.sources.prisma.datamodel.DataModel`, making
every check Prisma makes that decides what the database looks like.

A schema Prisma rejects is rejected here too, with the place and what was expected, so
``trueup push`` never builds a database ``prisma db push`` would have refused to build.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

from trueup.sources.declared import SchemaWarning
from trueup.sources.prisma import names
from trueup.sources.prisma.attributes import (
    ENUM_ATTRIBUTES,
    ENUM_VALUE_ATTRIBUTES,
    check_unique_attributes,
    read_args,
)
from trueup.sources.prisma.datamodel import (
    POSTGRESQL,
    SQLITE,
    DataModel,
    Datasource,
    EnumDef,
    IndexDef,
    ModelDef,
)
from trueup.sources.prisma.datasource import read_datasource
from trueup.sources.prisma.generators import read_generators
from trueup.sources.prisma.identifiers import check_identifier, check_type_name
from trueup.sources.prisma.models import (
    check_fields,
    check_scalar_lists,
    check_unique_criteria,
    read_model,
    schema_of,
)
from trueup.sources.prisma.relations import RelationField, resolve_relations
from trueup.sources.prisma.scalars import BUILTIN_TYPES
from trueup.sources.prisma.source import fail
from trueup.sources.prisma.syntax import Document, Enum, Model

_PROVIDER_NAMES = {SQLITE: "sqlite", POSTGRESQL: "Postgres"}
#: Prisma's word for each kind of block in its name checks.
_KINDS = {"model": "Model", "view": "view", "enum": "Enum"}


def validate(
    doc: Document, environ: Mapping[str, str] | None = None, *, major: int = 7
) -> DataModel:
    """The data model of ``doc`` by the rules of Prisma ``major`` (6 or 7)."""
    env = dict(os.environ if environ is None else environ)
    datasource = read_datasource(doc, env, major=major)
    features = read_generators(doc, major, datasource.provider)
    ds_name = doc.configs("datasource")[0].name
    _check_top_level_names(doc, datasource, features)
    check_fields(doc)
    enums = {e.name: _enum(e, datasource) for e in doc.enums}
    _check_enum_database_names(doc, enums)
    model_names = {m.name for m in doc.models if m.kind != "type"}
    views = {m.name for m in doc.models if m.kind == "view"}
    preview = frozenset(features)

    models: dict[str, ModelDef] = {}
    relation_fields: list[RelationField] = []
    for m in doc.models:
        model, rels = read_model(m, datasource, ds_name, enums, model_names, preview)
        models[m.name] = model
        relation_fields.extend(rels)

    relations = resolve_relations(relation_fields, models, datasource, views)
    for m in doc.models:
        check_unique_criteria(m, models[m.name])
        check_scalar_lists(m, model_names, datasource)
    for name, fks in relations.foreign_keys.items():
        models[name] = replace(models[name], foreign_keys=fks)
    result = DataModel(
        datasource,
        tuple(models.values()),
        tuple(enums.values()),
        relations.many_to_many,
        warnings=_in_file_order(relations.warnings),
    )
    _check_database_names(result)
    return result


def _check_enum_database_names(doc: Document, enums: dict[str, EnumDef]) -> None:
    seen: set[tuple[str | None, str]] = set()
    for e in doc.enums:
        key = (enums[e.name].schema, enums[e.name].db_name)
        if key in seen:
            raise fail(e.pos, "An enum with the same database name is already defined.")
        seen.add(key)


def _in_file_order(warnings: tuple[SchemaWarning, ...]) -> tuple[SchemaWarning, ...]:
    """By file, line and column (one place's warnings stay in the order they came)."""

    def place(w: SchemaWarning) -> tuple[str, int, int]:
        where = w.location
        return (where.path, where.line, where.column) if where else ("", 0, 0)

    return tuple(sorted(warnings, key=place))


def _check_top_level_names(doc: Document, datasource: Datasource, features: set[str]) -> None:
    seen: dict[str, str] = {}
    blocks: list[Model | Enum] = [*doc.models, *doc.enums]
    for block in blocks:
        kind = block.kind if isinstance(block, Model) else "enum"
        if kind == "type":
            raise fail(
                block.pos,
                f"Composite types are not supported on {_PROVIDER_NAMES[datasource.provider]}.",
            )
        if kind == "view" and "views" not in features:
            raise fail(
                block.pos,
                "Error validating: View definitions are only available with the `views` "
                "preview feature.",
            )
        if block.name in BUILTIN_TYPES:
            raise fail(
                block.name_pos,
                f'"{block.name}" is a reserved scalar type name and cannot be used.',
            )
        check_identifier(block.name, _KINDS[kind], block.name_pos)
        check_type_name(block.name, kind, block.pos)
        if block.name in seen:
            raise fail(
                block.name_pos,
                f'The {kind} "{block.name}" cannot be defined because a {seen[block.name]} '
                "with that name already exists.",
            )
        seen[block.name] = kind


def _enum(e: Enum, datasource: Datasource) -> EnumDef:
    check_unique_attributes(e.attributes, set())
    args = {a.name: read_args(a, ENUM_ATTRIBUTES, f'on enum "{e.name}"') for a in e.attributes}
    if not e.values:
        raise fail(e.name_pos, "An enum must have at least one value.")
    names_seen: set[str] = set()
    db_values: list[str] = []
    for v in e.values:
        check_identifier(v.name, "Enum Value", v.pos)
        if v.name in names_seen:
            raise fail(v.pos, f'Value "{v.name}" is already defined on enum "{e.name}".')
        names_seen.add(v.name)
        check_unique_attributes(v.attributes, set())
        mapped = v.name
        for a in v.attributes:
            given = read_args(a, ENUM_VALUE_ATTRIBUTES, "on an enum value")
            value = given.string("name", allow_empty=True)
            mapped = mapped if value is None else value
        if mapped in db_values:
            raise fail(v.pos, f'The enum "{e.name}" maps two values to "{mapped}".')
        db_values.append(mapped)
    db_name = args["map"].string("name", allow_empty=True) if "map" in args else None
    return EnumDef(
        e.name,
        e.name if db_name is None else db_name,
        schema_of(args.get("schema"), datasource, e),
        tuple(db_values),
        tuple(v.name for v in e.values),
    )


def _check_database_names(data: DataModel) -> None:
    provider = data.datasource.provider
    tables: dict[tuple[str | None, str], str] = {}
    for model in data.models:
        if model.is_view:
            continue
        key = (model.schema, model.db_name)
        if key in tables:
            raise fail(
                model.pos,
                f'The model with database name "{model.db_name}" could not be defined because '
                f'another model or view with this name exists: "{tables[key]}"',
            )
        tables[key] = model.name
    for join in data.many_to_many:
        key = (data.model(join.a).schema, join.table)
        if key in tables:
            raise fail(
                data.model(tables[key]).pos,
                f'The model "{tables[key]}" uses the table name "{join.table}", which the '
                "implicit many-to-many relation of the same name needs.",
            )
        tables[key] = join.table

    # Primary keys (PostgreSQL names them), unique and plain indexes share one namespace.
    used: dict[tuple[str | None, str], str] = {}

    def claim(schema: str | None, name: str, owner: IndexDef | None, label: str) -> None:
        key = (schema, name)
        if key in used:
            pos = owner.pos if owner is not None else data.datasource.pos
            raise fail(
                pos,
                f"The given constraint name `{name}` has to be unique in the following "
                "namespace: global for primary key, indexes and unique constraints. Please "
                "provide a different name using the `map` argument.",
            )
        used[key] = label

    for model in data.models:
        if model.is_view:
            continue
        if model.primary_key is not None and provider == POSTGRESQL:
            claim(model.schema, model.primary_key.name, model.primary_key, model.name)
        for index in model.indexes:
            claim(model.schema, index.name, index, model.name)
        fk_names: set[str] = set()
        for fk in model.foreign_keys:
            if fk.name in fk_names:
                raise fail(
                    model.pos,
                    f"The given constraint name `{fk.name}` has to be unique in the following "
                    "namespace: on model for foreign keys. Please provide a different name "
                    "using the `map` argument.",
                )
            fk_names.add(fk.name)
    for join in data.many_to_many:
        jn = names.join_table_names(join.table, provider)
        schema = data.model(join.a).schema
        claim(schema, jn["pkey"] if provider == POSTGRESQL else jn["unique"], None, join.table)
        claim(schema, jn["b_index"], None, join.table)
