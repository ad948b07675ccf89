"""The push: inspect, diff, plan, check, apply, verify, all inside one locked transaction.

The same function serves ``diff`` and ``push --dry-run`` (read-only, nothing applied), so
what they print is the plan a push would run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from trueup import history
from trueup.diff.renames import NO_RENAMES, Renames
from trueup.engines import find_engine, get_dialect
from trueup.errors import UnsafePlan
from trueup.plan import Finding, Phase, Plan, Risk
from trueup.push_session import load_while_inspecting, opened
from trueup.sources.declared import Declared, Source
from trueup.steps import AFTER, BEFORE, run_data_step

if TYPE_CHECKING:
    from trueup.apply import StepCallback
    from trueup.engines.base import Dialect, Session
    from trueup.model import Schema
    from trueup.urls import DatabaseURL

# The differ, the checks and the applier are imported where they are used: a push on a
# database that is already in sync (every container start) never needs them.

DEFAULT_LOCK_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class PushResult:
    plan: Plan
    applied: bool
    elapsed: float
    backup: str | None = None
    history_id: int | None = None
    #: The fingerprint of the database schema the plan was made against (when asked for).
    fingerprint: str | None = None
    #: Whether the push made the database (a new SQLite file, a new PostgreSQL database).
    created: bool = False


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


def plan_for(
    url: DatabaseURL,
    desired: Schema | Declared | Callable[[], Declared],
    *,
    renames: Renames | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ignore: Callable[[str], bool] | None = None,
    force_reset: bool = False,
) -> Plan:
    """The plan a push would run now, changing nothing (for ``diff`` and dry runs): a push
    that rolls back before it applies, so pending data steps are seen as a push sees them."""
    return push(
        url,
        desired,
        dry_run=True,
        renames=renames,
        lock_timeout=lock_timeout,
        ignore=ignore,
        force_reset=force_reset,
    ).plan


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


def push(
    url: DatabaseURL,
    desired: Schema | Declared | Source | Callable[[], Declared],
    *,
    accept_data_loss: bool = False,
    force_reset: bool = False,
    dry_run: bool = False,
    renames: Renames | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_plan: Callable[[Plan], None] | None = None,
    on_step: StepCallback | None = None,
    ignore: Callable[[str], bool] | None = None,
    before_apply: Callable[[Plan], str | None] | None = None,
    expected_steps: tuple[tuple[Phase, str], ...] | None = None,
    expected_fingerprint: str | None = None,
    with_fingerprint: bool = False,
    concurrent_indexes: bool = False,
) -> PushResult:
    """Make the database at ``url`` equal ``desired``: a schema, a declared schema with its
    rename hints and data steps, or a :class:`Source` not read yet (or a function that
    reads one: the schema of another database, say). With a Source, a database that the
    last push left in sync from that very source (same files, same options, schema
    untouched since) is in sync at once, without reading either schema. Where inspecting
    the database waits on a server, it is inspected while the declared schema is read.

    Raises UnsafePlan when the plan would lose data and ``accept_data_loss`` is not set, or
    has steps the data makes impossible and ``force_reset`` is not set (the database is left
    untouched); ApplyError when a statement fails or the result does not verify (the
    transaction is rolled back, the database is left untouched).

    ``before_apply(plan)`` runs once before the first write, while the push holds the lock
    (the pre-push backup; it returns the backup's path, recorded in the history); if it
    raises, nothing is applied. ``expected_steps`` is the plan someone already agreed to: if
    the database changed meanwhile and the plan is different, nothing is applied; so is
    ``expected_fingerprint``, the fingerprint of the schema a reviewed plan was made against.
    A push that changes something records it in the database's history
    (:mod:`trueup.history`).
    """
    started = time.perf_counter()
    # Engines that cannot build indexes without blocking writes build them in the
    # transaction.
    concurrent = concurrent_indexes and find_engine(url.engine).capabilities.concurrent_indexes
    options = {"concurrent_indexes": True} if concurrent else {}
    dialect = get_dialect(url.engine, ignore=ignore, **options)
    missing = dialect.database_missing(url)
    if not dry_run and missing:
        # A database that does not exist yet is made only for a schema that loads: a bad
        # schema file then leaves no empty database file behind. (Nothing to find in sync
        # there, so the quick way loses nothing by this.)
        if isinstance(desired, Source):
            desired.load()
        elif callable(desired):
            desired = desired()
    with opened(dialect, url, dry_run=dry_run, missing=missing) as session:
        session.begin(write=not dry_run, timeout=lock_timeout)
        try:
            push_key = None
            # The schema's digest when the quick way was tried (and missed): what a sync
            # entry records, if the long way then finds nothing to do.
            digest = None
            if isinstance(desired, Source):
                push_key = desired.key() + f"|{sorted(renames.tables.items()) if renames else ''}"
                push_key += f"|{sorted(renames.columns.items()) if renames else ''}"
                quick = not force_reset and expected_fingerprint is None and not with_fingerprint
                digest = session.schema_digest() if quick else None
                if digest is not None and history.in_sync_since_last_push(
                    session, dialect, push_key, digest
                ):
                    plan = Plan(dialect.name)
                    if on_plan:
                        on_plan(plan)  # still under the lock, as on the long way
                    session.rollback()
                    return PushResult(plan, False, time.perf_counter() - started)
            early: Schema | None = None  # the database's schema, read while loading
            namespaces = session.managed()
            if isinstance(desired, Declared):
                declared = desired
            elif isinstance(desired, Source):
                declared, early = load_while_inspecting(session, desired.load)
            elif callable(desired):
                declared, early = load_while_inspecting(session, desired)
            else:
                declared = Declared(desired, path="")
            hints = declared.renames.merged(renames) if renames else declared.renames
            # Schemas (namespaces) the declared schema uses are read too, not just the default.
            session.manage(declared.schema.namespaces)
            if early is not None and session.managed() != namespaces:
                early = None  # read without schemas it now must read
            fingerprint = None
            if with_fingerprint or expected_fingerprint is not None:
                from trueup.fingerprint import schema_fingerprint

                fingerprint = schema_fingerprint(early or session.inspect())
            if expected_fingerprint is not None and fingerprint != expected_fingerprint:
                raise UnsafePlan(
                    "The database schema is no longer the one the plan was made against.",
                    hint="Nothing was changed. Make the plan again (trueup diff --format json "
                    "-o FILE), review it, and push that.",
                )
            done = history.steps_done(session, dialect) if declared.steps else set()
            pending = [s for s in declared.steps if s.hash not in done]
            before = tuple(s for s in pending if s.when == BEFORE)
            after = tuple(s for s in pending if s.when == AFTER)
            backup: str | None = None
            if before and not dry_run and before_apply:
                # The steps write first: the backup must come before them.
                backup = before_apply(Plan(dialect.name, before_steps=before, after_steps=after))
                before_apply = None
            before = tuple(run_data_step(session, dialect, step) for step in before)
            # Data steps that ran may have changed the schema: read it again after them.
            current = early if early is not None and not before else session.inspect()
            from trueup.unmanaged import keep_unmanaged

            wanted = keep_unmanaged(
                current, declared.schema, declared.unmanaged, declared.kept_defaults
            )
            plan = make_plan(
                session,
                wanted,
                dialect,
                renames=hints,
                force_reset=force_reset,
                current=current,
                client_defaults=declared.client_defaults,
            )
            if not force_reset:
                from trueup.plan.empty_schema import guard_empty_schema

                plan = guard_empty_schema(plan, declared, current)
            plan = replace(plan, before_steps=before, after_steps=after)
            if after and plan.findings:
                from trueup.orphans import counted_after_the_steps

                plan = plan.with_findings(counted_after_the_steps(plan.findings))
            if on_plan:
                on_plan(plan)
            if dry_run or plan.is_empty:
                # Not with findings (what trueup leaves alone): each push says them again.
                quiet = not plan.findings
                if not dry_run and quiet and digest is not None and push_key is not None:
                    _record_in_sync(session, dialect, declared, current, push_key, digest)
                session.rollback()
                elapsed = time.perf_counter() - started
                return PushResult(
                    plan, False, elapsed, fingerprint=fingerprint, created=session.created
                )
            if expected_steps is not None and plan.statements != expected_steps:
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
                backup = before_apply(plan)
            from trueup.apply import apply_plan
            from trueup.fingerprint import schema_fingerprint
            from trueup.orphans import AfterTheChange

            # The after steps, then rows new foreign keys find without a parent (settled
            # before the keys are checked).
            between = AfterTheChange(
                session, dialect, plan, wanted, after, run_data_step, accept_data_loss, force_reset
            )
            result = apply_plan(
                session, plan, wanted, dialect.hooks, on_step=on_step, between=between
            )
            plan = between.with_what_was_found(plan)
            after = plan.after_steps  # as they ran: a step with nothing to do is marked so
            entry = history.Entry(
                kind="reset" if force_reset else "push",
                statements=tuple(plan.sql),
                schema_path=declared.path or None,
                schema_hash=declared.source_hash,
                fingerprint=schema_fingerprint(result),
                findings=tuple(
                    {"code": f.code, "risk": f.risk.value, "message": f.message}
                    for f in plan.findings
                ),
                flags={
                    "accept_data_loss": accept_data_loss,
                    "force_reset": force_reset,
                    "renames": bool(hints),
                },
                backup=backup,
                push_key=push_key,
                data_steps=tuple(s.record() for s in (*before, *after)),
            )
            number = history.record(session, dialect, entry)
            session.commit()
            if plan.after:
                from trueup.apply import verify_after

                verify_after(session, plan, wanted, dialect.hooks)
        except BaseException:
            session.rollback()
            raise
    elapsed = time.perf_counter() - started
    return PushResult(plan, True, elapsed, backup, number, fingerprint, session.created)


def _record_in_sync(
    session: Session,
    dialect: Dialect,
    declared: Declared,
    current: Schema,
    push_key: str,
    digest: str,
) -> None:
    """Note in the history that the database was found in sync with this source, so that
    the next push from it (the next container start) takes the quick way. Without it a
    database that never needed a change (one ``prisma db push`` made, or one restored from
    a backup) would be read and compared in full on every start. Only written when the
    quick way was tried and missed, so a database stays at one such entry per change.

    Nothing depends on the entry: if it cannot be written (a user without the right to
    create a view, a read-only file), the push still reports the database in sync."""
    from trueup.fingerprint import schema_fingerprint

    entry = history.Entry(
        kind="sync",
        schema_path=declared.path or None,
        schema_hash=declared.source_hash,
        fingerprint=schema_fingerprint(current),
        push_key=push_key,
        schema_digest=digest,  # nothing changed since the quick way computed it
        outcome="in sync, nothing applied",
    )
    try:
        history.record(session, dialect, entry)
        session.commit()
    except Exception:  # the entry is only a shortcut (see the docstring)
        session.rollback()
