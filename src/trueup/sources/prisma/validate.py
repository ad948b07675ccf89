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
    FIELD_ATTRIBUTES,
    MODEL_ATTRIBUTES,
    Args,
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
    ScalarField,
)
from trueup.sources.prisma.datasource import read_datasource
from trueup.sources.prisma.indexes import block_index, field_index
from trueup.sources.prisma.partial import preview_features
from trueup.sources.prisma.relations import RelationField, resolve_relations
from trueup.sources.prisma.scalars import BUILTIN_TYPES, native_type, read_default
from trueup.sources.prisma.source import fail
from trueup.sources.prisma.syntax import Attribute, Document, Enum, Field, Model

_PROVIDER_NAMES = {SQLITE: "sqlite", POSTGRESQL: "Postgres"}
_MADE = {"id": "identifiers", "unique": "unique"}


def validate(doc: Document, environ: Mapping[str, str] | None = None) -> DataModel:
    env = dict(os.environ if environ is None else environ)
    datasource = read_datasource(doc, env)
    ds_name = doc.configs("datasource")[0].name
    _check_top_level_names(doc, datasource)
    enums = {e.name: _enum(e, datasource) for e in doc.enums}
    model_names = {m.name for m in doc.models if m.kind != "type"}
    views = {m.name for m in doc.models if m.kind == "view"}
    preview = preview_features(doc)

    models: dict[str, ModelDef] = {}
    relation_fields: list[RelationField] = []
    for m in doc.models:
        if m.kind == "type":
            continue
        model, rels = _model(m, datasource, ds_name, enums, model_names, preview)
        models[m.name] = model
        relation_fields.extend(rels)

    relations = resolve_relations(relation_fields, models, datasource, views)
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


def _in_file_order(warnings: tuple[SchemaWarning, ...]) -> tuple[SchemaWarning, ...]:
    """By file, line and column (one place's warnings stay in the order they came)."""

    def place(w: SchemaWarning) -> tuple[str, int, int]:
        where = w.location
        return (where.path, where.line, where.column) if where else ("", 0, 0)

    return tuple(sorted(warnings, key=place))


def _check_top_level_names(doc: Document, datasource: Datasource) -> None:
    seen: dict[str, str] = {}
    blocks: list[Model | Enum] = [*doc.models, *doc.enums]
    for block in blocks:
        kind = block.kind if isinstance(block, Model) else "enum"
        if kind == "type":
            raise fail(
                block.pos,
                f"Composite types are not supported on {_PROVIDER_NAMES[datasource.provider]}.",
            )
        if block.name in seen:
            raise fail(
                block.name_pos,
                f'The {kind} "{block.name}" cannot be defined because a {seen[block.name]} '
                "with that name already exists.",
            )
        if block.name in BUILTIN_TYPES or block.name == "Unsupported":
            raise fail(
                block.name_pos,
                f'The {kind} "{block.name}" cannot be defined because it is a reserved name '
                "(a built-in type).",
            )
        seen[block.name] = kind


def _schema_of(
    attr_args: Args | None, datasource: Datasource, pos_owner: Model | Enum
) -> str | None:
    if attr_args is None:
        if datasource.schemas:
            raise fail(
                pos_owner.name_pos,
                f"This {'model' if isinstance(pos_owner, Model) else 'enum'} is missing an "
                "`@@schema` attribute.",
            )
        return None
    name = attr_args.string("name")
    assert name is not None
    if datasource.provider != POSTGRESQL:
        raise fail(attr_args.attr.pos, "`@@schema` is not supported on the current connector.")
    if name not in datasource.schemas:
        raise fail(
            attr_args.attr.pos,
            "This schema is not defined in the datasource. Add it to the `schemas` list of "
            "the datasource. Read more on `@@schema` at https://pris.ly/d/multi-schema",
        )
    return name


def _enum(e: Enum, datasource: Datasource) -> EnumDef:
    check_unique_attributes(e.attributes, set())
    args = {a.name: read_args(a, ENUM_ATTRIBUTES, f'on enum "{e.name}"') for a in e.attributes}
    if not e.values:
        raise fail(e.name_pos, "An enum must have at least one value.")
    names_seen: set[str] = set()
    db_values: list[str] = []
    for v in e.values:
        if v.name in names_seen:
            raise fail(v.pos, f'Value "{v.name}" is already defined on enum "{e.name}".')
        names_seen.add(v.name)
        check_unique_attributes(v.attributes, set())
        mapped = v.name
        for a in v.attributes:
            mapped = (
                read_args(a, ENUM_VALUE_ATTRIBUTES, "on an enum value").string("name") or mapped
            )
        if mapped in db_values:
            raise fail(v.pos, f'The enum "{e.name}" maps two values to "{mapped}".')
        db_values.append(mapped)
    db_name = args["map"].string("name") if "map" in args else None
    return EnumDef(
        e.name,
        db_name or e.name,
        _schema_of(args.get("schema"), datasource, e),
        tuple(db_values),
        tuple(v.name for v in e.values),
    )


def _model(
    m: Model,
    datasource: Datasource,
    ds_name: str,
    enums: dict[str, EnumDef],
    model_names: set[str],
    preview: frozenset[str],
) -> tuple[ModelDef, list[RelationField]]:
    where = f'on model "{m.name}"'
    check_unique_attributes(m.attributes, {"unique", "index", "fulltext"})
    block = [(a, read_args(a, MODEL_ATTRIBUTES, where)) for a in m.attributes]
    by_name = {a.name: args for a, args in block}
    for a, _ in block:
        if a.name in ("shardKey", "fulltext"):
            raise fail(
                a.pos, f"Defining `{a.display}` is not supported with the current connector."
            )
    db_name = by_name["map"].string("name") if "map" in by_name else None
    table = db_name or m.name
    schema = _schema_of(by_name.get("schema"), datasource, m)

    seen: set[str] = set()
    scalars: list[ScalarField] = []
    relation_fields: list[RelationField] = []
    field_args: dict[str, dict[str, Args]] = {}
    for f in m.fields:
        if f.name in seen:
            raise fail(f.pos, f'Field "{f.name}" is already defined on model "{m.name}".')
        seen.add(f.name)
        args, native = _field_attributes(f, ds_name)
        field_args[f.name] = args
        if f.type.unsupported is None and f.type.name in model_names:
            if native is not None:
                raise fail(native.pos, "Native types cannot be used on relation fields.")
            relation_fields.append(_relation_field(m, f, args))
        else:
            scalars.append(_scalar(m, f, args, native, datasource, ds_name, enums))

    columns: dict[str, str] = {}
    for s in scalars:
        if s.db_name in columns:
            raise fail(
                s.pos,
                f'The field "{s.name}" maps to the column "{s.db_name}", which the field '
                f'"{columns[s.db_name]}" already uses.',
            )
        columns[s.db_name] = s.name
    model = ModelDef(m.name, table, schema, tuple(scalars), None, (), (), m.kind == "view", m.pos)

    primary_key: IndexDef | None = None
    indexes: list[IndexDef] = []
    fields = frozenset(seen)
    for f in m.fields:
        attrs = field_args[f.name]
        for kind in ("id", "unique"):
            if kind not in attrs:
                continue
            if model.field(f.name) is None:
                raise fail(
                    attrs[kind].attr.pos,
                    f"The field `{f.name}` is a relation field and cannot be marked with "
                    f"`@{kind}`. Only scalar fields can be made {_MADE[kind]}.",
                )
            index = field_index(
                kind, f.name, attrs[kind], model, datasource, field_names=fields, preview=preview
            )
            if kind == "id":
                if f.type.optional:
                    raise fail(
                        attrs[kind].attr.pos, "Fields that are marked as id must be required."
                    )
                if primary_key is not None:
                    raise fail(
                        attrs[kind].attr.pos,
                        "At most one field must be marked as the id field with the `@id` "
                        "attribute.",
                    )
                primary_key = index
            else:
                indexes.append(index)
    for a, block_args in block:
        if a.name not in ("id", "unique", "index"):
            continue
        index = block_index(
            a.name, block_args, model, datasource, field_names=fields, preview=preview
        )
        if a.name == "id":
            if primary_key is not None:
                raise fail(
                    m.pos,
                    "Each model must have at most one id criteria. You can't have `@id` and "
                    "`@@id` at the same time.",
                )
            primary_key = index
        else:
            indexes.append(index)
    model = replace(model, primary_key=primary_key, indexes=tuple(indexes))
    _check_autoincrement(model, datasource)
    if not model.is_view and "ignore" not in by_name:
        _check_unique_criteria(m, model)
    return model, relation_fields


def _field_attributes(f: Field, ds_name: str) -> tuple[dict[str, Args], Attribute | None]:
    """The field's attributes by name, each given only once, and its native type."""
    out: dict[str, Args] = {}
    native: Attribute | None = None
    for a in f.attributes:
        if "." in a.name:
            prefix = a.name.split(".")[0]
            if prefix != ds_name:
                raise fail(
                    a.pos,
                    f"The prefix {prefix} is invalid. It must be equal to the name of an "
                    f"existing datasource, here `{ds_name}`.",
                )
            if native is not None:
                raise fail(a.pos, "A field can have only one native type attribute.")
            native = a
            continue
        if a.name in out:
            raise fail(a.pos, f'Attribute "{a.display}" can only be defined once.')
        out[a.name] = read_args(a, FIELD_ATTRIBUTES, f'on field "{f.name}"')
    return out, native


def _relation_field(m: Model, f: Field, args: dict[str, Args]) -> RelationField:
    for key, a in args.items():
        if key not in ("relation", "ignore"):
            raise fail(
                a.attr.pos,
                f"The attribute `{a.attr.display}` cannot be used on the relation field "
                f"`{f.name}`; it belongs on the scalar fields that hold the key.",
            )
    return RelationField(
        m.name, f.name, f.type.name, f.type.optional, f.type.list, f.pos, args.get("relation")
    )


def _scalar(
    m: Model,
    f: Field,
    args: dict[str, Args],
    native_attr: Attribute | None,
    datasource: Datasource,
    ds_name: str,
    enums: dict[str, EnumDef],
) -> ScalarField:
    ftype = f.type
    is_enum = ftype.unsupported is None and ftype.name in enums
    if ftype.unsupported is None and ftype.name not in BUILTIN_TYPES and not is_enum:
        raise fail(
            ftype.pos,
            f'Type "{ftype.name}" is neither a built-in type, nor refers to another model, '
            "composite type, or enum.",
        )
    type_name = "Unsupported" if ftype.unsupported is not None else ftype.name
    if "relation" in args:
        raise fail(
            args["relation"].attr.pos,
            f"The `@relation` attribute can only be used on relation fields; `{f.name}` is a "
            f"`{type_name}`.",
        )
    if ftype.list and datasource.provider == SQLITE:
        raise fail(
            ftype.pos,
            f'Field "{f.name}" in model "{m.name}" can\'t be a list. The current connector '
            "does not support lists of primitive types.",
        )
    native = None
    if native_attr is not None:
        if is_enum or ftype.unsupported is not None:
            raise fail(native_attr.pos, "Native types can only be used on built-in scalar types.")
        native = native_type(native_attr, type_name, datasource.provider, ds_name)
    default = None
    if "default" in args:
        enum = enums.get(ftype.name) if is_enum else None
        default = read_default(
            args["default"].attr,
            args["default"],
            type_name,
            is_list=ftype.list,
            enum_values=enum.value_names if enum else None,
            unsupported=ftype.unsupported is not None,
        )
    if "updatedAt" in args and (type_name != "DateTime" or ftype.list):
        raise fail(
            args["updatedAt"].attr.pos,
            "Fields that are marked with @updatedAt must be of type DateTime.",
        )
    db_name = args["map"].string("name") if "map" in args else None
    return ScalarField(
        name=f.name,
        db_name=db_name or f.name,
        type=type_name,
        is_enum=is_enum,
        optional=ftype.optional,
        list=ftype.list,
        pos=f.pos,
        unsupported=ftype.unsupported,
        native=native,
        default=default,
    )


def _check_autoincrement(model: ModelDef, datasource: Datasource) -> None:
    if datasource.provider != SQLITE:
        return
    auto = [f for f in model.fields if f.default is not None and f.default.kind == "autoincrement"]
    if len(auto) > 1:
        raise fail(
            auto[1].pos,
            "The `autoincrement()` default value is used multiple times on this model even "
            "though the underlying datasource only supports one instance per table.",
        )
    pk = model.primary_key
    for f in auto:
        if pk is None or pk.columns != (f.db_name,):
            raise fail(
                f.pos,
                "The `autoincrement()` default value is used on a non-id field even though "
                "the datasource does not support this.",
            )


def _check_unique_criteria(m: Model, model: ModelDef) -> None:
    criteria = [i for i in model.indexes if i.kind == "unique"]
    if model.primary_key is not None:
        criteria.append(model.primary_key)
    for c in criteria:
        fields = [model.field(f.field) for f in c.fields]
        if all(f is not None and not f.optional and not f.list for f in fields):
            return
    raise fail(
        m.name_pos,
        "Each model must have at least one unique criteria that has only required fields. "
        "Either mark a single field with `@id`, `@unique` or add a multi field criterion with "
        "`@@id([])` or `@@unique([])` to the model.",
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
