"""``trueup backup`` and ``trueup backups``, the options every command that backs up takes,
and the backup a push or a start takes before it changes anything."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from trueup.cli import json_output
from trueup.cli.common import (
    Target,
    collect_cycles,
    target_of,
    url_option,
)
from trueup.config import VERIFY_LEVELS, Settings, keep_days, load_settings, parse_size

if TYPE_CHECKING:
    from trueup.backup import BackupResult, Retention
    from trueup.plan import Plan

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class BackupFlags:
    """The backup options given on the command line (None: as the settings say)."""

    verify: str | None = None
    compress: bool | None = None
    keep: int | None = None
    keep_days: float | None = None
    max_size: str | None = None

    def apply(self, settings: Settings) -> Settings:
        changes: dict[str, Any] = {}
        if self.verify is not None:
            changes["backup_verify"] = self.verify
        if self.compress is not None:
            changes["backup_compress"] = self.compress
        if self.keep is not None:
            changes["backup_keep"] = self.keep
        if self.keep_days is not None:
            changes["backup_keep_days"] = keep_days(self.keep_days)
        if self.max_size is not None:
            changes["backup_max_size"] = parse_size(self.max_size)
        return replace(settings, **changes)


_FLAGS = ("verify", "compress", "keep", "keep_days", "max_size")


def backup_options(fn: F) -> F:
    """--verify, --compress, --keep, --keep-days and --max-size, handed to the command as
    one ``backup_flags`` argument."""

    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> Any:
        flags = BackupFlags(*(kwargs.pop(name) for name in _FLAGS))
        return fn(*args, backup_flags=flags, **kwargs)

    options = [
        click.option(
            "--verify",
            type=click.Choice(VERIFY_LEVELS),
            help="The check a backup must pass: quick (PRAGMA quick_check: every page, "
            "b-tree and row readable, NOT NULL and CHECK), full (PRAGMA integrity_check: also "
            "every index entry against its row, and UNIQUE), or none (no check: the backup "
            "never counts as good, and a damaged database is copied as it is). Default: "
            "$TRUEUP_BACKUP_VERIFY, backup_verify in the settings, then quick.",
        ),
        click.option(
            "--compress/--no-compress",
            default=None,
            help="gzip the backup (restore reads it as it is). Default: "
            "$TRUEUP_BACKUP_COMPRESS, backup_compress in the settings, then not.",
        ),
        click.option(
            "--keep",
            type=click.IntRange(min=1),
            metavar="N",
            help="Keep the newest N backups of each reason (default: $TRUEUP_BACKUP_KEEP, "
            "backup_keep in the settings, then 10).",
        ),
        click.option(
            "--keep-days",
            type=click.FloatRange(min=0, min_open=True),
            metavar="DAYS",
            help="Delete backups older than DAYS days (default: $TRUEUP_BACKUP_KEEP_DAYS, "
            "backup_keep_days in the settings, then no limit).",
        ),
        click.option(
            "--max-size",
            metavar="SIZE",
            help="Delete the oldest backups of each reason while they take more than SIZE "
            "together (bytes, or 500MB, 2GiB; default: $TRUEUP_BACKUP_MAX_SIZE, "
            "backup_max_size in the settings, then no limit). The newest backup of a "
            "reason is never deleted.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command  # type: ignore[return-value]


def retention(settings: Settings) -> Retention:
    from trueup.backup import Retention

    return Retention(settings.backup_keep, settings.backup_keep_days, settings.backup_max_size)


def dir_option(fn: F) -> F:
    return click.option(
        "--dir",
        "folder",
        metavar="DIR",
        help="The backups folder (default: $TRUEUP_BACKUP_DIR, the settings file, then a "
        "'backups' folder beside the database).",
    )(fn)


def database(
    url: str | None, *, folder: str | None = None, flags: BackupFlags | None = None
) -> Target:
    """The database a backup command works on: --url, $DATABASE_URL, the settings file,
    and last, as for a push, a Prisma config's ``datasource.url`` or the url of the
    schema's datasource."""
    settings = load_settings(url=url, backup_dir=folder)
    if flags is not None:
        settings = flags.apply(settings)
    return target_of(settings)


def size(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


_CHECKED = {
    "quick": "quick check passed",
    "full": "integrity check passed",
    "none": "not checked (--verify none: a damaged database would be copied as it is, and "
    "this backup never counts as a good one)",
}


def report(result: BackupResult, *, err: bool = False) -> None:
    b = result.backup
    if result.reused and result.linked_to is None:
        click.echo(f"Backup not needed: the database is unchanged since {b.path}", err=err)
        taken = b.taken.strftime("%Y-%m-%d %H:%M:%S UTC")
        click.echo(f"  taken {taken} ({b.reason}), {_CHECKED[result.checked]}", err=err)
        return
    click.echo(f"Backup saved: {b.path}", err=err)
    if result.linked_to is not None:
        click.echo(
            f"  the database is unchanged since {os.path.basename(result.linked_to)}: "
            "a hard link to it, no copy",
            err=err,
        )
        return
    click.echo(
        f"  {result.method.description}, {_CHECKED[result.checked]}, {size(b.size)}", err=err
    )


def backup_hook(
    t: Target, reason: str, *, err: bool = False, on_change: bool = False
) -> Callable[[Plan], str | None]:
    """A hook for push() that backs the database up, under the push's lock and before it
    writes anything. An empty database (a new one) has nothing to save: no backup. With
    ``on_change``, no copy when the newest good backup still holds the database."""

    def hook(plan: Plan) -> str | None:
        from trueup.backup import backup

        collect_cycles()
        settings = t.settings
        result = backup(
            t.url,
            reason=reason,
            folder=settings.backup_dir,
            timeout=settings.lock_timeout,
            skip_empty=True,
            verify=settings.backup_verify,
            compress=settings.backup_compress,
            retention=retention(settings),
            on_change=on_change,
        )
        if result is None:
            return None
        report(result, err=err)
        return result.backup.path

    return hook


@click.command("backup")
@url_option
@dir_option
@backup_options
def backup_command(url: str | None, folder: str | None, backup_flags: BackupFlags) -> None:
    """Back up the database now.

    SQLite: a consistent copy taken in one read transaction while the app keeps working
    (the file copied by the kernel where that is consistent, else SQLite's online backup
    API). The copy is written under a temporary name, checked (--verify), fsynced and
    renamed into place, readable by its owner only. PostgreSQL: pg_dump's custom format.
    """
    collect_cycles()
    from trueup.backup import backup

    t = database(url, folder=folder, flags=backup_flags)
    settings = t.settings
    result = backup(
        t.url,
        reason="manual",
        folder=settings.backup_dir,
        timeout=settings.lock_timeout,
        verify=settings.backup_verify,
        compress=settings.backup_compress,
        retention=retention(settings),
    )
    assert result is not None
    report(result)
    if result.removed:
        n = len(result.removed)
        click.echo(f"  Removed {n} older manual backup{'s' if n > 1 else ''} (retention).")


@click.command("backups")
@url_option
@dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the backups as JSON.")
def backups_command(url: str | None, folder: str | None, as_json: bool) -> None:
    """List the database's backups, newest first: time (UTC), reason, size, file; and
    under a backup, when starts found the database unchanged since it was taken."""
    from trueup.backup import backup_folder, list_backups_of
    from trueup.backup.records import read_record

    if as_json:
        json_output()
    t = database(url, folder=folder)
    where = backup_folder(t.url, t.settings.backup_dir)
    found = [(b, read_record(b.path)) for b in list_backups_of(t.url, folder=t.settings.backup_dir)]
    if as_json:
        import json

        listed = [
            {
                "path": b.path,
                "taken": _iso(b.taken),
                "reason": b.reason,
                "size": b.size,
                "kind": b.kind,
                "compressed": b.compressed,
                "checked": r.checked if r else None,
                "unchanged_at": _iso(r.unchanged_at) if r and r.unchanged_at else None,
                "unchanged_starts": r.unchanged_starts if r else 0,
            }
            for b, r in found
        ]
        click.echo(json.dumps({"folder": where, "backups": listed}, indent=2))
        return
    if not found:
        click.echo(f"No backups in {where}.")
        return
    click.echo(f"Backups in {where}, newest first:")
    width = max(len(b.reason) for b, _ in found)
    for b, r in found:
        taken = b.taken.strftime("%Y-%m-%d %H:%M:%S UTC")
        click.echo(f"  {taken}  {b.reason:<{width}}  {size(b.size):>9}  {b.name}")
        if r is not None and r.unchanged_at is not None:
            seen = r.unchanged_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            starts = f"{r.unchanged_starts} start{'s' if r.unchanged_starts != 1 else ''}"
            click.echo(f"    still the database at {seen} ({starts} found it unchanged)")
        if r is not None and not r.good:
            click.echo("    not checked (--verify none): not counted as a good backup")


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="microseconds").replace("+00:00", "Z")
