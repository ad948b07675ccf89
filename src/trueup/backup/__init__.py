"""Backups: consistent copies of a database, kept in a folder beside it, and put back whole.

::

    backup(url, reason="manual")       # -> BackupResult (the file, how it was taken, pruned files)
    list_backups_of(url)               # -> [BackupFile], newest first
    restore(url, "backups/app.db....sqlite3")   # current database saved first, then replaced

A backup counts only once it is complete and checked: it is written under a temporary
name, checked (SQLite: ``PRAGMA quick_check``, or ``integrity_check`` with
``verify="full"``) while it is fsynced, and renamed into place once both are done, with
permissions 0600. A record beside it says how it was checked and what the database was
(see :mod:`trueup.backup.records`); with ``on_change=True`` no copy is taken when the
database is still what the newest good backup holds. Retention (:mod:`.retention`) keeps
the newest backups of each reason.

Each engine brings a :class:`~trueup.backup.engine.Strategy`; the registry below maps the
engine names of :mod:`trueup.urls` to them and imports them only when used.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from trueup.backup.engine import Method, Snapshot, Strategy
from trueup.backup.files import (
    COMPRESSED,
    REASONS,
    BackupError,
    BackupFile,
    atomic_file,
    describe,
    ensure_folder,
    free_name,
    fsync_path,
    list_backups,
    remove_stale_temps,
    scratch_file,
)
from trueup.backup.records import CHECKS, Record, identity, intact, read_record, write_record
from trueup.backup.retention import Retention, prune
from trueup.config import DEFAULT_BACKUP_KEEP
from trueup.engines import find_engine
from trueup.urls import DatabaseURL

__all__ = [
    "CHECKS",
    "REASONS",
    "BackupError",
    "BackupFile",
    "BackupResult",
    "Method",
    "RestoreResult",
    "Retention",
    "backup",
    "backup_folder",
    "list_backups_of",
    "restore",
    "strategy_for",
]


def strategy_for(engine: str) -> Strategy:
    """How databases of ``engine`` (its registered name) are backed up and restored."""
    return find_engine(engine).backups()


@dataclass(frozen=True, slots=True)
class BackupResult:
    backup: BackupFile
    method: Method
    removed: tuple[str, ...]  # older backups deleted by retention
    checked: str = "full"  # the check the backup passed (one of CHECKS)
    #: No copy was taken: the database is unchanged since this backup (``on_change``).
    reused: bool = False
    #: For a reused backup saved under a name of another reason: the backup it is a hard
    #: link to.
    linked_to: str | None = None


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
    verify: str = "quick",
    compress: bool = False,
    retention: Retention | None = None,
    on_change: bool = False,
) -> BackupResult | None:
    """Back up the database at ``url``; returns None when ``skip_empty`` and there is
    nothing in it to back up.

    ``verify`` is the check the copy must pass (``quick``, ``full``, or ``none``: a backup
    that is never counted as good). ``retention`` (by default the newest ``keep`` of the
    reason) says which older backups of the reason are deleted afterwards. With
    ``on_change``, when the database is still what the newest good backup holds, no copy is
    taken: that backup is returned (``reused``), noted as still holding the database (or,
    for another reason than ``startup``, hard-linked under a name of this reason).

    Raises BackupError when the copy cannot be taken or does not pass its check; then no
    backup file is left behind and no older backup is deleted.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    if verify not in CHECKS:
        raise ValueError(f"unknown check {verify!r}")
    retention = retention or Retention(keep=keep)
    strategy = strategy_for(url.engine)
    if skip_empty and strategy.is_empty(url, timeout):
        return None
    target = backup_folder(url, folder)
    name = strategy.database_name(url)
    if on_change:
        reused = _reuse(strategy, url, target, name, reason, retention, timeout)
        if reused is not None:
            return reused
    made = not os.path.exists(target)
    ensure_folder(target)
    method = strategy.method()
    compress = compress and not method.packed
    remove_stale_temps(target, name)
    final, _ = free_name(target, name, reason, method.kind, compress)
    try:
        with atomic_file(final) as temp:
            snap = _take(strategy, url, temp, final, method, timeout, verify, compress)
    except BaseException:
        if made:  # a failed backup leaves nothing behind, not even its new, empty folder
            with contextlib.suppress(OSError):
                os.rmdir(target)
        raise
    record = Record(verify, snap.method.description, identity(final), snap.state)
    with contextlib.suppress(OSError):  # a record only saves work: the backup stands
        write_record(final, record)
    saved = describe(final)
    assert saved is not None, final
    removed = prune(target, name, reason, retention)
    return BackupResult(saved, snap.method, tuple(removed), verify)


def _take(
    strategy: Strategy,
    url: DatabaseURL,
    temp: str,
    final: str,
    method: Method,
    timeout: float,
    verify: str,
    compress: bool,
) -> Snapshot:
    """Copy the database into ``temp`` and check the copy (a copy that fails its check is
    not a backup); compressed, the copy is checked first, then compressed into ``temp``."""
    if not compress:
        snap = strategy.snapshot(url, temp, method, timeout)
        with _syncing(temp, final):
            strategy.check(temp, method.kind, verify)
        return snap
    from trueup.backup.compress import compress_file

    # Named as the uncompressed backup's temporary file: the next backup removes it when
    # a killed one leaves it behind.
    with scratch_file(final.removesuffix(COMPRESSED)) as plain:
        snap = strategy.snapshot(url, plain, method, timeout)
        strategy.check(plain, method.kind, verify)
        compress_file(plain, temp)
    return replace(
        snap, method=replace(snap.method, description=snap.method.description + ", gzip")
    )


def _reuse(
    strategy: Strategy,
    url: DatabaseURL,
    folder: str,
    name: str,
    reason: str,
    retention: Retention,
    timeout: float,
) -> BackupResult | None:
    """The newest good backup, when the database is still what it holds; None when a copy
    is needed."""
    found = _newest_good(list_backups(folder, name))
    if found is None:
        return None
    newest, record = found
    if record.state is None or strategy.state(url, timeout) != record.state:
        return None
    method = Method(newest.kind, record.method)
    now = datetime.now(UTC)
    if reason == "startup" or reason == newest.reason:
        with contextlib.suppress(OSError):
            write_record(newest.path, record.seen_unchanged(now))
        return BackupResult(newest, method, (), record.checked, reused=True)
    # A hard link: no copy and no space, but a name of this reason, which retention then
    # keeps with the other backups of this reason.
    final, _ = free_name(folder, name, reason, newest.kind, newest.compressed)
    try:
        os.link(newest.path, final)
    except OSError:  # a file system without hard links: take a copy
        return None
    with contextlib.suppress(OSError):
        write_record(final, Record(record.checked, record.method, identity(final), record.state))
    linked = describe(final)
    assert linked is not None, final
    removed = prune(folder, name, reason, retention)
    return BackupResult(linked, method, tuple(removed), record.checked, True, newest.path)


def _newest_good(backups: list[BackupFile]) -> tuple[BackupFile, Record] | None:
    """The newest backup that passed a check and is still the file it was (newest first)."""
    for b in backups:
        record = read_record(b.path)
        if record is not None and record.good and intact(b.path, record):
            return b, record
    return None


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
    confirm: Callable[[BackupFile | None, str], bool] | None = None,
    verify: str = "quick",
    compress: bool = False,
    retention: Retention | None = None,
) -> RestoreResult | None:
    """Put the backup at ``path`` back as the database at ``url``.

    The backup is checked first, in full whatever ``verify`` says (a damaged or foreign
    file is refused and nothing changes); a compressed one is decompressed into a
    temporary file first. Then ``confirm`` is asked, given what the file's name says about
    it and the file to read it from (the decompressed copy of a compressed backup); when it
    answers False nothing is done and None is returned. Then the current
    database is backed up (reason ``pre-restore``; ``verify``, ``compress`` and
    ``retention`` are for that backup), and last its content is replaced in one
    transaction.
    """
    strategy = strategy_for(url.engine)
    named = describe(path)
    with _readable(strategy, url, path) as plain:
        kind = strategy.check(plain, named.kind if named else None)
        target = url.path
        if target and os.path.exists(target) and os.path.samefile(path, target):
            raise BackupError(f"{path} is the database itself, not a backup of it.")
        if confirm is not None and not confirm(named, plain):
            return None
        previous = backup(
            url,
            reason="pre-restore",
            folder=folder,
            keep=keep,
            timeout=timeout,
            skip_empty=True,
            verify=verify,
            compress=compress,
            retention=retention,
        )
        strategy.restore(url, plain, kind, timeout)
    return RestoreResult(named, path, previous)


@contextlib.contextmanager
def _readable(strategy: Strategy, url: DatabaseURL, path: str) -> Iterator[str]:
    """The backup at ``path`` as a file the engine reads: itself, or for a compressed one
    its decompressed copy, a temporary file removed afterwards."""
    from trueup.backup.compress import MAGIC, decompress_file
    from trueup.backup.files import read_head, remove_temp

    if not read_head(path, len(MAGIC)).startswith(MAGIC):
        yield path
        return
    scratch = strategy.scratch_folder(url)
    temp = os.path.join(scratch, f".restore.{os.urandom(4).hex()}.tmp")
    try:
        try:
            decompress_file(path, temp)
        except ValueError as exc:
            raise BackupError(
                f"{path} is damaged: it cannot be decompressed ({exc}).",
                hint="Nothing was changed. Restore another backup (`trueup backups` lists them).",
            ) from exc
        except OSError as exc:
            raise BackupError(
                f"Cannot decompress {path} into {scratch}: {exc.strerror}.",
                hint="Nothing was changed. It needs room for the whole database there.",
            ) from exc
        yield temp
    finally:
        remove_temp(temp)
