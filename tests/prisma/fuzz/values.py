"""Types and default values: Prisma's scalar types, PostgreSQL's native types with valid
arguments, and for each type the defaults Prisma accepts (literals of every kind, the
generator functions, ``dbgenerated("…")``), written out as expressions."""

from __future__ import annotations

from dataclasses import dataclass

from tests.prisma.fuzz.ast import Arg, Array, Call, Expr, Name, Num, Str
from tests.prisma.fuzz.choose import Chooser

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

SCALARS = ("String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes")
#: Types a key (an id, a unique, a foreign key) can be made of, and how often.
KEY_SCALARS = ("Int", "String", "String", "Int", "BigInt", "DateTime", "Boolean", "Decimal")


@dataclass(frozen=True)
class Native:
    """``@db.NAME(ARGS)`` on PostgreSQL; ``length`` bounds a string default's length."""

    name: str
    args: tuple[str, ...] = ()
    length: int | None = None

    def attr_name(self, datasource: str) -> str:
        """``db.VarChar``: its prefix is the datasource's name."""
        return f"{datasource}.{self.name}"


def native_type(c: Chooser, scalar: str) -> Native | None:
    """A PostgreSQL native type for ``scalar`` (None: the default type), with valid
    arguments."""
    if not c.chance(0.45):
        return None
    if scalar == "String":
        n = c.pick([1, 2, 10, 36, 64, 255, 1000])
        return c.pick(
            [
                Native("Text"),
                Native("VarChar"),
                Native("VarChar", (str(n),), n),
                Native("Char", (str(n),), n),
                Native("Char", (), 1),
                Native("Uuid"),
                Native("Xml"),
                Native("Inet"),
                Native("Bit", (str(min(n, 64)),), -min(n, 64)),
                Native("VarBit"),
                Native("VarBit", (str(min(n, 64)),), -min(n, 64)),
            ]
        )
    if scalar == "Int":
        return c.pick([Native("Integer"), Native("SmallInt"), Native("Oid")])
    if scalar == "BigInt":
        return Native("BigInt")
    if scalar == "Float":
        return c.pick([Native("Real"), Native("DoublePrecision")])
    if scalar == "Decimal":
        precision = c.pick([1, 5, 10, 18, 38, 65, 1000])
        scale = c.pick([s for s in (0, 1, 2, precision) if s <= precision])
        return c.pick(
            [Native("Decimal"), Native("Decimal", (str(precision), str(scale))), Native("Money")]
        )
    if scalar == "DateTime":
        digits = str(c.integers(0, 6))
        name = c.pick(["Timestamp", "Timestamptz", "Time", "Timetz"])
        return c.pick([Native(name), Native(name, (digits,)), Native("Date")])
    if scalar == "Boolean":
        return Native("Boolean")
    if scalar == "Json":
        return c.pick([Native("Json"), Native("JsonB")])
    if scalar == "Bytes":
        return Native("ByteA")
    return None


WORDS = ("", "a", "hello", "Hello World", "x-1", "O'Brien", "tab\there", "naïve ✓", "0")
JSON_TEXTS = ("{}", "[]", '{"a": 1}', '[1, "two", null]', "null", "true", "1.5", '"s"')
DATES = ("2020-01-01T00:00:00Z", "2024-02-29T12:30:45.123Z", "1999-12-31T23:59:59+02:00")
UUIDS = ("6f9619ff-8b86-d011-b42d-00cf4fc964ff", "00000000-0000-0000-0000-000000000000")


def string_literal(c: Chooser, native: Native | None) -> Str | None:
    if native is not None and native.name == "Uuid":
        return Str(c.pick(UUIDS))
    if native is not None and native.name == "Inet":
        return Str(c.pick(["127.0.0.1", "10.0.0.0/8", "::1"]))
    if native is not None and native.name == "Xml":
        return Str(c.pick(["<a/>", "<b>text</b>"]))
    if native is not None and native.length is not None and native.length < 0:
        width = -native.length if native.name == "Bit" else c.integers(1, -native.length)
        return Str("".join(c.pick("01") for _ in range(width)))
    word = c.pick(WORDS)
    if c.chance(0.15):
        # An escape Prisma's string grammar takes (JSON's).
        return Str('a"b\\c', raw='a\\"b\\\\c') if c.chance(0.5) else Str("é", raw="\\u00e9")
    limit = native.length if native is not None and native.length else None
    if limit is not None:
        word = word[:limit]
    return Str(word)


def _functions(c: Chooser, native: Native | None) -> Expr | None:
    """uuid(), cuid(), nanoid(), ulid() in their every form, where the column is wide
    enough for what they make."""
    width = native.length if native is not None and native.length else 1000
    if native is not None and native.name in ("Inet", "Xml", "Bit", "VarBit"):
        return None
    if native is not None and native.name == "Uuid":
        return Call("uuid", c.pick([(), (Arg(None, Num("4")),), (Arg(None, Num("7")),)]))
    options: list[Expr] = []
    if width >= 36:
        options += [Call("uuid"), Call("uuid", (Arg(None, Num(c.pick(["4", "7"]))),))]
        options += [Call("cuid"), Call("cuid", (Arg(None, Num(c.pick(["1", "2"]))),))]
    if width >= 26:
        options.append(Call("ulid"))
    if width >= 21:
        options.append(Call("nanoid"))
    if width >= 2:
        size = str(c.integers(2, min(width, 255)))
        options.append(Call("nanoid", (Arg(c.pick([None, None, "length"]), Num(size)),)))
    return c.pick(options) if options else None


def dbgenerated(c: Chooser, scalar: str, native: Native | None, provider: str) -> Call:
    """``dbgenerated("SQL")`` with SQL the engine takes for the type, or with none."""
    if c.chance(0.2):
        return Call("dbgenerated")
    sql: list[str]
    if provider == SQLITE:
        sql = {
            "Int": ["1", "(1 + 2)", "-5"],
            "BigInt": ["42"],
            "Float": ["1.5"],
            "Decimal": ["2.5"],
            "String": ["'x'", "(lower('ABC'))", "''"],
            "Boolean": ["1", "true"],
            "DateTime": ["CURRENT_TIMESTAMP", "(datetime('now'))"],
        }.get(scalar, ["NULL"])
    else:
        sql = {
            "Int": ["1", "(1 + 2)"],
            "BigInt": ["42"],
            "Float": ["1.5"],
            "Decimal": ["2.5"],
            "String": ["'x'::text", "lower('ABC')"],
            "Boolean": ["true"],
            "DateTime": ["now()", "CURRENT_TIMESTAMP"],
            "Json": ["'{}'::jsonb"],
        }.get(scalar, ["NULL"])
        if native is not None and native.name == "Uuid":
            sql = ["gen_random_uuid()"]
        elif native is not None and native.name in ("Inet", "Xml", "Bit", "VarBit", "Date"):
            sql = ["NULL"]
    return Call("dbgenerated", (Arg(None, Str(c.pick(sql))),))


def number(c: Chooser, scalar: str, native: Native | None) -> Num:
    if scalar in ("Int", "BigInt"):
        if native is not None and native.name == "SmallInt":
            return Num(str(c.integers(-32768, 32767)))
        if native is not None and native.name == "Oid":
            return Num(str(c.integers(0, 100000)))
        big = scalar == "BigInt" and c.chance(0.3)
        value = c.pick(["9007199254740993", "-9223372036854775808"]) if big else None
        return Num(value or c.pick(["0", "1", "-1", "42", "007", "2147483647", "-2147483648"]))
    return Num(c.pick(["0", "1.5", "-0.25", "3", "100.125", "12.0"]))


def literal(c: Chooser, scalar: str, native: Native | None, enum_values: list[str]) -> Expr | None:
    """A literal default of the type (a string, a number, a boolean; for an enum type,
    one of ``enum_values``)."""
    if enum_values:
        return Name(c.pick(enum_values))
    if scalar == "String":
        return string_literal(c, native)
    if scalar in ("Int", "BigInt", "Float"):
        return number(c, scalar, native)
    if scalar == "Decimal":
        if native is not None and native.args and native.args[1] == "0":
            return Num(c.pick(["0", "3", "-7"]))
        if native is not None and native.args and native.args[0] == native.args[1]:
            return Num(c.pick(["0", "0.5"])) if native.args[0] != "1" else Num("0")
        if native is not None and native.args and int(native.args[0]) < 5:
            return Num("0")
        decimal: list[Expr] = [Num("1.5"), Num("-2"), Str("3.25")]
        return c.pick(decimal)
    if scalar == "Boolean":
        return Name(c.pick(["true", "false"]))
    if scalar == "DateTime":
        return Str(c.pick(DATES))
    if scalar == "Json":
        return Str(c.pick(JSON_TEXTS))
    if scalar == "Bytes":
        return Str(c.pick(["", "aGVsbG8=", "AAEC"]))
    return None


def default_for(
    c: Chooser,
    scalar: str,
    native: Native | None,
    provider: str,
    *,
    enum_values: list[str],
    is_list: bool,
    autoincrement: bool,
) -> Expr | None:
    """A default value Prisma accepts for a field of this type; None when none fits."""
    if is_list:
        if scalar in ("Json", "Bytes") or c.chance(0.3):
            return Array(())
        items = [literal(c, scalar, native, enum_values) for _ in range(c.integers(1, 3))]
        return Array(tuple(i for i in items if i is not None))
    options: list[Expr] = []
    value = literal(c, scalar, native, enum_values)
    if value is not None:
        options += [value, value]
    counter = native is None or native.name in ("SmallInt", "Integer", "BigInt")
    if autoincrement and scalar in ("Int", "BigInt") and counter:
        options += [Call("autoincrement")] * 3
    if scalar == "String":
        function = _functions(c, native)
        if function is not None:
            options += [function, function]
    if scalar == "DateTime":
        options += [Call("now")] * 2
    plain = not enum_values and scalar not in ("Json", "Bytes")
    if (plain or (provider == POSTGRESQL and scalar == "Json")) and c.chance(0.25):
        options.append(dbgenerated(c, scalar, native, provider))
    return c.pick(options) if options else None
