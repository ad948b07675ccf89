"""``trueup push``, ``diff``, ``start`` and ``backup`` with no flags in Prisma 7 projects as
`prisma init` and Prisma's documentation lay them out, each command run as its own
process in the project's folder."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from tests.bad_input import trueup
from tests.postgres.support import Server
from tests.prisma.project_support import USER_MODEL, init_project, schema, write
from tests.prisma.test_project_config import DOCS

APP = [sys.executable, "-c", "print('the app started')"]


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")}


def test_push_diff_and_start_in_a_project_prisma_init_made(tmp_path: Path) -> None:
    init_project(tmp_path, "sqlite")
    pushed = trueup(tmp_path, "push")
    assert pushed.returncode == 0, pushed.stderr
    assert "Schema loaded from prisma/schema.prisma" in pushed.stdout
    # Prisma 7 opens file:./dev.db from the project's folder, not the schema's.
    assert f"SQLite database {tmp_path}/dev.db" in pushed.stdout
    assert "User" in tables(tmp_path / "dev.db")
    assert not (tmp_path / "prisma" / "dev.db").exists()
    again = trueup(tmp_path, "push")
    assert "already in sync" in again.stdout, again.stdout + again.stderr
    diff = trueup(tmp_path, "diff")
    assert diff.returncode == 0 and "in sync" in diff.stdout, diff.stderr
    with open(tmp_path / "prisma" / "schema.prisma", "a") as f:
        f.write("\nmodel Post {\n  id Int @id\n}\n")
    diff = trueup(tmp_path, "diff")
    assert diff.returncode == 2 and "Post" in diff.stdout, diff.stderr
    started = trueup(tmp_path, "start", "--", *APP)
    assert started.returncode == 0, started.stderr
    assert "the app started" in started.stdout
    assert "Post" in tables(tmp_path / "dev.db")
    backup = trueup(tmp_path, "backup")
    assert backup.returncode == 0 and "dev.db" in backup.stdout + backup.stderr
    inspect = trueup(tmp_path, "inspect")
    assert inspect.returncode == 0 and 'CREATE TABLE "Post"' in inspect.stdout, inspect.stderr


def test_a_postgresql_project(tmp_path: Path, pg: Server) -> None:
    init_project(tmp_path, "postgresql", url=pg.url)
    pushed = trueup(tmp_path, "push")
    assert pushed.returncode == 0, pushed.stderr
    assert pg.query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'User'")
    diff = trueup(tmp_path, "diff")
    assert diff.returncode == 0, diff.stdout + diff.stderr


def test_without_the_dotenv_import_the_env_file_is_not_read(tmp_path: Path) -> None:
    init_project(tmp_path, "sqlite")
    config = tmp_path / "prisma7.config.ts"
    config.write_text(config.read_text().replace('import "dotenv/config";\n', ""))
    result = trueup(tmp_path, "push")
    assert result.returncode == 1
    assert "No database given." in result.stderr
    assert ".env is not read" in result.stderr and 'import "dotenv/config"' in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dev.db").exists()
    result = trueup(tmp_path, "push", env={"DATABASE_URL": "file:./given.db"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "given.db").exists()


def test_a_config_trueup_cannot_read(tmp_path: Path) -> None:
    config = DOCS.replace('env("DATABASE_URL")', "getUrl()")
    write(tmp_path, {"prisma.config.ts": config, "prisma/schema.prisma": schema()})
    result = trueup(tmp_path, "push")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: prisma.config.ts:11:10: error: trueup reads"), (
        result.stderr
    )
    assert "Pass --url URL (or set DATABASE_URL) instead." in result.stderr
    assert "Traceback" not in result.stderr
    result = trueup(tmp_path, "push", "--url", "file:./app.db")
    assert result.returncode == 0, result.stderr


def test_external_tables_are_left_alone(tmp_path: Path) -> None:
    config = """import { defineConfig } from "prisma/config";
export default defineConfig({
  experimental: { externalTables: true },
  tables: { external: ["audit"] },
  datasource: { url: "file:./dev.db" },
});
"""
    # The external table is declared (for Prisma's client) with other columns than it has.
    audit = "\nmodel audit {\n  id Int @id\n  note String\n}\n"
    write(tmp_path, {"prisma.config.ts": config, "schema.prisma": schema() + audit})
    with sqlite3.connect(tmp_path / "dev.db") as conn:
        conn.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT, who TEXT)")
        conn.execute("INSERT INTO audit VALUES (1, 'now', 'me')")
    result = trueup(tmp_path, "push")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "dev.db") as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(audit)")]
        rows = conn.execute("SELECT * FROM audit").fetchall()
    assert (columns, rows) == (["id", "at", "who"], [(1, "now", "me")])
    assert "User" in tables(tmp_path / "dev.db")


def test_a_schema_folder_from_the_config(tmp_path: Path) -> None:
    config = 'export default { schema: "prisma/schema", datasource: { url: "file:./m.db" } }\n'
    write(
        tmp_path,
        {
            "prisma.config.ts": config,
            "prisma/schema/main.prisma": 'datasource db {\n  provider = "sqlite"\n}\n',
            "prisma/schema/user.prisma": USER_MODEL,
        },
    )
    result = trueup(tmp_path, "push")
    assert result.returncode == 0, result.stderr
    assert "Schema loaded from prisma/schema" in result.stdout
    assert "User" in tables(tmp_path / "m.db")


def test_the_default_multi_file_folder(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "prisma/schema/main.prisma": 'datasource db {\n  provider = "sqlite"\n}\n',
            "prisma/schema/user.prisma": USER_MODEL,
        },
    )
    result = trueup(tmp_path, "push", env={"DATABASE_URL": "file:./f.db"})
    assert result.returncode == 0, result.stderr
    assert "Schema loaded from prisma/schema" in result.stdout


@pytest.mark.parametrize(("major", "url"), [(6, "prisma/dev.db"), (7, "dev.db")])
def test_a_relative_file_url_per_major(tmp_path: Path, major: int, url: str) -> None:
    """Prisma 6 resolves it from the schema's folder, Prisma 7 from the project's."""
    package = f'{{"devDependencies": {{"prisma": "^{major}.0.0"}}}}'
    config = (
        'export default { engine: "classic", datasource: { url: "file:./dev.db" } }\n'
        if major == 6
        else 'export default { datasource: { url: "file:./dev.db" } }\n'
    )
    write(
        tmp_path,
        {"package.json": package, "prisma.config.ts": config, "prisma/schema.prisma": schema()},
    )
    result = trueup(tmp_path, "push")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / url).exists()


def test_a_prisma_6_project_with_a_config_reads_no_env_file_itself(tmp_path: Path) -> None:
    """Prisma 6 skips its own .env loading when there is a config file: the schema's
    env() sees what the config loads."""
    write(
        tmp_path,
        {
            "package.json": '{"devDependencies": {"prisma": "6.19.3"}}',
            "prisma.config.ts": 'export default { schema: "prisma/schema.prisma" }\n',
            "prisma/schema.prisma": schema(url='env("APP_DB")'),
            ".env": "APP_DB=file:./six.db\n",
        },
    )
    result = trueup(tmp_path, "push")
    assert result.returncode == 1 and "No database given" in result.stderr
    config = 'import "dotenv/config";\nexport default { schema: "prisma/schema.prisma" }\n'
    write(tmp_path, {"prisma.config.ts": config})
    result = trueup(tmp_path, "push")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "prisma" / "six.db").exists()
