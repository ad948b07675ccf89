"""``trueup backup`` and ``trueup backups``, and the backup a push or a start takes before
it changes anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from trueup.cli import json_output
from trueup.cli.common import Target, collect_cycles, target_of, url_option
from trueup.config import load_settings

if TYPE_CHECKING:
    from trueup.backup import BackupResult
    from trueup.plan import Plan

F = TypeVar("F", bound=Callable[..., Any])


def dir_option(fn: F) -> F:
    return click.option(
        "--dir",
        "folder",
        metavar="DIR",
        help="The backups folder (default: $TRUEUP_BACKUP_DIR, the settings file, then a "
        "'backups' folder beside the database).",
    )(fn)


def database(url: str | None, *, folder: str | None = None, keep: int | None = None) -> Target:
    """The database a backup command works on: --url, $DATABASE_URL, the settings file,
    and last, as for a push, a Prisma config's ``datasource.url`` or the url of the
    schema's datasource."""
    return target_of(load_settings(url=url, backup_dir=folder, backup_keep=keep))


def size(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def report(result: BackupResult, *, err: bool = False) -> None:
    click.echo(f"Backup saved: {result.backup.path}", err=err)
    check = ", integrity check passed" if result.method.kind == "sqlite" else ""
    click.echo(f"  {result.method.description}{check}, {size(result.backup.size)}", err=err)


def backup_hook(t: Target, reason: str, *, err: bool = False) -> Callable[[Plan], str | None]:
    """A hook for push() that backs the database up, under the push's lock and before it
    writes anything. An empty database (a new one) has nothing to save: no backup."""

    def hook(plan: Plan) -> str | None:
        from trueup.backup import backup

        collect_cycles()
        result = backup(
            t.url,
            reason=reason,
            folder=t.settings.backup_dir,
            keep=t.settings.backup_keep,
            timeout=t.settings.lock_timeout,
            skip_empty=True,
        )
        if result is None:
            return None
        report(result, err=err)
        return result.backup.path

    return hook


@click.command("backup")
@url_option
@dir_option
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    metavar="N",
    help="Keep the newest N manual backups, delete older ones (default: $TRUEUP_BACKUP_KEEP, "
    "the settings file, then 10).",
)
def backup_command(url: str | None, folder: str | None, keep: int | None) -> None:
    """Back up the database now.

    SQLite: a consistent copy through SQLite's online backup API, taken while the app keeps
    working. The copy is written under a temporary name, checked with PRAGMA
    integrity_check, fsynced and renamed into place, readable by its owner only.
    """
    collect_cycles()
    from trueup.backup import backup

    t = database(url, folder=folder, keep=keep)
    result = backup(
        t.url,
        reason="manual",
        folder=t.settings.backup_dir,
        keep=t.settings.backup_keep,
        timeout=t.settings.lock_timeout,
    )
    assert result is not None
    report(result)
    if result.removed:
        n = len(result.removed)
        click.echo(
            f"  Removed {n} older manual backup{'s' if n > 1 else ''} "
            f"(keeping the newest {t.settings.backup_keep})."
        )


@click.command("backups")
@url_option
@dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the backups as JSON.")
def backups_command(url: str | None, folder: str | None, as_json: bool) -> None:
    """List the database's backups, newest first: time (UTC), reason, size, file."""
    from trueup.backup import backup_folder, list_backups_of

    if as_json:
        json_output()
    t = database(url, folder=folder)
    where = backup_folder(t.url, t.settings.backup_dir)
    found = list_backups_of(t.url, folder=t.settings.backup_dir)
    if as_json:
        import json

        listed = [
            {
                "path": b.path,
                "taken": b.taken.isoformat(timespec="microseconds").replace("+00:00", "Z"),
                "reason": b.reason,
                "size": b.size,
                "kind": b.kind,
            }
            for b in found
        ]
        click.echo(json.dumps({"folder": where, "backups": listed}, indent=2))
        return
    if not found:
        click.echo(f"No backups in {where}.")
        return
    click.echo(f"Backups in {where}, newest first:")
    width = max(len(b.reason) for b in found)
    for b in found:
        taken = b.taken.strftime("%Y-%m-%d %H:%M:%S UTC")
        click.echo(f"  {taken}  {b.reason:<{width}}  {size(b.size):>9}  {b.name}")
