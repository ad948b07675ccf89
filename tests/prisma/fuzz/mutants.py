"""Invalid schemas: a valid one with one thing broken (a referenced field dropped, a name
given twice, an argument of the wrong type, a native type's arguments out of range, an
unknown attribute, a relation broken, a list on SQLite, a legacy or malformed spelling).
Prisma decides whether the result is invalid; trueup must decide the same."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from tests.prisma.fuzz.ast import Arg, Attr, Block, Call, Document, Field, Name, Num, Str
from tests.prisma.fuzz.choose import Chooser

Mutation = Callable[[Chooser, Document], str | None]  # what it broke; None: could not here


def _models(doc: Document) -> list[Block]:
    return [b for b in doc.blocks if b.keyword == "model"]


def _pick_field(
    c: Chooser, doc: Document, test: Callable[[Field], bool]
) -> tuple[Block, int] | None:
    spots = [(b, i) for b in _models(doc) for i, f in enumerate(b.fields) if test(f)]
    return c.pick(spots) if spots else None


def _is_relation(f: Field) -> bool:
    return f.attr("relation") is not None and f.attr("relation").arg("fields") is not None  # type: ignore[union-attr]


def drop_referenced_field(c: Chooser, doc: Document) -> str | None:
    """Remove a field an index, an id or a relation names."""
    named: list[tuple[Block, str]] = []
    for block in _models(doc):
        text = " ".join(a.text() for a in block.attrs) + " ".join(
            a.text() for f in block.fields for a in f.attrs if a.name == "relation"
        )
        named += [
            (block, f.name) for f in block.fields if re.search(rf"\b{re.escape(f.name)}\b", text)
        ]
    if not named:
        return None
    block, name = c.pick(named)
    block.fields = [f for f in block.fields if f.name != name]
    return f"dropped {block.name}.{name}, which is referenced"


def duplicate_name(c: Chooser, doc: Document) -> str | None:
    models = _models(doc)
    if not models:
        return None
    block = c.pick(models)
    kind = c.pick(["field", "model", "enum value"])
    if kind == "model" and len(models) > 1:
        other = c.pick([m for m in models if m is not block])
        doc.blocks.append(Block("model", other.name, fields=list(block.fields), attrs=[]))
        return f"a second model {other.name}"
    enums = [b for b in doc.blocks if b.keyword == "enum"]
    if kind == "enum value" and enums:
        enum = c.pick(enums)
        enum.values.append(enum.values[0])
        return f"enum value {enum.values[0].name} twice"
    field = c.pick(block.fields)
    block.fields.append(replace(field, attrs=()))
    return f"field {block.name}.{field.name} twice"


BAD_ATTRIBUTES = [
    Attr("default", (Arg(None, Str("text")),)),
    Attr("default", (Arg(None, Num("1.5")),)),
    Attr("default", (Arg(None, Call("now")),)),
    Attr("default", (Arg(None, Call("autoincrement")),)),
    Attr("default", (Arg(None, Call("nanoid", (Arg(None, Num("1")),))),)),
    Attr("default", (Arg(None, Call("uuid", (Arg(None, Num("5")),))),)),
    Attr("default", (Arg(None, Call("cuid", (Arg(None, Num("3")),))),)),
    Attr("default", (Arg(None, Call("dbgenerated", (Arg(None, Num("5")),))),)),
    Attr("default", (Arg(None, Call("sequence")),)),
    Attr("default", (Arg(None, Name("NOPE")),)),
    Attr("default", ()),
    Attr("unique", (Arg("sort", Name("Up")),)),
    Attr("unique", (Arg("length", Num("10")),)),
    Attr("unique", (Arg("map", Num("5")),)),
    Attr("unique", (Arg("foo", Num("1")),)),
    Attr("id", (Arg("sort", Name("Desc")),)),
    Attr("map", (Arg(None, Num("1")),)),
    Attr("updatedAt"),
    Attr("foo"),
    Attr("db.Text"),
    Attr("db.VarChar", (Arg(None, Str("x")),)),
    Attr("db.VarChar", (Arg(None, Num("-1")),)),
    Attr("db.Decimal", (Arg(None, Num("2")), Arg(None, Num("5")))),
    Attr("db.Timestamp", (Arg(None, Num("7")),)),
    Attr("db.Bit", (Arg(None, Num("0")),)),
    Attr("db.Char", (Arg(None, Num("1")), Arg(None, Num("2")))),
    Attr("db.Nope"),
    Attr("db.Integer"),
    Attr("default", (Arg(None, Num("1")), Arg("map", Str("d")))),
    Attr("ignore", (Arg(None, Num("1")),)),
    Attr("relation", (Arg(None, Str("x")),)),
]


def bad_field_attribute(c: Chooser, doc: Document) -> str | None:
    spot = _pick_field(c, doc, lambda f: True)
    if spot is None:
        return None
    block, i = spot
    attr = c.pick(BAD_ATTRIBUTES)
    if attr.name.startswith("db."):
        datasource = next(b.name for b in doc.blocks if b.keyword == "datasource")
        attr = replace(attr, name=datasource + attr.name[2:])
    block.fields[i] = block.fields[i].with_attr(attr)
    return f"{attr.text()} on {block.name}.{block.fields[i].name}"


BAD_BLOCK_ATTRIBUTES = [
    "@@index([])",
    "@@index([nope])",
    "@@index(fields: [id], fields: [id])",
    "@@unique([id], map: 1)",
    "@@id([])",
    "@@index([id], type: Nope)",
    "@@index([id], type: Gin)",
    "@@index([id], length: 1)",
    "@@index([id(length: 5)])",
    "@@index([id], clustered: true)",
    "@@fulltext([id])",
    '@@schema("nope")',
    "@@map(1)",
    "@@foo",
    "@@ignore(1)",
    '@@index([id], map: "")',
]


def bad_block_attribute(c: Chooser, doc: Document) -> str | None:
    models = _models(doc)
    if not models:
        return None
    block = c.pick(models)
    text = c.pick(BAD_BLOCK_ATTRIBUTES)
    block.attrs.append(Attr("__raw__", (Arg(None, Name(text[2:])),)))
    return f"{text} on {block.name}"


def break_relation(c: Chooser, doc: Document) -> str | None:
    spot = _pick_field(c, doc, _is_relation)
    if spot is None:
        return None
    block, i = spot
    field = block.fields[i]
    relation = field.attr("relation")
    assert relation is not None and relation.args is not None
    how = c.pick(["no references", "no fields", "wrong references", "back relation", "list"])
    if how == "back relation":
        target = next((b for b in _models(doc) if b.name == field.type), None)
        if target is None:
            return None
        target.fields = [f for f in target.fields if f.type != block.name] or target.fields
        return f"removed the back relation of {block.name}.{field.name}"
    if how == "list":
        block.fields[i] = replace(field, modifier="[]")
        return f"relation field {block.name}.{field.name} made a list with fields"
    keep = "fields" if how == "no references" else "references"
    args = tuple(
        a for a in relation.args if a.name != ("references" if keep == "fields" else "fields")
    )
    if how == "wrong references":
        args = tuple(
            Arg("references", Name("nope")) if a.name == "references" else a for a in relation.args
        )
    attrs = tuple(replace(a, args=args) if a.name == "relation" else a for a in field.attrs)
    block.fields[i] = replace(field, attrs=attrs)
    return f"{how} in {block.name}.{field.name}"


def list_or_optional(c: Chooser, doc: Document) -> str | None:
    spot = _pick_field(c, doc, lambda f: f.type in ("Int", "String", "Boolean", "DateTime"))
    if spot is None:
        return None
    block, i = spot
    modifier = c.pick(["[]", "[]?", "?"]) if doc.provider == "sqlite" else c.pick(["[]?", "?"])
    field = block.fields[i]
    block.fields[i] = replace(field, modifier=modifier)
    return f"{block.name}.{field.name} made {field.type}{modifier}"


def remove_ids(c: Chooser, doc: Document) -> str | None:
    models = _models(doc)
    if not models:
        return None
    block = c.pick(models)
    block.attrs = [a for a in block.attrs if a.name not in ("id", "unique")]
    block.fields = [
        replace(f, attrs=tuple(a for a in f.attrs if a.name not in ("id", "unique")))
        for f in block.fields
    ]
    return f"{block.name} without an id or a unique"


AST_MUTATIONS: list[Mutation] = [
    drop_referenced_field,
    duplicate_name,
    bad_field_attribute,
    bad_field_attribute,
    bad_block_attribute,
    break_relation,
    list_or_optional,
    remove_ids,
]


def mutate(c: Chooser, doc: Document) -> str | None:
    """Break ``doc`` in place; what was done (None: nothing could be)."""
    return c.pick(AST_MUTATIONS)(c, doc)


#: Spellings Prisma's grammar has or refuses, put into the text: (what, pattern, new text).
TEXT_MUTATIONS: list[tuple[str, str, str]] = [
    ("legacy colon", r"(?m)^(\s*)([a-z]\w*) (String|Int|Boolean|DateTime)\b", r"\1\2: \3"),
    ("legacy required", r"(?m)^(\s*[a-z]\w* (?:String|Int|Boolean))( |$)", r"\1!\2"),
    ("legacy list", r"(?m)^(\s*[a-z]\w* )(String|Int)( |$)", r"\1[\2]\3"),
    ("trailing comma in arguments", r"(@@?\w+\([^()\n]*)\)", r"\1,)"),
    ("trailing comma in a list", r"(\[[^\[\]\n]+)\]", r"\1,]"),
    ("unterminated string", r'"([^"\n]*)"', r'"\1'),
    ("block without its end", r"(?m)^\}[^\n]*$", ""),
    ("comment between name and type", r"(?m)^(\s*[a-z]\w*) (String|Int)", r"\1 /* c */ \2"),
    ("two trailing comments", r"(?m)^(\s*[a-z]\w* (?:String|Int)[^\n/]*)$", r"\1 /* a */ // b"),
    ("empty argument", r"map: \"[^\"]*\"", r"map:"),
    ("argument twice", r"(@@index\()", r"\1map: \"a\", map: \"b\", "),
    ("lower-case native type", r"@(\w+)\.(?:VarChar|Text|Integer)\b", r"@\1.text"),
    ("dash in a name", r"(?m)^model (\w+)", r"model \1-x"),
    ("digit first in a name", r"(?m)^(\s*)([a-z]\w*) (String|Int)", r"\g<1>1\2 \3"),
    ("model on one line", r"(?m)^model (\w+) \{\s*\n", r"model \1 { "),
    ("unknown block", r"(?m)^model ", r"table "),
    ("stray text", r"(?m)^\}", "}\n}"),
    ("missing type", r"(?m)^(\s*[a-z]\w*) (String|Int)(\??)(?= |$)", r"\1"),
    ("url without env", r"url\s*=\s*env\(\"DATABASE_URL\"\)", r"url = DATABASE_URL"),
    ("unknown provider", r"provider\s*=\s*\"(sqlite|postgresql)\"", r'provider = "oracle"'),
]


def mutate_text(c: Chooser, files: dict[str, str]) -> tuple[dict[str, str], str] | None:
    """One of :data:`TEXT_MUTATIONS` at one place it fits; None where none fits."""
    for what, pattern, new in c.shuffled(TEXT_MUTATIONS)[:4]:
        spots = [(name, m) for name, text in files.items() for m in re.finditer(pattern, text)]
        if not spots:
            continue
        name, match = c.pick(spots)
        text = files[name]
        out = dict(files)
        out[name] = text[: match.start()] + match.expand(new) + text[match.end() :]
        return out, what
    return None
