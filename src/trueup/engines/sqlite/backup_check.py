"""The check of a SQLite backup, at the level asked for (see :data:`LEVELS`).

- ``full``: ``PRAGMA integrity_check``: everything SQLite can check in a database file,
  split across the CPUs when that is faster (see :func:`_split_plan`).
- ``quick``: ``PRAGMA quick_check``: the same but the cross-check of every index entry
  against its table row and of UNIQUE indexes, which is nearly all of the full check's time
  (13.8 s against 1.6 s on a 1.2 GB database).
- ``none``: the file starts as a SQLite database does; nothing more.

The copy is read through a memory map, with the file opened immutable: read as it is,
without locks and without a journal, -wal or -shm file made beside it.
"""

from __future__ import annotations

import queue
import sqlite3
from concurrent.futures import ThreadPoolExecutor

from trueup.cpus import usable_cpus
from trueup.engines.sqlite.uri import file_uri

#: What each level runs on the whole file (the full check may be split instead).
LEVELS = {"full": "PRAGMA integrity_check", "quick": "PRAGMA quick_check"}

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


def file_problems(path: str, level: str = "full") -> list[str]:
    """What the check of ``level`` (a key of :data:`LEVELS`) finds wrong in the database
    file at ``path`` (an empty list when it is sound); the full check is split across the
    CPUs when that is faster.

    Raises sqlite3.Error when the file cannot be opened at all."""
    first = _open_copy(path)
    conns = [first]
    try:
        workers = usable_cpus()
        split = _split_plan(first, workers) if level == "full" else None
        plan = split or [LEVELS[level]]
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
