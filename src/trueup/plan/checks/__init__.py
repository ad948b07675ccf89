"""What a plan puts at risk, measured on the live data before anything runs.

Every finding comes from a typed change plus a query on the current rows: how many rows a
dropped table holds, how many values a dropped column still has, how many NULLs stand in
the way of NOT NULL, how many values would not survive a type change, how many duplicate
groups a new unique key would meet (or a unique key that stays while the type or collation
of a column in it changes), how many orphans a new foreign key, how many rows break a new
CHECK. Each finding carries the count and up to five keys of affected rows.

A condition that holds for no row makes no finding: an empty table or column never blocks.
A query the engine cannot answer (a CHECK naming a column that does not exist yet) gives the
finding without numbers, at the risk the change has without data.

The work is split by job: :mod:`.walk` gives each typed change its rule; the rules
(:mod:`.tables`, :mod:`.columns`, :mod:`.keys`, :mod:`.constraints`, :mod:`.enums`, and
:mod:`trueup.plan.foreign_keys`) decide what to measure, the risk and the message, naming
what they count as data (:mod:`.conditions`); :mod:`.runner` runs the probes, which each
engine writes in its own SQL (``Dialect.probes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trueup.diff import changes as ch
    from trueup.engines.base import Dialect, Session
    from trueup.model import Schema
    from trueup.plan.plan import Finding

#: Columns (schema, table, column) whose default the client makes, not the database
#: (Prisma's ``@default(uuid())``, ``cuid()``, ``nanoid()``, ...).
ClientDefaults = frozenset[tuple[str | None, str, str]]


def check(
    changes: Sequence[ch.Change],
    current: Schema,
    session: Session,
    dialect: Dialect,
    *,
    client_defaults: ClientDefaults = frozenset(),
) -> tuple[Finding, ...]:
    """The findings of ``changes`` against the data behind ``session``."""
    from trueup.plan.checks.context import Checks
    from trueup.plan.checks.walk import run

    return run(Checks(current, session, dialect, client_defaults), changes)
