"""The record kept beside each backup (``.<backup's name>.json``): how the backup was
checked, the file as it was written, and the state of the database it holds.

The state is what the engine's strategy says of the database at the moment of the copy
(SQLite: see :mod:`trueup.engines.sqlite.backup_copy`), or nothing when that could not be told
soundly. A later start compares the database's state now with it: when they are equal, the
backup still holds the database, and no copy is needed. A start that finds so notes it in
the record (``unchanged_at``, ``unchanged_starts``), which ``trueup backups`` shows.

A record only ever saves work: a backup without one (its record lost, or written by an
older trueup) is listed and restored as any other, and the next start simply takes a new
copy.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from trueup.backup.files import record_path, write_small

#: How a backup was checked: ``none`` is a backup nothing checked, never counted as good.
CHECKS = ("quick", "full", "none")
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Record:
    checked: str  # one of CHECKS
    method: str  # how the copy was taken, for people (Method.description)
    file: dict[str, int]  # the backup file as written: see identity()
    state: dict[str, Any] | None  # the database's state when the backup was taken
    unchanged_at: datetime | None = None  # when a start last found the database unchanged
    unchanged_starts: int = 0  # how many starts found so

    @property
    def good(self) -> bool:
        """Whether the backup passed a check when it was taken."""
        return self.checked in ("quick", "full")

    def seen_unchanged(self, when: datetime) -> Record:
        return replace(self, unchanged_at=when, unchanged_starts=self.unchanged_starts + 1)


def identity(path: str) -> dict[str, int]:
    """What tells a backup file is still the one written: its inode, size and modification
    time (a backup is never written again once it is in place)."""
    st = os.stat(path)
    return {"ino": st.st_ino, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def write_record(backup: str, record: Record) -> None:
    data: dict[str, Any] = {
        "format": _FORMAT,
        "checked": record.checked,
        "method": record.method,
        "file": record.file,
        "state": record.state,
        "unchanged_at": _stamp(record.unchanged_at),
        "unchanged_starts": record.unchanged_starts,
    }
    write_small(record_path(backup), json.dumps(data, sort_keys=True).encode())


def read_record(backup: str) -> Record | None:
    """The record of the backup at ``backup``; None when there is none, or it cannot be
    read (the backup then counts as one without a record)."""
    try:
        with open(record_path(backup), "rb") as f:
            data = json.load(f)
        if data.get("format") != _FORMAT or data["checked"] not in CHECKS:
            return None
        seen = data.get("unchanged_at")
        return Record(
            checked=data["checked"],
            method=str(data.get("method", "")),
            file={k: int(v) for k, v in data["file"].items()},
            state=data["state"] if isinstance(data["state"], dict) else None,
            unchanged_at=datetime.fromisoformat(seen) if seen else None,
            unchanged_starts=int(data.get("unchanged_starts", 0)),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def intact(backup: str, record: Record) -> bool:
    """Whether the backup file is still the one the record was written for."""
    try:
        return identity(backup) == record.file
    except OSError:
        return False


def remove_record(backup: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(record_path(backup))


def _stamp(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat(timespec="microseconds") if when else None
