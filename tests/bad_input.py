"""What the bad-input tests of both engines share: trueup run as its own process (as the
unprivileged user when asked), a folder that user can reach, and a disk that fills up."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def trueup(
    folder: Path, *args: str, as_nobody: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "trueup", *args]
    if as_nobody:
        command = NOBODY + command
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TRUEUP_")}
    environ.pop("DATABASE_URL", None)
    environ.update(env or {})
    # A timeout, so that a command that hangs fails the test instead of stopping the suite.
    return subprocess.run(
        command, cwd=folder, capture_output=True, text=True, env=environ, timeout=120
    )


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder the unprivileged user can reach (pytest's own tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="trueup-bad-input-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def small_disk(path: Path, size: str = "1m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path``: a disk that fills up (the tests run as root)."""
    path.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)], check=True
    )
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)
