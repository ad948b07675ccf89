"""The rules for enums: labels removed while rows still hold them (``DL106``)."""

from __future__ import annotations

from collections.abc import Sequence

from trueup.diff import changes as ch
from trueup.plan import risk
from trueup.plan.checks.conditions import CheckedTable, HoldsAnyOf
from trueup.plan.checks.context import Checks
from trueup.plan.checks.words import plural
from trueup.plan.plan import Finding, Risk


def values_removed(
    checks: Checks, name: str, schema: str | None, old: Sequence[str], new: Sequence[str]
) -> list[Finding]:
    removed = tuple(v for v in old if v not in new)
    if not removed:
        return []
    total = 0
    examples: tuple[object, ...] = ()
    example_label = ""
    used_in: list[str] = []
    unknown = False
    enum_type = checks.dialect.enum_type_name(name, schema)
    for table in checks.current.tables:
        for col in table.columns:
            if col.type.rstrip("[]") != enum_type:
                continue
            t = CheckedTable(table.name, table)
            # An array of the enum (Prisma's `Role[]`): a row that holds any of the removed
            # values in it.
            where = HoldsAnyOf(col.name, removed, array=col.type.endswith("[]"))
            n = checks.count(t, where)
            if n is None:
                unknown = True
            elif n:
                total += n
                used_in.append(f"{plural(n, 'row', 'rows')} in `{t.shown}`.`{col.name}`")
                if not examples:
                    examples = checks.examples(t, where)
                    example_label = risk.example_text(checks.key_label(t), examples)
    listed = ",".join(removed)
    if total:
        message = (
            f"The values [{listed}] on the enum `{name}` will be removed, but they are "
            f"still used: {ch.and_list(used_in)}{example_label}."
        )
        return [
            Finding(
                risk.ENUM_VALUE_REMOVED,
                Risk.UNEXECUTABLE,
                message,
                count=total,
                examples=examples,
            )
        ]
    if unknown:
        message = (
            f"The values [{listed}] on the enum `{name}` will be removed. If these variants "
            "are still used in the database, this will fail."
        )
        return [Finding(risk.ENUM_VALUE_REMOVED, Risk.CAUTION, message)]
    return []
