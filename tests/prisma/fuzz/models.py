"""Models and their scalar fields: every scalar type, enums and ``Unsupported("…")``, the
``?`` and ``[]`` modifiers where the provider has them, ids (one field, compound, or none
but a unique), ``@default``, ``@unique``, ``@map``, ``@db.*``, ``@updatedAt``, ``@ignore``."""

from __future__ import annotations

from tests.prisma.fuzz.ast import Arg, Attr, Block, Field, Name, Num, Str
from tests.prisma.fuzz.plan import FieldInfo, ModelInfo, Plan
from tests.prisma.fuzz.spelling import arguments, attribute, field_list, field_ref
from tests.prisma.fuzz.values import KEY_SCALARS, SCALARS, Native, default_for, native_type

MODEL_NAMES = (
    "User", "Post", "Tag", "Item", "Order", "Account", "Session", "Comment", "Profile",
    "Team", "Entry", "Node", "Category", "a_b", "Thing2", "Inventory", "LogLine", "x",
)  # fmt: skip
FIELD_NAMES = (
    "name", "title", "email", "count", "price", "createdAt", "flag", "data", "blob",
    "score", "slug", "body", "kind", "ratio", "bigNum", "note", "x", "y_z", "Status",
    "position", "amount", "startsAt", "label", "ip", "tags", "value2",
)  # fmt: skip
#: Table and column names given with @map / @@map: plain, and ones that need quoting.
MAPPED = ("my_table", "UPPER", "tbl-1", "with space", "ünï", "mixedCase", "t")
UNSUPPORTED = {"sqlite": ("CIRCLE", "JSONB_X"), "postgresql": ("circle", "tsvector", "point")}


def mapped_name(plan: Plan, stem: str) -> str:
    name = plan.c.pick(MAPPED) + ("" if plan.c.chance(0.3) else f"_{stem}")
    if name in plan.taken:
        name = plan.fresh(name + "_")
    plan.taken.add(name)
    return name


def map_attr(plan: Plan, stem: str) -> Attr:
    """``@map("x")``, ``@map(name: "x")``: a column's own name."""
    return attribute(plan.c, "map", ("name", Str(mapped_name(plan, stem))))


def native_attr(plan: Plan, native: Native) -> Attr:
    if not native.args:
        return Attr(native.attr_name(plan.datasource), None)
    return Attr(native.attr_name(plan.datasource), tuple(Arg(None, Num(a)) for a in native.args))


def scalar_field(plan: Plan, model: ModelInfo, name: str, *, key: bool = False) -> Field:
    """A new scalar field of ``model`` (recorded in it); ``key``: part of an id or a
    unique, so required, of a key type, and never a list."""
    c = plan.c
    info = _field_type(plan, key=key)
    modifier = info.modifier
    type_name = (
        f'Unsupported("{c.pick(UNSUPPORTED[plan.provider])}")' if info.unsupported else info.scalar
    )
    attrs: list[Attr] = []
    if info.native is not None:
        attrs.append(native_attr(plan, info.native))
    updated_at = info.scalar == "DateTime" and modifier != "[]" and not key and c.chance(0.15)
    if updated_at:
        attrs.append(attribute(c, "updatedAt"))
    elif not info.unsupported and c.chance(0.3 if modifier != "[]" else 0.2):
        default = default_for(
            c,
            info.scalar if not info.enum else "enum",
            info.native,
            plan.provider,
            enum_values=plan.enums.get(info.scalar, []),
            is_list=modifier == "[]",
            autoincrement=plan.postgres and not key,
        )
        if default is not None:
            attrs.append(attribute(c, "default", ("value", default)))
            info.has_default = True
    if c.chance(0.12):
        attrs.append(map_attr(plan, name))
    if not key and info.indexable and c.chance(0.1):
        attrs.append(unique_attr(plan, model, name))
        if modifier == "":
            model.unique_sets.append((name,))
    if not key and not updated_at and not info.unsupported and not model.ignored and c.chance(0.02):
        attrs.append(attribute(c, "ignore"))
        info.ignored = True
    model.fields[name] = info
    return Field(name, type_name, modifier, tuple(c.shuffled(attrs)))


def _field_type(plan: Plan, *, key: bool) -> FieldInfo:
    c = plan.c
    if plan.enums and c.chance(0.15):
        enum = c.pick(sorted(plan.enums))
        info = FieldInfo(enum, enum=True)
    elif not key and c.chance(0.04):
        info = FieldInfo("Unsupported", unsupported=True)
    else:
        info = FieldInfo(c.pick(KEY_SCALARS if key else SCALARS))
    if plan.postgres and not info.enum and not info.unsupported:
        info.native = native_type(c, info.scalar)
        if info.native is not None and info.native.name == "Xml" and key:
            info.native = None
    if not key:
        lists = plan.postgres and not info.unsupported
        info.modifier = c.pick(["", "", "?", "?", "[]"] if lists else ["", "?"])
        if info.modifier == "[]" and info.native is not None and info.native.name == "Xml":
            info.native = None
    if plan.extensions and info.scalar == "String" and c.chance(0.2):
        info.native = Native("Citext")
    return info


def unique_attr(plan: Plan, model: ModelInfo, field: str) -> Attr:
    model.keyed.add(("unique", (field,)))
    named: list[tuple[str, Name | Str]] = []
    # A view's unique is no index in the database: it takes no name, no sort order.
    view = model.block.keyword == "view"
    if not view and plan.c.chance(0.2):
        named.append(("map", Str(plan.fresh("uq_"))))
    if not view and plan.c.chance(0.15):
        named.append(("sort", Name(plan.c.pick(["Asc", "Desc"]))))
    return attribute(plan.c, "unique", None, named)


def id_field(plan: Plan, model: ModelInfo) -> Field:
    """The model's one-field id, with a default that suits it, mostly."""
    c = plan.c
    name = c.pick(["id", "id", "uuid", "key", "code", "ID"])
    scalar = c.pick(["Int", "Int", "String", "String", "BigInt"])
    native = native_type(c, scalar) if plan.postgres else None
    if native is not None and native.name in ("Xml", "Bit", "VarBit", "Money", "Oid", "Inet"):
        native = None
    named = [("map", Str(plan.fresh("pk_")))] if plan.postgres and c.chance(0.2) else []
    attrs: list[Attr] = [attribute(c, "id", None, named)]
    if native is not None:
        attrs.append(native_attr(plan, native))
    if c.chance(0.8):
        default = default_for(
            c, scalar, native, plan.provider, enum_values=[], is_list=False, autoincrement=True
        )
        if default is not None:
            attrs.append(attribute(c, "default", ("value", default)))
    if c.chance(0.1):
        attrs.append(map_attr(plan, name))
    model.fields[name] = FieldInfo(scalar, native)
    model.id_fields = [name]
    return Field(name, scalar, "", tuple(c.shuffled(attrs)))


def compound_id(plan: Plan, model: ModelInfo) -> tuple[list[Field], Attr]:
    c = plan.c
    names = c.some(FIELD_NAMES, 2, 3)
    fields = [scalar_field(plan, model, n, key=True) for n in names]
    named: list[tuple[str, Str]] = []
    if c.chance(0.25):
        named.append(("name", Str(plan.fresh("pk"))))
    if plan.postgres and c.chance(0.2):
        named.append(("map", Str(plan.fresh("pk_"))))
    refs = [field_ref(n) for n in names]
    model.id_fields = list(names)
    model.keyed.add(("id", tuple(names)))
    return fields, Attr("id", arguments(c, ("fields", field_list(c, refs)), named))


def new_model(plan: Plan, name: str, keyword: str = "model", *, ignored: bool = False) -> ModelInfo:
    """A model with an id (or only a unique), and some scalar fields."""
    c = plan.c
    model = ModelInfo(Block(keyword, name), ignored=ignored)
    if plan.schemas:
        model.schema = c.pick(
            plan.schemas[:-1] if len(plan.schemas) > 1 and c.chance(0.5) else plan.schemas
        )
    block = model.block
    shape = c.pick(["single"] * 6 + ["compound"] * 2 + ["unique"])
    if keyword == "view" or shape == "unique":
        key = scalar_field(plan, model, c.pick(["id", "key", "handle"]), key=True)
        block.fields.append(key.with_attr(unique_attr(plan, model, key.name)))
        model.unique_sets.append((key.name,))
    elif shape == "single":
        block.fields.append(id_field(plan, model))
    else:
        fields, attr = compound_id(plan, model)
        block.fields.extend(fields)
        block.attrs.append(attr)
    for field_name in c.some(FIELD_NAMES, 0, 6):
        if field_name not in model.fields:
            block.fields.append(scalar_field(plan, model, field_name))
    if c.chance(0.2):
        block.attrs.append(attribute(c, "map", ("name", Str(mapped_name(plan, name)))))
    if model.schema is not None:
        block.attrs.append(Attr("schema", (Arg(None, Str(model.schema)),)))
    return model
