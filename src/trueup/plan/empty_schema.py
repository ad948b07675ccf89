"""The guard against a declared schema that declares nothing at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.plan.plan import Finding, Plan, Risk
from trueup.plan.risk import EMPTY_SCHEMA

if TYPE_CHECKING:
    from trueup.model import Schema
    from trueup.sources.declared import Declared


def guard_empty_schema(plan: Plan, declared: Declared, current: Schema) -> Plan:
    """``plan`` with a finding that stops it when the declared schema declares nothing at
    all and the database holds tables: a truncated file or a mount that came up empty reads
    as exactly that, and would drop every table. Accepting data loss does not go past it;
    only ``force_reset``, which says the emptying is meant, does."""
    held = sorted({t.name for t in current.tables} | {t.name for t in current.virtual_tables})
    if not declared.schema.is_empty or not held:
        return plan
    shown = ", ".join(held[:10]) + (", ..." if len(held) > 10 else "")
    what = declared.path or "The declared schema"
    finding = Finding(
        EMPTY_SCHEMA,
        Risk.UNEXECUTABLE,
        f"{what} declares nothing (no table, no model), and the database holds "
        f"{len(held)} table{'s' if len(held) != 1 else ''} ({shown}): the push would drop "
        "every one of them.",
        count=len(held),
    )
    return plan.with_findings((*plan.findings, finding))
