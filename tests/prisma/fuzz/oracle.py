"""Prisma's verdicts on a schema: is it valid (``prisma validate``), and what does ``prisma
db push`` do with it on a database. Two ways to ask, with the same answers:

- :class:`ServerOracle`, one long-running Node process (node/oracle.mjs) driving the
  CLI's own WebAssembly modules: milliseconds a question;
- :class:`CliOracle`, the plain CLI (tests/prisma/prisma_cli), a Node start each time.

Which Prisma answers is a parameter (:func:`prisma_version`): 6.19.3, and 7.10.1 from
tests/prisma/prisma_cli7 (or from $TRUEUP_PRISMA7_DIR, a folder with the bare ``prisma``
package, which answers ``validate`` only).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tests.prisma import prisma_cli

HERE = Path(__file__).resolve().parent
NODE = HERE / "node"
#: A schema's files: (name, text), the first one the main file.
Files = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Verdict:
    valid: bool
    errors: str = ""  # Prisma's messages, one "error: ..." a line
    warnings: tuple[str, ...] = ()
    #: Where the errors are: (file name, line).
    locations: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Pushed:
    ok: bool  # the push ran without an error
    executed_steps: int = 0
    warnings: tuple[str, ...] = ()
    unexecutable: tuple[str, ...] = ()
    failure: str = ""

    @property
    def in_sync(self) -> bool:
        """The database already matched: a push that changed nothing."""
        return self.ok and self.executed_steps == 0 and not self.warnings and not self.unexecutable


class Oracle(Protocol):
    version: str

    def validate(self, files: Files, env: Mapping[str, str]) -> Verdict: ...

    def push(self, files: Files, url: str) -> Pushed: ...

    def plan(self, files: Files, url: str) -> str | None:
        """The SQL a push onto ``url``'s database would run (None: not known)."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class PrismaVersion:
    version: str
    cli_dir: Path  # node_modules/prisma and the driver adapters are in it
    engine_glue: Path | None  # @prisma/schema-engine-wasm of the same engine: push needs it

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def install(self) -> None:
        """The CLI and the glue, from the npm registry the first time."""
        if self.cli_dir == prisma_cli.HERE:
            prisma_cli.install()
            _run_install(NODE / "install.sh")
        elif not (self.cli_dir / "node_modules" / "prisma").is_dir():
            install = self.cli_dir / "install.sh"
            if not install.exists():
                raise prisma_cli.InstallFailed(
                    f"Prisma {self.version} is not installed in {self.cli_dir}"
                )
            _run_install(install)


def _run_install(script: Path) -> None:
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise prisma_cli.InstallFailed(f"{script} failed:\n{done.stderr[-2000:]}")


def prisma_version(version: str) -> PrismaVersion:
    """The installed Prisma of that version."""
    if version.split(".")[0] == "6":
        glue = NODE / "node_modules" / "@prisma" / "schema-engine-wasm"
        return PrismaVersion("6.19.3", prisma_cli.HERE, glue)
    seven = HERE.parent / "prisma_cli7"
    if not (seven / "package.json").exists():
        given = os.environ.get("TRUEUP_PRISMA7_DIR")
        if not given:
            raise prisma_cli.InstallFailed(
                "Prisma 7 is not installed: tests/prisma/prisma_cli7 is missing. Or run "
                "`npm install prisma@7.10.1` in a folder and set TRUEUP_PRISMA7_DIR to it "
                "(verdicts only)."
            )
        seven = Path(given)
    glue = seven / "node_modules" / "@prisma" / "schema-engine-wasm"
    has_adapters = (seven / "node_modules" / "@prisma" / "adapter-pg").is_dir()
    return PrismaVersion("7.10.1", seven, glue if glue.is_dir() and has_adapters else None)


def rejected(raw: str, warnings: tuple[str, ...]) -> Verdict:
    """Prisma's refusal from its answer (a JSON object or plain text): the ``error: ...``
    lines, and where they point."""
    with contextlib.suppress(ValueError, KeyError, TypeError):
        raw = str(json.loads(raw)["message"])
    lines = [line for line in raw.splitlines() if line.startswith("error")]
    places = re.findall(r"-->\s+(\S+):(\d+)", raw)
    locations = tuple((os.path.basename(p), int(n)) for p, n in places)
    return Verdict(False, "\n".join(lines) or raw.strip(), warnings, locations)


class ServerOracle:
    """node/oracle.mjs, started once; one question at a time (a lock keeps threads in
    turn)."""

    def __init__(self, prisma: PrismaVersion) -> None:
        self.prisma = prisma
        args = ["node", str(NODE / "oracle.mjs"), str(prisma.cli_dir)]
        if prisma.engine_glue is not None:
            args.append(str(prisma.engine_glue))
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        self._lock = threading.Lock()
        self._next = 0
        self.version = str(self._ask({"op": "version"})["version"])

    @property
    def can_push(self) -> bool:
        return self.prisma.engine_glue is not None

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        if "files" in request:
            request["files"] = [list(f) for f in in_cli_order(request["files"])]
        with self._lock:
            self._next += 1
            assert self._process.stdin is not None and self._process.stdout is not None
            self._process.stdin.write(json.dumps({"id": self._next, **request}) + "\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the Prisma oracle stopped (exit code {self._process.poll()})")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"the Prisma oracle failed on {request['op']}: {answer['error']}")
        return answer

    def validate(self, files: Files, env: Mapping[str, str]) -> Verdict:
        answer = self._ask({"op": "validate", "files": [list(f) for f in files], "env": dict(env)})
        warnings = tuple(str(w).rstrip() for w in answer["warnings"])
        if answer["valid"]:
            return Verdict(True, warnings=warnings)
        return rejected(str(answer["errors"]), warnings)

    def push(self, files: Files, url: str) -> Pushed:
        answer = self._ask(
            {"op": "push", "files": [list(f) for f in files], "url": url, "force": False}
        )
        if not answer["pushed"]:
            return Pushed(False, failure=str(answer["failure"]))
        return Pushed(
            True,
            int(answer["executedSteps"]),
            tuple(answer["warnings"]),
            tuple(answer["unexecutable"]),
        )

    def plan(self, files: Files, url: str) -> str | None:
        answer = self._ask({"op": "plan", "files": [list(f) for f in files], "url": url})
        return None if answer["sql"] is None else str(answer["sql"])

    def script(self, files: Files, url: str) -> str | None:
        """The SQL Prisma runs on an empty database (``url`` gives the engine)."""
        answer = self._ask({"op": "script", "files": [list(f) for f in files], "url": url})
        return None if answer["sql"] is None else str(answer["sql"])

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


class CliOracle:
    """The Prisma 6.19.3 CLI itself, a process a question (the conformance config)."""

    version = "6.19.3"

    def validate(self, files: Files, env: Mapping[str, str]) -> Verdict:
        with tempfile.TemporaryDirectory(prefix="trueup-oracle-") as folder:
            schema = write_files(Path(folder), files)
            result = prisma_cli.run(["validate", "--schema", str(schema)], env["DATABASE_URL"])
        warnings = tuple(_cli_warnings(result.output))
        if result.code == 0:
            return Verdict(True, warnings=warnings)
        return rejected(result.output, warnings)

    def push(self, files: Files, url: str) -> Pushed:
        with tempfile.TemporaryDirectory(prefix="trueup-oracle-") as folder:
            schema = write_files(Path(folder), files)
            database: Path | str = (
                Path(url.removeprefix("file:")) if url.startswith("file:") else url
            )
            result = prisma_cli.db_push(schema, database)
        if result.code != 0:
            return Pushed(False, failure=result.output)
        if "already in sync" in result.output:
            return Pushed(True, 0)
        return Pushed(True, 1)

    def plan(self, files: Files, url: str) -> str | None:
        return None

    def close(self) -> None:
        pass


def in_cli_order(files: Files | list[list[str]]) -> list[tuple[str, str]]:
    """A folder's files in the order the CLI reads them: by name (Node's readdir, through
    libuv, sorts a folder's entries byte by byte). Which of two definitions is the second,
    and so the one Prisma reports, depends on it."""
    return sorted((str(name), str(text)) for name, text in files)


def _cli_warnings(output: str) -> list[str]:
    found, listing = [], False
    for line in output.splitlines():
        if line.startswith("Prisma schema warning"):
            listing = True
        elif listing and line.startswith("- "):
            found.append(line[2:].rstrip())
        else:
            listing = False
    return found


def write_files(folder: Path, files: Files) -> Path:
    """The schema in ``folder``: one file, or a folder of several; its path."""
    if len(files) == 1:
        path = folder / files[0][0]
        path.write_text(files[0][1], encoding="utf-8", newline="")
        return path
    schema = folder / "schema"
    schema.mkdir()
    for name, text in files:
        (schema / name).write_text(text, encoding="utf-8", newline="")
    return schema


def provider_of(files: Files) -> str:
    """The provider the datasource names (sqlite when there is none)."""
    for _, text in files:
        found = re.search(r'provider\s*=\s*"(postgresql|postgres|sqlite)"', text)
        if found and "datasource" in text[: found.start()]:
            return "sqlite" if found.group(1) == "sqlite" else "postgresql"
    return "sqlite"
