"""Foreign keys as Prisma relations, and Prisma's implicit many-to-many tables turned back
into list relations.

Names follow ``prisma db pull``: a relation between two models that have no other
relation between them is unnamed and its fields are named after the other model; where
several relations join the same two models (or a foreign key column already has the
model's name), each gets a name such as ``Post_authorIdToUser`` and its fields carry it.
The back field of a self-relation starts with ``other_``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from trueup.model import Action, Deferral, ForeignKey, Index, IndexPart, Table
from trueup.sources.prisma import names as prisma_names
from trueup.sources.prisma.pull import naming
from trueup.sources.prisma.pull.flavours import Flavour
from trueup.sources.prisma.pull.models import PulledModel
from trueup.sources.prisma.pull.text import FieldLine

_ACTIONS = {
    Action.CASCADE: "Cascade",
    Action.RESTRICT: "Restrict",
    Action.NO_ACTION: "NoAction",
    Action.SET_NULL: "SetNull",
    Action.SET_DEFAULT: "SetDefault",
}


@dataclass(frozen=True, slots=True)
class JoinTable:
    """An implicit many-to-many table: ``a`` and ``b`` are the tables of its models (``a``
    the one whose model name sorts first), ``relation`` its relation name."""

    table: str
    a: str
    b: str
    relation: str


@dataclass(frozen=True, slots=True)
class Inline:
    owner: str  # the table holding the foreign key
    target: str
    fk: ForeignKey
    columns: tuple[str, ...]  # the foreign key's columns, as the owner table spells them
    ref_columns: tuple[str, ...]


def find_join_tables(models: Mapping[str, PulledModel], flavour: Flavour) -> dict[str, JoinTable]:
    """The tables that are exactly what Prisma makes for an implicit many-to-many relation
    (so pushing the relation makes them again), keyed by table name."""
    key = flavour.key
    by_key = {key(name): m for name, m in models.items()}
    referenced = {key(fk.ref_table) for m in models.values() for fk in m.table.foreign_keys}
    found: dict[str, JoinTable] = {}
    for name, model in models.items():
        join = _join_table(model.table, by_key, flavour)
        if join is not None and key(name) not in referenced:
            found[name] = join
    return {n: j for n, j in found.items() if j.a not in found and j.b not in found}


def _join_table(t: Table, by_key: Mapping[str, PulledModel], flavour: Flavour) -> JoinTable | None:
    key = flavour.key
    if not t.name.startswith("_") or t.column_names != ("A", "B") or t.checks or t.options:
        return None
    if any(c.nullable or c.default or c.generated or c.collation for c in t.columns):
        return None
    fks = sorted(t.foreign_keys, key=lambda fk: fk.columns)
    if [fk.columns for fk in fks] != [("A",), ("B",)]:
        return None
    jn = prisma_names.join_table_names(t.name, flavour.provider)
    targets = []
    for fk, column, fk_name in zip(fks, t.columns, ("a_fkey", "b_fkey"), strict=True):
        target = by_key.get(key(fk.ref_table))
        if target is None:
            return None
        pk = target.table.primary_key
        ref = target.table.column(pk.columns[0]) if pk is not None else None
        if (
            target.ignored
            or pk is None
            or ref is None
            or len(pk.columns) != 1
            or tuple(key(c) for c in fk.ref_columns) != (key(pk.columns[0]),)
            or fk.ref_schema is not None
            or (fk.on_delete, fk.on_update) != (Action.CASCADE, Action.CASCADE)
            or fk.deferral is not Deferral.IMMEDIATE
            or (flavour.named_keys and fk.name != jn[fk_name])
            or column.type.upper() != ref.type.upper()
        ):
            return None
        targets.append(target)
    a, b = targets
    if a.name > b.name:
        return None  # Prisma's column A always points at the model whose name sorts first
    b_index = Index(jn["b_index"], (_part("B"),))
    if flavour.join_table_primary_key:
        pk = t.primary_key
        if pk is None or pk.columns != ("A", "B") or pk.name != jn["pkey"] or pk.parts:
            return None
        expected = [b_index]
    else:
        if t.primary_key is not None:
            return None
        expected = [Index(jn["unique"], (_part("A"), _part("B")), unique=True), b_index]
    by_name = lambda i: i.name or ""  # noqa: E731 - a sort key
    if sorted(t.indexes, key=by_name) != sorted(expected, key=by_name):
        return None
    return JoinTable(t.name, a.table.name, b.table.name, t.name[1:])


def _part(column: str) -> IndexPart:
    return IndexPart(column=column)


def inline_relations(
    models: Mapping[str, PulledModel], joins: Mapping[str, JoinTable], flavour: Flavour
) -> list[Inline]:
    """Every foreign key Prisma can declare as a relation; the others become notes on their
    model, saying why."""
    key = flavour.key
    by_key = {key(name): m for name, m in models.items() if name not in joins}
    out: list[Inline] = []
    for name, model in models.items():
        if name in joins:
            continue
        seen: set[tuple[object, ...]] = set()
        for fk in model.table.foreign_keys:
            problem, inline = _inline(model, fk, by_key, key)
            if inline is not None:
                ident = (inline.columns, key(inline.target), inline.ref_columns)
                if ident in seen:
                    problem, inline = "it repeats another foreign key", None
                seen.add(ident)
            if inline is None:
                model.notes.append(f"{_fk_text(fk)} ({problem})")
            else:
                out.append(inline)
    return out


def _inline(
    model: PulledModel,
    fk: ForeignKey,
    by_key: Mapping[str, PulledModel],
    key: Callable[[str], str],
) -> tuple[str, Inline | None]:
    target = by_key.get(key(fk.ref_table))
    if target is None or fk.ref_schema is not None:
        return "the referenced table is not a model here", None
    columns = _resolve(model, fk.columns, key)
    refs = _resolve(target, fk.ref_columns, key)
    if columns is None or refs is None or not refs:
        return "its columns are not all in the tables", None
    if not target.is_unique(refs):
        return "the referenced columns are not a primary key or unique", None
    for col, ref in zip(columns, refs, strict=True):
        mine, theirs = model.types[col].relatable, target.types[ref].relatable
        if mine is None or mine != theirs:
            return "the column types differ or are not Prisma types", None
    return "", Inline(model.table.name, target.table.name, fk, columns, refs)


def _resolve(
    model: PulledModel, columns: tuple[str, ...], key: Callable[[str], str]
) -> tuple[str, ...] | None:
    names = {key(c): c for c in model.fields}
    out = tuple(names.get(key(c), "") for c in columns)
    return None if "" in out else out


def _fk_text(fk: ForeignKey) -> str:
    refs = f" ({', '.join(fk.ref_columns)})" if fk.ref_columns else ""
    return f"FOREIGN KEY ({', '.join(fk.columns)}) REFERENCES {fk.ref_table}{refs}"


def add_relation_fields(
    models: Mapping[str, PulledModel],
    inlines: list[Inline],
    joins: Mapping[str, JoinTable],
    flavour: Flavour,
) -> None:
    ambiguous = _ambiguous_pairs(models, inlines, joins)
    for r in inlines:
        _add_inline(models, r, ambiguous, flavour)
    for j in joins.values():
        _add_many_to_many(models, j, ambiguous)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _ambiguous_pairs(
    models: Mapping[str, PulledModel], inlines: list[Inline], joins: Mapping[str, JoinTable]
) -> set[tuple[str, str]]:
    count: dict[tuple[str, str], int] = {}
    pairs = [_pair(r.owner, r.target) for r in inlines] + [_pair(j.a, j.b) for j in joins.values()]
    for p in pairs:
        count[p] = count.get(p, 0) + 1
    out = {p for p, n in count.items() if n > 1}
    for r in inlines:
        # A foreign key column that already has the name the relation field would get.
        default_field = models[r.target].name
        if any(models[r.owner].fields[c] == default_field for c in r.columns):
            out.add(_pair(r.owner, r.target))
    return out


def _add_inline(
    models: Mapping[str, PulledModel],
    r: Inline,
    ambiguous: set[tuple[str, str]],
    flavour: Flavour,
) -> None:
    owner, target = models[r.owner], models[r.target]
    is_self = r.owner == r.target
    other = "other_" if is_self else ""
    if _pair(r.owner, r.target) in ambiguous:
        fields = "_".join(owner.fields[c] for c in r.columns)
        relation = f"{owner.name}_{fields}To{target.name}"
        forward, back = f"{target.name}_{relation}", f"{other}{owner.name}_{relation}"
    else:
        relation = f"{owner.name}To{target.name}" if is_self else ""
        forward, back = target.name, f"{other}{owner.name}"

    fk = r.fk
    required = any(not c.nullable for c in owner.table.columns if c.name in r.columns)
    args = [naming.string(relation)] if relation else []
    args.append(f"fields: {naming.field_list(owner.fields[c] for c in r.columns)}")
    args.append(f"references: {naming.field_list(target.fields[c] for c in r.ref_columns)}")
    defaults = {"onDelete": "Restrict" if required else "SetNull", "onUpdate": "Cascade"}
    for arg, action in (("onDelete", fk.on_delete), ("onUpdate", fk.on_update)):
        value = _ACTIONS[action]
        if value == defaults[arg]:
            continue
        if value == "SetNull" and required and not flavour.set_null_on_required:
            owner.notes.append(f"{_fk_text(fk)} ON {_sql_event(arg)} SET NULL on a required column")
            continue
        args.append(f"{arg}: {value}")
    default_name = prisma_names.foreign_key_name(owner.table.name, r.columns, flavour.provider)
    if flavour.named_keys and fk.name and fk.name != default_name:
        args.append(f"map: {naming.string(fk.name)}")
    if fk.deferral is not Deferral.IMMEDIATE:
        owner.notes.append(f"{_fk_text(fk)} {fk.deferral.value}")

    forward_attrs = [f"@relation({', '.join(args)})"] + (["@ignore"] if target.ignored else [])
    forward_type = target.name + ("" if required else "?")
    owner.block.fields.append(
        FieldLine(naming.unique(forward, owner.taken), forward_type, forward_attrs)
    )
    back_type = owner.name + ("?" if owner.is_unique(r.columns) else "[]")
    back_attrs = [f"@relation({naming.string(relation)})"] if relation else []
    if owner.ignored:
        back_attrs.append("@ignore")
    target.block.fields.append(FieldLine(naming.unique(back, target.taken), back_type, back_attrs))


def _sql_event(arg: str) -> str:
    return "DELETE" if arg == "onDelete" else "UPDATE"


def _add_many_to_many(
    models: Mapping[str, PulledModel], j: JoinTable, ambiguous: set[tuple[str, str]]
) -> None:
    a, b = models[j.a], models[j.b]
    is_self = j.a == j.b
    if _pair(j.a, j.b) in ambiguous:
        relation, suffix = j.relation, j.table
    else:
        default = f"{a.name}To{b.name}"
        relation = "" if j.relation == default and not is_self else j.relation
        suffix = ""
    attrs = [f"@relation({naming.string(relation)})"] if relation else []
    a_field = f"{b.name}{suffix}" + ("_A" if is_self else "")
    b_field = f"{a.name}{suffix}" + ("_B" if is_self else "")
    a.block.fields.append(FieldLine(naming.unique(a_field, a.taken), b.name + "[]", list(attrs)))
    b.block.fields.append(FieldLine(naming.unique(b_field, b.taken), a.name + "[]", list(attrs)))
