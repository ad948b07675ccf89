"""`push` on a PostgreSQL database already in sync with the 100-model Prisma schema of
bench/noop_push.py, trueup against `prisma db push` (the real CLI, 6.19.3 with its
WebAssembly engine and the pg driver adapter, from tests/prisma/prisma_cli). Prisma's time
is taken when it prints its result: its process can linger after that. trueup's push is
the whole process, Python's start included: the database is as its last push left it, so
one catalog digest shows it is in sync (see trueup.history.in_sync_since_last_push).

The server is the one DATABASE_URL names, else a throwaway cluster (bench/postgres_server).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from tests.prisma import prisma_cli

from bench import noop_push
from bench.common import TRUEUP, Comparison, Run, alternate, run
from bench.postgres_server import database, server


def schema() -> str:
    return noop_push.schema().replace('provider = "sqlite"', 'provider = "postgresql"', 1)


def compare(rounds: int = 7) -> list[Comparison]:
    prisma_cli.install()
    work = Path(tempfile.mkdtemp(prefix="trueup-bench-noop-pg-"))
    try:
        (work / "schema.prisma").write_text(schema())
        with server() as url, database(url) as db:
            env = {**os.environ, "DATABASE_URL": db}
            trueup = [*TRUEUP, "push", "--schema", "schema.prisma", "--no-backup"]
            run(trueup, cwd=work, env=env)
            prisma = prisma_cli.command(
                "db", "push", "--skip-generate", "--schema", str(work / "schema.prisma")
            )
            prisma_env = prisma_cli.environment(db)
            first = run(prisma, cwd=prisma_cli.HERE, env=prisma_env, done_when="in sync")
            assert "already in sync" in first.output, first.output

            def ours() -> Run:
                r = run(trueup, cwd=work, env=env)
                assert "already in sync" in r.output, r.output
                return r

            def theirs() -> Run:
                r = run(prisma, cwd=prisma_cli.HERE, env=prisma_env, done_when="already in sync")
                assert "already in sync" in r.output, r.output
                return r

            a, b = alternate(rounds, ours, theirs)
        return [
            Comparison(
                f"no-op push, {noop_push.MODELS}-model Prisma schema, PostgreSQL",
                a,
                b,
                "prisma db push 6.19.3 (pg adapter)",
                "≥ 15× faster (≤ 0.067×)",
            ),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
