"""Export of a 1,000,000-row SQLite table: `trueup export -o FILE` against the sqlite3
shell's JSON output, `sqlite3 -json DB 'SELECT * FROM item' > FILE`.

Both write a file, each as its own process, alternating. The table has integers (small,
64-bit, NULL in one row of five), text (ASCII, and non-ASCII with quotes, NULL in one row
of four), reals and, in one row of a hundred, a 16-byte BLOB. The two files are not the
same format: trueup's keeps every value exact (reals in their shortest exact form, BLOBs as
base64, big integers whole) and holds the schema; the shell's writes reals with 20
significant digits and BLOBs as text. trueup's run also includes what the shell does not
do: inspecting the schema, counting the rows, and fsyncing the file before renaming it
into place. The table is large enough to be read by reader processes beside trueup's own
(one per CPU, docs/cli.md); the breakdown printed after the table is of one process. The
same export of 100,000 rows (read by one process) shows that memory stays flat.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import TRUEUP, Comparison, Run, alternate, median, run

ROWS = 1_000_000
SCHEMA = (
    "CREATE TABLE item (id INTEGER PRIMARY KEY, code TEXT NOT NULL, qty INTEGER, price REAL, "
    "big INTEGER, note TEXT, data BLOB)"
)


def rows(n: int) -> Iterator[tuple[object, ...]]:
    for i in range(n):
        yield (
            i,
            f"item-{i:07d}",
            None if i % 5 == 0 else i % 1000,
            i * 0.37 + 0.01,
            i * 7919 - 2**62,
            None if i % 4 == 0 else f'note {i} – ünïcode "q"',
            i.to_bytes(8, "little") * 2 if i % 100 == 0 else None,
        )


def build(path: Path, n: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(SCHEMA)
    conn.executemany("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, ?)", rows(n))
    conn.commit()
    conn.close()


def breakdown(db: Path, out: Path) -> str:
    """Where trueup's time goes, timed in-process: reading the rows (Python's sqlite3
    makes an object of every value), encoding them (the JSON encoder, reals in their
    shortest exact form), writing, and the fsync; and the start of a trueup process. The
    batches are the export's own: as many rows, encoded the same way."""
    from trueup.engines.sqlite.transfer import BATCH
    from trueup.transfer.format import LineEncoder

    start = median([run([*TRUEUP, "--version"]) for _ in range(3)])
    conn = sqlite3.connect(db)
    cursor = conn.execute("SELECT * FROM item ORDER BY id")
    read = encode = write = 0.0
    lines = LineEncoder()
    with open(out, "wb", buffering=1 << 20) as f:
        while True:
            a = time.perf_counter()
            rows = cursor.fetchmany(BATCH)
            b = time.perf_counter()
            read += b - a
            if not rows:
                break
            data = lines(rows)
            c = time.perf_counter()
            encode += c - b
            f.write(data)
            write += time.perf_counter() - c
        a = time.perf_counter()
        f.flush()
        os.fsync(f.fileno())
        synced = time.perf_counter() - a
    conn.close()
    out.unlink()
    return (
        f"trueup export of {ROWS:,} rows by one process, timed in-process: read {read:.2f} s, "
        f"encode {encode:.2f} s, write {write:.2f} s, fsync {synced:.2f} s; a trueup process "
        f"starts in {start:.2f} s"
    )


def compare_rows(work: Path, n: int, rounds: int, target: str) -> Comparison:
    db = work / f"items-{n}.db"
    build(db, n)
    out = work / "export.jsonl"
    shell_out = work / "shell.json"

    def ours() -> Run:
        out.unlink(missing_ok=True)
        r = run([*TRUEUP, "export", "--url", str(db), "-o", str(out)])
        assert f"{n:,} rows" in r.output, r.output
        return r

    def theirs() -> Run:
        shell_out.unlink(missing_ok=True)
        return run(["sh", "-c", f"sqlite3 -json '{db}' 'SELECT * FROM item' > '{shell_out}'"])

    a, b = alternate(rounds, ours, theirs)
    size = out.stat().st_size / 1e6
    return Comparison(
        f"export of {n:,} SQLite rows ({size:.0f} MB file)",
        a,
        b,
        "sqlite3 -json",
        target,
        breakdown(db, out) if n == ROWS else "",
    )


def compare(rounds: int = 5) -> list[Comparison]:
    work = Path(tempfile.mkdtemp(prefix="trueup-bench-export-"))
    try:
        return [
            compare_rows(work, ROWS, rounds, "≤ 1.5×, memory flat"),
            compare_rows(work, ROWS // 10, rounds, "(memory: the same peak)"),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for c in compare():
        print(c.row())
        if c.note:
            print(c.note)
