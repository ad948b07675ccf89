"""Finding codes and their sentences.

Each finding has a stable code (documented in docs/findings.md). The wording follows Prisma's
where Prisma has the case, because people search for those sentences; trueup adds the numbers
and example rows it measured. The logic that decides which findings a plan carries, and the
queries behind the numbers, are in :mod:`trueup.plan.checks`.
"""

from __future__ import annotations

from collections.abc import Sequence

EMPTY_SCHEMA = "DL100"
DROP_TABLE = "DL101"
DROP_COLUMN = "DL102"
NARROWING_TYPE = "DL103"
PRIMARY_KEY = "DL104"
DROP_VIRTUAL_TABLE = "DL105"
ENUM_VALUE_REMOVED = "DL106"
COMPUTED_OVER_VALUES = "DL107"
REPOINTED_FOREIGN_KEY = "DL108"
MADE_REQUIRED = "DD201"
REQUIRED_WITHOUT_DEFAULT = "DD202"
NEW_UNIQUE = "DD203"
NEW_FOREIGN_KEY = "DD204"
NEW_CHECK = "DD205"
RESET = "RS301"
UNMODELLED = "UM401"

#: How many example rows a finding names.
EXAMPLES = 5


def example_text(key_names: Sequence[str], examples: Sequence[object]) -> str:
    """`` (for example id 3, 7, 9)``: the keys of some affected rows, or nothing."""
    if not examples:
        return ""
    label = key_names[0] if len(key_names) == 1 else "(" + ", ".join(key_names) + ")"
    shown = ", ".join(_show(e) for e in examples)
    return f" (for example {label} {shown})"


def _show(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bytes):
        return "x'" + value.hex() + "'"
    return str(value)
