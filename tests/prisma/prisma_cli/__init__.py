"""The real Prisma CLI, installed from the npm registry, run on a schema against a SQLite
file (the libSQL driver adapter) or a PostgreSQL database (the pg driver adapter). Two
majors: 6.19.3 in this folder (its WebAssembly schema engine, the adapter picked in
prisma.config.ts) and 7.10.1 in ../prisma_cli7 (the native engine's interface answered
by prisma_cli7/schema-engine.mjs with the WebAssembly engine, the URL in its
prisma.config.ts). Each installs itself with its own install.sh.

The module's functions run Prisma 6; PRISMA7 has the same methods."""

from __future__ import annotations

import os
import re
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


#: The datasource lines Prisma 7 refuses in a schema (the URL is in its config).
URL_LINE = re.compile(r"^[ \t]*(url|directUrl|shadowDatabaseUrl)[ \t]*=.*$", re.MULTILINE)


@dataclass(frozen=True)
class Prisma:
    """One installed Prisma CLI: ``major`` and the folder of its npm project."""

    major: int
    version: str
    folder: Path

    @property
    def cli(self) -> Path:
        return self.folder / "node_modules" / "prisma" / "build" / "index.js"

    def install(self) -> None:
        if shutil.which("node") is None:
            raise Unavailable("node is not installed")
        if shutil.which("npm") is None:
            raise InstallFailed("node is installed but npm is not")
        done = subprocess.run(
            ["bash", str(self.folder / "install.sh")],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0 or not self.cli.exists():
            raise InstallFailed(
                f"npm install of the Prisma {self.version} CLI failed:\n{done.stderr[-2000:]}"
            )

    def schema_text(self, text: str) -> str:
        """A schema as this major takes it: for 7, without the datasource's URL lines
        (each left as an empty line, so every other line keeps its number)."""
        return URL_LINE.sub("", text) if self.major >= 7 else text

    def environment(self, database: Path | str) -> dict[str, str]:
        """The environment of the CLI with the conformance config, its database being
        ``database`` (a SQLite file, or a PostgreSQL URL)."""
        url = database_url(database)
        env = {
            **_os_environment(),
            "CONFORMANCE_DATABASE_URL": url,
            "CHECKPOINT_DISABLE": "1",
            "PRISMA_HIDE_UPDATE_MESSAGE": "1",
            "NO_COLOR": "1",
            "CI": "1",
        }
        if self.major >= 7:
            env["PRISMA_SCHEMA_ENGINE_BINARY"] = str(self.folder / "schema-engine.mjs")
            return env
        return {
            **env,
            "CONFORMANCE_ADAPTER": "libsql" if url.startswith("file:") else "pg",
            # Schemas name env("DATABASE_URL") (Prisma 6 wants a url line even with an
            # adapter, and checks its protocol); the adapter decides the database.
            "DATABASE_URL": url,
            "PRISMA_QUERY_ENGINE_LIBRARY": str(self.folder / "dummy-query-engine.so.node"),
            "NODE_OPTIONS": f"--require {self.folder / 'exit-when-done.cjs'}",
        }

    def command(self, *args: str) -> list[str]:
        return ["node", str(self.cli), *args]

    def run(self, args: list[str], database: Path | str, *, timeout: float = 180) -> Result:
        """``prisma ARGS`` with the conformance config against ``database``."""
        done = subprocess.run(
            self.command(*args),
            cwd=self.folder,
            env=self.environment(database),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Result(done.returncode, done.stdout + done.stderr, done.stdout)

    def db_push(self, schema: Path, database: Path | str) -> Result:
        # Prisma 7's db push no longer generates a client, and has no flag to say so.
        skip = ["--skip-generate"] if self.major < 7 else []
        return self.run(["db", "push", *skip, "--schema", str(schema)], database)

    def validate(self, schema: Path, database: Path | str) -> Result:
        return self.run(["validate", "--schema", str(schema)], database)

    def db_pull(self, database: Path, folder: Path) -> Result:
        """``prisma db pull --print`` of ``database``: the ``stdout`` of the result is the
        schema Prisma writes for it (the warnings printed before it left out)."""
        schema = folder / "pull_base.prisma"
        schema.write_text(
            self.schema_text(
                'datasource db {\n  provider = "sqlite"\n  url      = env("DATABASE_URL")\n}\n'
            )
        )
        result = self.run(["db", "pull", "--print", "--schema", str(schema)], database)
        start = result.stdout.find("datasource db {")
        return Result(result.code, result.output, result.stdout[max(start, 0) :])


PRISMA6 = Prisma(6, "6.19.3", HERE)
PRISMA7 = Prisma(7, "7.10.1", HERE.parent / "prisma_cli7")
#: Every Prisma the conformance suite compares with.
VERSIONS = (PRISMA6, PRISMA7)


def database_url(database: Path | str) -> str:
    """A SQLite file as a ``file:`` URL; a PostgreSQL URL as it is."""
    return f"file:{database}" if isinstance(database, Path) else database


def _os_environment() -> dict[str, str]:
    """A copy of os.environ, taken safely while another thread may be changing it (the
    conformance cases run in threads while tests set and unset variables)."""
    while True:
        try:
            return dict(os.environ)
        except (KeyError, RuntimeError):
            continue


install = PRISMA6.install


def install_or_skip(prisma: Prisma = PRISMA6) -> None:
    """Install ``prisma``'s CLI for a test. The test is skipped only where node itself is
    missing (an optional tool); an install that fails is an error."""
    import pytest

    try:
        prisma.install()
    except Unavailable as exc:
        pytest.skip(f"the Prisma CLI cannot be installed here: {exc}")


environment = PRISMA6.environment
command = PRISMA6.command
run = PRISMA6.run
db_push = PRISMA6.db_push
validate = PRISMA6.validate
db_pull = PRISMA6.db_pull
