"""The datasource's ``extensions = [...]`` (PostgreSQL, with the preview feature
``postgresqlExtensions``): the extensions ``prisma db push`` makes before the tables.

Each item is a name, or a call with the string arguments ``map`` (the extension's name in
the database, when it is no Prisma identifier: ``uuid_ossp(map: "uuid-ossp")``), ``schema``
and ``version``. The checks and their wording are Prisma's.
"""

from __future__ import annotations

from trueup.model import Extension
from trueup.sources.prisma.source import fail
from trueup.sources.prisma.syntax import Array, Call, Const, Document, Expr, Num, Property, Str

PREVIEW_FEATURE = "postgresqlExtensions"
_ARGUMENTS = ("map", "schema", "version")


def preview_features(doc: Document) -> frozenset[str]:
    """The preview features of all generators, in lower case (Prisma ignores the case)."""
    out: set[str] = set()
    for config in doc.configs("generator"):
        prop = config.get("previewFeatures")
        if prop is not None and isinstance(prop.value, Array):
            out.update(i.value.lower() for i in prop.value.items if isinstance(i, Str))
    return frozenset(out)


def read_extensions(prop: Property, doc: Document) -> tuple[Extension, ...]:
    """The extensions the property lists, in the order Prisma makes them (by name), each
    database name once."""
    if PREVIEW_FEATURE.lower() not in preview_features(doc):
        raise fail(
            prop.pos,
            f"The `extensions` property is only available with the `{PREVIEW_FEATURE}` "
            "preview feature.",
            hint=f'Add previewFeatures = ["{PREVIEW_FEATURE}"] to the generator block.',
        )
    # A lone value is a list of one, as everywhere in Prisma's schemas.
    items = prop.value.items if isinstance(prop.value, Array) else (prop.value,)
    found: list[tuple[str, Extension]] = []
    for item in items:
        if isinstance(item, Const):
            found.append((item.name, Extension(item.name)))
        elif isinstance(item, Call):
            found.append((item.name, _extension(item)))
        else:
            raise fail(
                item.pos,
                f"Expected a constant or function value, but received {_described(item)}.",
            )
    out: dict[str, Extension] = {}
    for _, ext in sorted(found, key=lambda pair: pair[0]):
        out.setdefault(ext.name, ext)
    return tuple(out.values())


def _extension(call: Call) -> Extension:
    values: dict[str, str] = {}
    for arg in call.args:
        if arg.name is None:
            raise fail(arg.pos, "Error validating: The argument must have a name")
        if arg.name in values:
            raise fail(
                arg.pos, f"Error validating: The argument `{arg.name}` can only be defined once"
            )
        if not isinstance(arg.value, Str):
            shown = _described(arg.value) if arg.value is not None else "nothing"
            raise fail(arg.pos, f"Expected a string value, but received {shown}.")
        if arg.name not in _ARGUMENTS:
            raise fail(arg.pos, f'Argument not known: "{arg.name}".')
        values[arg.name] = arg.value.value
    return Extension(values.get("map", call.name), values.get("schema"), values.get("version"))


def _described(value: Expr) -> str:
    if isinstance(value, Str):
        return f'string value `"{value.value}"`'
    if isinstance(value, Num):
        return f"numeric value `{value.text}`"
    if isinstance(value, Array):
        return "array value"
    return "function value" if isinstance(value, Call) else "constant value"
