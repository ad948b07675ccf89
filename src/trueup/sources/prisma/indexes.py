"""Primary keys, unique and plain indexes from ``@id``/``@unique`` and ``@@id``/
``@@unique``/``@@index``: their columns, sort orders, PostgreSQL index types and operator
classes, partial indexes' predicates (:mod:`.partial`), and their database names (``map:``
or Prisma's default)."""

from __future__ import annotations

import re

from trueup.sources.prisma import names
from trueup.sources.prisma.attributes import Args
from trueup.sources.prisma.datamodel import POSTGRESQL, Datasource, IndexDef, IndexField, ModelDef
from trueup.sources.prisma.partial import where_predicate
from trueup.sources.prisma.relations import check_map_length
from trueup.sources.prisma.source import Pos, fail
from trueup.sources.prisma.syntax import Attribute, Call, Const, Str

# Prisma's index types and the PostgreSQL access method each names (BTree is the default).
INDEX_TYPES = {
    "BTree": None,
    "Hash": "hash",
    "Gist": "gist",
    "Gin": "gin",
    "SpGist": "spgist",
    "Brin": "brin",
}
_NO_LENGTH = (
    "The length argument is not supported in an index definition with the current connector."
)
_WHAT = {"id": "id", "unique": "unique index", "index": "index"}
_NO_ID_SORT = "The sort argument is not supported in the primary key with the current connector"


def field_index(
    kind: str,
    field: str,
    args: Args,
    model: ModelDef,
    datasource: Datasource,
    *,
    field_names: frozenset[str] = frozenset(),
    preview: frozenset[str] = frozenset(),
) -> IndexDef:
    """``@id`` or ``@unique`` on the field ``field``. ``field_names`` are all the model's
    fields (relation fields too) and ``preview`` the schema's preview features, for a
    ``where`` argument."""
    _unsupported_arguments(args)
    sort = args.constant("sort", ("Asc", "Desc"))
    if kind == "id" and sort is not None:
        # SQL Server's alone; SQLite and PostgreSQL keys have no sort order.
        raise fail(args.attr.pos, _NO_ID_SORT)
    scalar = model.field(field)
    assert scalar is not None
    part = IndexField(field, scalar.db_name, sort == "Desc", sort is not None)
    name = _name(kind, args, model, (part,), datasource)
    where = where_predicate(args, model, field_names, preview)
    return IndexDef(kind, (part,), name, args.attr.pos, where=where)


def block_index(
    kind: str,
    args: Args,
    model: ModelDef,
    datasource: Datasource,
    *,
    field_names: frozenset[str] = frozenset(),
    preview: frozenset[str] = frozenset(),
) -> IndexDef:
    """``@@id``, ``@@unique`` or ``@@index`` (the keywords as for :func:`field_index`)."""
    _unsupported_arguments(args)
    attr = args.attr
    items = args.names("fields")
    if not items:
        raise fail(attr.pos, f"The `{attr.display}` attribute needs a non-empty list of fields.")
    parts: list[IndexField] = []
    unknown: list[str] = []
    relations: list[str] = []
    for item in items:
        scalar = model.field(item.name)
        if scalar is None:
            (relations if _is_field_name(item.name) else unknown).append(item.name)
            continue
        parts.append(_part(item, scalar.db_name, datasource))
    if unknown or relations:
        listed = ", ".join(unknown or relations)
        # A name that is no scalar field is a relation field or no field at all.
        raise fail(
            attr.pos,
            f"The {_WHAT[kind]} definition refers to the unknown or relation fields {listed}. "
            "Index definitions must reference only scalar fields of the model.",
        )
    if kind == "id" and any(p.explicit_sort for p in parts):
        raise fail(attr.pos, _NO_ID_SORT)
    if len({p.field for p in parts}) != len(parts):
        raise fail(attr.pos, f"The `{attr.display}` attribute names a field twice.")
    if kind == "id":
        optional = [p.field for p in parts if (f := model.field(p.field)) and f.optional]
        if optional:
            raise fail(
                attr.pos,
                f"The id definition refers to the optional fields {', '.join(optional)}. ID "
                "definitions must reference only required fields.",
            )
    algorithm = None
    if kind == "index":
        index_type = args.constant("type", tuple(INDEX_TYPES))
        if index_type is not None and index_type != "BTree" and datasource.provider != POSTGRESQL:
            raise fail(
                args.values["type"].pos,
                "The given index type is not supported with the current connector.",
            )
        algorithm = INDEX_TYPES.get(index_type or "BTree")
        _check_opclass_index_type(items, index_type or "BTree", attr)
        if args.get("name") is not None and args.get("map") is not None:
            raise fail(
                attr.pos,
                "The `@@index` attribute accepts the `name` argument as an alias for the `map` "
                "argument. Please don't use both.",
            )
    elif args.get("name") is not None:
        args.string("name")  # the client's name for the key: checked, no database meaning
    name = _name(kind, args, model, tuple(parts), datasource)
    where = where_predicate(args, model, field_names, preview)
    return IndexDef(kind, tuple(parts), name, attr.pos, algorithm, where)


def _is_field_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name))


def _part(item: Const | Call, column: str, datasource: Datasource) -> IndexField:
    if isinstance(item, Const):
        return IndexField(item.name, column)
    sort = None
    opclass = None
    for arg in item.args:
        if arg.name == "sort":
            if not isinstance(arg.value, Const) or arg.value.name not in ("Asc", "Desc"):
                raise fail(arg.pos, "Invalid `sort`: expected `Asc` or `Desc`.")
            sort = arg.value.name
        elif arg.name == "length":
            raise fail(
                arg.pos,
                _NO_LENGTH,
            )
        elif arg.name == "ops":
            if datasource.provider != POSTGRESQL:
                raise fail(
                    arg.pos, "Operator classes are not supported with the current connector."
                )
            opclass = _opclass(arg.value, arg.pos)
        else:
            raise fail(arg.pos, f"No such argument `{arg.name}` for the field `{item.name}`.")
    return IndexField(item.name, column, sort == "Desc", sort is not None, opclass)


def _opclass(value: object, pos: Pos) -> str:
    """``ops: JsonbPathOps`` -> ``jsonb_path_ops``; ``ops: raw("x_ops")`` -> ``x_ops``."""
    if isinstance(value, Call) and value.name == "raw" and len(value.args) == 1:
        raw = value.args[0].value
        if isinstance(raw, Str) and raw.value:
            return raw.value
    if isinstance(value, Const):
        known = OPERATOR_CLASSES.get(value.name)
        if known is None:
            raise fail(
                pos,
                f"Invalid operator class: {value.name}.",
                hint='Name one Prisma knows, like `JsonbPathOps`, or write raw("name_ops").',
            )
        return known
    raise fail(pos, 'Invalid `ops`: expected an operator class like `JsonbPathOps` or raw("…").')


# The index types each named operator class serves; the others are all BRIN's.
_OPCLASS_INDEX_TYPES = {
    "InetOps": ("Gist", "SpGist"),
    "JsonbOps": ("Gin",),
    "JsonbPathOps": ("Gin",),
    "ArrayOps": ("Gin",),
    "TextOps": ("SpGist",),
}


def _check_opclass_index_type(items: list[Const | Call], index_type: str, attr: Attribute) -> None:
    """A named operator class must serve the index's type (PostgreSQL would take some
    that do not, like text_ops on a BTree index; Prisma does not). raw("…") is not
    checked."""
    for item in items:
        if not isinstance(item, Call):
            continue
        for arg in item.args:
            if arg.name != "ops" or not isinstance(arg.value, Const):
                continue
            opclass = arg.value.name
            if index_type not in _OPCLASS_INDEX_TYPES.get(opclass, ("Brin",)):
                raise fail(
                    attr.pos,
                    f"The given operator class `{opclass}` is not supported with the "
                    f"`{index_type}` index type.",
                )


def _sql_opclass(name: str) -> str:
    """Prisma's name of an operator class to PostgreSQL's: ``Int4MinMaxOps`` ->
    ``int4_minmax_ops``, ``TimestampTzBloomOps`` -> ``timestamptz_bloom_ops``."""
    for joined in ("MinMax", "TimestampTz", "TimeTz", "VarBit"):
        name = name.replace(joined, joined[0] + joined[1:].lower())
    return "_".join(w.lower() for w in re.findall(r"[A-Z][a-z]*\d*", name))


#: The operator classes Prisma knows by name (``ops: X``), with PostgreSQL's names; any
#: other is written ``ops: raw("name")``.
OPERATOR_CLASSES = {
    name: _sql_opclass(name)
    for name in (
        "InetOps",
        "JsonbOps",
        "JsonbPathOps",
        "ArrayOps",
        "TextOps",
        "BitMinMaxOps",
        "VarBitMinMaxOps",
        "BpcharBloomOps",
        "BpcharMinMaxOps",
        "ByteaBloomOps",
        "ByteaMinMaxOps",
        "DateBloomOps",
        "DateMinMaxOps",
        "DateMinMaxMultiOps",
        "Float4BloomOps",
        "Float4MinMaxOps",
        "Float4MinMaxMultiOps",
        "Float8BloomOps",
        "Float8MinMaxOps",
        "Float8MinMaxMultiOps",
        "InetInclusionOps",
        "InetBloomOps",
        "InetMinMaxOps",
        "InetMinMaxMultiOps",
        "Int2BloomOps",
        "Int2MinMaxOps",
        "Int2MinMaxMultiOps",
        "Int4BloomOps",
        "Int4MinMaxOps",
        "Int4MinMaxMultiOps",
        "Int8BloomOps",
        "Int8MinMaxOps",
        "Int8MinMaxMultiOps",
        "NumericBloomOps",
        "NumericMinMaxOps",
        "NumericMinMaxMultiOps",
        "OidBloomOps",
        "OidMinMaxOps",
        "OidMinMaxMultiOps",
        "TextBloomOps",
        "TextMinMaxOps",
        "TimestampBloomOps",
        "TimestampMinMaxOps",
        "TimestampMinMaxMultiOps",
        "TimestampTzBloomOps",
        "TimestampTzMinMaxOps",
        "TimestampTzMinMaxMultiOps",
        "TimeBloomOps",
        "TimeMinMaxOps",
        "TimeMinMaxMultiOps",
        "TimeTzBloomOps",
        "TimeTzMinMaxOps",
        "TimeTzMinMaxMultiOps",
        "UuidBloomOps",
        "UuidMinMaxOps",
        "UuidMinMaxMultiOps",
    )
}


def _unsupported_arguments(args: Args) -> None:
    for name, message in (
        (
            "length",
            _NO_LENGTH,
        ),
        ("clustered", "Defining clustering is not supported in the current connector."),
    ):
        if args.get(name) is not None:
            raise fail(args.values[name].pos, message)


def _name(
    kind: str,
    args: Args,
    model: ModelDef,
    parts: tuple[IndexField, ...],
    datasource: Datasource,
) -> str:
    mapped = args.string("map")
    if kind == "index" and mapped is None:
        mapped = args.string("name")
    provider = datasource.provider
    if mapped is not None:
        if kind == "id" and provider != POSTGRESQL:
            raise fail(
                args.values["map"].pos,
                "You defined a database name for the primary key on the model. This is not "
                "supported by the provider.",
            )
        where = args.values.get("map") or args.values["name"]
        check_map_length(mapped, args.attr.display, where.pos, datasource)
        return mapped
    columns = tuple(p.column for p in parts)
    if kind == "id":
        return names.primary_key_name(model.db_name, provider)
    if kind == "unique":
        return names.unique_name(model.db_name, columns, provider)
    return names.index_name(model.db_name, columns, provider)
