"""The real Prisma 7 CLI (7.10.1) and dotenv, installed from the npm registry into this
folder by install.sh, run in a project folder to see which schema files, database URL and
working folder it would hand its schema engine: the engine is record-engine.cjs, which
writes down how it was started and stops the CLI there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.prisma.prisma_cli import InstallFailed, Unavailable

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules"
CLI = MODULES / "prisma" / "build" / "index.js"
ENGINE = HERE / "record-engine.cjs"


@dataclass(frozen=True)
class EngineStart:
    """How the CLI started its schema engine: in ``cwd``, for the ``schemas`` (absolute
    paths), on the database ``url``."""

    cwd: str
    schemas: tuple[str, ...]
    url: str | None


@dataclass(frozen=True)
class Run:
    code: int
    output: str
    starts: tuple[EngineStart, ...]


def install() -> None:
    if shutil.which("node") is None:
        raise Unavailable("node is not installed")
    if shutil.which("npm") is None:
        raise InstallFailed("node is installed but npm is not")
    done = subprocess.run(
        ["bash", str(HERE / "install.sh")], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0 or not CLI.exists():
        raise InstallFailed(f"npm install of the Prisma 7 CLI failed:\n{done.stderr[-2000:]}")


def link_modules(project: Path) -> None:
    """Give ``project`` the installed packages as its own node_modules (so that its config
    file's ``import "dotenv/config"`` resolves, as in a real project)."""
    (project / "node_modules").symlink_to(MODULES, target_is_directory=True)


def prisma(project: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """``prisma ARGS`` run in ``project`` with the recording engine."""
    log = project / ".engine-starts.jsonl"
    log.unlink(missing_ok=True)
    environ = {
        k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DOTENV")
    }
    environ.update(
        {
            "PRISMA_SCHEMA_ENGINE_BINARY": str(ENGINE),
            "RECORD_ENGINE_LOG": str(log),
            "CHECKPOINT_DISABLE": "1",
            "PRISMA_HIDE_UPDATE_MESSAGE": "1",
            "NO_COLOR": "1",
            "CI": "1",
        }
    )
    environ.update(env or {})
    done = subprocess.run(
        ["node", str(CLI), *args],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    starts = []
    if log.exists():
        for line in log.read_text().splitlines():
            record = json.loads(line)
            starts.append(_start(record["cwd"], record["argv"]))
        log.unlink()
    return Run(done.returncode, done.stdout + done.stderr, tuple(starts))


def _start(cwd: str, argv: list[str]) -> EngineStart:
    schemas = tuple(argv[i + 1] for i, a in enumerate(argv) if a == "--datamodels")
    url = None
    if "--datasource" in argv:
        url = json.loads(argv[argv.index("--datasource") + 1]).get("url")
    return EngineStart(cwd, schemas, url)


def push_target(project: Path, *args: str, env: dict[str, str] | None = None) -> EngineStart:
    """Where ``prisma db push`` in ``project`` would push: the schema files and URL it
    starts its engine with (the last start, the one that would push), and the folder."""
    run = prisma(project, "db", "push", *args, env=env)
    pushes = [s for s in run.starts if s.schemas]
    assert pushes, f"prisma db push never started its engine with a schema:\n{run.output}"
    return pushes[-1]
