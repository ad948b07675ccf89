"""Backup of a PostgreSQL database of about 250 MB: `trueup backup` against `pg_dump -Fc`
alone, each as its own process, alternating, into files on the same disk.

trueup runs pg_dump in its custom format itself, then checks the archive (the default
check: `pg_restore --list` reads its table of contents), fsyncs it and renames it into
place; what it adds to pg_dump's own time is its process's start (with psycopg's import),
the check and the fsync. `--verify full` (every data block read back through pg_restore)
is timed too, for reference. The server is the one DATABASE_URL names, else a throwaway
cluster (scripts/postgres).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.common import TRUEUP, Comparison, Run, alternate, run
from bench.postgres_server import database, server

ROWS = 2_000_000
SCHEMA = f"""
CREATE TABLE customer AS
    SELECT g AS id, 'user' || g || '@example.com' AS email, md5(g::text) AS notes,
           now() - g * interval '1 minute' AS created
    FROM generate_series(1, {ROWS // 10}) g;
CREATE TABLE line AS
    SELECT g AS id, g / 10 AS customer_id, 'SKU-' || (g % 5000) AS sku, g % 7 AS qty,
           ((g % 10000) / 100.0)::numeric(10, 2) AS price, md5(g::text) AS payload
    FROM generate_series(1, {ROWS}) g;
ALTER TABLE customer ADD PRIMARY KEY (id);
ALTER TABLE line ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX customer_email ON customer (email);
CREATE INDEX line_sku ON line (sku, qty);
ANALYZE;
"""


def compare(rounds: int = 3) -> list[Comparison]:
    import psycopg

    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise RuntimeError("pg_dump is not on PATH")
    work = Path(tempfile.mkdtemp(prefix="trueup-bench-pg-backup-"))
    try:
        with server() as url, database(url) as db:
            with psycopg.connect(db, autocommit=True) as conn:
                conn.execute(SCHEMA.encode())
                size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            assert size is not None
            backups = work / "backups"
            dump = work / "app.dump"

            def ours(*flags: str) -> Run:
                shutil.rmtree(backups, ignore_errors=True)
                return run([*TRUEUP, "backup", "--url", db, "--dir", str(backups), *flags])

            def theirs() -> Run:
                dump.unlink(missing_ok=True)
                return run([pg_dump, "--format=custom", f"--file={dump}", f"--dbname={db}"])

            a, b = alternate(rounds, ours, theirs)
            full, b2 = alternate(rounds, lambda: ours("--verify", "full"), theirs)
        name = f"backup of a {size[0] / 1e6:.0f} MB PostgreSQL database"
        return [
            Comparison(name, a, b, "pg_dump -Fc", "≤ 1.2×"),
            Comparison(f"{name}, --verify full", full, b2, "pg_dump -Fc", "(for reference)"),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for c in compare():
        print(c.row())
