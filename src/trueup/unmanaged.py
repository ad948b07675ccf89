"""What a push takes from the database as it is, because the declared schema's source cannot
declare it (a Prisma schema has no views, triggers, virtual tables, CHECK constraints or
sequences of their own)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trueup.model import Schema, Table


def keep_unmanaged(
    current: Schema,
    desired: Schema,
    unmanaged: frozenset[str],
    kept_defaults: frozenset[tuple[str | None, str, str]] = frozenset(),
) -> Schema:
    """``desired`` with the kinds of object its source cannot declare taken from the
    database as they are (a Prisma schema has no views, triggers, virtual tables or CHECK
    constraints: a push from it leaves the database's own alone, as Prisma does; nor an
    empty schema: one it lists but puts nothing in is read like the others, but not made),
    and the defaults of the ``kept_defaults`` columns that already exist as the
    database has them (a new one gets none)."""
    if not unmanaged and not kept_defaults:
        return desired
    from dataclasses import replace as copy

    out = desired
    if "views" in unmanaged:
        out = copy(out, views=current.views)
    if "triggers" in unmanaged:
        names = {t.name for t in out.tables}
        out = copy(out, triggers=tuple(t for t in current.triggers if t.table in names))
    if "virtual_tables" in unmanaged:
        out = copy(out, virtual_tables=current.virtual_tables)
    if "sequences" in unmanaged:
        out = copy(out, sequences=current.sequences)
    if "namespaces" in unmanaged:
        kinds = (out.tables, out.enums, out.views, out.sequences)
        held = {o.schema for kind in kinds for o in kind}
        kept = (n for n in out.namespaces if n in held or n in current.namespaces)
        out = copy(out, namespaces=tuple(kept))
    if "checks" in unmanaged:
        checks = {(t.schema, t.name): t.checks for t in current.tables}
        out = copy(
            out,
            tables=tuple(copy(t, checks=checks.get((t.schema, t.name), ())) for t in out.tables),
        )
    if kept_defaults:
        live = {(t.schema, t.name): {c.name: c for c in t.columns} for t in current.tables}

        def keep_defaults(table: Table) -> Table:
            found = live.get((table.schema, table.name), {})
            columns = tuple(
                copy(c, default=found[c.name].default)
                if (table.schema, table.name, c.name) in kept_defaults and c.name in found
                else c
                for c in table.columns
            )
            return copy(table, columns=columns)

        out = copy(out, tables=tuple(keep_defaults(t) for t in out.tables))
    return out
