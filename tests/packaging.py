"""trueup's wheel and sdist, built and installed once for the whole test run.

The package's files are copied out of the repository first, so the build writes nothing
into the checkout and cannot pick up anything that is not committed to ship. The wheel
goes into a fresh virtual environment with its own dependencies only. Several test
processes share one build: the first takes a lock, builds, and leaves a marker; the
others wait for the lock and find the marker.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: What the package is built from: everything else in the repository stays out.
SHIPPED = ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "MANIFEST.in", "src")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    sdist: Path
    venv: Path

    @property
    def env(self) -> dict[str, str]:
        """The environment of a user's shell with this environment's bin first on PATH,
        and nothing of the test run's own Python."""
        keep = ("HOME", "LANG", "LC_ALL", "TMPDIR")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}/usr/local/bin:/usr/bin:/bin"
        env["NO_COLOR"] = "1"
        return env

    def run(
        self, args: list[str], cwd: Path, *, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(args, cwd=cwd, env=self.env, capture_output=True, text=True)
        if check:
            assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
        return done


def build(into: Path) -> tuple[Path, Path]:
    """The wheel and sdist, built from a copy of the package's files."""
    source = into / "source"
    source.mkdir()
    for name in SHIPPED:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy(ROOT / name, source / name)
    dist = into / "dist"
    args = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    [wheel] = dist.glob("*.whl")
    [sdist] = dist.glob("*.tar.gz")
    return wheel, sdist


def install(wheel: Path, venv: Path) -> None:
    """A new environment with the wheel and its dependencies, installed by the test run's
    own pip (the environment needs none of its own)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    done = subprocess.run(
        [*pip, "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    shared = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        shared = shared.parent  # the run's, above each test process's own
    folder = shared / "trueup-package"
    with open(shared / "trueup-package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            wheel, sdist = build(folder)
            install(wheel, folder / "venv")
            (folder / "done").write_text("")
    [wheel] = (folder / "dist").glob("*.whl")
    [sdist] = (folder / "dist").glob("*.tar.gz")
    return Installed(wheel, sdist, folder / "venv")


def run_on_terminal(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 60
) -> tuple[int, str]:
    """Run a command with a terminal as its stdin, stdout and stderr; its exit code and
    everything it wrote to the terminal."""
    main, child = pty.openpty()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=child, stdout=child, stderr=child)
    os.close(child)
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(main)
    code = proc.wait(timeout=10)
    return code, out.decode(errors="replace")
