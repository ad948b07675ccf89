"""The standalone build (scripts/build-standalone) on a machine with no Python: the demo on
SQLite, and pushes on the tests' PostgreSQL server through the libpq it carries.

Building takes a minute or two, so these tests run in scripts/test-standalone, which builds
the program and names it in TRUEUP_STANDALONE; without that, they are not collected. Every
command runs under ``env -i`` with an empty PATH and, where the test process may make a
mount namespace (as root), with every Python installation of this machine hidden behind
empty mounts: the program can only use what it carries.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.postgres_server import new_database, postgres_server  # noqa: F401 - fixtures
from trueup import __version__

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "mediaserver"
PROGRAM = os.environ.get("TRUEUP_STANDALONE", "")
#: The glibc of node:22-bookworm-slim (Debian 12), the image the Node example builds on.
BOOKWORM_GLIBC = (2, 36)

assert PROGRAM, "set TRUEUP_STANDALONE to the built program (scripts/test-standalone does)"


def python_paths() -> list[str]:
    """Every Python installation here: the one running the tests, its base, the system's."""
    found = {sys.prefix, sys.base_prefix, os.path.expanduser("~/.pyenv")}
    for pattern in ("/usr/lib/python3*", "/usr/local/lib/python3*", "/usr/lib/*/libpython3*"):
        found.update(glob.glob(pattern))
    for pattern in ("/usr/bin/python*", "/usr/local/bin/python*", "/usr/lib/libpython3*"):
        found.update(glob.glob(pattern))
    paths = sorted({os.path.realpath(p) for p in found if os.path.exists(p)})
    # One mount hides what is under it too (and a path under a mount is no longer there).
    return [p for p in paths if not any(p.startswith(q + "/") for q in paths)]


def _can_hide() -> bool:
    probe = ["unshare", "--mount", "--propagation", "private", "true"]
    return shutil.which("unshare") is not None and subprocess.run(probe).returncode == 0


HIDE = _can_hide()


def without_python(args: list[str], folder: Path) -> list[str]:
    """``args`` as a command that runs with an empty environment and, where it can, with
    no Python installation to be found."""
    empty = folder / ".empty-bin"
    empty.mkdir(exist_ok=True)
    plain = ["env", "-i", f"PATH={empty}", f"HOME={folder}", "LANG=C.UTF-8", *args]
    if not HIDE:
        return plain
    mounts = "".join(
        f"mount -t tmpfs none '{p}' && "
        if os.path.isdir(p)
        else f"mount --bind /dev/null '{p}' && "
        for p in python_paths()
    )
    hide = ["unshare", "--mount", "--propagation", "private", "sh", "-c", mounts + 'exec "$@"']
    return [*hide, "sh", *plain]


def trueup(
    folder: Path, *args: str, codes: tuple[int, ...] = (0,), env: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The standalone trueup with ``args``; ``env``: NAME=VALUE settings of its own."""
    command = without_python([*(env or []), PROGRAM, *args], folder)
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    assert done.returncode in codes, f"{args}: {done.returncode}\n{done.stdout}{done.stderr}"
    return done


def test_no_python_is_to_be_found(tmp_path: Path) -> None:
    for python in ("/usr/bin/python3", sys.executable):
        probe = subprocess.run(
            without_python([python, "-c", "print('python ran')"], tmp_path),
            capture_output=True,
            text=True,
        )
        assert "python ran" not in probe.stdout
    assert trueup(tmp_path, "--version").stdout.strip() == f"trueup, version {__version__}"


def test_the_demo(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "example")
    v1, v2 = "example/prisma/schema.prisma", "example/prisma-v2/schema.prisma"
    db = "file:./demo/media.db"
    (tmp_path / "demo").mkdir()
    trueup(tmp_path, "push", "--schema", v1, "--url", db)
    conn = sqlite3.connect(tmp_path / "demo" / "media.db")
    conn.executescript((EXAMPLE / "seed.sql").read_text())
    conn.close()
    diff = trueup(tmp_path, "diff", "--schema", v2, "--url", db, codes=(2,))
    assert "rating" in diff.stdout
    pushed = trueup(tmp_path, "push", "--schema", v2, "--url", db)
    assert "backup" in pushed.stdout.lower()
    assert "already in sync" in trueup(tmp_path, "push", "--schema", v2, "--url", db).stdout
    rows = sqlite3.connect(tmp_path / "demo" / "media.db").execute(
        "SELECT title FROM media ORDER BY id"
    )
    assert [r[0] for r in rows] == ["Metropolis", "Untitled", "Cosmos"]
    conn.close()
    trueup(tmp_path, "export", "--url", db, "-o", "media.jsonl")
    assert (tmp_path / "media.jsonl").read_text().startswith("{")


SCHEMA_V1 = """
CREATE TABLE account (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL UNIQUE,
    created timestamptz NOT NULL DEFAULT now()
);
"""
SCHEMA_V2 = SCHEMA_V1.replace("now()\n", "now(),\n    plan text NOT NULL DEFAULT 'free'\n")


def test_push_on_postgres(tmp_path: Path, new_database: str) -> None:  # noqa: F811
    (tmp_path / "v1.sql").write_text(SCHEMA_V1)
    (tmp_path / "v2.sql").write_text(SCHEMA_V2)
    trueup(tmp_path, "push", "--schema", "v1.sql", "--url", new_database)
    with psycopg.connect(new_database, autocommit=True) as conn:
        conn.execute("INSERT INTO account (email) VALUES ('a@example.com')")
    pushed = trueup(tmp_path, "push", "--schema", "v2.sql", "--url", new_database)
    assert "backup" in pushed.stdout.lower(), pushed.stdout
    again = trueup(tmp_path, "push", "--schema", "v2.sql", "--url", new_database)
    assert "already in sync" in again.stdout
    with psycopg.connect(new_database) as conn:
        assert conn.execute("SELECT email, plan FROM account").fetchall() == [
            ("a@example.com", "free")
        ]
    trueup(tmp_path, "export", "--url", new_database, "-o", "pg.jsonl")
    assert "a@example.com" in (tmp_path / "pg.jsonl").read_text()


def test_start_hands_the_app_the_environment_as_given(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    args = ["start", "--schema", "schema.sql", "--url", "app.db", "--", "/usr/bin/env"]
    seen = trueup(tmp_path, *args).stdout
    assert "LD_LIBRARY_PATH" not in seen and "_PYI_" not in seen, seen
    given = trueup(tmp_path, *args, env=["LD_LIBRARY_PATH=/opt/lib"]).stdout
    assert "LD_LIBRARY_PATH=/opt/lib\n" in given and "_PYI_" not in given, given


def test_runs_on_the_glibc_of_node_bookworm_images() -> None:
    if shutil.which("objdump") is None:
        pytest.skip("objdump (binutils) is not installed")
    folder = Path(PROGRAM).parent
    files = [str(p) for p in folder.rglob("*") if p.is_file() and ".so" in p.name]
    symbols = subprocess.run(
        ["objdump", "-T", PROGRAM, *files], capture_output=True, text=True
    ).stdout
    versions = {tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_([0-9.]+)", symbols)}
    assert max(versions) <= BOOKWORM_GLIBC, max(versions)
