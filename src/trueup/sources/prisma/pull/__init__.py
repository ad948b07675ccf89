"""A live database's schema as a ``schema.prisma`` (what ``prisma db pull`` does), written
so that pushing it into an empty database makes the same schema again.

Prisma's own conventions are followed where they exist: a model per table, names that
are no Prisma identifiers sanitised with ``@@map`` / ``@map``, relations on both sides with
Prisma's relation names, implicit many-to-many tables as list relations, ``@@ignore`` for
tables without a unique criterion. Where Prisma's pull would change the database on the
way back, this one does not: a column type Prisma would not write is ``Unsupported("…")``
and a default it would not write back exactly is ``dbgenerated("…")``. What Prisma cannot
declare at all (CHECK constraints, triggers, views, virtual tables, generated columns,
partial and expression indexes, ...) is listed in comments, so nothing is left out
silently.

The steps: :mod:`.flavours` (per engine: types, literals, names), :mod:`.models` (a table
as a model), :mod:`.relations` (foreign keys and join tables), :mod:`.text` (the layout).
"""

from __future__ import annotations

from trueup.model import Enum, Schema
from trueup.sources.prisma.pull import naming
from trueup.sources.prisma.pull.flavours import PulledEnum, flavour_for
from trueup.sources.prisma.pull.models import PulledModel, build_model, finish
from trueup.sources.prisma.pull.relations import (
    add_relation_fields,
    find_join_tables,
    inline_relations,
)
from trueup.sources.prisma.pull.text import Block, FieldLine, schema_text

__all__ = ["render_prisma"]


def render_prisma(schema: Schema, provider: str) -> str:
    """``schema`` (as inspected from a database of ``provider``: ``sqlite`` or
    ``postgresql``) as the text of a Prisma schema."""
    flavour = flavour_for(provider)
    type_names: set[str] = set()
    footer: list[str] = []
    enums: list[PulledEnum] = []
    lookup: dict[str, PulledEnum] = {}
    for enum in sorted(schema.enums, key=lambda e: e.name):
        if enum.schema is not None or not enum.values:
            footer += _enum_note(enum)
            continue
        pulled = _pulled_enum(enum, type_names)
        enums.append(pulled)
        # A column's type names the enum quoted or not, depending on its spelling.
        lookup['"' + enum.name.replace('"', '""') + '"'] = pulled
        lookup.setdefault(enum.name, pulled)

    tables = sorted(schema.tables, key=lambda t: t.name)
    footer += [
        f"The table {t.schema}.{t.name} (only the default schema is read)."
        for t in tables
        if t.schema is not None
    ]
    tables = [t for t in tables if t.schema is None]
    model_names = naming.assign(
        [t.name for t in tables], lambda _, n: naming.type_name(n, "Model"), type_names
    )
    models: dict[str, PulledModel] = {
        t.name: build_model(t, name, flavour, lookup)
        for t, name in zip(tables, model_names, strict=True)
    }
    joins = find_join_tables(models, flavour)
    inlines = inline_relations(models, joins, flavour)
    add_relation_fields(models, inlines, joins, flavour)

    blocks: list[Block] = []
    for table_name, model in models.items():
        if table_name not in joins:
            finish(model)
            blocks.append(model.block)
    blocks.sort(key=lambda b: b.name)
    blocks += [_enum_block(e) for e in enums]
    return schema_text(provider, blocks, _objects_note(schema, footer))


def _pulled_enum(enum: Enum, type_names: set[str]) -> PulledEnum:
    name = naming.unique(naming.type_name(enum.name, "Enum"), type_names)
    value_names = naming.assign(
        list(enum.values), lambda i, v: naming.sanitize(v, f"value_{i + 1}"), set()
    )
    return PulledEnum(name, enum.name, enum.values, tuple(value_names))


def _enum_block(enum: PulledEnum) -> Block:
    block = Block("enum", enum.name)
    for value, name in zip(enum.values, enum.value_names, strict=True):
        attrs = [] if value == name else [f"@map({naming.string(value)})"]
        block.fields.append(FieldLine(name, "", attrs))
    if enum.name != enum.db_name:
        block.attributes.append(f"@@map({naming.string(enum.db_name)})")
    return block


def _enum_note(enum: Enum) -> list[str]:
    where = f"{enum.schema}.{enum.name}" if enum.schema else enum.name
    values = ", ".join(naming.string(v) for v in enum.values)
    return [f"The enum {where} ({values or 'no values'})."]


def _objects_note(schema: Schema, others: list[str]) -> list[str]:
    """Views, triggers and virtual tables, each as the statement that makes it, and the
    ``others`` Prisma cannot declare."""
    statements: list[str] = []
    for view in schema.views:
        text = view.definition.text
        if not text.upper().startswith("CREATE"):  # PostgreSQL keeps only the query
            kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
            text = f"CREATE {kind} {view.name} AS {text}"
        statements.append(text)
    statements += [v.definition.text for v in schema.virtual_tables]
    statements += [t.definition.text for t in schema.triggers]
    statements += others
    if not statements:
        return []
    lines = [
        "The database also has these, which Prisma cannot declare (trueup push with this "
        "schema would drop them):"
    ]
    for statement in statements:
        lines.append("")
        lines += [line.rstrip() for line in statement.strip().splitlines()]
    return lines
