"""The plan stage of a push: the declared schema loaded, the pending data steps run, the
database inspected and compared, the plan made and its findings measured on the data. A dry
run (and ``diff``) is this stage alone, in a transaction that is then rolled back: what it
shows is the plan a push would apply."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from trueup import history
from trueup.diff.renames import NO_RENAMES, Renames
from trueup.plan import Finding, Plan, Risk
from trueup.push_gate import check_fingerprint
from trueup.push_load import load_declared
from trueup.steps import AFTER, BEFORE, DataStep, run_data_step

if TYPE_CHECKING:
    from trueup.engines.base import Dialect, Session
    from trueup.model import Schema
    from trueup.push_load import Desired
    from trueup.push_quick import QuickKey
    from trueup.push_session import Run
    from trueup.sources.declared import Declared

# The differ and the checks are imported where they are used: a push on a database that is
# already in sync (every container start) never needs them.


@dataclass(frozen=True, slots=True)
class Planned:
    """A plan made under a push's lock, with what applying it needs (see
    :func:`trueup.push_apply.apply_push`)."""

    run: Run
    plan: Plan
    declared: Declared
    #: The database's schema the plan was made against (after the ``before`` data steps).
    current: Schema
    #: The schema the plan makes: the declared one, plus what the source cannot declare and
    #: the database has (kept as it is).
    wanted: Schema
    #: The rename hints the plan followed: the declared schema's and the push's own.
    hints: Renames
    #: The fingerprint of the database's schema before the push (when asked for).
    fingerprint: str | None = None
    key: QuickKey | None = None


def plan_push(run: Run, desired: Desired, key: QuickKey | None = None) -> Planned:
    """The plan that makes the database equal ``desired``, with its findings. Writes only
    the ``before`` data steps, in the push's transaction (after ``run.backup``), so that the
    plan is made against what they leave; nothing is committed."""
    session, dialect, options = run.session, run.dialect, run.options
    declared, early = load_declared(session, desired)
    renames = options.renames
    hints = declared.renames.merged(renames) if renames else declared.renames
    fingerprint = None
    if options.with_fingerprint or options.expected_fingerprint is not None:
        from trueup.fingerprint import schema_fingerprint

        fingerprint = schema_fingerprint(early or session.inspect())
    check_fingerprint(fingerprint, options)
    before, after = pending_steps(session, dialect, declared)
    if before and run.backup is not None:
        # The steps write first: the backup must come before them.
        run.backup.before_first_write(Plan(dialect.name, before_steps=before, after_steps=after))
    before = tuple(run_data_step(session, dialect, step) for step in before)
    # Data steps that ran may have changed the schema: read it again after them.
    current = early if early is not None and not before else session.inspect()
    from trueup.unmanaged import keep_unmanaged

    wanted = keep_unmanaged(current, declared.schema, declared.unmanaged, declared.kept_defaults)
    plan = make_plan(
        session,
        wanted,
        dialect,
        renames=hints,
        force_reset=options.force_reset,
        current=current,
        client_defaults=declared.client_defaults,
    )
    if not options.force_reset:
        from trueup.plan.empty_schema import guard_empty_schema

        plan = guard_empty_schema(plan, declared, current)
    plan = replace(plan, before_steps=before, after_steps=after)
    if after and plan.findings:
        from trueup.orphans import counted_after_the_steps

        plan = plan.with_findings(counted_after_the_steps(plan.findings))
    return Planned(run, plan, declared, current, wanted, hints, fingerprint, key)


def pending_steps(
    session: Session, dialect: Dialect, declared: Declared
) -> tuple[tuple[DataStep, ...], tuple[DataStep, ...]]:
    """The declared data steps the database's history does not have as done: those that
    run before the schema change, and those that run after it."""
    done = history.steps_done(session, dialect) if declared.steps else set()
    pending = [s for s in declared.steps if s.hash not in done]
    before = tuple(s for s in pending if s.when == BEFORE)
    after = tuple(s for s in pending if s.when == AFTER)
    return before, after


def make_plan(
    session: Session,
    desired: Schema,
    dialect: Dialect,
    *,
    renames: Renames = NO_RENAMES,
    force_reset: bool = False,
    current: Schema | None = None,
    client_defaults: frozenset[tuple[str | None, str, str]] = frozenset(),
) -> Plan:
    """The plan that turns the session's database (``current``, inspected when not given)
    into ``desired``, with its findings measured on the data. With ``force_reset`` the plan
    empties the database first. ``client_defaults``: see ``Declared``."""
    from trueup.diff.differ import diff, reset_changes
    from trueup.engines.base import NO_EXTRAS
    from trueup.plan.checks import check
    from trueup.plan.risk import RESET
    from trueup.plan.unmodelled import left_alone

    if current is None:
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
    # What the objects have besides the schema (owners, privileges, comments): an object
    # the plan drops and makes again gets it back.
    extras = session.extras(current) if changes else NO_EXTRAS
    planned = dialect.plan(changes, current, desired, extras)
    left = left_alone(current, desired)
    if planned.is_empty:
        return planned.with_findings(left) if left else planned
    findings = check(planned.changes, current, session, dialect, client_defaults=client_defaults)
    return planned.with_findings(left + findings)
