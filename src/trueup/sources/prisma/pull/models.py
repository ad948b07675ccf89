"""One table as a Prisma model: its scalar fields, key, unique and plain indexes, and a
note for every part of the table Prisma cannot declare. Relations are added afterwards
(:mod:`.relations`), once every model's name is known."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from trueup.model import Column, Index, IndexPart, Table
from trueup.sources.prisma import names as prisma_names
from trueup.sources.prisma.pull import naming
from trueup.sources.prisma.pull.defaults import default_attribute
from trueup.sources.prisma.pull.flavours import FieldType, Flavour, PulledEnum
from trueup.sources.prisma.pull.text import Block, FieldLine

# PostgreSQL access methods and the index type Prisma names each by.
_INDEX_TYPES = {"hash": "Hash", "gist": "Gist", "gin": "Gin", "spgist": "SpGist", "brin": "Brin"}
IGNORED_DOC = (
    "The underlying table does not contain a valid unique identifier and can therefore "
    "currently not be handled by Prisma Client."
)


@dataclass(slots=True)
class PulledModel:
    """A model in the making, with what relations need to know about it."""

    table: Table
    block: Block
    fields: dict[str, str]  # column name -> field name
    types: dict[str, FieldType]  # column name -> its field's type
    criteria: list[frozenset[str]]  # column sets of the key and each unique index
    taken: set[str]  # field names in use
    notes: list[str] = field(default_factory=list)
    ignored: bool = False

    @property
    def name(self) -> str:
        return self.block.name

    def is_unique(self, columns: tuple[str, ...]) -> bool:
        return frozenset(columns) in self.criteria


def build_model(
    table: Table, name: str, flavour: Flavour, enums: Mapping[str, PulledEnum]
) -> PulledModel:
    block = Block("model", name)
    model = PulledModel(table, block, {}, {}, [], set())
    pk = table.primary_key
    pk_columns = pk.columns if pk is not None else ()
    field_names = naming.assign(
        list(table.column_names), lambda i, n: naming.sanitize(n, f"column_{i + 1}"), model.taken
    )
    for col, field_name in zip(table.columns, field_names, strict=True):
        model.fields[col.name] = field_name
        model.types[col.name] = flavour.field_type(col, enums)
    for col in table.columns:
        block.fields.append(_field(model, col, pk_columns, flavour))
    _primary_key(model, flavour)
    for index in table.indexes:
        _index(model, index, flavour)
    for check in table.checks:
        head = f"CONSTRAINT {_quoted(check.name)} " if check.name else ""
        model.notes.append(f"{head}CHECK ({check.expression.text})")
    model.notes += list(table.options)
    if table.comment:
        model.notes.append(f"the table's comment {naming.string(table.comment)}")
    if name != table.name:
        block.attributes.append(f"@@map({naming.string(table.name)})")
    if not any(_all_required(model, c) for c in model.criteria):
        model.ignored = True
        block.docs.append(IGNORED_DOC)
    return model


def finish(model: PulledModel) -> None:
    """Last touches once relations are in: block attributes in Prisma's order, the notes
    on top."""
    order = ("@@id", "@@unique", "@@index", "@@map")
    model.block.attributes.sort(key=lambda a: order.index(a.split("(")[0]))
    if model.ignored:
        model.block.attributes.append("@@ignore")
    if model.notes:
        model.block.notes.append(
            f"Prisma cannot declare these parts of the table {_quoted(model.table.name)} "
            "(trueup push with this schema would remove or change them):"
        )
        model.block.notes += [f"  - {n}" for n in model.notes]


def _field(
    model: PulledModel, col: Column, pk_columns: tuple[str, ...], flavour: Flavour
) -> FieldLine:
    ftype = model.types[col.name]
    name = model.fields[col.name]
    is_key = col.name in pk_columns
    optional = col.nullable
    if is_key and col.nullable:
        optional = False  # Prisma requires key fields; see the note
        model.notes.append(f"the key column {_quoted(col.name)} allows NULL")
    attrs: list[str] = []
    single_int_key = pk_columns == (col.name,) and ftype.name == "Int" and ftype.unsupported is None
    if flavour.autoincrement(col, single_int_key):
        attrs.append("@default(autoincrement())")
        if not col.autoincrement:
            model.notes.append(
                f"the column {_quoted(col.name)} has no AUTOINCREMENT (Prisma adds it to "
                "every single-column Int @id)"
            )
        if col.default is not None:
            model.notes.append(f"the column {_quoted(col.name)} has DEFAULT {col.default.text}")
    elif (default := default_attribute(col, ftype, flavour)) is not None:
        attrs.append(f"@default({default})")
    if name != col.name:
        attrs.append(f"@map({naming.string(col.name)})")
    if ftype.native is not None:
        attrs.append(f"@db.{ftype.native}")
    if col.generated is not None:
        kind = "STORED" if col.generated.stored else "VIRTUAL"
        model.notes.append(
            f"the column {_quoted(col.name)} is GENERATED ALWAYS AS "
            f"({col.generated.expression.text}) {kind}"
        )
    column = f"the column {_quoted(col.name)}"
    if col.identity is not None:
        model.notes.append(f"{column} is GENERATED {col.identity} AS IDENTITY")
    if col.collation is not None:
        model.notes.append(f"{column} has COLLATE {col.collation}")
    if col.comment:
        model.notes.append(f"{column} has the comment {naming.string(col.comment)}")
    if col.not_null_conflict:
        model.notes.append(f"{column} is NOT NULL ON CONFLICT {col.not_null_conflict}")
    if ftype.is_list and not col.nullable:
        model.notes.append(f"{column} (a list) is NOT NULL")
    return FieldLine(name, ftype.text(optional), attrs)


def _primary_key(model: PulledModel, flavour: Flavour) -> None:
    pk = model.table.primary_key
    if pk is None:
        return
    args: list[str] = []
    default_name = prisma_names.primary_key_name(model.table.name, flavour.provider)
    if flavour.named_keys and pk.name and pk.name != default_name:
        args.append(f"map: {naming.string(pk.name)}")
    if pk.parts:
        shown = ", ".join(_part_text(p) for p in pk.parts)
        model.notes.append(f"PRIMARY KEY ({shown})")
    if pk.on_conflict:
        model.notes.append(f"ON CONFLICT {pk.on_conflict} on the primary key")
    model.criteria.append(frozenset(pk.columns))
    fields = [model.fields[c] for c in pk.columns]
    if len(fields) == 1:
        line = model.block.field(fields[0])
        assert line is not None
        line.attributes.insert(0, "@id" + (f"({', '.join(args)})" if args else ""))
    else:
        model.block.attributes.append(f"@@id({', '.join([naming.field_list(fields), *args])})")


def _index(model: PulledModel, index: Index, flavour: Flavour) -> None:
    table = model.table
    plain = all(
        p.column is not None and p.column in model.fields and p.collation is None
        for p in index.parts
    )
    method = index.method
    if (
        not plain
        or index.where is not None
        or index.include
        or (method is not None and (index.unique or method not in _INDEX_TYPES))
    ):
        model.notes.append(_index_text(index))
        return
    columns = index.columns
    provider = flavour.provider
    if index.unique:
        default_name = prisma_names.unique_name(table.name, columns, provider)
    else:
        default_name = prisma_names.index_name(table.name, columns, provider)
    if index.constraint:
        model.notes.append(
            f"the unique constraint on ({', '.join(columns)}) is part of the table "
            f"(Prisma makes it the unique index {_quoted(index.name or default_name)})"
        )
    if index.on_conflict:
        model.notes.append(f"ON CONFLICT {index.on_conflict} on {_index_text(index)}")
    nulls = [f"NULLS {p.nulls} on {p.column}" for p in index.parts if p.nulls]
    if index.nulls_not_distinct:
        nulls.append("NULLS NOT DISTINCT")
    if nulls:
        kind = "constraint" if index.constraint else "index"
        unique = "unique " if index.unique else ""
        model.notes.append(f"{' and '.join(nulls)} of the {unique}{kind} {_quoted(index.name)}")
    name_arg = []
    if index.name is not None and index.name != default_name:
        name_arg = [f"map: {naming.string(index.name)}"]
    if index.unique:
        model.criteria.append(frozenset(columns))
    part = index.parts[0]
    line = model.block.field(model.fields[columns[0]])
    if (
        index.unique
        and len(columns) == 1
        and part.opclass is None
        and line is not None
        and not any(a.startswith("@unique") for a in line.attributes)
    ):
        args = [*name_arg, *(["sort: Desc"] if part.descending else [])]
        line.attributes.insert(0, "@unique" + (f"({', '.join(args)})" if args else ""))
        return
    fields = naming.field_list(_index_field(model, p) for p in index.parts)
    args = [fields, *name_arg]
    if method is not None:
        args.append(f"type: {_INDEX_TYPES[method]}")
    kind = "@@unique" if index.unique else "@@index"
    model.block.attributes.append(f"{kind}({', '.join(args)})")


def _index_field(model: PulledModel, part: IndexPart) -> str:
    assert part.column is not None
    name = model.fields[part.column]
    args = []
    if part.descending:
        args.append("sort: Desc")
    if part.opclass is not None:
        args.append(f"ops: raw({naming.string(part.opclass)})")
    return f"{name}({', '.join(args)})" if args else name


def _all_required(model: PulledModel, columns: frozenset[str]) -> bool:
    for name in columns:
        line = model.block.field(model.fields.get(name, ""))
        if line is None or line.type.endswith(("?", "[]")):
            return False
    return True


def _part_text(part: IndexPart) -> str:
    text = part.column if part.column is not None else str(part.expression)
    if part.collation:
        text += f" COLLATE {part.collation}"
    if part.opclass:
        text += f" {part.opclass}"
    if part.descending:
        text += " DESC"
    if part.nulls:
        text += f" NULLS {part.nulls}"
    return text


def _index_text(index: Index) -> str:
    kind = "unique index" if index.unique else "index"
    name = f" {_quoted(index.name)}" if index.name else ""
    using = f" USING {index.method}" if index.method else ""
    text = f"{kind}{name}{using} on ({', '.join(_part_text(p) for p in index.parts)})"
    if index.include:
        text += f" INCLUDE ({', '.join(index.include)})"
    if index.nulls_not_distinct:
        text += " NULLS NOT DISTINCT"
    if index.where is not None:
        text += f" WHERE {index.where.text}"
    return text


def _quoted(name: str | None) -> str:
    return '"' + (name or "").replace('"', '""') + '"'
