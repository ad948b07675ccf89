"""trueup as a user runs it: the ``trueup`` command in a process of its own, in a folder of
the case's own (no settings file of the checkout is read), with no TRUEUP_ variables."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: What trueup says when a declared schema is empty and the database is not: only
#: --force-reset empties a database, so the runner pushes again with it.
DECLARES_NOTHING = "declares nothing"


@dataclass(frozen=True, slots=True)
class Run:
    exit: int | None  # None: stopped at the timeout
    output: str
    seconds: float

    def error(self) -> str:
        """The lines from trueup's ``Error:`` on (else the output's last lines)."""
        lines = self.output.rstrip().splitlines()
        at = next((i for i, x in enumerate(lines) if x.startswith("Error")), None)
        return "\n".join(lines[at:] if at is not None else lines[-6:])


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEUP_")}
    env.pop("DATABASE_URL", None)
    env["NO_COLOR"] = "1"
    return env


def trueup(args: list[str], folder: Path, timeout: float) -> Run:
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "trueup", *args],
            cwd=folder,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=max(timeout, 1),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return Run(None, out + f"\n(stopped after {timeout:.0f}s)", time.monotonic() - started)
    return Run(done.returncode, done.stdout + done.stderr, time.monotonic() - started)


def push(
    schema: Path, url: str, folder: Path, timeout: float, *, concurrent: bool = False
) -> tuple[Run, bool]:
    """``trueup push`` with data loss accepted and no backup; again with --force-reset when
    the schema declares nothing. Also says whether --force-reset was needed. ``schema`` is
    in ``folder``, and named from there (so errors name ``desired.sql:LINE:COL``)."""
    args = ["push", "--schema", schema.name, "--url", url, "--accept-data-loss", "--no-backup"]
    args += ["--concurrent-indexes"] if concurrent else []
    started = time.monotonic()
    run = trueup(args, folder, timeout)
    if run.exit == 3 and DECLARES_NOTHING in run.output:
        left = timeout - (time.monotonic() - started)
        return trueup([*args, "--force-reset"], folder, left), True
    return run, False


def diff(schema: Path, url: str, folder: Path, timeout: float) -> Run:
    return trueup(["diff", "--schema", schema.name, "--url", url], folder, timeout)
