"""SQLite backups: a copy taken in one read transaction, checked before it counts.

The copy is exactly the database as one committed moment left it, whatever the app writes
meanwhile: the database file copied by the kernel where the read transaction holds it
still (see :mod:`trueup.engines.sqlite.backup_copy`), else SQLite's online backup API in one step
of ``sqlite3_backup_step(-1)``. In WAL mode the app keeps writing during the copy; in
rollback-journal mode a writer waits (its busy timeout) for the read lock, which lasts as
long as the copy. The copy is then checked at the level asked for
(:mod:`trueup.engines.sqlite.backup_check`).

A restore uses the backup API the other way: SQLite writes every page of the backup into
the live file in one transaction, through its journal, so other connections see the old
database or the new one and never a mix, and a crash half way leaves the old one.

The database keeps its journal mode (a file the restore creates takes the backup's). A
database in WAL mode cannot change its page size, so a backup with another page size is
first rewritten with the database's (``VACUUM INTO``, which keeps rowids); and since the
backup API copies the header, which says whether the file is in WAL mode, a backup of a WAL
database is restored into a rollback-journal database from a copy whose header says
rollback journal. Those copies are temporary files beside the database.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

from trueup.backup.engine import Method, Snapshot, Strategy
from trueup.backup.files import TEMP_SUFFIX, BackupError, read_head, remove_temp
from trueup.engines.sqlite.backup_copy import (
    Taken,
    copy_file,
    database_descriptor,
    file_is_database,
)
from trueup.engines.sqlite.backup_copy import state_of as _state_of
from trueup.engines.sqlite.uri import file_uri
from trueup.urls import DatabaseURL

_HEADER = b"SQLite format 3\x00"
_METHOD = Method("sqlite", "SQLite online backup")
#: How a file copy was taken (sqlite_copy.Taken.how), for people.
_HOW = {
    "clone": "SQLite file clone (reflink) in one read transaction",
    "file copy": "SQLite file copy in one read transaction",
}
#: How many problems of a failed integrity check are shown.
_SHOWN = 5


def _busy_ms(timeout: float) -> int:
    return max(0, int(timeout * 1000))


class _Busy(Exception):
    """The other side of a copy stayed locked past the timeout."""


def _is_busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, timeout: float) -> None:
    """``source.backup(target)`` in one step, waiting at most ``timeout`` for locks.

    Python retries a step that finds a database locked for ever, and SQLite does not call
    the destination's busy handler, so the wait is bounded here: the progress callback,
    called after every attempt, gives up once the deadline has passed.
    """
    deadline = time.monotonic() + timeout

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise _Busy

    source.backup(target, progress=progress, sleep=0.05)


def _locked(what: str, timeout: float) -> BackupError:
    return BackupError(
        f"Could not {what}: the database stayed locked by another connection for more "
        f"than {timeout:g} s.",
        hint="Nothing was changed. Try again when the other writer is done (stop the app "
        "for a restore), or raise the lock timeout (TRUEUP_LOCK_TIMEOUT).",
    )


def _path(url: DatabaseURL) -> str:
    if not url.path or url.path == ":memory:":
        raise BackupError(
            f"The database {url} lives in memory: there is no file to back up or restore."
        )
    return url.path


def _what_it_is(head: bytes) -> str | None:
    """A description of a file that is not a SQLite database, when its first bytes say
    what it is instead."""
    if head.startswith(b"PGDMP"):
        return "a PostgreSQL dump (pg_dump custom format), not a SQLite backup"
    if head.lstrip().startswith(b'{"format":"trueup-export"') or b"trueup-export" in head[:64]:
        return "a trueup export, not a backup: load it with `trueup import FILE`"
    return None


def _page_size(head: bytes) -> int:
    """The page size a database file's header gives (bytes 16-17; 1 means 65536)."""
    size = int.from_bytes(head[16:18], "big")
    return 65536 if size == 1 else size


def _says_wal(head: bytes) -> bool:
    """Whether a database file's header says WAL mode (file format versions 2)."""
    return head[18:20] == b"\x02\x02"


@contextlib.contextmanager
def _fitted(path: str, folder: str, page_size: int | None, rollback: bool) -> Iterator[str]:
    """The backup at ``path``, or a temporary copy of it in ``folder`` made to fit the
    database it is restored into: with ``page_size`` (a WAL database's, which the restore
    cannot change) and, with ``rollback``, a header that says rollback journal rather than
    WAL. The backup file itself is only ever read."""
    head = read_head(path, 100)
    resize = page_size is not None and page_size != _page_size(head)
    if not resize and not (rollback and _says_wal(head)):
        yield path
        return
    made: list[str] = []

    def temp() -> str:
        made.append(os.path.join(folder, f".restore.{os.urandom(4).hex()}{TEMP_SUFFIX}"))
        return made[-1]

    try:
        source = path
        if _says_wal(head):
            # A copy to take out of WAL mode: a read-only connection to a WAL file would
            # make -wal and -shm files beside the backup, and an immutable one cannot
            # VACUUM INTO another page size.
            source = temp()
            copy = sqlite3.connect(source, isolation_level=None)
            try:
                copy.execute("PRAGMA journal_mode = OFF")
                from trueup.engines.sqlite.backup_check import _open_copy

                with contextlib.closing(_open_copy(path)) as backup_file:
                    backup_file.backup(copy)
            finally:
                copy.close()
            copy = sqlite3.connect(source, isolation_level=None)
            try:
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
        if resize:
            conn = sqlite3.connect(file_uri(source, mode="ro"), uri=True, isolation_level=None)
            try:
                conn.execute(f"PRAGMA page_size = {int(page_size or 0)}")
                # VACUUM INTO keeps rowids (a VACUUM in place may renumber them).
                conn.execute("VACUUM INTO ?", (temp(),))
            finally:
                conn.close()
            source = made[-1]
        yield source
    finally:
        for name in made:
            remove_temp(name)


class SQLiteBackups(Strategy):
    engine = "sqlite"

    def default_folder(self, url: DatabaseURL) -> str:
        return os.path.join(os.path.dirname(os.path.abspath(_path(url))), "backups")

    def database_name(self, url: DatabaseURL) -> str:
        return os.path.basename(_path(url))

    def scratch_folder(self, url: DatabaseURL) -> str:
        # Beside the database, where the restore makes its other copies too.
        return os.path.dirname(os.path.abspath(_path(url)))

    def is_empty(self, url: DatabaseURL, timeout: float) -> bool:
        path = _path(url)
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            return True
        conn = self._connect(path, timeout)
        try:
            return not conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
        except sqlite3.DatabaseError:
            return False  # not a database: let the backup itself say so
        finally:
            conn.close()

    def method(self) -> Method:
        return _METHOD

    def _connect(self, path: str, timeout: float) -> sqlite3.Connection:
        # mode=rw: a missing file is an error here, never silently created.
        try:
            conn = sqlite3.connect(file_uri(path, mode="rw"), uri=True, isolation_level=None)
        except sqlite3.Error as exc:
            raise BackupError(
                f"Cannot open the SQLite database {path}: {exc}.",
                hint="Check the path (--url or DATABASE_URL) and that the file is readable.",
            ) from exc
        conn.execute(f"PRAGMA busy_timeout = {_busy_ms(timeout)}")
        return conn

    def snapshot(self, url: DatabaseURL, temp: str, method: Method, timeout: float) -> Snapshot:
        path = _path(url)
        source = self._connect(path, timeout)
        try:
            taken = self._file_copy(source, path, temp)
            if taken is not None:
                return Snapshot(Method("sqlite", _HOW[taken.how]), taken.state)
            target = sqlite3.connect(temp, isolation_level=None)
            try:
                # The copy is fsynced as a whole once it is complete; a journal for it would
                # be one more file in the backups folder and buys nothing.
                target.execute("PRAGMA journal_mode = OFF")
                target.execute("PRAGMA synchronous = OFF")
                _copy(source, target, timeout)
            finally:
                target.close()
            return Snapshot(_METHOD)
        except _Busy:
            raise _locked(f"back up {path}", timeout) from None
        except sqlite3.Error as exc:
            raise BackupError(
                f"Could not back up the SQLite database {path}: {exc}.",
                hint="Nothing was saved. If the database is busy, try again or raise the lock "
                "timeout; if the disk is full, free space or choose another --dir.",
            ) from exc
        finally:
            source.close()

    def _file_copy(self, source: sqlite3.Connection, path: str, temp: str) -> Taken | None:
        """The database file copied in a read transaction of ``source``, when it can be."""
        try:
            source.execute("BEGIN")
            # The first read takes the SHARED lock (waiting for a writer up to the busy
            # timeout) and rolls back what a writer that crashed left in its journal.
            source.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            return copy_file(source, path, temp)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise _Busy from None
            raise
        finally:
            if source.in_transaction:
                source.execute("ROLLBACK")

    def state(self, url: DatabaseURL, timeout: float) -> dict[str, Any] | None:
        path = _path(url)
        try:
            conn = self._connect(path, timeout)
        except BackupError:
            return None
        try:
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            if not file_is_database(conn, path):
                return None
            fd = database_descriptor(path)
            return None if fd is None else _state_of(fd)
        except (sqlite3.Error, OSError):
            return None
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()

    def check(self, path: str, kind: str | None = None, level: str = "full") -> str:
        head = read_head(path, 100)
        if not head.startswith(_HEADER):
            what = _what_it_is(head) or "not a SQLite database"
            if not head:
                what = "empty"
            raise BackupError(
                f"{path} is {what}.",
                hint="Nothing was changed. Give a backup made by `trueup backup` for this "
                "database (`trueup backups` lists them).",
            )
        if level == "none":
            return "sqlite"
        # Imported here: a start that finds the database unchanged checks nothing.
        from trueup.engines.sqlite.backup_check import LEVELS, file_problems

        try:
            problems = file_problems(path, level)
        except sqlite3.Error as exc:
            raise BackupError(f"Cannot open the backup {path}: {exc}.") from exc
        if problems:
            shown = "\n".join(f"    {p}" for p in problems[:_SHOWN])
            more = f"\n    ... and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
            raise BackupError(
                f"{path} is damaged: {LEVELS[level]} found\n{shown}{more}",
                hint="A damaged copy is never used as a backup. If this is a new backup, the "
                "database itself is damaged: see the recovery guide (docs/backup-recovery.md).",
            )
        return "sqlite"

    def restore(self, url: DatabaseURL, path: str, kind: str, timeout: float) -> None:
        target_path = _path(url)
        folder = os.path.dirname(os.path.abspath(target_path))
        if not os.path.isdir(folder):
            raise BackupError(f"The folder {folder} for the database {url} does not exist.")
        try:
            sqlite3.connect(file_uri(path, mode="ro", immutable="1"), uri=True).close()
        except sqlite3.Error as exc:
            raise BackupError(f"Cannot open the backup {path}: {exc}.") from exc
        existing = os.path.exists(target_path) and os.path.getsize(target_path) > 0
        try:
            # A missing database file is created: restoring after the file was lost is the
            # case a backup exists for.
            target = sqlite3.connect(target_path, isolation_level=None)
            try:
                target.execute(f"PRAGMA busy_timeout = {_busy_ms(timeout)}")
                # The database keeps its journal mode; a new one takes the backup's.
                wal = existing and target.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
                page_size = int(target.execute("PRAGMA page_size").fetchone()[0]) if wal else None
                with _fitted(path, folder, page_size, existing and not wal) as fitted:
                    source = sqlite3.connect(file_uri(fitted, mode="ro", immutable="1"), uri=True)
                    try:
                        _copy(source, target, timeout)
                    finally:
                        source.close()
                from trueup.engines.sqlite.backup_check import integrity_problems

                problems = integrity_problems(target)
            finally:
                target.close()
        except _Busy:
            raise _locked(f"restore {url} from {path}", timeout) from None
        except sqlite3.Error as exc:
            raise BackupError(
                f"Could not restore {url} from {path}: {exc}.",
                hint="The database was left as it was. If it is busy, stop the app or raise "
                "the lock timeout, then try again.",
            ) from exc
        if problems:  # the source passed its check: only a failing disk gets here
            raise BackupError(
                f"After the restore, PRAGMA integrity_check on {target_path} found: "
                + "; ".join(problems[:_SHOWN]),
                hint="Restore again from another backup, and check the disk.",
            )
