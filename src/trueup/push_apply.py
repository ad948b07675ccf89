"""The apply stage of a push, the twin of its plan stage (:mod:`trueup.push_plan`): the plan
through the gate, the backup taken, the plan and the ``after`` data steps run, the result
verified and recorded, and the push's one transaction committed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trueup.push_gate import gate
from trueup.steps import run_data_step

if TYPE_CHECKING:
    from trueup.model import Schema
    from trueup.plan import Plan
    from trueup.push_plan import Planned


@dataclass(frozen=True, slots=True)
class Applied:
    #: The plan as it ran: its ``after`` data steps as they ran (a step with nothing to do
    #: is marked so), rows without a parent as they were counted after them.
    plan: Plan
    #: The number of the push's entry in the database's history.
    history_id: int


def apply_push(planned: Planned) -> Applied:
    """Apply ``planned.plan`` in the transaction it was made in, under the same lock.

    Raises UnsafePlan (nothing written, the caller rolls back) when the gate stops the
    plan; ApplyError when a statement fails or the result does not verify. If the backup
    fails, nothing is applied either."""
    run, plan = planned.run, planned.plan
    gate(plan, run.options)
    if run.backup is not None:
        run.backup.before_first_write(plan)
    plan, result = apply_and_verify(planned)
    from trueup.push_record import record_push

    number = record_push(planned, plan, result)
    run.session.commit()
    if plan.after:
        from trueup.apply import verify_after

        verify_after(run.session, plan, planned.wanted, run.dialect.hooks)
    return Applied(plan, number)


def apply_and_verify(planned: Planned) -> tuple[Plan, Schema]:
    """Run the plan, the ``after`` data steps and then the settling of rows the new foreign
    keys find without a parent (before the keys are checked), and check that the database
    now equals the wanted schema. Returns the plan as it ran and the schema the database
    has now. Nothing is committed."""
    from trueup.apply import apply_plan
    from trueup.orphans import AfterTheChange

    run, plan, wanted = planned.run, planned.plan, planned.wanted
    session, dialect, options = run.session, run.dialect, run.options
    between = AfterTheChange(
        session,
        dialect,
        plan,
        wanted,
        plan.after_steps,
        run_data_step,
        options.accept_data_loss,
        options.force_reset,
    )
    result = apply_plan(
        session, plan, wanted, dialect.hooks, on_step=options.on_step, between=between
    )
    return between.with_what_was_found(plan), result
