"""Small apps for the command-line tests: a package ``shop`` whose models change from test
to test, and trueup run on it in a process of its own, in the app's folder (as a container
runs it)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

HEAD = """\
from sqlalchemy import ForeignKey, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


"""

USERS = """\
class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))
"""


def write_app(folder: Path, models: str, *, package: str = "shop", head: str = HEAD) -> Path:
    """The package ``package`` in ``folder``, its ``models`` module holding ``models``
    (after ``head``: the imports and the declarative base ``Base``)."""
    pkg = folder / package
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text("")
    path = pkg / "models.py"
    path.write_text(head + textwrap.dedent(models))
    # A process of the same second would read the old bytecode (same size and time).
    for cached in (pkg / "__pycache__").glob("models.*.pyc"):
        cached.unlink()
    return path


def environ(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TRUEUP_") and k not in ("DATABASE_URL", "PYTHONPATH")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def trueup(
    folder: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trueup", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env or environ(),
        input=input,
        timeout=300,
    )


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def columns(path: Path, table: str) -> list[str]:
    return [str(r[1]) for r in rows(path, f'PRAGMA table_info("{table}")')]
