"""SQLite backups through SQLite's online backup API, checked before they count.

The copy is taken in one step of ``sqlite3_backup_step(-1)``: one read transaction, so the
copy is exactly the database as one committed moment left it, whatever the app writes
meanwhile. In WAL mode the app keeps writing during the copy; in rollback-journal mode a
writer waits (its busy timeout) for the read lock, which lasts as long as reading the file.

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
import queue
import secrets
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from trueup.backup.engine import Method, Strategy
from trueup.backup.files import TEMP_SUFFIX, BackupError, read_head, remove_temp
from trueup.cpus import usable_cpus
from trueup.dialects.sqlite.uri import file_uri
from trueup.urls import DatabaseURL

_HEADER = b"SQLite format 3\x00"
_METHOD = Method("sqlite", "SQLite online backup")
#: How many problems of a failed integrity check are shown.
_SHOWN = 5


def _busy_ms(timeout: float) -> int:
    return max(0, int(timeout * 1000))


class _Busy(Exception):
    """The other side of a copy stayed locked past the timeout."""


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


#: Page cache for the integrity check, in KiB. The check looks up every index entry in its
#: table: with SQLite's default 2 MB most of those pages are read again and again. 64 MB
#: takes about a quarter off the check of a large database; memory grows to it only with
#: the database's size.
_CHECK_CACHE_KIB = 65536
#: How much of a copy the integrity check reads through a memory map: SQLite then reads a
#: page where it lies in the OS page cache instead of copying it into its own cache first,
#: which takes about 40 % off the check of a 1.2 GB database (21 s -> 12 s). SQLite caps it
#: at its compile-time limit (2 GB in common builds); pages past the map are read as usual.
#: The mapped pages count in the process's RSS, but they are the page cache's own pages
#: (shared, clean, dropped under memory pressure), not memory taken besides it. Only for
#: backup files (trueup's new copy, or the backup a restore is given): the map is read-only,
#: and a file truncated while mapped would crash the process, which nothing does to those.
_CHECK_MMAP_BYTES = 1 << 40
#: The split check (below) is used only when there is this much to check, in rows times
#: the b-trees they are in: for a smaller database threads save less than they cost.
_SPLIT_MIN_WORK = 200_000
#: ... and only when the largest table is at most this share of the work: the check of one
#: table cannot itself be split, so when one table is nearly all of the database, the split
#: only adds the quick_check (about a tenth of the work) to the time.
_SPLIT_MAX_SHARE = 0.85


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """What ``PRAGMA integrity_check`` finds wrong (an empty list when the file is sound)."""
    conn.execute(f"PRAGMA cache_size = -{_CHECK_CACHE_KIB}")
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def _open_copy(path: str) -> sqlite3.Connection:
    # immutable=1: read the file exactly as it is, without locks and without creating a
    # journal, -wal or -shm file beside it (a backup of a WAL database says WAL).
    # check_same_thread=False: a split check opens it in one thread and uses it in another.
    conn = sqlite3.connect(
        file_uri(path, mode="ro", immutable="1"), uri=True, check_same_thread=False
    )
    conn.execute(f"PRAGMA mmap_size = {_CHECK_MMAP_BYTES}")
    conn.execute(f"PRAGMA cache_size = -{_CHECK_CACHE_KIB}")
    return conn


def _problems(conn: sqlite3.Connection, pragma: str) -> list[str]:
    """What one check pragma reports (an empty list for "ok"), or the error that stopped it."""
    try:
        rows = [str(r[0]) for r in conn.execute(pragma)]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def _split_plan(conn: sqlite3.Connection, workers: int) -> list[str] | None:
    """The pragmas of a split check, the longest first; None when the whole-database
    ``PRAGMA integrity_check`` is the faster (or the only safe) way.

    ``PRAGMA integrity_check`` on a whole database (https://sqlite.org/pragma.html) checks
    (1) the b-tree structure of every table and index: page format, cell order, records,
    pages missing, and pages used twice or not at all, and the freelist; (2) per table:
    NOT NULL and CHECK constraints, and that every row has its entries in every index, that
    UNIQUE indexes hold no duplicates and that each index has as many entries as its table.
    ``PRAGMA quick_check`` does all of (1) and all of (2) but the index and UNIQUE checks
    (the O(N log N) part: nearly all the time); ``PRAGMA integrity_check(T)`` does (2) in
    full for table T, and (1) for T's own b-trees but without the page accounting and
    freelist, which need every b-tree. So quick_check plus integrity_check(T) for every
    table T (sqlite_schema included) checks what the whole-database form checks: SQLite
    builds both from the same per-b-tree and per-table code (pragma.c; verified against
    3.40 by tests/test_backup_check.py, which damages indexes, UNIQUE, NOT NULL, the page
    accounting and the freelist). The parts run at once, each on its own connection in a
    thread of its own (SQLite releases the GIL).
    """
    if workers < 2 or sqlite3.sqlite_version_info < (3, 33, 0):  # integrity_check(T): 3.33
        return None
    try:
        tables = conn.execute(
            "SELECT name, sql LIKE 'CREATE VIRTUAL%' FROM sqlite_schema WHERE type = 'table'"
        ).fetchall()
        # Newer SQLite checks virtual tables (FTS5's own consistency check) in ways the
        # split above does not spell out: a schema with one is checked whole.
        if any(virtual for _, virtual in tables):
            return None
        work: dict[str, int] = {}
        for name, _ in tables:
            quoted = _quoted(str(name))
            # count(*) walks the smallest b-tree of the table (fast, no record is read); a
            # table's check costs about a look-up per row in the table and each index.
            rows = int(conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])
            indexes = len(conn.execute(f"PRAGMA index_list({quoted})").fetchall())
            work[str(name)] = rows * (1 + indexes)
    except sqlite3.Error:
        return None  # a damaged schema or b-tree: the whole-database form says what it is
    total = sum(work.values())
    if total < _SPLIT_MIN_WORK or max(work.values(), default=0) > _SPLIT_MAX_SHARE * total:
        return None
    # sqlite_schema is a table like the others (its records and b-tree), but not listed.
    work["sqlite_schema"] = 0
    # Each part goes to the next free thread, the longest first (so none is left to start
    # last): quick_check costs about a tenth of a full check.
    parts = [(total // 10, "PRAGMA quick_check")]
    parts += [(n, "PRAGMA integrity_check(" + _quoted(t) + ")") for t, n in work.items()]
    return [pragma for _, pragma in sorted(parts, key=lambda p: -p[0])]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def file_problems(path: str) -> list[str]:
    """What ``PRAGMA integrity_check`` finds wrong in the database file at ``path`` (an
    empty list when it is sound), split across the CPUs when that is faster.

    Raises sqlite3.Error when the file cannot be opened at all."""
    first = _open_copy(path)
    conns = [first]
    try:
        workers = usable_cpus()
        plan = _split_plan(first, workers) or ["PRAGMA integrity_check"]
        conns += [_open_copy(path) for _ in range(min(workers, len(plan)) - 1)]
        free: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        for conn in conns:
            free.put(conn)

        def part(pragma: str) -> list[str]:
            conn = free.get()  # there is one connection per thread: one is always free
            try:
                return _problems(conn, pragma)
            finally:
                free.put(conn)

        # Even the whole-database check runs in a thread: the main thread then waits on a
        # future, which Ctrl-C interrupts at once, and interrupts SQLite in turn; a check
        # in the main thread would hold Ctrl-C back until the check had run to its end.
        with ThreadPoolExecutor(len(conns), thread_name_prefix="trueup-check") as pool:
            futures = [pool.submit(part, pragma) for pragma in plan]  # run in this order
            try:
                found: list[str] = []
                for future in futures:
                    # quick_check and integrity_check(T) both report a broken b-tree of T
                    # (or the error that stopped them): once is enough.
                    earlier = set(found)
                    found += [p for p in future.result() if p not in earlier]
            except BaseException:
                for conn in conns:
                    conn.interrupt()
                pool.shutdown(cancel_futures=True)
                raise
    finally:
        for conn in conns:
            conn.close()
    return found


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
        made.append(os.path.join(folder, f".restore.{secrets.token_hex(4)}{TEMP_SUFFIX}"))
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

    def snapshot(self, url: DatabaseURL, temp: str, method: Method, timeout: float) -> None:
        path = _path(url)
        source = self._connect(path, timeout)
        try:
            target = sqlite3.connect(temp, isolation_level=None)
            try:
                # The copy is fsynced as a whole once it is complete; a journal for it would
                # be one more file in the backups folder and buys nothing.
                target.execute("PRAGMA journal_mode = OFF")
                target.execute("PRAGMA synchronous = OFF")
                _copy(source, target, timeout)
            finally:
                target.close()
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

    def check(self, path: str, kind: str | None = None) -> str:
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
        try:
            problems = file_problems(path)
        except sqlite3.Error as exc:
            raise BackupError(f"Cannot open the backup {path}: {exc}.") from exc
        if problems:
            shown = "\n".join(f"    {p}" for p in problems[:_SHOWN])
            more = f"\n    ... and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
            raise BackupError(
                f"{path} is damaged: PRAGMA integrity_check found\n{shown}{more}",
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
