"""`push` on a database already in sync with a 100-model Prisma schema (what every container
start runs), trueup against `prisma db push` (the real CLI, 6.19.3 with its WebAssembly
engine, from tests/prisma/prisma_cli). Prisma's time is taken when it prints its result:
its process lingers after that."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from tests.prisma import prisma_cli

from bench.common import TRUEUP, Comparison, alternate, run

MODELS = 100


def schema(models: int = MODELS) -> str:
    """Models that look like an application's: keys, defaults, an enum, unique and plain
    indexes, required and optional relations, and a many-to-many relation."""
    out = [
        'datasource db {\n  provider = "sqlite"\n  url      = env("DATABASE_URL")\n}\n',
        "enum Status {\n  ACTIVE\n  ARCHIVED\n}\n",
    ]
    for i in range(models):
        lines = [
            f"model M{i} {{",
            "  id        Int      @id @default(autoincrement())",
            "  slug      String   @unique",
            "  title     String",
            "  body      String?",
            "  score     Float    @default(0)",
            "  status    Status   @default(ACTIVE)",
            "  createdAt DateTime @default(now())",
            "  updatedAt DateTime @updatedAt",
        ]
        if i > 0:
            lines.append("  parentId  Int?")
            lines.append(f"  parent    M{i - 1}? @relation(fields: [parentId], references: [id])")
        if i < models - 1:
            lines.append(f"  children  M{i + 1}[]")
        if i % 10 == 0 and i + 5 < models:
            lines.append(f'  tags      M{i + 5}[] @relation("Tags{i}")')
        if i % 10 == 5:
            lines.append(f'  taggedBy  M{i - 5}[] @relation("Tags{i - 5}")')
        lines.append("  @@index([title, createdAt])")
        lines.append("}\n")
        out.append("\n".join(lines))
    return "\n".join(out)


def compare(rounds: int = 7) -> list[Comparison]:
    prisma_cli.install()
    work = Path(tempfile.mkdtemp(prefix="trueup-bench-noop-"))
    try:
        (work / "schema.prisma").write_text(schema())
        db = work / "app.db"
        env = {**os.environ, "DATABASE_URL": f"file:{db}"}
        run([*TRUEUP, "push", "--schema", "schema.prisma", "--no-backup"], cwd=work, env=env)
        prisma_env = prisma_cli.environment(db)
        prisma = prisma_cli.command(
            "db", "push", "--skip-generate", "--schema", str(work / "schema.prisma")
        )
        first = run(prisma, cwd=prisma_cli.HERE, env=prisma_env, done_when="in sync")
        assert "already in sync" in first.output, first.output

        def ours() -> object:
            r = run(
                [*TRUEUP, "push", "--schema", "schema.prisma", "--no-backup"], cwd=work, env=env
            )
            assert "already in sync" in r.output, r.output
            return r

        def theirs() -> object:
            r = run(prisma, cwd=prisma_cli.HERE, env=prisma_env, done_when="already in sync")
            assert "already in sync" in r.output, r.output
            return r

        a, b = alternate(rounds, ours, theirs)  # type: ignore[arg-type]
        return [
            Comparison(
                f"no-op push, {MODELS}-model Prisma schema, SQLite",
                a,
                b,
                "prisma db push 6.19.3",
                "≥ 15× faster (≤ 0.067×)",
            ),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
