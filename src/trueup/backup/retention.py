"""Retention: which backups are deleted after a new one is saved, by count, age and total
size, each reason counted on its own.

Counting reasons apart means a container restarting in a loop (a startup backup each
time) never pushes out the backup taken before the last push. Whatever the limits say,
the newest backup of a reason and its newest good one (one that passed a check) stay:
retention never leaves a reason without the backup that holds its latest database, and
with on-change backups the newest one may be old because the database has not changed
since.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trueup.backup.files import BackupFile, list_backups, parse_name, record_of
from trueup.backup.records import read_record, remove_record
from trueup.config import DEFAULT_BACKUP_KEEP


@dataclass(frozen=True, slots=True)
class Retention:
    keep: int = DEFAULT_BACKUP_KEEP  # the newest N of each reason
    keep_days: float | None = None  # none older than this many days
    max_size: int | None = None  # the backups of a reason together at most this many bytes

    def __post_init__(self) -> None:
        if self.keep < 1:
            raise ValueError("keep must be at least 1")
        if self.keep_days is not None and self.keep_days <= 0:
            raise ValueError("keep_days must be more than 0")
        if self.max_size is not None and self.max_size < 1:
            raise ValueError("max_size must be at least 1 byte")


def doomed(same: list[BackupFile], retention: Retention, now: datetime) -> list[BackupFile]:
    """The backups of one reason (newest first) that retention deletes."""
    if not same:
        return []
    good = next((b for b in same if (r := read_record(b.path)) is not None and r.good), None)
    kept = {same[0].path} | ({good.path} if good else set())
    cutoff = now - timedelta(days=retention.keep_days) if retention.keep_days else None
    out = {
        b.path
        for i, b in enumerate(same)
        if i >= retention.keep or (cutoff is not None and b.taken < cutoff)
    }
    if retention.max_size is not None:
        total = sum(b.size for b in same if b.path not in out)
        for b in reversed(same):  # the oldest go first
            if total <= retention.max_size:
                break
            if b.path not in out and b.path not in kept:
                out.add(b.path)
                total -= b.size
    return [b for b in same if b.path in out - kept]


def prune(
    folder: str, database: str, reason: str, retention: Retention, now: datetime | None = None
) -> list[str]:
    """Delete the backups of ``database`` taken for ``reason`` that ``retention`` does not
    keep, with their records; returns their paths."""
    same = [b for b in list_backups(folder, database) if b.reason == reason]
    removed = []
    for old in doomed(same, retention, now or datetime.now(UTC)):
        with contextlib.suppress(FileNotFoundError):  # another trueup pruned it first
            os.remove(old.path)
        remove_record(old.path)
        removed.append(old.path)
    _remove_lost_records(folder, database)
    return removed


def _remove_lost_records(folder: str, database: str) -> None:
    """Records whose backup is gone (deleted by hand, or by an older trueup)."""
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            backup = record_of(name)
            parsed = parse_name(backup) if backup else None
            lost = backup and not os.path.lexists(os.path.join(folder, backup))
            if lost and parsed and parsed[0] == database:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(folder, name))
