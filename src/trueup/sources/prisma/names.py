"""The names Prisma gives keys, indexes, foreign keys and join tables, cut to what the
engine allows exactly as Prisma cuts them, so a database made by either tool has the same
names."""

from __future__ import annotations

from trueup.sources.prisma.datamodel import POSTGRESQL, SQLITE

#: The longest identifier each engine keeps, in bytes (PostgreSQL's NAMEDATALEN - 1;
#: SQLite has no real limit, Prisma uses 10000).
MAX_IDENTIFIER = {POSTGRESQL: 63, SQLITE: 10000}


def _cut_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[:limit].decode(errors="ignore")


def _name(prefix: str, suffix: str, limit: int) -> str:
    # Prisma cuts when the prefix is *at least* as long as the room left (>=, not >).
    room = limit - len(suffix)
    if len(prefix.encode()) >= room:
        prefix = _cut_bytes(prefix, room)
    return prefix + suffix


def primary_key_name(table: str, provider: str) -> str:
    return _name(table, "_pkey", MAX_IDENTIFIER[provider])


def unique_name(table: str, columns: tuple[str, ...], provider: str) -> str:
    return _name("_".join((table, *columns)), "_key", MAX_IDENTIFIER[provider])


def index_name(table: str, columns: tuple[str, ...], provider: str) -> str:
    return _name("_".join((table, *columns)), "_idx", MAX_IDENTIFIER[provider])


def foreign_key_name(table: str, columns: tuple[str, ...], provider: str) -> str:
    return _name("_".join((table, *columns)), "_fkey", MAX_IDENTIFIER[provider])


def join_table_name(relation: str, provider: str) -> str:
    """``_`` + the relation name, cut to the identifier limit (in characters)."""
    return ("_" + relation)[: MAX_IDENTIFIER[provider]]


def join_table_names(table: str, provider: str) -> dict[str, str]:
    """The names of a join table's key (``AB``), B index and the two foreign keys."""
    limit = MAX_IDENTIFIER[provider]

    def cut(suffix: str) -> str:
        return table[: limit - len(suffix)] + suffix

    # Prisma cuts the A name when the table is longer than the room and the B name when
    # it is at least as long: the code really differs there, and so do the names.
    room = limit - 7
    a_fk = (table[:room] if len(table) > room else table) + "_A_fkey"
    b_fk = (table[:room] if len(table) >= room else table) + "_B_fkey"
    return {
        "pkey": cut("_AB_pkey"),
        "unique": cut("_AB_unique"),
        "b_index": cut("_B_index"),
        "a_fkey": a_fk,
        "b_fkey": b_fk,
    }
