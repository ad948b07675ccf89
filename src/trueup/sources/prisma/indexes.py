"""Primary keys, unique and plain indexes from ``@id``/``@unique`` and ``@@id``/
``@@unique``/``@@index``: their columns, sort orders, PostgreSQL index types and operator
classes, partial indexes' predicates (:mod:`.partial`), and their database names (``map:``
or Prisma's default)."""

from __future__ import annotations

import re

from trueup.sources.prisma import names
from trueup.sources.prisma.attributes import Args, mismatch
from trueup.sources.prisma.datamodel import POSTGRESQL, Datasource, IndexDef, IndexField, ModelDef
from trueup.sources.prisma.partial import where_predicate
from trueup.sources.prisma.relations import check_map_length
from trueup.sources.prisma.source import Pos, fail
from trueup.sources.prisma.syntax import Attribute, Call, Const, Expr, Num, Str

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
    sort = args.get("sort")
    if sort is not None and (not isinstance(sort, Const) or sort.name not in ("Asc", "Desc")):
        if not isinstance(sort, Const):
            raise mismatch("constant", sort)
        raise args.error(
            f"The `sort` argument can only be `Asc` or `Desc` you provided: {sort.name}."
        )
    if kind == "id" and sort is not None:
        # SQL Server's alone; SQLite and PostgreSQL keys have no sort order.
        raise fail(args.attr.pos, _NO_ID_SORT)
    scalar = model.field(field)
    assert scalar is not None
    descending = isinstance(sort, Const) and sort.name == "Desc"
    part = IndexField(field, scalar.db_name, descending, sort is not None)
    name = _name(kind, args, model, (part,), datasource)
    where = where_predicate(args, model, field_names, preview)
    return IndexDef(kind, (part,), name, args.attr.pos, where=where)


def block_index(
    kind: str,
    args: Args,
    model: ModelDef,
    datasource: Datasource,
    relation_fields: set[str],
    *,
    field_names: frozenset[str] = frozenset(),
    preview: frozenset[str] = frozenset(),
) -> IndexDef:
    """``@@id``, ``@@unique`` or ``@@index``; ``relation_fields`` are the model's relation
    fields (which no index may name); the keywords as for :func:`field_index`."""
    attr = args.attr
    items = args.names("fields") if args.get("fields") is not None else None
    if items is None:
        raise fail(attr.pos, 'Argument "fields" is missing.')
    parts: list[IndexField] = []
    unknown: list[str] = []
    relations: list[str] = []
    for item in items:
        scalar = model.field(item.name)
        if scalar is None:
            # A dotted path reaches into composite types, which SQL databases lack.
            first = item.name.split(".")[0]
            (relations if first in relation_fields else unknown).append(first)
            continue
        if any(p.field == item.name for p in parts):
            raise fail(
                attr.pos,
                f'Error validating model "{model.name}": The unique index definition refers '
                f"to the field {item.name} multiple times.",
            )
        parts.append(_part(item, scalar.db_name, datasource))
    _unknown_fields(kind, model.name, unknown, relations, attr)
    _unsupported_arguments(args)
    if not parts:
        raise args.error(
            "The list of fields in an index cannot be empty. Please specify at least one field."
        )
    if kind != "index" and any(p.opclass for p in parts):
        raise args.error("Operator classes can only be defined to fields in an @@index attribute.")
    if kind == "id" and any(p.explicit_sort for p in parts):
        raise fail(attr.pos, _NO_ID_SORT)
    algorithm = None
    if kind == "index":
        algorithm = _algorithm(args, items, datasource)
    elif args.get("name") is not None:
        _check_client_name(args, model)
    name = _name(kind, args, model, tuple(parts), datasource)
    where = where_predicate(args, model, field_names, preview)
    return IndexDef(kind, tuple(parts), name, attr.pos, algorithm, where)


def _check_client_name(args: Args, model: ModelDef) -> None:
    """The client's name for a key (``name:`` of ``@@id`` and ``@@unique``): no database
    meaning, but Prisma checks it."""
    name = args.string("name")
    assert name is not None
    attribute = args.attr.display
    if not re.fullmatch(r"[_a-zA-Z0-9]*", name):
        raise fail(
            args.attr.pos,
            f'Error validating model "{model.name}": The `name` property within the '
            f"`{attribute}` attribute only allows for the following characters: `_a-zA-Z0-9`.",
        )
    if model.field(name) is not None:
        raise fail(
            model.pos,
            f'Error validating model "{model.name}": The custom name `{name}` specified for '
            f"the `{attribute}` attribute is already used as a name for a field. Please choose "
            "a different name.",
        )


def check_id_fields_required(index: IndexDef, model: ModelDef) -> None:
    # A list is not a required field either (Prisma calls it optional here).
    fields = [(p.field, model.field(p.field)) for p in index.fields]
    optional = [name for name, f in fields if f is not None and (f.optional or f.list)]
    if optional:
        listed = ("fields " if len(optional) > 1 else "field ") + ", ".join(optional)
        raise fail(
            index.pos,
            f'Error validating model "{model.name}": The id definition refers to the optional '
            f"{listed}. ID definitions must reference only required fields.",
        )


def _unknown_fields(
    kind: str, model: str, unknown: list[str], relations: list[str], attr: Attribute
) -> None:
    prefix = "unique " if kind == "unique" else ""
    if unknown:
        what = (
            "The multi field id declaration refers to the unknown "
            + ("fields " if len(unknown) > 1 else "field ")
            if kind == "id"
            else f"The {prefix}index definition refers to the unknown fields: "
        )
        raise fail(attr.pos, f'Error validating model "{model}": {what}{", ".join(unknown)}.')
    if relations:
        what = "id" if kind == "id" else f"{prefix}index"
        raise fail(
            attr.pos,
            f'Error validating model "{model}": The {what} definition refers to the relation '
            f"fields {', '.join(relations)}. Index definitions must reference only scalar "
            "fields.",
        )


def _algorithm(args: Args, items: list[Const | Call], datasource: Datasource) -> str | None:
    index_type = args.get("type")
    if index_type is not None and not isinstance(index_type, Const):
        raise mismatch("constant", index_type)
    if isinstance(index_type, Const) and index_type.name not in INDEX_TYPES:
        raise args.error(f"Unknown index type: {index_type.name}.")
    chosen = index_type.name if isinstance(index_type, Const) else "BTree"
    if chosen != "BTree" and datasource.provider != POSTGRESQL:
        raise fail(
            args.values["type"].pos,
            "The given index type is not supported with the current connector.",
        )
    if datasource.provider == POSTGRESQL:
        _check_opclass_index_type(items, chosen, args.attr)
    if args.get("name") is not None and args.get("map") is not None:
        raise args.error(
            "The `@@index` attribute accepts the `name` argument as an alias for the `map` "
            "argument for legacy reasons. It does not accept both though. Please use the "
            "`map` argument to specify the database name of the index."
        )
    return INDEX_TYPES[chosen]


def _part(item: Const | Call, column: str, datasource: Datasource) -> IndexField:
    """One field of an index. Of the arguments in ``field(…)`` Prisma reads the first
    ``sort``, ``length`` and ``ops`` and ignores any other (``id(order: Desc)`` is an
    ascending ``id``)."""
    if isinstance(item, Const):
        return IndexField(item.name, column)
    args: dict[str, Expr] = {}
    for arg in item.args:
        if arg.name is not None and arg.value is not None:
            args.setdefault(arg.name, arg.value)
    sort = args.get("sort")
    if sort is not None:
        if not isinstance(sort, Const):
            raise mismatch("constant", sort)
        if sort.name not in ("Asc", "Desc"):
            raise fail(sort.pos, "Unexpected token. Expected one of: Asc, Desc")
    length = args.get("length")
    if length is not None:
        if not isinstance(length, Num) or not length.is_int:
            raise mismatch("numeric", length)
        raise fail(length.pos, _NO_LENGTH)
    # Checked on SQLite too, where Prisma then ignores it (and so does the lowering).
    opclass = _opclass(args["ops"], args["ops"].pos) if "ops" in args else None
    descending = isinstance(sort, Const) and sort.name == "Desc"
    return IndexField(item.name, column, descending, sort is not None, opclass)


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
