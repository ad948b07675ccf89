"""The rules for whole tables: one dropped (``DL101``), a virtual table dropped or made
again (``DL105``)."""

from __future__ import annotations

from trueup.diff import changes as ch
from trueup.model import Table
from trueup.plan import risk
from trueup.plan.checks.conditions import CheckedTable
from trueup.plan.checks.context import Checks
from trueup.plan.checks.words import plural_rows
from trueup.plan.plan import Finding, Risk


def drop_table(checks: Checks, t: CheckedTable) -> list[Finding]:
    n = checks.rows(t)
    if n == 0:
        return []
    if n is None:
        message = (
            f"You are about to drop the `{t.shown}` table. If the table is not empty, all "
            "the data it contains will be lost."
        )
    else:
        message = f"You are about to drop the `{t.shown}` table, which is not empty ({n} rows)."
    return [Finding(risk.DROP_TABLE, Risk.DATA_LOSS, message, table=t.name, rows=n, count=n)]


def drop_virtual_table(checks: Checks, name: str, change: ch.Change) -> list[Finding]:
    n = checks.count(CheckedTable(name, Table(name)))
    if n == 0:
        return []
    again = " and created again" if isinstance(change, ch.ModifyVirtualTable) else ""
    held = f"the {plural_rows(n)} it holds" if n is not None else "the data it holds"
    return [
        Finding(
            risk.DROP_VIRTUAL_TABLE,
            Risk.DATA_LOSS,
            f"The virtual table `{name}` will be dropped{again}; {held} will be lost.",
            table=name,
            rows=n,
            count=n,
        )
    ]
