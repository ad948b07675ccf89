"""What the database holds that trueup does not manage yet (a partitioned table, an UNLOGGED
one, storage parameters, ...): a push leaves it as it is, and says so, so that a database
it calls in sync is never silently unlike the declared schema."""

from __future__ import annotations

from trueup.model import Schema
from trueup.plan.plan import Finding, Risk
from trueup.plan.risk import UNMODELLED


def left_alone(current: Schema, desired: Schema) -> tuple[Finding, ...]:
    """An information finding for each thing in ``current`` that trueup does not manage,
    and for each materialized view that holds its rows or not unlike ``desired``."""
    return _unmodelled(current) + _populated(current, desired)


def _unmodelled(current: Schema) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            UNMODELLED,
            Risk.INFO,
            f"{u.shown[0].upper()}{u.shown[1:]} has {u.written}, which trueup does not "
            "manage yet: it is left as it is, whatever the schema declares.",
            table=u.table if u.schema is None else f"{u.schema}.{u.table}",
        )
        for u in current.unmodelled
    )


def _populated(current: Schema, desired: Schema) -> tuple[Finding, ...]:
    """A materialized view is made ``WITH NO DATA`` or not as declared; afterwards, whether
    it holds its rows is its data (a REFRESH fills it), which a push leaves as it is."""
    live = {(v.schema, v.name): v for v in current.views if v.materialized}
    out = []
    for view in desired.views:
        found = live.get((view.schema, view.name))
        if not view.materialized or found is None or found.populated == view.populated:
            continue
        name = view.name if view.schema is None else f"{view.schema}.{view.name}"
        state = (
            "holds no rows (REFRESH MATERIALIZED VIEW fills it)"
            if view.populated
            else "holds its rows"
        )
        declared = "with its rows" if view.populated else "WITH NO DATA"
        out.append(
            Finding(
                UNMODELLED,
                Risk.INFO,
                f"The materialized view {name} is declared {declared} and {state}: a push "
                "leaves its rows as they are.",
                table=name,
            )
        )
    return tuple(out)
