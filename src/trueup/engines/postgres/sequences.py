"""Sequences: a standalone one (``CREATE SEQUENCE``) and an identity column's, whose
parameters are read from ``pg_sequence`` and written back as clauses, only those that are
not what PostgreSQL would choose itself."""

from __future__ import annotations

from trueup.engines.postgres.quoting import qualified
from trueup.engines.postgres.types import canonical_type
from trueup.model import Column, SequenceGenerator, SequenceOptions

#: The range of each integer type a sequence counts in.
_LIMITS = {
    "SMALLINT": (-32768, 32767),
    "INTEGER": (-2147483648, 2147483647),
    "BIGINT": (-9223372036854775808, 9223372036854775807),
}


def options_from_catalog(
    type_: str, start: int, increment: int, min_value: int, max_value: int, cache: int, cycle: bool
) -> SequenceOptions:
    return SequenceOptions(
        canonical_type(type_), int(start), int(increment), int(min_value), int(max_value),
        int(cache), bool(cycle),
    )  # fmt: skip


def options_from_text(text: str | None) -> SequenceOptions | None:
    """The options of an identity column as columns.sql writes them
    (``type,start,increment,min,max,cache,cycle``)."""
    if not text:
        return None
    type_, start, increment, low, high, cache, cycle = text.rsplit(",", 6)
    return options_from_catalog(
        type_, int(start), int(increment), int(low), int(high), int(cache), cycle == "t"
    )


def defaults(type_: str, increment: int) -> SequenceOptions:
    """What PostgreSQL chooses for a sequence of ``type_`` counting by ``increment``."""
    low, high = _LIMITS.get(type_, _LIMITS["BIGINT"])
    min_value, max_value = (1, high) if increment > 0 else (low, -1)
    start = min_value if increment > 0 else max_value
    return SequenceOptions(type_, start, increment, min_value, max_value)


def clauses(options: SequenceOptions, *, all_of_them: bool = False) -> list[str]:
    """The option clauses of ``options`` (those PostgreSQL would not choose itself, unless
    ``all_of_them``), in CREATE SEQUENCE's order; the type is not among them."""
    usual = defaults(options.type, options.increment)
    pairs = [
        ("INCREMENT BY", options.increment, 1),
        ("MINVALUE", options.min_value, usual.min_value),
        ("MAXVALUE", options.max_value, usual.max_value),
        ("START WITH", options.start, usual.start),
        ("CACHE", options.cache, 1),
    ]
    out = [
        f"{word} {value}"
        for word, value, usual_value in pairs
        if all_of_them or value != usual_value
    ]
    if all_of_them or options.cycle:
        out.append("CYCLE" if options.cycle else "NO CYCLE")
    return out


def create_sequence(seq: SequenceGenerator) -> str:
    head = f"CREATE SEQUENCE {qualified(seq.name, seq.schema)}"
    if seq.options.type != "BIGINT":
        head += f" AS {seq.options.type}"
    return " ".join([head, *clauses(seq.options)])


def alter_sequence(seq: SequenceGenerator) -> str:
    """Every parameter set to the new one's (the type first, so the limits fit it)."""
    head = f"ALTER SEQUENCE {qualified(seq.name, seq.schema)} AS {seq.options.type}"
    return " ".join([head, *clauses(seq.options, all_of_them=True)])


def identity_clause(col: Column) -> str:
    """``GENERATED ... AS IDENTITY`` with the options its sequence does not take by
    itself (its type is the column's)."""
    text = f"GENERATED {col.identity} AS IDENTITY"
    if col.identity_options is not None:
        chosen = clauses(col.identity_options)
        if chosen:
            text += f" ({' '.join(chosen)})"
    return text


def set_identity_options(options: SequenceOptions) -> str:
    """The ``ALTER COLUMN`` clauses that give an identity column's sequence ``options``."""
    return " ".join(f"SET {clause}" for clause in clauses(options, all_of_them=True))
