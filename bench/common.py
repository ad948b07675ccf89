"""Shared by the benchmarks: run a command, time it, and read its peak memory.

Every benchmark runs trueup and its baseline side by side in the same run, alternating,
and reports the median of each and their ratio; figures from different runs are never
compared.
"""

from __future__ import annotations

import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A process started with vfork inherits its parent's peak RSS as its own (Linux keeps the
# high-water mark of the memory it replaces at exec): every command would then report at
# least the largest memory this benchmark process ever had (1.2 GB after the backup's
# in-process breakdown). Started with fork, a command reports its own peak.
subprocess._USE_VFORK = False  # type: ignore[attr-defined]
# trueup as people run it: the command the install put beside this interpreter (python -m
# trueup, which also loads runpy, when there is none), with its modules' bytecode written as
# an install writes it. Without that, under PYTHONDONTWRITEBYTECODE or with sources changed
# since the bytecode was written, every run would compile those modules again.
compileall.compile_dir(ROOT / "src", quiet=1)
_COMMAND = Path(sys.executable).with_name("trueup")
TRUEUP = [str(_COMMAND)] if _COMMAND.exists() else [sys.executable, "-m", "trueup"]


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    output: str


def run(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    done_when: str | None = None,
    ok_codes: tuple[int, ...] = (0,),
) -> Run:
    """Run a command to its end and measure it. With ``done_when``, the time is taken when
    that text first appears in the output (for a tool that lingers after its result)."""
    # As from an installed trueup: with bytecode cached. A shell that sets
    # PYTHONDONTWRITEBYTECODE would make every Python start compile its modules again.
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if stdin is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin)
        proc.stdin.close()
    assert proc.stdout is not None
    lines: list[str] = []
    stamp: float | None = None
    for line in proc.stdout:
        lines.append(line)
        if done_when is not None and stamp is None and done_when in line:
            stamp = time.perf_counter()
    _, status, usage = os.wait4(proc.pid, 0)
    ended = time.perf_counter()
    output = "".join(lines)
    if os.waitstatus_to_exitcode(status) not in ok_codes:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output[-3000:]}")
    return Run((stamp or ended) - started, usage.ru_maxrss / 1024, output)


@dataclass(frozen=True)
class Comparison:
    name: str
    trueup: list[Run]
    baseline: list[Run]
    baseline_name: str
    target: str
    note: str = ""

    @property
    def ratio(self) -> float:
        return median(self.trueup) / median(self.baseline)

    def row(self) -> str:
        t, b = median(self.trueup), median(self.baseline)
        mem = max(r.peak_rss_mb for r in self.trueup)
        return (
            f"| {self.name} | {t:.3f} s | {self.baseline_name}: {b:.3f} s | "
            f"**{self.ratio:.2f}×** | {self.target} | {mem:.0f} MB |"
        )


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def alternate(
    rounds: int, trueup: Callable[[], Run], baseline: Callable[[], Run]
) -> tuple[list[Run], list[Run]]:
    """Run both ``rounds`` times, alternating, so both see the same machine state."""
    a: list[Run] = []
    b: list[Run] = []
    for _ in range(rounds):
        a.append(trueup())
        b.append(baseline())
    return a, b


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"sqlite3 shell {'found' if shutil.which('sqlite3') else 'missing'}"
    )
