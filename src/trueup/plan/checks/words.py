"""Pieces of the checks' messages."""

from __future__ import annotations


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def plural_rows(n: int) -> str:
    return plural(n, "row", "rows")


def maybe_renamed(table: str, column: str, dropped: list[str]) -> str:
    """The advice for a required column added while others of its table are dropped: it is
    likely one of them renamed, and a rename keeps the values."""
    which = (
        f"`{dropped[0]}`" if len(dropped) == 1 else "one of " + ", ".join(f"`{d}`" for d in dropped)
    )
    return (
        f"If `{column}` is {which} renamed, say so and its values are kept: "
        f"`--rename {table}.{dropped[0] if len(dropped) == 1 else 'OLD'}={column}`, or a "
        "`@renamed from=...` comment in the schema (see the renames in docs/cli.md)."
    )


def nulls_equal(nulls_not_distinct: bool) -> str:
    """What a finding about duplicates under a unique key says of its NULLs, if anything."""
    return ", with NULLs equal under NULLS NOT DISTINCT" if nulls_not_distinct else ""
