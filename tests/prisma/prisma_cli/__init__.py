"""The real Prisma CLI, installed from the npm registry into this folder by install.sh,
run on a schema against a SQLite file."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = HERE / "node_modules" / "prisma" / "build" / "index.js"


@dataclass(frozen=True)
class Result:
    code: int
    output: str  # stdout and stderr
    stdout: str = ""


class Unavailable(Exception):
    """Node or npm is missing, or the registry cannot be reached."""


def install() -> None:
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise Unavailable(f"{tool} is not installed")
    done = subprocess.run(
        ["bash", str(HERE / "install.sh")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0 or not CLI.exists():
        raise Unavailable(f"npm install of the Prisma CLI failed:\n{done.stderr[-2000:]}")


def run(args: list[str], database: Path, *, timeout: float = 180) -> Result:
    """``prisma ARGS`` with the conformance config, its database being ``database``."""
    env = {
        **os.environ,
        "CONFORMANCE_DATABASE_URL": f"file:{database}",
        # Schemas of the corpus may name env("DATABASE_URL"); the adapter decides the file.
        "DATABASE_URL": f"file:{database}",
        "PRISMA_QUERY_ENGINE_LIBRARY": str(HERE / "dummy-query-engine.so.node"),
        "CHECKPOINT_DISABLE": "1",
        "PRISMA_HIDE_UPDATE_MESSAGE": "1",
        "NO_COLOR": "1",
        "CI": "1",
        "NODE_OPTIONS": f"--require {HERE / 'exit-when-done.cjs'}",
    }
    done = subprocess.run(
        ["node", str(CLI), *args],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(done.returncode, done.stdout + done.stderr, done.stdout)


def db_push(schema: Path, database: Path) -> Result:
    return run(["db", "push", "--skip-generate", "--schema", str(schema)], database)


def validate(schema: Path, database: Path) -> Result:
    return run(["validate", "--schema", str(schema)], database)


def db_pull(database: Path, folder: Path) -> Result:
    """``prisma db pull --print`` of ``database``: the ``stdout`` of the result is the
    schema Prisma writes for it (the warnings printed before it left out)."""
    schema = folder / "pull_base.prisma"
    schema.write_text(
        'datasource db {\n  provider = "sqlite"\n  url      = env("DATABASE_URL")\n}\n'
    )
    result = run(["db", "pull", "--print", "--schema", str(schema)], database)
    start = result.stdout.find("datasource db {")
    return Result(result.code, result.output, result.stdout[max(start, 0) :])
