"""Backup files on disk: their names, the listing, retention, and how a file is written so
that a backup either exists whole or not at all.

A backup's name says what it is, so the folder needs no index that could go stale::

    app.db.20250301T120000.123456Z.pre-push.sqlite3
    <database>.<UTC time, microseconds>.<reason>.<kind>[.gz]

The time is UTC in ISO 8601 basic form (no ``:``, so the name is valid on every file
system) and sorts as text; ``.gz`` marks a compressed backup. Beside each backup a hidden
record (``.<backup's name>.json``, see :mod:`trueup.backup.records`) says how it was
checked and what the database was when it was taken. Nothing else in the folder is
touched: retention deletes only files whose names parse, for this database.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # Windows: no lock to tell a temporary file in use from a stale one
    fcntl = None  # type: ignore[assignment]
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trueup.engines import registered
from trueup.errors import TrueupError

#: Why a backup was taken. ``pre-restore`` is the current database, saved by ``restore``.
REASONS = ("manual", "pre-push", "startup", "pre-restore")
#: What a backup file holds, and the extension that says so: the kinds of file the engines'
#: backups write (from their registry lines), and trueup's JSON export.
EXTENSIONS = {**{kind: ext for e in registered() for kind, ext in e.backup_files}, "json": "jsonl"}
_KINDS = {ext: kind for kind, ext in EXTENSIONS.items()}
#: The extension of a compressed backup, after its kind's.
COMPRESSED = ".gz"

_STAMP = "%Y%m%dT%H%M%S.%fZ"
_NAME = re.compile(
    r"^(?P<database>.+)\.(?P<stamp>\d{8}T\d{6}\.\d{6}Z)\.(?P<reason>[a-z]+(?:-[a-z]+)*)"
    r"\.(?P<ext>[a-z0-9]+)(?P<packed>\.gz)?$"
)
#: A backup's record: ``.<the backup's name>.json``.
_RECORD = re.compile(r"^\.(?P<backup>.+)\.json$")
#: Temporary files start with a dot and end in .tmp, so no listing ever shows one.
TEMP_SUFFIX = ".tmp"
#: A backup's temporary file: ``.<the backup's name>.<8 hex digits>.tmp``.
_TEMP = re.compile(r"^\.(?P<final>.+)\.[0-9a-f]{8}\.tmp$")


class BackupError(TrueupError):
    """A backup could not be taken, listed or restored."""


@dataclass(frozen=True, slots=True)
class BackupFile:
    """One backup in the folder."""

    path: str
    database: str  # the database's file name (SQLite) or name (PostgreSQL)
    taken: datetime  # UTC
    reason: str
    kind: str  # a key of EXTENSIONS
    size: int
    compressed: bool = False  # gzip: restore reads it through

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


def file_name(
    database: str, taken: datetime, reason: str, kind: str, compressed: bool = False
) -> str:
    stamp = taken.astimezone(UTC).strftime(_STAMP)
    return f"{database}.{stamp}.{reason}.{EXTENSIONS[kind]}{COMPRESSED if compressed else ''}"


def parse_name(name: str) -> tuple[str, datetime, str, str] | None:
    """(database, taken, reason, kind) of a backup's file name, or None when it is not one."""
    m = _NAME.match(name)
    if not m or m["reason"] not in REASONS or m["ext"] not in _KINDS:
        return None
    try:
        taken = _taken(m["stamp"])
    except ValueError:  # no such day or time: not a name trueup gave
        return None
    return m["database"], taken, m["reason"], _KINDS[m["ext"]]


def _taken(stamp: str) -> datetime:
    """The time of a name's stamp (``20250301T120000.123456Z``), read by hand: strptime
    would import its own module, a cost to every start."""
    d, t = stamp[:8], stamp[9:15]
    return datetime(
        int(d[:4]),
        int(d[4:6]),
        int(d[6:]),
        int(t[:2]),
        int(t[2:4]),
        int(t[4:]),
        int(stamp[16:22]),
        tzinfo=UTC,
    )


def is_compressed(name: str) -> bool:
    return name.endswith(COMPRESSED)


def record_path(backup: str) -> str:
    """Where the record of the backup at ``backup`` is kept: a hidden file beside it."""
    folder, name = os.path.split(backup)
    return os.path.join(folder, f".{name}.json")


def record_of(name: str) -> str | None:
    """The name of the backup whose record is the file ``name``, or None when it is no
    record's name."""
    m = _RECORD.match(name)
    return m["backup"] if m and parse_name(m["backup"]) else None


def describe(path: str) -> BackupFile | None:
    """The backup at ``path`` as its name describes it, or None when the name is not one of
    trueup's."""
    parsed = parse_name(os.path.basename(path))
    if parsed is None:
        return None
    database, taken, reason, kind = parsed
    try:
        size = os.path.getsize(path)
    except OSError:
        return None
    return BackupFile(path, database, taken, reason, kind, size, is_compressed(path))


def list_backups(folder: str, database: str) -> list[BackupFile]:
    """The backups of ``database`` in ``folder``, newest first. A missing folder has none."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise BackupError(f"Cannot read the backups folder {folder}: {exc.strerror}.") from exc
    found = []
    for name in names:
        backup = describe(os.path.join(folder, name))
        if backup is not None and backup.database == database:
            found.append(backup)
    return sorted(found, key=lambda b: (b.taken, b.name), reverse=True)


def ensure_folder(folder: str) -> None:
    """Create the backups folder (owner-only: backups hold all the data) if it is missing."""
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise BackupError(
            f"Cannot create the backups folder {folder}: {exc.strerror}.",
            hint="Create it yourself, or choose another with --dir or TRUEUP_BACKUP_DIR.",
        ) from exc
    if not os.path.isdir(folder):
        raise BackupError(f"The backups folder {folder} is not a folder.")


def free_name(
    folder: str, database: str, reason: str, kind: str, compressed: bool = False
) -> tuple[str, datetime]:
    """A path for a new backup taken now, and its time. Two backups in the same microsecond
    get different names instead of one replacing the other."""
    taken = datetime.now(UTC)
    while True:
        path = os.path.join(folder, file_name(database, taken, reason, kind, compressed))
        if not os.path.lexists(path):
            return path, taken
        taken += timedelta(microseconds=1)


def fsync_path(path: str) -> None:
    """fsync the file or folder at ``path`` (a folder: so that a rename in it is durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_head(path: str, size: int) -> bytes:
    """The first ``size`` bytes of the backup at ``path``, which says what kind it is."""
    try:
        with open(path, "rb") as f:
            return f.read(size)
    except FileNotFoundError:
        raise BackupError(f"There is no backup file {path}.") from None
    except OSError as exc:
        raise BackupError(f"Cannot read the backup {path}: {exc.strerror}.") from exc


def remove_temp(temp: str) -> None:
    """Remove a temporary database file and whatever SQLite left beside it."""
    # SQLite may leave its journal beside a file it was writing when it failed.
    for path in (temp, temp + "-journal", temp + "-wal", temp + "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def _held(fd: int, path: str) -> bool:
    """Take the lock that marks the temporary file at ``path`` (open as ``fd``) as in use;
    False when another process holds it, or the file was removed meanwhile. An ``flock``
    lock belongs to this open file, so SQLite's own locks and closes on the same file leave
    it alone, and the system lets go of it when the process ends, however it ends."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def remove_stale_temps(folder: str, database: str) -> list[str]:
    """Remove the temporary files of backups of ``database`` that no process is writing
    any more: a backup killed half way (SIGKILL, a power cut) could not remove its own.
    A file another backup is writing right now is locked, and stays."""
    if fcntl is None:
        return []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    removed = []
    for name in names:
        m = _TEMP.match(name)
        # The temporary file of a backup, compressed or not, or of a backup's record.
        final = (record_of(m["final"]) or m["final"]) if m else ""
        parsed = parse_name(final)
        if parsed is None or parsed[0] != database:
            continue
        path = os.path.join(folder, name)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _held(fd, path):
                remove_temp(path)
                removed.append(path)
        finally:
            os.close(fd)
    return removed


def _create_temp(final: str) -> tuple[str, int]:
    """A new, empty temporary file beside ``final`` (0600), open and locked as in use."""
    folder = os.path.dirname(final) or "."
    while True:
        name = f".{os.path.basename(final)}.{os.urandom(4).hex()}{TEMP_SUFFIX}"
        temp = os.path.join(folder, name)
        fd = -1
        try:
            try:
                fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except OSError as exc:
                raise BackupError(
                    f"Cannot write a backup in {folder}: {exc.strerror}.",
                    hint="Check that the folder is writable and has space, or choose another "
                    "with --dir or TRUEUP_BACKUP_DIR.",
                ) from exc
            if _held(fd, temp):
                return temp, fd
        except BackupError:
            raise  # the file was not made: nothing of ours to remove
        except BaseException:
            # Interrupted (SIGTERM, Ctrl-C) before the caller owns the file, even as the
            # file was being made (a signal's handler runs as the call returns, before ``fd``
            # is set): its name is this call's own, so it is removed by name.
            if fd >= 0:
                os.close(fd)
            remove_temp(temp)
            raise
        os.close(fd)  # taken for stale between its creation and the lock: another name


@contextlib.contextmanager
def scratch_file(like: str) -> Iterator[str]:
    """A new, empty temporary file named as :func:`atomic_file` names the one of ``like``
    (0600, locked as in use), removed when the block ends: for a copy that is only a step
    on the way (the database before it is compressed)."""
    temp, fd = _create_temp(like)
    try:
        os.fchmod(fd, 0o600)
        yield temp
    finally:
        remove_temp(temp)
        os.close(fd)


@contextlib.contextmanager
def atomic_file(final: str) -> Iterator[str]:
    """Write a file under a temporary name beside ``final``, then publish it.

    Yields the temporary path, created empty and readable by the owner only (0600), and
    locked as in use while the block runs (see :func:`remove_stale_temps`). When the block
    ends without an error the file is fsynced, renamed to ``final`` and the folder fsynced;
    when it raises (SIGTERM and Ctrl-C too), the temporary file is removed. So ``final``
    never exists half written, and a failed backup leaves nothing behind.
    """
    folder = os.path.dirname(final) or "."
    temp, fd = _create_temp(final)
    try:
        # The mode given to open() is reduced by the umask; the backup must be 0600 exactly.
        os.fchmod(fd, 0o600)
        yield temp
        try:
            fsync_path(temp)
            os.chmod(temp, 0o600)  # whatever wrote it may have recreated the file
            os.replace(temp, final)
            # The rename is durable only once the folder's entry is on disk too.
            fsync_path(folder)
        except OSError as exc:
            raise BackupError(
                f"Cannot save the backup {final}: {exc.strerror}.",
                hint="Check that the folder is writable and has space.",
            ) from exc
    except BaseException:
        remove_temp(temp)
        raise
    finally:
        os.close(fd)


def write_small(final: str, data: bytes) -> None:
    """Write a small file whole at ``final``: under a temporary name (locked as in use, so
    that it is never taken for a stale one), then renamed into place. Not fsynced: it is
    for a backup's record, whose loss only costs the next start a copy it could have
    spared."""
    temp, fd = _create_temp(final)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.replace(temp, final)
    except BaseException:
        remove_temp(temp)
        raise
    finally:
        os.close(fd)
