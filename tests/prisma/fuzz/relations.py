"""Relations: one-to-many, one-to-one, implicit many-to-many, self relations, named ones and
several between the same models, compound foreign keys, referential actions valid for
the provider and the relation mode, a foreign key column with its own native type."""

from __future__ import annotations

from tests.prisma.fuzz.ast import Attr, Expr, Field, Name, Str
from tests.prisma.fuzz.models import map_attr, native_attr
from tests.prisma.fuzz.plan import FieldInfo, ModelInfo, Plan
from tests.prisma.fuzz.spelling import arguments, attribute, field_list, field_ref
from tests.prisma.fuzz.values import native_type

FOREIGN_KEY_ACTIONS = ("Cascade", "Restrict", "NoAction", "SetNull", "SetDefault")
#: With relationMode = "prisma" (NoAction is not emulated on SQLite and PostgreSQL).
EMULATED_ACTIONS = ("Cascade", "Restrict", "SetNull")


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def add_relation(plan: Plan, pairs: dict[frozenset[str], int]) -> None:
    c = plan.c
    models = [m for m in plan.models if m.block.keyword == "model" and not m.ignored]
    if not models:
        return
    parent, child = c.pick(models), c.pick(models)
    shape = c.pick(["1-n"] * 5 + ["1-1"] * 2 + ["m-n"] * 2)
    pair = frozenset((parent.name, child.name))
    named = parent is child or pair in pairs or c.chance(0.2)
    name = plan.fresh(c.pick(["Rel", "rel_", "Owner"])) if named else None
    pairs[pair] = pairs.get(pair, 0) + 1
    if shape == "m-n" and len(parent.id_fields) == 1 and len(child.id_fields) == 1:
        _many_to_many(plan, parent, child, name)
        return
    if shape == "m-n":
        shape = "1-n"
    references = _referenced(plan, parent)
    if references:
        _with_foreign_key(plan, parent, child, shape, name, references)


def _referenced(plan: Plan, parent: ModelInfo) -> list[str]:
    """The fields a foreign key to ``parent`` points at: its id, or a unique."""
    if parent.unique_sets and (not parent.id_fields or plan.c.chance(0.25)):
        return list(plan.c.pick(parent.unique_sets))
    return list(parent.id_fields)


def _with_foreign_key(
    plan: Plan, parent: ModelInfo, child: ModelInfo, shape: str, name: str | None, refs: list[str]
) -> None:
    c = plan.c
    optional = parent is child or c.chance(0.45)
    fks: list[str] = []
    for ref in refs:
        info = parent.fields[ref]
        fk = plan.unused_field_name(child, lower_first(parent.name) + upper_first(ref))
        native = info.native
        if plan.postgres and not info.enum and c.chance(0.25):
            native = native_type(c, info.scalar)  # its own native type, of the same scalar
            if native is not None and native.name in ("Xml", "Inet", "Bit", "VarBit"):
                native = None
        attrs: list[Attr] = [native_attr(plan, native)] if native is not None else []
        if c.chance(0.1):
            attrs.append(map_attr(plan, fk))
        if shape == "1-1" and len(refs) == 1:
            attrs.append(attribute(c, "unique"))
            child.keyed.add(("unique", (fk,)))
        child.fields[fk] = FieldInfo(info.scalar, native, "?" if optional else "", enum=info.enum)
        child.block.fields.append(Field(fk, info.scalar, "?" if optional else "", tuple(attrs)))
        fks.append(fk)
    if shape == "1-1" and len(fks) > 1:
        child.keyed.add(("unique", tuple(fks)))
        refs_list = field_list(c, [field_ref(f) for f in fks])
        child.block.attrs.append(Attr("unique", arguments(c, ("fields", refs_list), [])))
    if shape == "1-1" and not optional:
        child.unique_sets.append(tuple(fks))
    named: list[tuple[str, Expr]] = [
        ("fields", field_list(c, [field_ref(f) for f in fks])),
        ("references", field_list(c, [field_ref(r) for r in refs])),
    ]
    for action in ("onDelete", "onUpdate"):
        if parent is child and plan.relation_mode_prisma:
            # Emulated actions on a self relation must not cycle: Prisma wants these.
            named.append((action, Name("Restrict")))
        elif c.chance(0.3):
            named.append((action, Name(_action(plan, optional))))
    if plan.postgres and plan.foreign_keys and c.chance(0.15):
        named.append(("map", Str(plan.fresh("fk_"))))
    relation = Attr("relation", arguments(c, ("name", Str(name)) if name else None, named))
    field_name = plan.unused_field_name(child, lower_first(parent.name))
    child.fields[field_name] = FieldInfo(parent.name, relation=True)
    child.block.fields.append(Field(field_name, parent.name, "?" if optional else "", (relation,)))
    back = plan.unused_field_name(parent, lower_first(child.name) + ("s" if shape == "1-n" else ""))
    parent.fields[back] = FieldInfo(child.name, relation=True)
    back_attrs = (attribute(c, "relation", ("name", Str(name))),) if name else ()
    parent.block.fields.append(Field(back, child.name, "[]" if shape == "1-n" else "?", back_attrs))


def _action(plan: Plan, optional: bool) -> str:
    c = plan.c
    action = c.pick(FOREIGN_KEY_ACTIONS) if plan.foreign_keys else c.pick(EMULATED_ACTIONS)
    if action == "SetNull" and not optional and not c.chance(0.1):
        action = "Cascade"
    return action


def _many_to_many(plan: Plan, a: ModelInfo, b: ModelInfo, name: str | None) -> None:
    """An implicit many-to-many relation: a list on each side, and a join table."""
    c = plan.c
    one = plan.unused_field_name(a, lower_first(b.name) + "List")
    a.fields[one] = FieldInfo(b.name, relation=True)
    other = plan.unused_field_name(b, lower_first(a.name) + "List")
    b.fields[other] = FieldInfo(a.name, relation=True)
    attrs = (attribute(c, "relation", ("name", Str(name))),) if name else ()
    a.block.fields.append(Field(one, b.name, "[]", attrs))
    b.block.fields.append(Field(other, a.name, "[]", attrs))
