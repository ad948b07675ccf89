"""``@@index`` and ``@@unique``: one field or several, ``sort:`` per field, ``name:`` and
``map:``, and on PostgreSQL the index ``type:`` with the operator classes (``ops:``) that
suit the field's type."""

from __future__ import annotations

from tests.prisma.fuzz.ast import Arg, Attr, Call, Expr, Name, Str
from tests.prisma.fuzz.plan import ModelInfo, Plan
from tests.prisma.fuzz.spelling import arguments, field_list, field_ref

#: Operator classes of a BRIN index with no native type, by scalar type.
BRIN_OPS = {
    "Int": "Int4MinMaxOps",
    "BigInt": "Int8MinMaxOps",
    "Float": "Float8MinMaxOps",
    "Decimal": "NumericMinMaxOps",
    "String": "TextMinMaxOps",
    "DateTime": "TimestampMinMaxOps",
    "Bytes": "ByteaMinMaxOps",
}
BRIN_NATIVES = {None, "Integer", "SmallInt", "BigInt", "Real", "DoublePrecision", "Decimal"}
BRIN_NATIVES |= {"Text", "VarChar", "Timestamp", "Timestamptz", "Date", "Time", "Uuid", "ByteA"}
STRING_NATIVES = (None, "Text", "VarChar", "Char")


def add_indexes(plan: Plan, model: ModelInfo) -> None:
    c = plan.c
    for _ in range(c.integers(0, 2)):
        if plan.postgres and c.chance(0.3):
            _special_index(plan, model)
        else:
            _index(plan, model, unique=False)
    if c.chance(0.3):
        _index(plan, model, unique=True)


def _candidates(model: ModelInfo) -> list[str]:
    return [n for n, f in model.fields.items() if f.indexable and not f.ignored]


def _index(plan: Plan, model: ModelInfo, *, unique: bool) -> None:
    """A B-tree index or a unique constraint on one to three fields."""
    c = plan.c
    fields = c.some(_candidates(model), 1, 3)
    kind = "unique" if unique else "index"
    if not fields or (kind, tuple(fields)) in model.keyed:
        return
    model.keyed.add((kind, tuple(fields)))
    refs: list[Expr] = []
    for name in fields:
        args: list[Arg] = []
        if c.chance(0.2):
            args.append(Arg("sort", Name(c.pick(["Asc", "Desc"]))))
        info = model.fields[name]
        string = info.scalar == "String" and (
            info.native is None or info.native.name in ("Text", "VarChar")
        )
        if plan.postgres and not unique and string and c.chance(0.15):
            args.append(Arg("ops", Call("raw", (Arg(None, Str("text_pattern_ops")),))))
        if not c.plain and c.chance(0.03):
            args.append(Arg("order", Name("Desc")))  # an argument Prisma ignores here
        refs.append(field_ref(name, c.shuffled(args)))
    named: list[tuple[str, Expr]] = []
    if c.chance(0.25):
        named.append(("map", Str(plan.fresh("ix_" if not unique else "uq_"))))
    if unique and c.chance(0.2):
        named.append(("name", Str(plan.fresh("byKey"))))
    if not unique and not named and c.chance(0.05):
        # The legacy spelling of map: (not both).
        named.append(("name", Str(plan.fresh("legacy_"))))
    if plan.postgres and not unique and c.chance(0.1):
        named.append(("type", Name("BTree")))
    model.block.attrs.append(Attr(kind, arguments(c, ("fields", field_list(c, refs)), named)))
    if unique and all(model.fields[f].modifier == "" for f in fields):
        model.unique_sets.append(tuple(fields))


def _special_index(plan: Plan, model: ModelInfo) -> None:
    """A Hash, GIN, GiST, SP-GiST or BRIN index on a field of a type it takes."""
    c = plan.c
    options: list[tuple[str, str, str | None]] = []
    for name, info in model.fields.items():
        if info.ignored or info.unsupported or info.relation:
            continue
        native = info.native.name if info.native is not None else None
        if info.modifier == "[]":
            options.append(("Gin", name, c.pick([None, "ArrayOps"])))
        elif info.scalar == "Json" and native in (None, "JsonB"):
            options.append(("Gin", name, c.pick([None, "JsonbOps", "JsonbPathOps"])))
        elif native == "Inet":
            options.append(("Gist", name, "InetOps"))
            options.append(("SpGist", name, c.pick([None, "InetOps"])))
        elif info.indexable:
            options.append(("Hash", name, None))
            if info.scalar == "String" and native in STRING_NATIVES:
                options.append(("SpGist", name, c.pick([None, "TextOps"])))
            if native in BRIN_NATIVES and info.scalar in BRIN_OPS and not info.enum:
                ops = BRIN_OPS[info.scalar] if native is None and c.chance(0.4) else None
                options.append(("Brin", name, ops))
    if not options:
        return
    kind, name, ops = c.pick(options)
    if ("index", (name,)) in model.keyed:
        return
    model.keyed.add(("index", (name,)))
    ref = field_ref(name, [Arg("ops", Name(ops))] if ops else [])
    named: list[tuple[str, Expr]] = [("type", Name(kind))]
    if c.chance(0.25):
        named.append(("map", Str(plan.fresh("ix_"))))
    model.block.attrs.append(Attr("index", arguments(c, ("fields", field_list(c, [ref])), named)))
