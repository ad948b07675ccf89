"""The push: inspect, diff, plan, assess, apply, verify, all inside one locked transaction.

The same function serves ``diff`` and ``push --dry-run`` (read-only, nothing applied), so
what they print is the plan a push would run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from trueup.apply import StepCallback, apply_plan
from trueup.dialects import get_dialect
from trueup.dialects.base import Dialect, Session
from trueup.diff.differ import diff
from trueup.diff.renames import NO_RENAMES, Renames
from trueup.errors import UnsafePlan
from trueup.model import Schema
from trueup.plan import Plan
from trueup.plan.risk import assess
from trueup.urls import DatabaseURL

DEFAULT_LOCK_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class PushResult:
    plan: Plan
    applied: bool
    elapsed: float


def make_plan(
    session: Session, desired: Schema, dialect: Dialect, *, renames: Renames = NO_RENAMES
) -> Plan:
    """The plan that turns the session's database into ``desired``, with its findings."""
    current = session.inspect()
    changes = diff(current, desired, dialect.hooks, renames=renames)
    planned = dialect.plan(changes, current, desired)
    return planned.with_findings(assess(planned.changes, dialect))


def plan_for(
    url: DatabaseURL,
    desired: Schema,
    *,
    renames: Renames = NO_RENAMES,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ignore: Callable[[str], bool] | None = None,
) -> Plan:
    """Read-only: the plan a push would run now (for ``diff`` and dry runs)."""
    dialect = get_dialect(url.engine, ignore=ignore)
    with dialect.connect(url, create=False) as session:
        session.begin(write=False, timeout=lock_timeout)
        try:
            return make_plan(session, desired, dialect, renames=renames)
        finally:
            session.rollback()


def refusal(plan: Plan, *, accept_data_loss: bool) -> UnsafePlan | None:
    """The error a push stops with under this policy, or None when it may go ahead."""
    blocking = plan.blocking(accept_data_loss=accept_data_loss)
    if not blocking:
        return None
    lines = "\n".join(f"  • {f.message}" for f in blocking)
    return UnsafePlan(
        f"⚠️  There might be data loss when applying the changes:\n\n{lines}",
        hint="Nothing was changed. Use the --accept-data-loss flag to apply the changes "
        "anyway, like `trueup push --accept-data-loss`.",
    )


def push(
    url: DatabaseURL,
    desired: Schema,
    *,
    accept_data_loss: bool = False,
    dry_run: bool = False,
    renames: Renames = NO_RENAMES,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_plan: Callable[[Plan], None] | None = None,
    on_step: StepCallback | None = None,
    ignore: Callable[[str], bool] | None = None,
    before_apply: Callable[[Plan], None] | None = None,
) -> PushResult:
    """Make the database at ``url`` equal ``desired``.

    Raises UnsafePlan when the plan would lose data and ``accept_data_loss`` is not set (the
    database is left untouched), ApplyError when a statement fails or the result does not
    verify (the transaction is rolled back, the database is left untouched).

    ``before_apply(plan)`` runs once the plan is accepted and before its first statement,
    while the push holds the lock and nothing has been written yet (the pre-push backup);
    if it raises, nothing is applied.
    """
    started = time.perf_counter()
    dialect = get_dialect(url.engine, ignore=ignore)
    with dialect.connect(url, create=not dry_run) as session:
        session.begin(write=not dry_run, timeout=lock_timeout)
        try:
            plan = make_plan(session, desired, dialect, renames=renames)
            if on_plan:
                on_plan(plan)
            if dry_run or plan.is_empty:
                session.rollback()
                return PushResult(plan, False, time.perf_counter() - started)
            refused = refusal(plan, accept_data_loss=accept_data_loss)
            if refused:
                raise refused
            if before_apply:
                before_apply(plan)
            apply_plan(session, plan, desired, dialect.hooks, on_step=on_step)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return PushResult(plan, True, time.perf_counter() - started)
