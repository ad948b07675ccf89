"""Exporting a large SQLite table with more than one process.

Reading rows through Python's sqlite3 and encoding them as JSON is work for one CPU at a
time, so a large table is cut by rowid into as many parts as there are CPUs to spare. The
export reads the first part itself; a reader process (``python -m
trueup.engines.sqlite.transfer_readers``) reads each other part into an unnamed scratch file, which
the export then copies to its output in order. The bytes are the ones a single process
writes (both go through :class:`~trueup.engines.sqlite.transfer_rows.RowidScan`).

All parts must come from the same snapshot. In a rollback-journal database that holds as
long as the export keeps its read transaction open: no writer can commit while a reader
holds its SHARED lock, so a reader process that takes its own lock meanwhile sees what the
export sees. A WAL database gives each reader the newest commit instead, so it is read by
one process; so is a database whose file was replaced under its path while it was read.
Whenever a reader process cannot help (it could not start, a writer waiting to commit kept
it from taking its lock, it failed), the export reads that part itself, still inside its
own snapshot: a reader process can make an export faster, never different.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from trueup.engines.sqlite.transfer_rows import RowidScan
from trueup.transfer.format import decode_text

#: The fewest rows worth a process of their own: starting one costs about 0.05 s of a CPU,
#: what reading and encoding some 20,000 rows costs.
PART_ROWS = 200_000
#: The most processes one table is read with (the export's own included).
MAX_READERS = 4
#: Bytes copied from a part's scratch file to the output at a time.
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Identity:
    """The file a path names: a file put in its place has another inode."""

    dev: int
    ino: int

    @classmethod
    def of(cls, path: str) -> Identity:
        st = os.stat(path)
        return cls(st.st_dev, st.st_ino)

    @classmethod
    def of_path(cls, path: str) -> Identity | None:
        try:
            return cls.of(path)
        except OSError:
            return None


class _Part:
    """Rows with a rowid in (after, upto], read by a reader process into a scratch file."""

    def __init__(self, path: str, scan: RowidScan, after: int, upto: int | None, scratch: str):
        self.after = after
        self.upto = upto
        # Unnamed, so it is gone once closed, whatever happens; close() closes it.
        self.spill: IO[bytes] = tempfile.TemporaryFile(dir=scratch)  # noqa: SIM115
        try:
            self.process = self._start(path, scan)
        except BaseException:
            self.spill.close()
            raise

    def _start(self, path: str, scan: RowidScan) -> subprocess.Popen[bytes]:
        spec = {
            "path": path,
            "scan": asdict(scan),
            "after": self.after,
            "upto": self.upto,
            "fd": self.spill.fileno(),
            "parent": os.getpid(),
        }
        # The reader imports trueup from where this process did, whatever sys.path says.
        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        return subprocess.Popen(
            [sys.executable, "-m", "trueup.engines.sqlite.transfer_readers", json.dumps(spec)],
            pass_fds=(self.spill.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )

    def result(self, identity: Identity, path: str) -> int | None:
        """The number of rows the reader wrote, or None when its part cannot be used."""
        out, _ = self.process.communicate()
        if self.process.returncode != 0:
            return None
        try:
            rows, dev, ino = map(int, out.split())
        except ValueError:
            return None
        if Identity(dev, ino) != identity or Identity.of_path(path) != identity:
            return None
        return rows

    def lines(self, rows: int) -> Iterator[tuple[bytes, int]]:
        """The scratch file in chunks, each with its share of the rows (for progress)."""
        size = os.fstat(self.spill.fileno()).st_size
        self.spill.seek(0)
        done = 0
        while chunk := self.spill.read(_CHUNK):
            before = done
            done += len(chunk)
            yield chunk, rows * done // size - rows * before // size

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.spill.close()


def _parts(count: int, cpus: int) -> int:
    return max(1, min(cpus, MAX_READERS, count // PART_ROWS))


def read_lines(
    conn: sqlite3.Connection,
    path: str,
    identity: Identity | None,
    scan: RowidScan,
    count: int,
    *,
    scratch: str | None,
    cpus: int,
) -> Iterator[tuple[bytes | memoryview, int]]:
    """The table's lines, as :meth:`RowidScan.lines` gives them, read with reader processes
    where that is safe and worth it. ``conn`` is inside the export's read transaction,
    ``identity`` is the database file's as it was before ``conn`` opened it, ``scratch`` is
    the folder for the parts' files (None: no reader processes)."""
    n = _parts(count, cpus)
    if (
        n < 2
        or scratch is None
        or identity is None
        or conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        or Identity.of_path(path) != identity
    ):
        yield from scan.lines(conn)
        return
    bounds = [scan.bound(conn, count * i // n - 1) for i in range(1, n)]
    ranges: list[tuple[int, int | None]] = list(zip(bounds, [*bounds[1:], None], strict=True))
    parts: list[_Part] = []
    try:
        for after, upto in ranges:
            try:
                parts.append(_Part(path, scan, after, upto, scratch))
            except OSError:
                break  # this process reads the rest
        yield from scan.lines(conn, None, bounds[0])
        for part in parts:
            rows = part.result(identity, path)
            if rows is None:
                yield from scan.lines(conn, part.after, part.upto)
            else:
                yield from part.lines(rows)
            part.close()
        for after, upto in ranges[len(parts) :]:
            yield from scan.lines(conn, after, upto)
    finally:
        for part in parts:
            part.close()


def _read_part(spec: dict[str, object]) -> str:
    """A reader process's work: read one part into the file descriptor it was given, and
    say how many rows it wrote and which file it read."""
    path = str(spec["path"])
    scan = RowidScan(**spec["scan"])  # type: ignore[arg-type]
    parent = spec["parent"]
    # Read-only, and no wait for locks: a writer waiting to commit would keep this process
    # from its lock until the export ends, so the export reads the part itself instead.
    from trueup.engines.sqlite.uri import file_uri

    conn = sqlite3.connect(file_uri(path, mode="ro"), uri=True, isolation_level=None, timeout=0)
    conn.text_factory = decode_text
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()  # the snapshot is taken here
    identity = Identity.of(path)
    rows = 0
    after, upto = spec["after"], spec["upto"]
    assert isinstance(after, int) and (upto is None or isinstance(upto, int))
    with open(int(str(spec["fd"])), "wb", buffering=1 << 20) as out:
        for data, n in scan.lines(conn, after, upto):
            if os.getppid() != parent:  # the export is gone: nobody will read this
                raise SystemExit(1)
            out.write(data)
            rows += n
        out.flush()
    conn.close()
    return f"{rows} {identity.dev} {identity.ino}"


if __name__ == "__main__":
    print(_read_part(json.loads(sys.argv[1])))
