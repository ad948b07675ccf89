"""``trueup restore BACKUP``: put a backup back in place of the database."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from trueup.cli.backup import database, dir_option, report, retention
from trueup.cli.common import collect_cycles, url_option
from trueup.errors import TrueupError

if TYPE_CHECKING:
    from trueup.backup import BackupFile
    from trueup.urls import DatabaseURL


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

    def confirm(named: BackupFile | None, readable: str) -> bool:
        # Run once the backup passed its check, before anything is changed.
        stranger = _foreign(readable, backup_file, t.url)
        if stranger:
            click.echo(click.style("Warning: ", fg="yellow", bold=True) + stranger, err=True)
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
        timeout=t.settings.lock_timeout,
        confirm=confirm,
        verify=t.settings.backup_verify,
        compress=t.settings.backup_compress,
        retention=retention(t.settings),
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


def _foreign(readable: str, path: str, url: DatabaseURL) -> str | None:
    """A warning when the backup at ``path`` (read from ``readable``: itself, or its
    decompressed copy) has no table in common with the database (or, for an empty one,
    with the declared schema): likely another app's backup, or another database's. None
    when they share a table, or when either side cannot be read."""
    theirs = backup_tables(readable)
    if not theirs:
        return None
    ours = _database_tables(url) or _declared_tables(url)
    if not ours or {n.lower() for n in ours} & {n.lower() for n in theirs}:
        return None
    return (
        f"{path} has no table in common with this database ({_names(theirs)} there; "
        f"{_names(ours)} here). It may be a backup of another app or database."
    )


def _names(tables: set[str], most: int = 5) -> str:
    shown = sorted(tables)[:most]
    return ", ".join(shown) + (f" and {len(tables) - most} more" if len(tables) > most else "")


def backup_tables(path: str) -> set[str] | None:
    """The names of the tables a backup holds: a backup file of an engine (a database
    file, a dump archive) or a trueup JSON export. None when it cannot tell."""
    from trueup.engines import engine_names, find_engine

    with open(path, "rb") as f:
        head = f.read(16)
    try:
        for name in engine_names():
            found = find_engine(name).backup_tables(path, head)
            if found is not None:
                return found
        if head.startswith(b"{"):
            with open(path, "rb") as f:
                header = json.loads(f.readline())
            return {t["name"] for t in header.get("tables", [])}
    except (OSError, ValueError, KeyError):
        return None
    return None


def _database_tables(url: DatabaseURL) -> set[str]:
    from trueup.engines import get_dialect

    try:
        with get_dialect(url.engine).connect(url, create=False) as session:
            session.begin(write=False, timeout=10)
            return {t.name for t in session.inspect().tables}
    except TrueupError:  # missing, or not readable: the restore says so if it matters
        return set()


def _declared_tables(url: DatabaseURL) -> set[str]:
    """The tables of the declared schema, if one is found (an empty database's app)."""
    from trueup.config import find_schema, load_settings
    from trueup.sources import load_schema

    try:
        path = find_schema(load_settings())
        return {t.name for t in load_schema(path, url.engine, url=url).schema.tables}
    except TrueupError:
        return set()
