"""Models and views: their fields (scalar or relation), attributes, primary key and
indexes, checked as Prisma checks them. Relations between models are paired afterwards
(:mod:`.relations`)."""

from __future__ import annotations

from dataclasses import replace

from trueup.sources.prisma.attributes import (
    FIELD_ATTRIBUTES,
    MODEL_ATTRIBUTES,
    Args,
    check_unique_attributes,
    known_attributes,
    read_args,
)
from trueup.sources.prisma.datamodel import (
    POSTGRESQL,
    SQLITE,
    Datasource,
    EnumDef,
    IndexDef,
    ModelDef,
    ScalarField,
)
from trueup.sources.prisma.identifiers import check_identifier
from trueup.sources.prisma.indexes import block_index, check_id_fields_required, field_index
from trueup.sources.prisma.relations import RelationField
from trueup.sources.prisma.scalars import BUILTIN_TYPES, native_type, read_default
from trueup.sources.prisma.source import fail
from trueup.sources.prisma.syntax import Attribute, Document, Enum, Field, Model

_MADE = {"id": "identifiers", "unique": "unique"}


def schema_of(attr_args: Args | None, datasource: Datasource, owner: Model | Enum) -> str | None:
    """The database schema of a model or enum (``@@schema``), None for the default one."""
    if attr_args is None:
        if datasource.schemas:
            raise fail(
                owner.name_pos,
                f"This {'model' if isinstance(owner, Model) else 'enum'} is missing an "
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


def check_fields(doc: Document) -> None:
    """What Prisma checks before it reads any attribute, for every model at once (so an
    error of this kind is the one reported, as in Prisma): field names, field types, and
    that every attribute is one Prisma knows."""
    types = {*BUILTIN_TYPES, *(m.name for m in doc.models), *(e.name for e in doc.enums)}
    for m in doc.models:
        seen: set[str] = set()
        container = "view" if m.kind == "view" else "model"
        for f in m.fields:
            check_identifier(f.name, "field" if m.kind == "view" else "Field", f.pos)
            if f.name in seen:
                raise fail(f.pos, f'Field "{f.name}" is already defined on {container} "{m.name}".')
            seen.add(f.name)
    for m in doc.models:
        for f in m.fields:
            if f.type.unsupported is None and f.type.name not in types:
                raise fail(
                    f.type.pos,
                    f'Type "{f.type.name}" is neither a built-in type, nor refers to another '
                    "model, composite type, or enum.",
                )
    for m in doc.models:
        known_attributes(m.attributes, MODEL_ATTRIBUTES, f'on model "{m.name}"')
        for f in m.fields:
            plain = tuple(a for a in f.attributes if "." not in a.name)
            known_attributes(plain, FIELD_ATTRIBUTES, f'on field "{f.name}"')


def read_model(
    m: Model,
    datasource: Datasource,
    ds_name: str,
    enums: dict[str, EnumDef],
    model_names: set[str],
    preview: frozenset[str] = frozenset(),
) -> tuple[ModelDef, list[RelationField]]:
    """The model ``m``; ``preview`` are the schema's preview features (lower case), which
    decide whether a key may be partial."""
    where = f'on model "{m.name}"'
    check_unique_attributes(m.attributes, {"unique", "index", "fulltext"})
    block = [(a, read_args(a, MODEL_ATTRIBUTES, where)) for a in m.attributes]
    by_name = {a.name: args for a, args in block}
    for a, _ in block:
        if a.name in ("shardKey", "fulltext"):
            raise fail(
                a.pos, f"Defining `{a.display}` is not supported with the current connector."
            )
    db_name = by_name["map"].string("name", allow_empty=True) if "map" in by_name else None
    table = m.name if db_name is None else db_name
    schema = schema_of(by_name.get("schema"), datasource, m)

    scalars: list[ScalarField] = []
    relation_fields: list[RelationField] = []
    field_args: dict[str, dict[str, Args]] = {}
    for f in m.fields:
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

    ignored = "ignore" in by_name
    relation_names = {r.name for r in relation_fields}
    # A partial index's `where` may name any field, relation fields too.
    given = {"field_names": frozenset(f.name for f in m.fields), "preview": preview}
    keys = _field_keys(m, model, field_args, datasource, ignored, given)
    keys += [
        (a.name, block_index(a.name, args, model, datasource, relation_names, **given))
        for a, args in block
        if a.name in ("id", "unique", "index")
    ]
    primary_key: IndexDef | None = None
    indexes: list[IndexDef] = []
    for kind, index in keys:
        if model.is_view and kind != "unique":
            what = "primary keys" if kind == "id" else "indexes"
            raise fail(index.pos, f"Error validating: Views cannot have {what}.")
        if kind != "id":
            indexes.append(index)
            continue
        if primary_key is not None:
            raise fail(
                m.pos,
                "Each model must have at most one id criteria. You can't have `@id` and "
                "`@@id` at the same time.",
            )
        if not ignored:
            check_id_fields_required(index, model)
        primary_key = index
    model = replace(model, primary_key=primary_key, indexes=tuple(indexes))
    _check_autoincrement(model, datasource)
    return model, relation_fields


def _field_keys(
    m: Model,
    model: ModelDef,
    field_args: dict[str, dict[str, Args]],
    datasource: Datasource,
    ignored: bool,
    given: dict[str, frozenset[str]],
) -> list[tuple[str, IndexDef]]:
    """The keys ``@id`` and ``@unique`` make, as ``(kind, index)`` in field order."""
    keys: list[tuple[str, IndexDef]] = []
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
            if kind == "id" and any(k == "id" for k, _ in keys):
                raise fail(
                    m.pos,
                    f'Error validating model "{m.name}": At most one field must be marked as '
                    "the id field with the `@id` attribute.",
                )
            if kind == "id" and f.type.optional and not ignored:
                raise fail(
                    attrs[kind].attr.pos,
                    'Error parsing attribute "@id": Fields that are marked as id must be required.',
                )
            index = field_index(kind, f.name, attrs[kind], model, datasource, **given)
            keys.append((kind, index))
    return keys


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
    relation = args.get("relation")
    if relation is not None and relation.string("name", allow_empty=True) == "":
        raise relation.error("A relation cannot have an empty name.")
    return RelationField(m.name, f.name, f.type.name, f.type.optional, f.type.list, f.pos, relation)


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
    type_name = "Unsupported" if ftype.unsupported is not None else ftype.name
    if "ignore" in args and ftype.unsupported is not None:
        raise args["ignore"].error(
            "Fields of type `Unsupported` cannot take an `@ignore` attribute. They are already "
            "treated as ignored by the client due to their type."
        )
    if "relation" in args:
        raise fail(
            args["relation"].attr.pos,
            f"The `@relation` attribute can only be used on relation fields; `{f.name}` is a "
            f"`{type_name}`.",
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
    db_name = args["map"].string("name", allow_empty=True) if "map" in args else None
    return ScalarField(
        name=f.name,
        db_name=f.name if db_name is None else db_name,
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


def check_scalar_lists(m: Model, model_names: set[str], datasource: Datasource) -> None:
    """SQLite has no lists of scalars. Prisma checks it with the connector, after the
    checks of keys and relations (whose errors it reports first)."""
    if datasource.provider != SQLITE:
        return
    for f in m.fields:
        if f.type.list and (f.type.unsupported is not None or f.type.name not in model_names):
            raise fail(
                f.type.pos,
                f'Field "{f.name}" in model "{m.name}" can\'t be a list. The current connector '
                "does not support lists of primitive types.",
            )


def check_unique_criteria(m: Model, model: ModelDef) -> None:
    """A model (not a view, not ignored) needs a key of required fields. Prisma checks it
    once names are resolved: an unknown field in a relation's `references` is its error
    first."""
    if model.is_view or any(a.name == "ignore" for a in m.attributes):
        return
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
