"""Run a plan inside the push's transaction and prove the result.

All or nothing: the steps of the in-transaction phase run under a savepoint inside the
transaction the caller opened; any failure raises ApplyError and the caller rolls everything
back. After the steps and the ``after`` data steps, foreign keys are checked (only
violations the plan introduced count), and the database is inspected again: if it does not
equal the declared schema (but for what the after-commit steps make), the push fails too.
The steps of the after-commit phase run once the caller committed (``verify_after``).
"""

from __future__ import annotations

from collections.abc import Callable

from trueup.diff.changes import Change, ModifyTable
from trueup.diff.differ import DiffHooks, diff
from trueup.engines.base import Session
from trueup.errors import ApplyError, TrueupError
from trueup.model import Schema
from trueup.plan import Phase, Plan, Step

SAVEPOINT = "trueup_push"

StepCallback = Callable[[int, int, Step], None]
#: What runs after the schema change and before the checks of the rows it leaves: the
#: ``after`` data steps, and the settling of rows a new foreign key finds without a parent.
Between = Callable[[], None]


def _run_steps(
    session: Session, steps: list[Step], first: int, total: int, on_step: StepCallback | None
) -> None:
    for number, step in enumerate(steps, first):
        if on_step:
            on_step(number, total, step)
        try:
            session.execute(step.sql)
        except TrueupError:
            raise  # already says what is wrong (a damaged or read-only file, ...)
        except Exception as exc:  # any engine error: report it with the statement
            first_line = step.sql.strip().splitlines()[0]
            raise ApplyError(
                f"Statement {number} of {total} failed: {exc}\n    {first_line}"
                + (" …" if "\n" in step.sql.strip() else ""),
                hint="Nothing was changed: the whole push was rolled back.",
            ) from exc


def _run_plan(
    session: Session, plan: Plan, on_step: StepCallback | None, between: Between | None
) -> None:
    """The plan's statements, with ``between`` (the ``after`` data steps) run before the
    steps that check what the data steps leave."""
    steps = plan.in_phase(Phase.IN_TRANSACTION)
    main = [s for s in steps if not s.checks_data]
    last = [s for s in steps if s.checks_data]
    total = len(steps)
    _run_steps(session, main, 1, total, on_step)
    if between:
        between()
    _run_steps(session, last, len(main) + 1, total, on_step)


def _deferred(change: Change, plan: Plan) -> bool:
    """Whether ``change`` is made only by steps of the after-commit phase (PostgreSQL's
    ``CREATE INDEX CONCURRENTLY``): it is not there yet when the transaction ends."""
    later = [s.part for s in plan.in_phase(Phase.AFTER_COMMIT) if s.part is not None]
    if not later or not isinstance(change, ModifyTable):
        return False
    return all(part in later for part in change.changes)


def _refuse_steps_before_the_transaction(plan: Plan) -> None:
    """A push plans inside the transaction it applies in: a step that had to run before
    that transaction began cannot run any more."""
    early = plan.in_phase(Phase.BEFORE_TRANSACTION)
    if early:
        raise ApplyError(
            f"The plan has {len(early)} statement(s) to run before its transaction, which is "
            f"already open: {early[0].sql}",
            hint="Nothing was changed. This is a bug in trueup; please report it.",
        )


def verify_after(session: Session, plan: Plan, desired: Schema, hooks: DiffHooks) -> None:
    """Run the after-commit steps of the plan, then check the whole result."""
    run_outside = getattr(session, "run_outside_transaction", None)
    assert run_outside is not None, "only an engine with statements outside transactions"
    try:
        run_outside([s.sql for s in plan.in_phase(Phase.AFTER_COMMIT)])
    except Exception as exc:
        raise ApplyError(
            f"The schema change was committed, but building an index after it failed: {exc}",
            hint="The rest of the push is in place. Run the push again to build the index "
            "(PostgreSQL may have left it INVALID; the next push drops and builds it again).",
        ) from exc
    remaining = diff(session.inspect(), desired, hooks)
    if remaining:
        names = ", ".join(sorted({type(c).__name__ for c in remaining}))
        raise ApplyError(
            f"After building the indexes the database still differs from the declared schema "
            f"({names}).",
            hint="Run the push again; if it persists, please report it.",
        )


def apply_plan(
    session: Session,
    plan: Plan,
    desired: Schema,
    hooks: DiffHooks,
    *,
    on_step: StepCallback | None = None,
    between: Between | None = None,
) -> Schema:
    """Execute ``plan`` in the open transaction of ``session`` and verify the outcome;
    ``between`` runs after the schema change, before foreign keys are checked. Returns the
    schema the database has now (equal to ``desired``). Raises ApplyError (leaving the
    transaction for the caller to roll back) on failure."""
    _refuse_steps_before_the_transaction(plan)
    session.execute(f"SAVEPOINT {SAVEPOINT}")
    _run_plan(session, plan, on_step, between)
    if plan.checked_tables:
        after = session.constraint_violations(plan.checked_tables)
        if after:
            # Some databases already hold orphan rows; only new ones are the plan's doing.
            # Go back to before the plan, count there, and run the plan again if it is clean.
            session.execute(f"ROLLBACK TO {SAVEPOINT}")
            before = session.constraint_violations(plan.checked_tables)
            new = after - before
            if new:
                lines = [
                    f"    {count} row(s) in {child} without a matching row in {parent}"
                    for (child, parent), count in sorted(new.items())
                ]
                raise ApplyError(
                    "The plan would leave rows that break foreign keys:\n" + "\n".join(lines),
                    hint="Nothing was changed. Give those rows their parent rows in an "
                    "`-- trueup:after` data step (see docs/change-control.md), or change the "
                    "declared foreign keys, then push again.",
                )
            _run_plan(session, plan, None, between)
    result = session.inspect()
    remaining = [c for c in diff(result, desired, hooks) if not _deferred(c, plan)]
    if remaining:
        names = ", ".join(sorted({type(c).__name__ for c in remaining}))
        raise ApplyError(
            "After running the plan the database still differs from the declared schema "
            f"({names}).",
            hint="Nothing was changed. This is a bug in trueup; please report it with the "
            "schema and `trueup inspect --format sql` of the database.",
        )
    session.execute(f"RELEASE {SAVEPOINT}")
    return result
