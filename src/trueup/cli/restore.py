"""``trueup restore BACKUP``: put a backup back in place of the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from trueup.cli.backup import database, dir_option, report
from trueup.cli.common import collect_cycles, url_option
from trueup.errors import TrueupError

if TYPE_CHECKING:
    from trueup.backup import BackupFile


class RestoreDeclined(TrueupError):
    """The person at the terminal said no."""


@click.command("restore")
@click.argument("backup_file", metavar="BACKUP", type=click.Path(dir_okay=False))
@url_option
@dir_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def restore(backup_file: str, url: str | None, folder: str | None, yes: bool) -> None:
    """Replace the database with the backup BACKUP.

    The backup is checked first: a damaged file, or one that is not a backup of this kind
    of database, is refused and nothing changes. Then the current database is backed up
    (reason pre-restore), and the backup is written into it in one transaction. Without
    --yes it asks for confirmation first.
    """
    collect_cycles()
    from trueup.backup import restore as run_restore

    t = database(url, folder=folder)

    def confirm(named: BackupFile | None) -> bool:
        if yes:
            return True
        about = ""
        if named is not None:
            about = f" (taken {named.taken.strftime('%Y-%m-%d %H:%M:%S UTC')}, {named.reason})"
        click.echo(f"Backup {backup_file}{about} passed its check.")
        click.echo(f"Restoring replaces everything in {t.url}; it is backed up first.")
        try:
            return click.confirm("Restore it?", default=False)
        except click.Abort:  # no answer to read (stdin closed)
            click.echo("")
            return False

    result = run_restore(
        t.url,
        backup_file,
        folder=t.settings.backup_dir,
        keep=t.settings.backup_keep,
        timeout=t.settings.lock_timeout,
        confirm=confirm,
    )
    if result is None:
        raise RestoreDeclined(
            "Not restored: nothing was changed.",
            hint="Run again and answer yes, or pass --yes.",
        )
    if result.previous is not None:
        click.echo("The database as it was:")
        report(result.previous)
    click.echo(f"Restored {t.url} from {backup_file}.")
