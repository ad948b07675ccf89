"""`push` on a database already in sync with a 100-model Prisma schema, the standalone
build (scripts/build-standalone, PyInstaller one-folder) against the pip-installed trueup,
side by side in the same run. The standalone build is made first when it is missing (or
TRUEUP_STANDALONE names one)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.common import ROOT, TRUEUP, Comparison, Run, alternate, run
from bench.noop_push import MODELS, schema

BUILT = ROOT / "dist" / "standalone" / "trueup" / "trueup"


def program() -> Path:
    given = os.environ.get("TRUEUP_STANDALONE")
    if given:
        return Path(given)
    if not BUILT.exists():
        subprocess.run([str(ROOT / "scripts" / "build-standalone")], check=True)
    return BUILT


def size_mb(folder: Path) -> float:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 1e6


def compare(rounds: int = 9) -> list[Comparison]:
    standalone = program()
    work = Path(tempfile.mkdtemp(prefix="trueup-bench-standalone-"))
    try:
        (work / "schema.prisma").write_text(schema())
        env = {**os.environ, "DATABASE_URL": f"file:{work / 'app.db'}"}
        push = ["push", "--schema", "schema.prisma", "--no-backup"]
        run([*TRUEUP, *push], cwd=work, env=env)

        def timed(command: list[str]) -> Run:
            r = run([*command, *push], cwd=work, env=env)
            assert "already in sync" in r.output, r.output
            return r

        a, b = alternate(rounds, lambda: timed([str(standalone)]), lambda: timed(TRUEUP))
        note = (
            f"The standalone build measured: {standalone.parent} holds "
            f"{size_mb(standalone.parent):.1f} MB."
        )
        return [
            Comparison(
                f"no-op push, {MODELS}-model Prisma schema, SQLite: standalone build",
                a,
                b,
                "pip-installed trueup",
                "≤ 1.5×",
                note,
            )
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
