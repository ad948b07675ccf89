"""The push: inspect, diff, plan, check, apply, verify, all inside one locked transaction.

It runs in stages, each a module of its own: the quick path (:mod:`trueup.push_quick`: a
database left in sync from the same source needs nothing read), the load of the declared
schema (:mod:`trueup.push_load`), the plan (:mod:`trueup.push_plan`), and its twin, the
apply (:mod:`trueup.push_apply`: the gate, :mod:`trueup.push_gate`; the backup,
:mod:`trueup.push_backup`; the plan run and verified; the history, :mod:`trueup.push_record`).
A dry run (and ``diff``) is the plan stage alone, rolled back: what it shows is the plan a
push would run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trueup.engines import find_engine, get_dialect
from trueup.plan import Phase, Plan
from trueup.push_options import DEFAULT_LOCK_TIMEOUT, PushOptions
from trueup.push_quick import in_sync_at_once, quick_key
from trueup.push_session import Run, locked

if TYPE_CHECKING:
    # Imported when first used, not here: the quick path (a database in sync from the same
    # source, every container start) needs none of them.
    from trueup.apply import StepCallback
    from trueup.diff.renames import Renames
    from trueup.engines.base import Dialect, Session
    from trueup.model import Schema
    from trueup.push_gate import refusal
    from trueup.push_load import Desired
    from trueup.push_plan import Planned, make_plan
    from trueup.sources.declared import Declared, Source
    from trueup.urls import DatabaseURL

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "PushOptions",
    "PushResult",
    "make_plan",
    "plan_for",
    "plan_with",
    "push",
    "push_with",
    "refusal",
]


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


def plan_for(
    url: DatabaseURL,
    desired: Schema | Declared | Callable[[], Declared],
    *,
    renames: Renames | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ignore: Callable[[str], bool] | None = None,
    force_reset: bool = False,
) -> Plan:
    """The plan a push would run now, changing nothing (for ``diff`` and dry runs): the plan
    stage of a push, rolled back, so pending data steps are seen as a push sees them."""
    options = PushOptions(
        renames=renames, lock_timeout=lock_timeout, ignore=ignore, force_reset=force_reset
    )
    return plan_with(url, desired, options).plan


# The public keyword API, kept as it was; the stages read these as one PushOptions.
def push(  # noqa: PLR0913
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
    (:mod:`trueup.history`). With ``dry_run`` only the plan is made (:func:`plan_with`).
    The other keyword arguments are those of :class:`PushOptions`.
    """
    options = PushOptions(
        accept_data_loss=accept_data_loss,
        force_reset=force_reset,
        renames=renames,
        lock_timeout=lock_timeout,
        on_plan=on_plan,
        on_step=on_step,
        ignore=ignore,
        before_apply=before_apply,
        expected_steps=expected_steps,
        expected_fingerprint=expected_fingerprint,
        with_fingerprint=with_fingerprint,
        concurrent_indexes=concurrent_indexes,
    )
    return plan_with(url, desired, options) if dry_run else push_with(url, desired, options)


def _dialect(
    url: DatabaseURL, ignore: Callable[[str], bool] | None, concurrent_indexes: bool
) -> Dialect:
    # Engines that cannot build indexes without blocking writes build them in the
    # transaction.
    concurrent = concurrent_indexes and find_engine(url.engine).capabilities.concurrent_indexes
    options = {"concurrent_indexes": True} if concurrent else {}
    dialect = get_dialect(url.engine, ignore=ignore, **options)
    return dialect


def plan_with(url: DatabaseURL, desired: Desired, options: PushOptions) -> PushResult:
    """The plan stage of a push alone (a dry run): under the push lock, in a transaction
    that is rolled back, so nothing is changed. A database that does not exist yet is
    planned for as an empty one, and not made."""
    started = time.perf_counter()
    dialect = _dialect(url, options.ignore, options.concurrent_indexes)
    missing = dialect.database_missing(url)
    with locked(dialect, url, write=False, missing=missing, timeout=options.lock_timeout) as s:
        planned = _plan(Run(s, dialect, options), desired)
        s.rollback()
        return _not_applied(planned, dialect, s, started)


def push_with(url: DatabaseURL, desired: Desired, options: PushOptions) -> PushResult:
    """The push: the plan stage, then the apply stage, in one transaction under the push
    lock. See :func:`push` for what it raises."""
    started = time.perf_counter()
    dialect = _dialect(url, options.ignore, options.concurrent_indexes)
    missing = dialect.database_missing(url)
    if missing:
        from trueup.push_load import loaded_first

        desired = loaded_first(desired)
    from trueup.push_backup import Backup

    backup = Backup(options.before_apply)
    with locked(dialect, url, write=True, missing=missing, timeout=options.lock_timeout) as s:
        planned = _plan(Run(s, dialect, options, backup), desired)
        if planned is None or planned.plan.is_empty:
            if planned is not None:
                from trueup.push_record import record_in_sync

                record_in_sync(planned)
            s.rollback()
            return _not_applied(planned, dialect, s, started)
        from trueup.push_apply import apply_push

        applied = apply_push(planned)
    elapsed = time.perf_counter() - started
    number, fingerprint = applied.history_id, planned.fingerprint
    return PushResult(applied.plan, True, elapsed, backup.path, number, fingerprint, s.created)


def _plan(run: Run, desired: Desired) -> Planned | None:
    """The quick path, and the plan stage when it misses (None when it does not: the
    database is in sync at once). ``on_plan`` is told the plan either way, under the lock."""
    key = quick_key(run.session, desired, run.options)
    if in_sync_at_once(run.session, run.dialect, key):
        planned, plan = None, Plan(run.dialect.name)
    else:
        from trueup.push_plan import plan_push

        planned = plan_push(run, desired, key)
        plan = planned.plan
    if run.options.on_plan:
        run.options.on_plan(plan)
    return planned


def _not_applied(
    planned: Planned | None, dialect: Dialect, session: Session, started: float
) -> PushResult:
    elapsed = time.perf_counter() - started
    if planned is None:  # in sync at once: nothing was read
        return PushResult(Plan(dialect.name), False, elapsed)
    plan, fingerprint = planned.plan, planned.fingerprint
    return PushResult(plan, False, elapsed, fingerprint=fingerprint, created=session.created)


def __getattr__(name: str) -> object:
    # The plan stage's and the gate's names, kept importable from here, loaded on first use.
    if name in ("make_plan", "Planned"):
        from trueup import push_plan

        return getattr(push_plan, name)
    if name == "refusal":
        from trueup.push_gate import refusal

        return refusal
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
