"""The push: inspect, diff, plan, check, apply, verify, all inside one locked transaction.

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
from trueup.diff.differ import diff, reset_changes
from trueup.diff.renames import NO_RENAMES, Renames
from trueup.errors import UnsafePlan
from trueup.model import Schema
from trueup.plan import Finding, Plan, Risk
from trueup.plan.checks import check
from trueup.plan.risk import RESET
from trueup.urls import DatabaseURL

DEFAULT_LOCK_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class PushResult:
    plan: Plan
    applied: bool
    elapsed: float


def make_plan(
    session: Session,
    desired: Schema,
    dialect: Dialect,
    *,
    renames: Renames = NO_RENAMES,
    force_reset: bool = False,
) -> Plan:
    """The plan that turns the session's database into ``desired``, with its findings
    measured on the data. With ``force_reset`` the plan empties the database first."""
    current = session.inspect()
    if force_reset:
        changes = reset_changes(current, desired, dialect.hooks)
        planned = dialect.plan(changes, current, desired)
        if current.is_empty:
            return planned
        reset = Finding(
            RESET,
            Risk.CAUTION,
            "The database will be reset: every table, view and trigger is dropped and the "
            "schema is created anew. All data will be lost.",
        )
        return planned.with_findings((reset,))
    changes = diff(current, desired, dialect.hooks, renames=renames)
    planned = dialect.plan(changes, current, desired)
    if planned.is_empty:
        return planned
    return planned.with_findings(check(planned.changes, current, session, dialect))


def plan_for(
    url: DatabaseURL,
    desired: Schema,
    *,
    renames: Renames = NO_RENAMES,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ignore: Callable[[str], bool] | None = None,
    force_reset: bool = False,
) -> Plan:
    """Read-only: the plan a push would run now (for ``diff`` and dry runs)."""
    dialect = get_dialect(url.engine, ignore=ignore)
    with dialect.connect(url, create=False) as session:
        session.begin(write=False, timeout=lock_timeout)
        try:
            return make_plan(session, desired, dialect, renames=renames, force_reset=force_reset)
        finally:
            session.rollback()


def refusal(plan: Plan, *, accept_data_loss: bool) -> UnsafePlan | None:
    """The error a push stops with under this policy, or None when it may go ahead.

    Steps that cannot work on the data stop the push even with ``accept_data_loss``: only a
    reset gets past them. Data loss stops it unless accepted.
    """
    blocking = plan.blocking(accept_data_loss=accept_data_loss)
    if not blocking:
        return None
    unexecutable = [f for f in blocking if f.risk is Risk.UNEXECUTABLE]
    losing = [f for f in blocking if f.risk is Risk.DATA_LOSS]
    parts = []
    if unexecutable:
        lines = "\n".join(f"  • {f.message}" for f in unexecutable)
        parts.append(f"⚠️ We found changes that cannot be executed:\n\n{lines}")
    if losing:
        lines = "\n".join(f"  • {f.message}" for f in losing)
        parts.append(f"⚠️  There might be data loss when applying the changes:\n\n{lines}")
    if unexecutable:
        hint = (
            "Nothing was changed. Fix the data first, or use the --force-reset flag to drop "
            "the database before push like `trueup push --force-reset`. All data will be lost."
        )
    else:
        hint = (
            "Nothing was changed. Use the --accept-data-loss flag to ignore the data loss "
            "warnings like `trueup push --accept-data-loss`."
        )
    return UnsafePlan("\n\n".join(parts), hint=hint, plan=plan)


def push(
    url: DatabaseURL,
    desired: Schema,
    *,
    accept_data_loss: bool = False,
    force_reset: bool = False,
    dry_run: bool = False,
    renames: Renames = NO_RENAMES,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_plan: Callable[[Plan], None] | None = None,
    on_step: StepCallback | None = None,
    ignore: Callable[[str], bool] | None = None,
    before_apply: Callable[[Plan], None] | None = None,
    expected_steps: tuple[str, ...] | None = None,
) -> PushResult:
    """Make the database at ``url`` equal ``desired``.

    Raises UnsafePlan when the plan would lose data and ``accept_data_loss`` is not set, or
    has steps the data makes impossible and ``force_reset`` is not set (the database is left
    untouched); ApplyError when a statement fails or the result does not verify (the
    transaction is rolled back, the database is left untouched).

    ``before_apply(plan)`` runs once the plan is accepted and before its first statement,
    while the push holds the lock and nothing has been written yet (the pre-push backup);
    if it raises, nothing is applied. ``expected_steps`` is the plan someone already agreed
    to: if the database changed meanwhile and the plan is different, nothing is applied.
    """
    started = time.perf_counter()
    dialect = get_dialect(url.engine, ignore=ignore)
    with dialect.connect(url, create=not dry_run) as session:
        session.begin(write=not dry_run, timeout=lock_timeout)
        try:
            plan = make_plan(session, desired, dialect, renames=renames, force_reset=force_reset)
            if on_plan:
                on_plan(plan)
            if dry_run or plan.is_empty:
                session.rollback()
                return PushResult(plan, False, time.perf_counter() - started)
            if expected_steps is not None and tuple(plan.sql) != expected_steps:
                raise UnsafePlan(
                    "The database changed while the plan was being confirmed; the plan is "
                    "no longer the one that was shown.",
                    hint="Nothing was changed. Run the push again to see the new plan.",
                    plan=plan,
                )
            if not force_reset:
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
