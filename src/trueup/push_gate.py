"""The gate of a push: what stops a plan before anything is written. A plan that would lose
data (not accepted) or cannot run on the data, a plan other than the one that was agreed
to, a database whose schema changed since a reviewed plan was made against it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.errors import UnsafePlan
from trueup.plan import Plan, Risk

if TYPE_CHECKING:
    from trueup.push_options import PushOptions


def refusal(plan: Plan, *, accept_data_loss: bool) -> UnsafePlan | None:
    """The error a push stops with under this policy, or None when it may go ahead.

    Steps that cannot work on the data stop the push even with ``accept_data_loss``: only a
    reset gets past them. Data loss stops it unless accepted.
    """
    blocking = plan.blocking(accept_data_loss=accept_data_loss)
    if not blocking:
        return None
    from trueup.plan.risk import EMPTY_SCHEMA

    unexecutable = [f for f in blocking if f.risk is Risk.UNEXECUTABLE]
    losing = [f for f in blocking if f.risk is Risk.DATA_LOSS]
    parts = []
    if unexecutable:
        lines = "\n".join(f"  • {f.message}" for f in unexecutable)
        parts.append(f"⚠️ We found changes that cannot be executed:\n\n{lines}")
    if losing:
        lines = "\n".join(f"  • {f.message}" for f in losing)
        parts.append(f"⚠️  There might be data loss when applying the changes:\n\n{lines}")
    if any(f.code == EMPTY_SCHEMA for f in unexecutable):
        hint = (
            "Nothing was changed. Check that the schema file is the one you meant and that it "
            "is whole (a truncated file, or a volume that was not mounted, reads as an empty "
            "schema). To empty the database on purpose, use --force-reset: all data is lost."
        )
    elif unexecutable:
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


def check_fingerprint(fingerprint: str | None, options: PushOptions) -> None:
    """Stop unless the database's schema is the one a reviewed plan was made against (when
    there is one). Checked before the data steps run: nothing has been written."""
    if options.expected_fingerprint is not None and fingerprint != options.expected_fingerprint:
        raise UnsafePlan(
            "The database schema is no longer the one the plan was made against.",
            hint="Nothing was changed. Make the plan again (trueup diff --format json "
            "-o FILE), review it, and push that.",
        )


def gate(plan: Plan, options: PushOptions) -> None:
    """Stop (raise UnsafePlan, nothing written) unless ``plan`` may be applied: it is the
    plan that was agreed to (when one was), and under the data-loss policy it is safe (a
    reset is past this: the person asked for all data to go)."""
    if options.expected_steps is not None and plan.statements != options.expected_steps:
        raise UnsafePlan(
            "The database changed while the plan was being confirmed; the plan is "
            "no longer the one that was shown.",
            hint="Nothing was changed. Run the push again to see the new plan.",
            plan=plan,
        )
    if not options.force_reset:
        refused = refusal(plan, accept_data_loss=options.accept_data_loss)
        if refused:
            raise refused
