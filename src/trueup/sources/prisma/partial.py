"""Partial indexes, Prisma 7's ``partialIndexes`` preview feature: the ``where`` argument of
``@unique``, ``@@unique`` and ``@@index``, checked as Prisma checks it (with Prisma's
wording) and turned into the SQL predicate Prisma writes.

``where: raw("…")`` is SQL, written as it is. ``where: { field: value, … }`` is one
condition per member, joined by ``AND``, on the field's column: ``null`` is ``IS NULL``,
``{ not: null }`` is ``IS NOT NULL``, and a boolean, string or number is compared with
``=`` (``!=`` under ``not``)."""

from __future__ import annotations

from trueup.sources.prisma.attributes import Args
from trueup.sources.prisma.datamodel import ModelDef, ScalarField
from trueup.sources.prisma.source import Pos, fail
from trueup.sources.prisma.syntax import Call, Const, Expr, Num, Object, Str

#: Lower-cased: Prisma reads preview feature names in any case.
PREVIEW_FEATURE = "partialindexes"

_RAW_EXAMPLE = "`where: raw(\"status = 'active'\")`"
_VALUES = "Expected true, false, null, a string, a number, or an object like { not: null }."
_NUMBERS = ("Int", "BigInt", "Float", "Decimal")
_STRINGS = ("String", "DateTime")


def where_predicate(
    args: Args, model: ModelDef, field_names: frozenset[str], preview: frozenset[str]
) -> str | None:
    """The SQL predicate of the attribute's ``where`` argument; None without one.
    ``field_names`` are all the model's fields, relation fields too."""
    value = args.get("where")
    if value is None:
        return None
    if PREVIEW_FEATURE not in preview:
        raise fail(
            args.attr.pos,
            'Partial indexes are a preview feature. Add "partialIndexes" to previewFeatures '
            "in your generator block.",
        )
    if isinstance(value, Object):
        if not value.members:
            raise fail(value.pos, "The `where` argument cannot be an empty object.")
        conditions = [
            _condition(member.value, _field(member.key, member.pos, model, field_names))
            for member in value.members
        ]
        return " AND ".join(conditions)
    if isinstance(value, Call) and value.name == "raw":
        # Prisma reads the first argument, named or not, and ignores any other.
        first = value.args[0].value if value.args else None
        if not isinstance(first, Str):
            raise fail(
                value.pos,
                "The `where` argument must be a raw() function with a string argument, e.g. "
                f"{_RAW_EXAMPLE}.",
            )
        if not first.value:
            raise fail(first.pos, "The `where` argument cannot contain an empty string.")
        return first.value
    raise fail(
        value.pos,
        "The `where` argument must be either a raw() function call or an object literal, "
        f"e.g. {_RAW_EXAMPLE} or `where: {{ active: true }}`.",
    )


def _field(key: str, pos: Pos, model: ModelDef, field_names: frozenset[str]) -> ScalarField:
    scalar = model.field(key)
    if scalar is not None:
        return scalar
    if key in field_names:
        raise fail(
            pos,
            f"Field '{key}' is a relation field. Only scalar fields can be used in the where "
            "clause.",
        )
    raise fail(pos, f"Field '{key}' does not exist in model '{model.name}'.")


def _condition(value: Expr, field: ScalarField, negated: bool = False) -> str:
    column = '"' + field.db_name.replace('"', '""') + '"'
    operator = "!=" if negated else "="
    if isinstance(value, Const) and value.name == "null":
        return f"{column} IS NOT NULL" if negated else f"{column} IS NULL"
    if isinstance(value, Const) and value.name in ("true", "false"):
        _check_type(field, ("Boolean",), "Boolean", value.pos)
        return f"{column} {operator} {value.name}"
    if isinstance(value, Const):
        raise fail(value.pos, f"Invalid value '{value.name}' in where clause. {_VALUES}")
    if isinstance(value, Str):
        _check_type(field, _STRINGS, "a String", value.pos)
        return f"{column} {operator} '" + value.value.replace("'", "''") + "'"
    if isinstance(value, Num):
        _check_type(field, _NUMBERS, "a Number", value.pos)
        return f"{column} {operator} {value.text}"
    if isinstance(value, Object) and not negated:
        if len(value.members) != 1:
            raise fail(
                value.pos,
                "Nested object in where clause must have exactly one key. Use `{ not: null }` "
                'or `{ not: "value" }`.',
            )
        (inner,) = value.members
        if inner.key != "not":
            raise fail(
                inner.pos,
                f"Unknown key '{inner.key}' in nested where clause object. Only 'not' is "
                "supported.",
            )
        return _condition(inner.value, field, negated=True)
    raise fail(value.pos, f"Invalid value in where clause. {_VALUES}")


def _check_type(field: ScalarField, accepted: tuple[str, ...], value_type: str, pos: Pos) -> None:
    if field.type == "Unsupported":
        raise fail(
            pos,
            f"Field '{field.name}' is an unsupported type and cannot be used in the object "
            "syntax of a where clause. Use raw() instead.",
        )
    if field.is_enum:
        if "String" not in accepted:
            raise fail(
                pos,
                f"Type mismatch: field '{field.name}' is an Enum and only accepts String "
                "values in the where clause.",
            )
        return
    if field.type not in accepted:
        raise fail(
            pos,
            f"Type mismatch: field '{field.name}' is of type {field.type}, but the value is "
            f"{value_type}.",
        )
