"""Backups: consistent copies of a database, kept in a folder beside it, and put back whole.

::

    backup(url, reason="manual")       # -> BackupResult (the file, how it was taken, pruned files)
    list_backups_of(url)               # -> [BackupFile], newest first
    restore(url, "backups/app.db....sqlite3")   # current database saved first, then replaced

A backup counts only once it is complete and checked: it is written under a temporary
name, checked (SQLite: ``PRAGMA integrity_check``) while it is fsynced, and renamed into
place once both are done, with permissions 0600. Retention keeps the newest ``keep``
backups of each reason.

Each engine brings a :class:`~trueup.backup.engine.Strategy`; the registry below maps the
engine names of :mod:`trueup.urls` to them and imports them only when used.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module

from trueup.backup.engine import Method, Strategy
from trueup.backup.files import (
    REASONS,
    BackupError,
    BackupFile,
    atomic_file,
    describe,
    ensure_folder,
    free_name,
    fsync_path,
    list_backups,
    prune,
    remove_stale_temps,
)
from trueup.config import DEFAULT_BACKUP_KEEP
from trueup.urls import DatabaseURL

__all__ = [
    "REASONS",
    "BackupError",
    "BackupFile",
    "BackupResult",
    "Method",
    "RestoreResult",
    "backup",
    "backup_folder",
    "list_backups_of",
    "restore",
    "strategy_for",
]

_STRATEGIES = {
    "sqlite": "trueup.backup.sqlite:SQLiteBackups",
    "postgresql": "trueup.backup.postgres:PostgresBackups",
}


def strategy_for(engine: str) -> Strategy:
    try:
        target = _STRATEGIES[engine]
    except KeyError:
        raise BackupError(
            f"trueup cannot back up {engine} databases yet.",
            hint="Supported engines for backups: " + ", ".join(sorted(_STRATEGIES)) + ".",
        ) from None
    module, _, cls = target.partition(":")
    strategy: Strategy = getattr(import_module(module), cls)()
    return strategy


@dataclass(frozen=True, slots=True)
class BackupResult:
    backup: BackupFile
    method: Method
    removed: tuple[str, ...]  # older backups deleted by retention


@dataclass(frozen=True, slots=True)
class RestoreResult:
    restored_from: BackupFile | None  # None when the file's name is not a trueup backup's
    path: str
    previous: BackupResult | None  # the database as it was before; None when it was empty


def backup_folder(url: DatabaseURL, folder: str | None = None) -> str:
    """The backups folder: the one configured, else the engine's default (SQLite: a
    ``backups`` folder beside the database file)."""
    if folder:
        return os.path.abspath(os.path.expanduser(folder))
    return strategy_for(url.engine).default_folder(url)


@contextlib.contextmanager
def _syncing(temp: str, final: str) -> Iterator[None]:
    """fsync ``temp`` in a thread while the block runs (the check of the copy).

    Writing a large copy back to disk takes seconds, and the check only reads it: both at
    once take the longer of the two instead of their sum. atomic_file's own fsync then finds
    little or nothing left to write. A failed fsync fails the backup here: Linux reports a
    write-back error once, so a second fsync could succeed on a copy that is not on disk.
    """
    failed: list[OSError] = []

    def sync() -> None:
        try:
            fsync_path(temp)
        except OSError as exc:
            failed.append(exc)

    thread = threading.Thread(target=sync, name="trueup-backup-fsync", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
    if failed:
        raise BackupError(
            f"Cannot save the backup {final}: {failed[0].strerror}.",
            hint="Check that the folder is writable and has space.",
        ) from failed[0]


def backup(
    url: DatabaseURL,
    *,
    reason: str = "manual",
    folder: str | None = None,
    keep: int = DEFAULT_BACKUP_KEEP,
    timeout: float = 60.0,
    skip_empty: bool = False,
) -> BackupResult | None:
    """Back up the database at ``url``; returns None when ``skip_empty`` and there is
    nothing in it to back up.

    Raises BackupError when the copy cannot be taken or does not pass its check; then no
    backup file is left behind and no older backup is deleted.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    if keep < 1:
        raise ValueError("keep must be at least 1")
    strategy = strategy_for(url.engine)
    if skip_empty and strategy.is_empty(url, timeout):
        return None
    target = backup_folder(url, folder)
    made = not os.path.exists(target)
    ensure_folder(target)
    method = strategy.method()
    name = strategy.database_name(url)
    remove_stale_temps(target, name)
    final, _ = free_name(target, name, reason, method.kind)
    try:
        with atomic_file(final) as temp:
            strategy.snapshot(url, temp, method, timeout)
            with _syncing(temp, final):
                strategy.check(temp, method.kind)  # a copy that fails its check is not a backup
    except BaseException:
        if made:  # a failed backup leaves nothing behind, not even its new, empty folder
            with contextlib.suppress(OSError):
                os.rmdir(target)
        raise
    saved = describe(final)
    assert saved is not None, final
    removed = prune(target, name, reason, keep)
    return BackupResult(saved, method, tuple(removed))


def list_backups_of(url: DatabaseURL, *, folder: str | None = None) -> list[BackupFile]:
    """The backups of the database at ``url``, newest first."""
    strategy = strategy_for(url.engine)
    return list_backups(backup_folder(url, folder), strategy.database_name(url))


def restore(
    url: DatabaseURL,
    path: str,
    *,
    folder: str | None = None,
    keep: int = DEFAULT_BACKUP_KEEP,
    timeout: float = 60.0,
    confirm: Callable[[BackupFile | None], bool] | None = None,
) -> RestoreResult | None:
    """Put the backup at ``path`` back as the database at ``url``.

    The backup is checked first (a damaged or foreign file is refused and nothing changes).
    Then ``confirm`` is asked, given what the file's name says about it; when it answers
    False nothing is done and None is returned. Then the current database is backed up
    (reason ``pre-restore``), and last its content is replaced in one transaction.
    """
    strategy = strategy_for(url.engine)
    named = describe(path)
    kind = strategy.check(path, named.kind if named else None)
    target = url.path
    if target and os.path.exists(target) and os.path.samefile(path, target):
        raise BackupError(f"{path} is the database itself, not a backup of it.")
    if confirm is not None and not confirm(named):
        return None
    previous = backup(
        url, reason="pre-restore", folder=folder, keep=keep, timeout=timeout, skip_empty=True
    )
    strategy.restore(url, path, kind, timeout)
    return RestoreResult(named, path, previous)
