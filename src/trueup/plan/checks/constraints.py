"""The rules for CHECK constraints: one the plan adds, counted against the rows that
break it (``DD205``)."""

from __future__ import annotations

from trueup.plan import risk
from trueup.plan.checks.conditions import Breaks, CheckedTable
from trueup.plan.checks.context import Checks
from trueup.plan.checks.words import plural
from trueup.plan.plan import Finding, Risk


def new_check(checks: Checks, t: CheckedTable, expression: str) -> list[Finding]:
    """A CHECK (its declared ``expression``) added to ``t``."""
    where = Breaks(expression)
    n = checks.count(t, where)
    if n == 0:
        return []
    if n is None:
        message = (
            f"A check constraint ({expression}) will be added to the `{t.shown}` table. "
            "Rows that break it will make this step fail."
        )
        return [Finding(risk.NEW_CHECK, Risk.CAUTION, message, table=t.name)]
    examples = checks.examples(t, where)
    message = (
        f"A check constraint ({expression}) cannot be added to the `{t.shown}` table: "
        f"{plural(n, 'row breaks', 'rows break')} it"
        f"{risk.example_text(checks.key_label(t), examples)}."
    )
    return checks.measured(risk.NEW_CHECK, Risk.UNEXECUTABLE, message, t, n, examples)
