"""Peak memory of ``trueup export`` and ``trueup import`` on 2,000,000 rows.

Builds a SQLite database of 2,000,000 rows (integers, text, reals, small BLOBs, NULLs),
then runs ``trueup export`` and ``trueup import`` each in a child process and reads the
child's peak resident set size from ``wait4``. ``trueup --version`` gives the floor (the
interpreter and trueup's imports). Prints the figures; it is a measurement, not a test.

    python bench/export_memory.py [--rows N] [--keep DIR] [--postgres URL]

With ``--postgres URL`` (a server's maintenance database, as ``scripts/postgres start``
prints it) the same is measured for PostgreSQL: a table of N rows made there with
``generate_series``, exported, and imported into a second new database.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

LIMIT_MB = 100.0


def rows(n: int) -> Iterator[tuple[object, ...]]:
    for i in range(n):
        yield (
            i * 7919 - 2**62,  # large 64-bit integers
            f"title {i} – ünïcode",
            i / 7.0,
            i.to_bytes(8, "little") * 4,  # a 32-byte BLOB
            None if i % 5 == 0 else i,
        )


def build(path: Path, n: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(
        "CREATE TABLE media (id INTEGER PRIMARY KEY, big INTEGER NOT NULL, title TEXT, "
        "score REAL, cover BLOB, year INTEGER)"
    )
    conn.executemany(
        "INSERT INTO media (big, title, score, cover, year) VALUES (?, ?, ?, ?, ?)", rows(n)
    )
    conn.commit()
    conn.close()


def peak_rss(args: list[str], cwd: Path) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of ``trueup ARGS`` run as a child process."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "trueup", *args], cwd=cwd, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"trueup {' '.join(args)} failed")
    return usage.ru_maxrss / 1024, elapsed  # Linux reports kilobytes


def postgres(server: str, n: int, folder: Path, floor: float) -> None:
    import secrets
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(server)
    names = [f"trueup_bench_{secrets.token_hex(4)}" for _ in range(2)]
    urls = [urlunsplit((parts.scheme, parts.netloc, f"/{x}", parts.query, "")) for x in names]
    with psycopg.connect(server, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"'.encode())
    try:
        with psycopg.connect(urls[0], autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE media (id BIGINT PRIMARY KEY, big BIGINT NOT NULL, title TEXT, "
                "score DOUBLE PRECISION, cover BYTEA, year INTEGER, price NUMERIC(12, 2), "
                "added TIMESTAMPTZ)"
            )
            conn.execute(
                "INSERT INTO media SELECT i, i * 7919 - 4611686018427387904, "
                "'title ' || i || ' – ünïcode', i / 7.0, int8send(i) || int8send(i), "
                "CASE WHEN i %% 5 = 0 THEN NULL ELSE i END, i / 100.0, "
                "'2025-01-01'::timestamptz + i * interval '1 second' "
                "FROM generate_series(1::bigint, %s) AS i",
                (n,),
            )
        export_mb, export_s = peak_rss(["export", "--url", urls[0], "-o", "pg.jsonl"], folder)
        import_mb, import_s = peak_rss(["import", "pg.jsonl", "--url", urls[1]], folder)
        size = (folder / "pg.jsonl").stat().st_size / 1e6
        print(f"PostgreSQL export file {size:8.1f} MB")
        print(f"PostgreSQL export peak RSS {export_mb:6.1f} MB   {export_s:6.1f} s")
        print(f"PostgreSQL import peak RSS {import_mb:6.1f} MB   {import_s:6.1f} s")
        worst = max(export_mb, import_mb, floor)
        print(f"{'under' if worst < LIMIT_MB else 'OVER'} the {LIMIT_MB:.0f} MB limit")
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--keep", type=Path, help="build in this folder and leave it there")
    parser.add_argument("--postgres", metavar="URL", help="also measure PostgreSQL there")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("bench.db", "copy.db", "bench.jsonl", "pg.jsonl"):
            (folder / name).unlink(missing_ok=True)
        started = time.perf_counter()
        build(folder / "bench.db", args.rows)
        print(f"built {args.rows:,} rows in {time.perf_counter() - started:.1f} s")

        floor, _ = peak_rss(["--version"], folder)
        export_mb, export_s = peak_rss(["export", "--url", "bench.db", "-o", "bench.jsonl"], folder)
        import_mb, import_s = peak_rss(["import", "bench.jsonl", "--url", "copy.db"], folder)
        size = (folder / "bench.jsonl").stat().st_size / 1e6

        print(f"database        {(folder / 'bench.db').stat().st_size / 1e6:8.1f} MB")
        print(f"export file     {size:8.1f} MB")
        print(f"floor (--version) peak RSS {floor:6.1f} MB")
        print(f"export peak RSS {export_mb:8.1f} MB   {export_s:6.1f} s")
        print(f"import peak RSS {import_mb:8.1f} MB   {import_s:6.1f} s")
        worst = max(export_mb, import_mb)
        verdict = "under" if worst < LIMIT_MB else "OVER"
        print(f"{verdict} the {LIMIT_MB:.0f} MB limit")
        if args.postgres:
            postgres(args.postgres, args.rows, folder, floor)


if __name__ == "__main__":
    main()
