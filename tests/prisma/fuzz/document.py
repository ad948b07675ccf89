"""Whole schemas Prisma accepts: the datasource (``relationMode``, ``schemas``,
``extensions``), a generator with preview features, enums, models, views, relations and
indexes, spread over one file or a folder of several."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.prisma.fuzz.ast import (
    Arg,
    Array,
    Attr,
    Block,
    Call,
    Document,
    EnumValue,
    Name,
    Prop,
    Str,
)
from tests.prisma.fuzz.choose import Chooser, Draw
from tests.prisma.fuzz.indexes import add_indexes
from tests.prisma.fuzz.models import MODEL_NAMES, mapped_name, new_model
from tests.prisma.fuzz.plan import Plan
from tests.prisma.fuzz.relations import add_relation
from tests.prisma.fuzz.spelling import attribute
from tests.prisma.fuzz.values import POSTGRESQL

ENUM_NAMES = ("Role", "Status", "Color", "Kind", "lower_enum")
ENUM_VALUES = ("A", "B", "ADMIN", "USER", "red", "Green", "in_progress", "DONE", "x1")
SCHEMA_NAMES = ("public", "auth", "billing", "Mixed", "other")


@st.composite
def documents(draw: Draw, provider: str, major: int = 6, *, plain: bool = False) -> Document:
    """A schema for ``provider`` that Prisma ``major`` accepts (nearly always: what it
    rejects is checked too, as an invalid schema); ``plain``: in the usual spelling."""
    return document(Chooser(draw, plain=plain), provider, major)


def document(c: Chooser, provider: str, major: int = 6) -> Document:
    plan = Plan(c, provider, major, c.pick(["db", "db", "main"]))
    plan.relation_mode_prisma = c.chance(0.15)
    if plan.postgres and c.chance(0.2):
        plan.schemas = c.some(SCHEMA_NAMES, 1, 3)
    if plan.postgres and c.chance(0.05):
        plan.extensions = [c.pick(["citext", "pgcrypto"])]
        plan.preview.append("postgresqlExtensions")
    views = c.chance(0.06)
    if views:
        plan.preview.append("views")
    blocks: list[Block] = []
    for name in c.some(ENUM_NAMES, 0, 2):
        blocks.append(_enum(plan, name))
    for name in c.some(MODEL_NAMES, 1, 4):
        plan.models.append(new_model(plan, name))
    pairs: dict[frozenset[str], int] = {}
    for _ in range(c.integers(0, 3)):
        add_relation(plan, pairs)
    for model in plan.models:
        add_indexes(plan, model)
    if views:
        plan.models.append(new_model(plan, c.pick(["ActiveUser", "Summary"]), keyword="view"))
    if c.chance(0.04):
        ignored = new_model(plan, "Legacy", ignored=True)
        ignored.block.attrs.append(attribute(c, "ignore"))
        plan.models.append(ignored)
    blocks += [m.block for m in plan.models]
    blocks.append(_datasource(plan))
    if plan.preview or c.chance(0.6):
        blocks.append(_generator(plan))
    for model in plan.models:
        if c.chance(0.3):
            model.block.fields = c.shuffled(model.block.fields)
    blocks = c.shuffled(blocks)
    doc = Document(provider, blocks, [0] * len(blocks))
    if c.chance(0.15):
        count = c.integers(2, 3)
        doc.file_names = ["schema.prisma", *(f"part{i}.prisma" for i in range(1, count))]
        doc.placement = [c.integers(0, count - 1) for _ in blocks]
    return doc


def _enum(plan: Plan, name: str) -> Block:
    c = plan.c
    values = c.some(ENUM_VALUES, 1, 4)
    plan.enums[name] = values
    block = Block("enum", name)
    for value in values:
        attrs = (
            (attribute(c, "map", ("name", Str(mapped_name(plan, value)))),)
            if c.chance(0.15)
            else ()
        )
        block.values.append(EnumValue(value, attrs))
    if c.chance(0.15):
        block.attrs.append(attribute(c, "map", ("name", Str(mapped_name(plan, name)))))
    if plan.schemas:
        schema = c.pick(plan.schemas)
        plan.enum_schemas[name] = schema
        block.attrs.append(Attr("schema", (Arg(None, Str(schema)),)))
    return block


def _datasource(plan: Plan) -> Block:
    c = plan.c
    block = Block("datasource", plan.datasource)
    provider = plan.provider
    if provider == POSTGRESQL and c.chance(0.15):
        provider = "postgres"
    block.props.append(Prop("provider", Str(provider)))
    if plan.major < 7:
        block.props.append(Prop("url", Call("env", (Arg(None, Str("DATABASE_URL")),))))
        env_url = Call("env", (Arg(None, Str("DATABASE_URL")),))
        if c.chance(0.05):
            block.props.append(Prop("directUrl", env_url))
        if c.chance(0.03):
            block.props.append(Prop("shadowDatabaseUrl", env_url))
    if plan.relation_mode_prisma:
        block.props.append(Prop("relationMode", Str("prisma")))
    elif c.chance(0.05):
        block.props.append(Prop("relationMode", Str("foreignKeys")))
    if plan.schemas:
        listed = list(plan.schemas)
        if c.chance(0.2):
            listed.append("unused_schema")
        block.props.append(Prop("schemas", Array(tuple(Str(s) for s in c.shuffled(listed)))))
    if plan.extensions:
        items = []
        for ext in plan.extensions:
            items.append(Call(ext, (Arg("schema", Str("public")),)) if c.chance(0.3) else Name(ext))
        block.props.append(Prop("extensions", Array(tuple(items))))
    block.props = [block.props[0], *c.shuffled(block.props[1:])]
    return block


def _generator(plan: Plan) -> Block:
    c = plan.c
    block = Block("generator", c.pick(["client", "client", "js"]))
    block.props.append(
        Prop("provider", Str(c.pick(["prisma-client-js", "prisma-client-js", "prisma-client"])))
    )
    if block.props[0].value == Str("prisma-client"):
        block.props.append(Prop("output", Str("../generated")))
    features = list(plan.preview)
    if c.chance(0.15):
        features.append(c.pick(["relationJoins", "nativeDistinct", "strictUndefinedChecks"]))
    if features or c.chance(0.2):
        block.props.append(Prop("previewFeatures", Array(tuple(Str(f) for f in features))))
    return block
