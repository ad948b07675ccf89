"""Explicit rename hints: the only way a rename enters a plan.

A rename is never guessed (a wrong guess either loses data or keeps stale data). Hints come
from the declared schema or the command line; a hint whose old name no longer exists, or
whose new name already does, is simply not applied, so it can stay in the file after the
rename has happened. Hints that swap names (``a`` to ``b`` and ``b`` to ``a``) cannot be told
done from not done, and the differ refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Renames:
    """``tables`` maps old table name to new; ``columns`` maps (table, old column) to the
    new column name, where ``table`` is the table's new (declared) name."""

    tables: dict[str, str] = field(default_factory=dict)
    columns: dict[tuple[str, str], str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.tables or self.columns)

    def merged(self, other: Renames) -> Renames:
        return Renames({**self.tables, **other.tables}, {**self.columns, **other.columns})


NO_RENAMES = Renames()
