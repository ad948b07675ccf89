"""Compressed backups (``--compress``): gzip, from the standard library.

A backup is checked before it is compressed (a SQLite check needs the database file), and
restored from a decompressed copy. gzip at level 1: of zlib's levels the fastest, which
keeps most of the saving (a typical app database shrinks to a third or a half; higher
levels take several times as long for a few percent more). The file is compressed in
chunks by as many threads as there are CPUs (zlib lets go of Python's lock while it
works), each chunk a gzip member of its own: a file of several members is one gzip file to
every reader (``gzip -d``, ``zcat``, Python's gzip module).
"""

from __future__ import annotations

import gzip
import shutil
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

from trueup.cpus import usable_cpus

LEVEL = 1
MAGIC = b"\x1f\x8b"
_CHUNK = 8 << 20


def _member(data: bytes) -> bytes:
    # mtime=0: the same bytes give the same file, whenever they are compressed.
    return gzip.compress(data, LEVEL, mtime=0)


def compress_file(source: str, target: str) -> None:
    """Write the file ``source`` gzip-compressed into the file ``target``."""
    workers = usable_cpus()
    with (
        open(source, "rb") as src,
        open(target, "wb") as out,
        ThreadPoolExecutor(workers, thread_name_prefix="trueup-gzip") as pool,
    ):
        pending: deque[Future[bytes]] = deque()
        try:
            while chunk := src.read(_CHUNK):
                pending.append(pool.submit(_member, chunk))
                if len(pending) > 2 * workers:  # memory: a few chunks in flight
                    out.write(pending.popleft().result())
            while pending:
                out.write(pending.popleft().result())
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def decompress_file(source: str, target: str) -> None:
    """Write the gzip file ``source`` decompressed into the file ``target``.

    Raises ValueError (gzip.BadGzipFile, zlib.error, EOFError as ValueError) for a file
    that is damaged or cut short."""
    try:
        with gzip.open(source, "rb") as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from exc


def is_compressed(head: bytes) -> bool:
    return head.startswith(MAGIC)
