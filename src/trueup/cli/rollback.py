"""``trueup rollback``: put back the database as it was before a push."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from trueup.cli.backup import database, dir_option, report, retention
from trueup.cli.common import url_option
from trueup.errors import ConfigError

if TYPE_CHECKING:
    from trueup.history import Entry


@click.command("rollback")
@url_option
@dir_option
@click.option(
    "--to",
    "number",
    type=int,
    metavar="N",
    help="Roll back to the state before history entry N (default: the most recent push "
    "that took a backup and is not rolled back yet).",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def rollback(url: str | None, folder: str | None, number: int | None, yes: bool) -> None:
    """Restore the backup a push took before it changed the database.

    The database as it is now is backed up first (reason pre-restore), so a rollback can
    itself be undone with `trueup restore`. The history keeps every entry, those of the
    pushes undone included, and records the rollback as a new entry that names them.
    """
    from trueup import history
    from trueup.backup import restore
    from trueup.engines import get_dialect
    from trueup.fingerprint import schema_fingerprint

    t = database(url, folder=folder)
    dialect = get_dialect(t.url.engine)
    with dialect.connect(t.url, create=False) as session:
        session.begin(write=False, timeout=t.settings.lock_timeout)
        entries = history.entries(session, dialect)
        # The backup holds the history as it was then: the history goes on from this one.
        log = history.log(session, dialect)
    entry = _entry_to_undo(entries, number)
    assert entry.backup is not None

    def confirm(named: object, readable: str) -> bool:
        if yes:
            return True
        click.echo(f"Rolling back history entry #{entry.id} ({entry.kind}, {entry.applied_at}):")
        click.echo(f"the database is replaced by the backup {entry.backup}.")
        try:
            return click.confirm("Roll back?", default=False)
        except click.Abort:
            return False

    result = restore(
        t.url,
        entry.backup,
        folder=t.settings.backup_dir,
        timeout=t.settings.lock_timeout,
        confirm=confirm,
        verify=t.settings.backup_verify,
        compress=t.settings.backup_compress,
        retention=retention(t.settings),
    )
    if result is None:
        click.echo("Rollback cancelled. Nothing was changed.")
        raise SystemExit(3)
    if result.previous is not None:
        report(result.previous)
    with dialect.connect(t.url, create=False) as session:
        session.begin(write=True, timeout=t.settings.lock_timeout)
        try:
            record = history.Entry(
                kind="rollback",
                fingerprint=schema_fingerprint(session.inspect()),
                flags={"to": entry.id, "restored": entry.backup},
                backup=result.previous.backup.path if result.previous else None,
            )
            number_now = history.record(session, dialect, record, after=log)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    click.echo(
        f"Rolled back history entry #{entry.id}: the database is as it was before it "
        f"(recorded as #{number_now})."
    )


def _entry_to_undo(entries: list[Entry], number: int | None) -> Entry:
    """History entry ``number``, else the latest push with a backup not rolled back yet."""
    from trueup import history

    undone = history.undone(entries)
    if number is not None:
        chosen = [e for e in entries if e.id == number]
        if not chosen:
            raise ConfigError(
                f"There is no history entry {number}.", hint="`trueup history` lists them."
            )
        if not chosen[0].backup:
            raise ConfigError(
                f"History entry {number} took no backup, so there is nothing to roll back to.",
                hint="`trueup history` shows which entries have one.",
            )
        return chosen[0]
    with_backup = [
        e for e in entries if e.backup and e.kind in ("push", "reset") and e.id not in undone
    ]
    if with_backup:
        return with_backup[-1]
    raise ConfigError(
        (
            "Every push that took a backup is rolled back already"
            if any(e.backup and e.id in undone for e in entries)
            else "No push in the history of this database took a backup"
        )
        + "; there is nothing to roll back to.",
        hint="`trueup backups` lists backups you can put back with `trueup restore`.",
    )
