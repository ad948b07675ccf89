"""Start-up is cheap: a push on an in-sync database (what every container start runs) loads
only what it needs. No PostgreSQL driver, SQLAlchemy or rich on the SQLite path; and on a
database the last push left in sync with the same schema files, not even the schema's
parser: nothing has to be read to know there is nothing to do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
sys.argv = ["trueup", "push", "--schema", sys.argv[1], "--url", "app.db"]
from trueup.cli import main
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

NEVER = ("psycopg", "sqlalchemy", "rich", "yaml", "trueup.dialects.postgres", "trueup.transfer")


def modules_after_noop_push(folder: Path, schema: str) -> set[str]:
    for _ in range(2):  # the first push creates the tables, the second is the no-op
        out = subprocess.run(
            [sys.executable, "-c", PROBE, schema], cwd=folder, capture_output=True, text=True
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
