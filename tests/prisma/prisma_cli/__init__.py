"""The real Prisma CLI (6.19.3), installed from the npm registry into this folder by
install.sh, run on a schema against a SQLite file (the libSQL driver adapter) or a
PostgreSQL database (the pg driver adapter): see prisma.config.ts."""

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
    """Node is not installed at all: the tests that need Prisma cannot run here."""


class InstallFailed(Exception):
    """Node is there but the Prisma CLI could not be installed (npm missing, the registry
    unreachable, a broken package): an error, never a reason to skip."""


def install() -> None:
    if shutil.which("node") is None:
        raise Unavailable("node is not installed")
    if shutil.which("npm") is None:
        raise InstallFailed("node is installed but npm is not")
    done = subprocess.run(
        ["bash", str(HERE / "install.sh")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0 or not CLI.exists():
        raise InstallFailed(f"npm install of the Prisma CLI failed:\n{done.stderr[-2000:]}")


def database_url(database: Path | str) -> str:
    """A SQLite file as a ``file:`` URL; a PostgreSQL URL as it is."""
    return f"file:{database}" if isinstance(database, Path) else database


def environment(database: Path | str) -> dict[str, str]:
    """The environment of the CLI with the conformance config, its database being
    ``database`` (a SQLite file, or a PostgreSQL URL)."""
    url = database_url(database)
    return {
        **_os_environment(),
        "CONFORMANCE_ADAPTER": "libsql" if url.startswith("file:") else "pg",
        "CONFORMANCE_DATABASE_URL": url,
        # Schemas name env("DATABASE_URL") (Prisma 6 wants a url line even with an
        # adapter, and checks its protocol); the adapter decides the database.
        "DATABASE_URL": url,
        "PRISMA_QUERY_ENGINE_LIBRARY": str(HERE / "dummy-query-engine.so.node"),
        "CHECKPOINT_DISABLE": "1",
        "PRISMA_HIDE_UPDATE_MESSAGE": "1",
        "NO_COLOR": "1",
        "CI": "1",
        "NODE_OPTIONS": f"--require {HERE / 'exit-when-done.cjs'}",
    }


def _os_environment() -> dict[str, str]:
    """A copy of os.environ, taken safely while another thread may be changing it (the
    conformance cases run in threads while tests set and unset variables)."""
    while True:
        try:
            return dict(os.environ)
        except (KeyError, RuntimeError):
            continue


def command(*args: str) -> list[str]:
    return ["node", str(CLI), *args]


def run(args: list[str], database: Path | str, *, timeout: float = 180) -> Result:
    """``prisma ARGS`` with the conformance config against ``database``."""
    done = subprocess.run(
        command(*args),
        cwd=HERE,
        env=environment(database),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(done.returncode, done.stdout + done.stderr, done.stdout)


def db_push(schema: Path, database: Path | str) -> Result:
    return run(["db", "push", "--skip-generate", "--schema", str(schema)], database)


def validate(schema: Path, database: Path | str) -> Result:
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
