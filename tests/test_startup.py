"""Start-up is cheap: a push on an in-sync database (what every container start runs) loads
only what it needs. No PostgreSQL driver, SQLAlchemy or rich on the SQLite path; and on a
database the last push left in sync with the same schema files, not even the schema's
parser: nothing has to be read to know there is nothing to do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.prisma.project_support import init_project

PROBE = """
import json, sys
flags = ["--schema", sys.argv[1], "--url", "app.db"] if sys.argv[1:] else []
sys.argv = ["trueup", "push", *flags]
from trueup.cli import main
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

NEVER = ("psycopg", "sqlalchemy", "rich", "yaml", "trueup.engines.postgres", "trueup.transfer")


def modules_after_noop_push(folder: Path, schema: str | None, runs: int = 2) -> set[str]:
    """The modules loaded by the last of ``runs`` pushes (the first creates the tables,
    the second is the no-op); with no ``schema``, a push with no flags."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE, *([schema] if schema else [])],
            cwd=folder,
            capture_output=True,
            text=True,
            env=env,
        )
        assert out.returncode == 0, out.stderr
    assert "already in sync" in out.stdout
    return set(json.loads(out.stderr.strip().splitlines()[-1]))


def loaded(modules: set[str], prefix: str) -> list[str]:
    return sorted(m for m in modules if m == prefix or m.startswith(prefix + "."))


@pytest.mark.parametrize("schema", ["schema.sql", "schema.prisma"])
def test_noop_push_loads_only_what_it_needs(tmp_path: Path, schema: str) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);")
    (tmp_path / "schema.prisma").write_text(
        'datasource db {\n  provider = "sqlite"\n}\n\nmodel T {\n  id   Int @id\n'
        "  name String?\n}\n"
    )
    modules = modules_after_noop_push(tmp_path, schema)
    for name in NEVER:
        assert loaded(modules, name) == [], name
    for name in ("trueup.sources.prisma", "trueup.sources.sql", "trueup.plan.checks"):
        assert loaded(modules, name) == [], name


def test_noop_push_in_a_prisma_7_project(tmp_path: Path) -> None:
    """The config file and the .env it loads are read on every push (they name the
    database), but the schema is not; and a change to either is a change to what a push
    does, so the next push compares again."""
    init_project(tmp_path, "sqlite")
    modules = modules_after_noop_push(tmp_path, None)
    for name in (*NEVER, "trueup.sources.prisma", "trueup.plan.checks"):
        assert loaded(modules, name) == [], name
    env = tmp_path / ".env"
    env.write_text(env.read_text() + "\nAPP_NAME=demo\n")
    assert loaded(modules_after_noop_push(tmp_path, None, runs=1), "trueup.sources.prisma")
    assert not loaded(modules_after_noop_push(tmp_path, None, runs=1), "trueup.sources.prisma")
    config = tmp_path / "prisma7.config.ts"
    config.write_text(config.read_text() + "// changed\n")
    assert loaded(modules_after_noop_push(tmp_path, None, runs=1), "trueup.sources.prisma")


def test_noop_push_of_sqlalchemy_models(tmp_path: Path) -> None:
    """Models are the app's code: a push imports it (and SQLAlchemy with it) to know
    whether they changed, and then nothing more than a push of a SQL file does."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "models.py").write_text(
        "from sqlalchemy import Column, Integer, MetaData, String, Table\n\n"
        "metadata = MetaData()\n"
        "Table('t', metadata, Column('id', Integer, primary_key=True), Column('name', String))\n"
    )
    modules = modules_after_noop_push(tmp_path, "shop.models:metadata")
    assert loaded(modules, "shop.models")
    others = [n for n in NEVER if n != "sqlalchemy"]
    for name in (*others, "trueup.sources.prisma", "trueup.sources.sql"):
        assert loaded(modules, name) == [], name
    for name in ("trueup.plan.checks", "trueup.diff.differ", "trueup.engines.sqlite.inspect"):
        assert loaded(modules, name) == [], name
