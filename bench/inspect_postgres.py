"""Inspect and diff of a PostgreSQL database of 100, 1,000 and 5,000 tables: trueup against
migra, and how trueup's cost grows with the number of tables.

For each size two databases are built: one with N tables that look like an application's
(a bigserial key, text, varchar, numeric, double, boolean, timestamptz and jsonb columns,
defaults, a CHECK, a plain and a unique index, one or two foreign keys), and a copy of it
with one column added. Both tools compare the two and print what would make the first
equal to the second, each as its own process:

    trueup diff --url A --against-url B --format sql
    migra --unsafe A B

migra 3.0 (with schemainspect, sqlbag, SQLAlchemy and psycopg2-binary) is installed from
PyPI into its own virtual environment, ~/.cache/trueup-bench/migra (so that SQLAlchemy does
not land in trueup's environment), the first time this runs; by hand:

    python -m venv ~/.cache/trueup-bench/migra
    ~/.cache/trueup-bench/migra/bin/pip install migra==3.0.1663481299 psycopg2-binary

Needs a PostgreSQL server: DATABASE_URL, else one is started with scripts/postgres.

    python -m bench.inspect_postgres [SIZES...]     # default: 100 1000 5000
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import TRUEUP, Comparison, Run, alternate, median, run
from bench.postgres_server import database, name_of, server

SIZES = (100, 1000, 5000)
ROUNDS = {100: 5, 1000: 5, 5000: 3}
MIGRA_PACKAGES = ["migra==3.0.1663481299", "psycopg2-binary"]
MIGRA_VENV = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "trueup-bench/migra"


def migra() -> Path:
    """The migra command, installed into its own virtual environment if it is not there."""
    exe = MIGRA_VENV / "bin" / "migra"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(MIGRA_VENV)], check=True)
        subprocess.run(
            [str(MIGRA_VENV / "bin" / "pip"), "install", "-q", *MIGRA_PACKAGES], check=True
        )
    return exe


def migra_version() -> str:
    out = subprocess.run(
        [str(MIGRA_VENV / "bin" / "pip"), "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wanted = ("migra", "schemainspect", "sqlbag", "sqlalchemy", "psycopg2-binary")
    return ", ".join(line for line in out.split() if line.split("==")[0].lower() in wanted)


def table_sql(i: int) -> str:
    """Table ``t{i}``: a parent (the previous table) and, for every third table, a second
    foreign key half way back."""
    fks = ""
    if i > 0:
        fks += f",\n  parent_id bigint REFERENCES t{i - 1} (id) ON DELETE SET NULL"
    if i % 3 == 0 and i > 1:
        fks += f",\n  owner_id bigint NOT NULL REFERENCES t{i // 2} (id)"
    return (
        f"CREATE TABLE t{i} (\n"
        "  id bigserial PRIMARY KEY,\n"
        "  name text NOT NULL,\n"
        "  email varchar(255),\n"
        "  amount numeric(12, 2) NOT NULL DEFAULT 0 CHECK (amount >= 0),\n"
        "  score double precision,\n"
        "  active boolean NOT NULL DEFAULT true,\n"
        "  created_at timestamptz NOT NULL DEFAULT now(),\n"
        f"  data jsonb{fks}\n"
        ");\n"
        f"CREATE INDEX t{i}_name_idx ON t{i} (name, created_at);\n"
        f"CREATE UNIQUE INDEX t{i}_email_key ON t{i} (lower(email));\n"
    )


def build(url: str, tables: int) -> None:
    """The tables, 200 to a transaction (one transaction for all of them would need more
    locks than a default server has)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for start in range(0, tables, 200):
            script = "".join(table_sql(i) for i in range(start, min(start + 200, tables)))
            conn.execute(f"BEGIN;\n{script}COMMIT;".encode())


def add_column(url: str, table: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN note text".encode())


def migra_url(url: str) -> str:
    return "postgresql+psycopg2://" + url.split("://", 1)[1]


def compare_size(server_url: str, tables: int, rounds: int) -> Comparison:
    exe = migra()
    with database(server_url) as a:
        started = time.perf_counter()
        build(a, tables)
        took = time.perf_counter() - started
        print(f"  built {tables:,} tables in {took:.1f} s", file=sys.stderr)
        with database(server_url, template=name_of(a)) as b:
            changed = f"t{tables // 2}"
            add_column(b, changed)

            def ours() -> Run:
                r = run(
                    [*TRUEUP, "diff", "--url", a, "--against-url", b, "--format", "sql"],
                    ok_codes=(2,),
                )
                assert f'ALTER TABLE "{changed}" ADD COLUMN "note"' in r.output, r.output
                return r

            def theirs() -> Run:
                r = run([str(exe), "--unsafe", migra_url(a), migra_url(b)], ok_codes=(2,))
                assert f'"{changed}" add column "note"' in r.output, r.output
                return r

            t, m = alternate(rounds, ours, theirs)
    return Comparison(
        f"inspect + diff, {tables:,} PostgreSQL tables",
        t,
        m,
        "migra 3.0",
        "≥ 5× faster (≤ 0.20×)" if tables == 1000 else "(scaling)",
    )


def scaling(sizes: tuple[int, ...], results: list[Comparison]) -> str:
    """trueup's and migra's time per table at each size, and the cost of each table added
    (the time's growth between sizes, divided by the tables added)."""
    lines = [
        "| tables | trueup | trueup per table | trueup per added table | migra | ratio |",
        "|---|---|---|---|---|---|",
    ]
    prev: tuple[int, float] | None = None
    for n, c in zip(sizes, results, strict=True):
        t = median(c.trueup)
        added = "" if prev is None else f"{(t - prev[1]) / (n - prev[0]) * 1000:.3f} ms"
        lines.append(
            f"| {n:,} | {t:.3f} s | {t / n * 1000:.3f} ms | {added} | "
            f"{median(c.baseline):.3f} s | {c.ratio:.3f}× |"
        )
        prev = (n, t)
    return "\n".join(lines)


def compare(sizes: tuple[int, ...] = SIZES) -> list[Comparison]:
    results: list[Comparison] = []
    with server() as url:
        for n in sizes:
            results.append(compare_size(url, n, ROUNDS.get(n, 3)))
    table = scaling(sizes, results)
    notes = f"inspect + diff scaling (migra: {migra_version()}):\n\n{table}"
    last = results[-1]
    results[-1] = Comparison(
        last.name, last.trueup, last.baseline, last.baseline_name, last.target, notes
    )
    return results


if __name__ == "__main__":
    chosen = tuple(int(a) for a in sys.argv[1:]) or SIZES
    found = compare(chosen)
    for c in found:
        print(c.row())
    print()
    print(found[-1].note)
