"""The history stage of a push: what it did, written into the database's history
(:mod:`trueup.history`) in the push's own transaction, so that it is there exactly when
the change is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup import history

if TYPE_CHECKING:
    from trueup.model import Schema
    from trueup.plan import Plan
    from trueup.push_plan import Planned


def record_push(planned: Planned, plan: Plan, result: Schema) -> int:
    """Record the applied ``plan`` (as it ran: its data steps and findings after them) that
    left the database at ``result``; returns the entry's number. Not committed here: the
    entry commits with the change."""
    from trueup.fingerprint import schema_fingerprint

    run, declared = planned.run, planned.declared
    options = run.options
    entry = history.Entry(
        kind="reset" if options.force_reset else "push",
        statements=tuple(plan.sql),
        schema_path=declared.path or None,
        schema_hash=declared.source_hash,
        fingerprint=schema_fingerprint(result),
        findings=tuple(
            {"code": f.code, "risk": f.risk.value, "message": f.message} for f in plan.findings
        ),
        flags={
            "accept_data_loss": options.accept_data_loss,
            "force_reset": options.force_reset,
            "renames": bool(planned.hints),
        },
        backup=run.backup.path if run.backup is not None else None,
        push_key=planned.key.push_key if planned.key is not None else None,
        data_steps=tuple(s.record() for s in (*plan.before_steps, *plan.after_steps)),
    )
    return history.record(run.session, run.dialect, entry)


def record_in_sync(planned: Planned) -> None:
    """Note in the history that the database was found in sync with this source, so that
    the next push from it (the next container start) takes the quick path. Without it a
    database that never needed a change (one ``prisma db push`` made, or one restored from
    a backup) would be read and compared in full on every start. Only written when the
    quick path was tried and missed, so a database stays at one such entry per change; and
    not when the plan has findings (what trueup leaves alone): each push says them again.

    Nothing depends on the entry: if it cannot be written (a user without the right to
    create a view, a read-only file), the push still reports the database in sync."""
    key = planned.key
    if planned.plan.findings or key is None or key.digest is None:
        return
    from trueup.fingerprint import schema_fingerprint

    session = planned.run.session
    entry = history.Entry(
        kind="sync",
        schema_path=planned.declared.path or None,
        schema_hash=planned.declared.source_hash,
        fingerprint=schema_fingerprint(planned.current),
        push_key=key.push_key,
        schema_digest=key.digest,  # nothing changed since the quick path computed it
        outcome="in sync, nothing applied",
    )
    try:
        history.record(session, planned.run.dialect, entry)
        session.commit()
    except Exception:  # the entry is only a shortcut (see the docstring)
        session.rollback()
