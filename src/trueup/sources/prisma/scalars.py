"""Scalar fields: built-in types, native types (``@db.X``) and what a ``@default`` means.

Every check here is one Prisma makes before it touches a database; the messages follow
Prisma's where it has one.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from trueup.sources.prisma.attributes import Args
from trueup.sources.prisma.datamodel import POSTGRESQL, Default, NativeType
from trueup.sources.prisma.source import fail
from trueup.sources.prisma.syntax import Array, Attribute, Call, Const, Expr, Num, Str

BUILTIN_TYPES = (
    "String",
    "Boolean",
    "Int",
    "BigInt",
    "Float",
    "Decimal",
    "DateTime",
    "Json",
    "Bytes",
)

# PostgreSQL native types: name -> (the scalar type it serves, min args, max args)
PG_NATIVE_TYPES: dict[str, tuple[str, int, int]] = {
    "SmallInt": ("Int", 0, 0),
    "Integer": ("Int", 0, 0),
    "Oid": ("Int", 0, 0),
    "BigInt": ("BigInt", 0, 0),
    "Decimal": ("Decimal", 0, 2),
    "Money": ("Decimal", 0, 0),
    "Real": ("Float", 0, 0),
    "DoublePrecision": ("Float", 0, 0),
    "VarChar": ("String", 0, 1),
    "Char": ("String", 0, 1),
    "Text": ("String", 0, 0),
    "Inet": ("String", 0, 0),
    "Citext": ("String", 0, 0),
    "Bit": ("String", 0, 1),
    "VarBit": ("String", 0, 1),
    "Uuid": ("String", 0, 0),
    "Xml": ("String", 0, 0),
    "ByteA": ("Bytes", 0, 0),
    "Timestamp": ("DateTime", 0, 1),
    "Timestamptz": ("DateTime", 0, 1),
    "Date": ("DateTime", 0, 0),
    "Time": ("DateTime", 0, 1),
    "Timetz": ("DateTime", 0, 1),
    "Boolean": ("Boolean", 0, 0),
    "Json": ("Json", 0, 0),
    "JsonB": ("Json", 0, 0),
}
_TIME_TYPES = ("Timestamp", "Timestamptz", "Time", "Timetz")

_CLIENT_FUNCTIONS = ("uuid", "cuid", "nanoid", "ulid")
_KNOWN_FUNCTIONS = ("autoincrement", "now", "dbgenerated", *_CLIENT_FUNCTIONS, "auto", "sequence")
# RFC 3339 as Prisma's date parser takes it: `T`, `t` or a space between date and time.
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
# A decimal number as Prisma's Decimal parser takes it, exponent included.
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def native_type(attr: Attribute, field_type: str, provider: str, datasource: str) -> NativeType:
    """The ``@db.X(args)`` attribute ``attr`` of a field of ``field_type``, checked."""
    _, _, name = attr.name.partition(".")
    if provider != POSTGRESQL:
        raise fail(attr.pos, f"Native type {name} is not supported for {provider} connector.")
    if attr.name.split(".")[0] != datasource:
        raise fail(
            attr.pos,
            f"The prefix {attr.name.split('.')[0]} is invalid. It must be equal to the name "
            f"of an existing datasource, here `{datasource}`.",
        )
    spec = PG_NATIVE_TYPES.get(name)
    if spec is None:
        raise fail(attr.pos, f"Native type {name} is not supported for postgresql connector.")
    scalar, least, most = spec
    if field_type != scalar:
        raise fail(
            attr.pos,
            f"Native type {name} is not compatible with declared field type {field_type}, "
            f"expected field type {scalar}.",
        )
    # Native type arguments are positional: Prisma reads their values and nothing else
    # (a name is ignored, `name:` without a value is no argument).
    args: list[int] = []
    for arg in attr.args:
        if arg.value is None:
            continue
        if not isinstance(arg.value, Num) or not arg.value.is_int:
            raise fail(arg.pos, f"Expected a whole number as an argument of {name}.")
        args.append(int(arg.value.text))
    if not least <= len(args) <= most or (name == "Decimal" and len(args) == 1):
        wanted = "2" if name == "Decimal" else str(most)
        raise fail(
            attr.pos,
            f"Native type {name} takes {wanted} optional arguments, but received {len(args)}.",
        )
    if name == "Decimal" and args:
        precision, scale = args
        if not 1 <= precision <= 1000:
            raise fail(attr.pos, "The precision of a Decimal must be between 1 and 1000.")
        if scale > precision or scale < 0:
            raise fail(
                attr.pos,
                f"The scale must not be larger than the precision for the {name} native "
                f"type in Postgres.",
            )
    if name in _TIME_TYPES and args and not 0 <= args[0] <= 6:
        raise fail(attr.pos, f"M can range from 0 to 6. ({name}({args[0]}))")
    if name in ("VarChar", "Char", "Bit", "VarBit") and args and args[0] <= 0:
        raise fail(attr.pos, f"M must be a positive integer. ({name}({args[0]}))")
    if name in ("VarChar", "Char") and args and args[0] > 10485760:
        raise fail(attr.pos, f"The length of {name} must be at most 10485760.")
    return NativeType(name, tuple(args))


def read_default(
    attr: Attribute,
    args: Args,
    field_type: str,
    *,
    is_list: bool,
    enum_values: tuple[str, ...] | None,
    unsupported: bool,
) -> Default:
    """What ``@default(...)`` on a field of ``field_type`` puts in the database."""
    value = args.require("value")
    if args.get("map") is not None:
        args.string("map")
        if not (isinstance(value, Call) and value.name == "autoincrement"):
            # A named default constraint is SQL Server's alone.
            raise args.error(
                "You defined a database name for the default value of a field on the model. "
                "This is not supported by the provider."
            )
    if isinstance(value, Call):
        return _function_default(value, args, field_type, is_list=is_list, unsupported=unsupported)
    if unsupported:
        raise fail(
            value.pos,
            'Only @default(dbgenerated("…")) can be used for Unsupported types.',
        )
    if is_list:
        if not isinstance(value, Array):
            raise fail(value.pos, "The default value of a list field must be a list.")
        for item in value.items:
            _literal(item, field_type, enum_values)
        return Default("value", value)
    if isinstance(value, Array):
        raise fail(value.pos, "The default value of a non-list field cannot be a list.")
    _literal(value, field_type, enum_values)
    return Default("value", value)


def _function_default(
    call: Call, args: Args, field_type: str, *, is_list: bool, unsupported: bool
) -> Default:
    name = call.name
    if name not in _KNOWN_FUNCTIONS:
        raise fail(
            call.pos,
            f"Unknown function in @default(): `{name}` is not known. You can read about the "
            "available functions here: https://pris.ly/d/attribute-functions",
        )
    if name == "dbgenerated":
        if len(call.args) > 1 or any(a.name is not None for a in call.args):
            raise fail(call.pos, "dbgenerated() takes at most one string argument.")
        if not call.args:
            return Default("dbgenerated", None, None)
        sql = call.args[0].value
        if not isinstance(sql, Str):
            raise fail(call.args[0].pos, 'dbgenerated() takes a string, like dbgenerated("0").')
        if not sql.value.strip():
            raise fail(sql.pos, "dbgenerated() does not take an empty string.")
        return Default("dbgenerated", None, sql.value)
    if unsupported:
        raise fail(call.pos, 'Only @default(dbgenerated("…")) can be used for Unsupported types.')
    if name in ("auto", "sequence"):
        raise fail(call.pos, f"The function `{name}()` is not supported on this database.")
    if is_list:
        raise fail(call.pos, "The default value of a list field must be a list.")
    allowed = {
        "autoincrement": ("Int", "BigInt"),
        "now": ("DateTime",),
    }.get(name, ("String",))
    if field_type not in allowed:
        raise fail(
            call.pos,
            f"The function `{name}()` cannot be used on fields of type `{field_type}`.",
        )
    if name == "autoincrement":
        _no_args(call)
        if args.get("map") is not None:
            raise fail(call.pos, "Naming an autoincrement default value is not allowed.")
        return Default("autoincrement")
    if name == "now":
        _no_args(call)
        return Default("now")
    _client_function_args(call)
    return Default("client", call)


def _no_args(call: Call) -> None:
    if call.args:
        raise fail(call.args[0].pos, f"The function `{call.name}()` takes no arguments.")


def _client_function_args(call: Call) -> None:
    if call.name == "ulid":
        _no_args(call)
        return
    # Prisma reads the one argument's value whatever name it is given (nanoid(length: 5)).
    if len(call.args) > 1:
        raise fail(call.pos, f"The function `{call.name}()` takes at most one argument.")
    if not call.args:
        return
    arg = call.args[0].value
    number = int(arg.text) if isinstance(arg, Num) and arg.is_int else None
    if call.name == "uuid" and number not in (4, 7):
        raise fail(call.args[0].pos, "`uuid()` takes an optional version argument of 4 or 7.")
    if call.name == "cuid" and number not in (1, 2):
        raise fail(call.args[0].pos, "`cuid()` takes an optional version argument of 1 or 2.")
    if call.name == "nanoid" and (number is None or not 2 <= number <= 255):
        raise fail(call.args[0].pos, "`nanoid()` takes an optional length between 2 and 255.")


def _literal(value: Expr, field_type: str, enum_values: tuple[str, ...] | None) -> None:
    if enum_values is not None:
        if not isinstance(value, Const) or value.name not in enum_values:
            shown = value.name if isinstance(value, Const) else "this value"
            raise fail(
                value.pos,
                f"The defined default value `{shown}` is not a valid value of the enum "
                f"specified for the field.",
            )
        return
    if field_type in ("Int", "BigInt"):
        if not isinstance(value, Num) or not value.is_int:
            raise fail(value.pos, f"Expected a numeric value, but found `{_shown(value)}`.")
        # Prisma reads both as 64-bit numbers (an Int beyond 32 bits is the database's
        # to refuse, or not).
        limit = 2**63
        if not -limit <= int(value.text) < limit:
            raise fail(value.pos, f"The value {value.text} does not fit into an {field_type}.")
    elif field_type == "Float":
        if not isinstance(value, Num):
            raise fail(value.pos, f"Expected a numeric value, but found `{_shown(value)}`.")
    elif field_type == "Decimal":
        if not isinstance(value, Num | Str) or (
            isinstance(value, Str) and not _DECIMAL.fullmatch(value.value)
        ):
            raise fail(value.pos, f"Expected a numeric value, but found `{_shown(value)}`.")
    elif field_type == "Boolean":
        if not isinstance(value, Const) or value.name not in ("true", "false"):
            raise fail(value.pos, f"Expected a boolean value, but found `{_shown(value)}`.")
    elif field_type in ("String", "Json", "Bytes", "DateTime"):
        _text_literal(value, field_type)


def _text_literal(value: Expr, field_type: str) -> None:
    """A default written as a string: for a Json, Bytes or DateTime field, one it can hold."""
    if not isinstance(value, Str):
        raise fail(value.pos, f"Expected a String value, but found `{_shown(value)}`.")
    if field_type == "Json":
        try:
            json.loads(value.value)
        except ValueError:
            raise fail(value.pos, "The default value is not valid JSON.") from None
    if field_type == "Bytes":
        try:
            base64.b64decode(value.value, validate=True)
        except (binascii.Error, ValueError):
            raise fail(value.pos, "The default value of a Bytes field must be base64.") from None
    if field_type == "DateTime" and not _DATETIME.match(value.value):
        raise fail(
            value.pos,
            "The default value of a DateTime field must be an RFC 3339 date and time, "
            'like "2024-01-31T12:00:00Z".',
        )


def _shown(value: Expr) -> str:
    if isinstance(value, Str):
        return json.dumps(value.value)
    if isinstance(value, Num):
        return value.text
    if isinstance(value, Const | Call):
        return value.name
    return "[…]"
