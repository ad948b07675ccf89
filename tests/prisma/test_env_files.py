"""Where a Prisma project's database is, as Prisma's CLI (up to 6.x) finds it.

The project's ``.env`` files feed the schema's ``env("…")`` calls: ``./.env``, then the
schema's folder or ``./prisma``; a variable in both is an error; the process environment
wins. A relative SQLite path in $DATABASE_URL, when the schema's url is
``env("DATABASE_URL")``, is relative to the schema's folder, so trueup and Prisma open the
same file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.bad_input import trueup
from trueup.errors import ConfigError
from trueup.sources import load_schema

SCHEMA = """datasource db {
  provider = "sqlite"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project as `prisma init` lays it out: prisma/schema.prisma, and no .env yet."""
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma" / "schema.prisma").write_text(SCHEMA)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def url_of(project: Path) -> str | None:
    return load_schema("prisma/schema.prisma", "sqlite").url


def test_the_project_env_file_gives_the_url_relative_to_the_schema(project: Path) -> None:
    (project / ".env").write_text('# made by prisma init\nDATABASE_URL="file:./dev.db"\n')
    assert url_of(project) == f"file:{project}/prisma/dev.db"


def test_the_schema_folder_env_file_is_read_when_the_project_has_none(project: Path) -> None:
    (project / "prisma" / ".env").write_text("DATABASE_URL=file:./there.db\n")
    assert url_of(project) == f"file:{project}/prisma/there.db"


def test_variables_are_expanded_and_the_process_environment_wins(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / ".env").write_text("NAME=app\nDATABASE_URL=file:./${NAME}.db\n")
    assert url_of(project) == f"file:{project}/prisma/app.db"
    monkeypatch.setenv("DATABASE_URL", "file:/srv/data/app.db")
    assert url_of(project) == "file:/srv/data/app.db"


def test_a_variable_in_two_env_files_is_an_error(project: Path) -> None:
    (project / ".env").write_text("DATABASE_URL=file:./a.db\nOTHER=1\n")
    (project / "prisma" / ".env").write_text("DATABASE_URL=file:./b.db\n")
    with pytest.raises(ConfigError, match="conflict between env vars") as err:
        url_of(project)
    assert "DATABASE_URL" in str(err.value) and "OTHER" not in str(err.value)


def test_push_in_a_prisma_project_with_only_an_env_file(project: Path) -> None:
    (project / ".env").write_text('DATABASE_URL="file:./dev.db"\n')
    result = trueup(project, "push", "--no-backup")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SQLite database {project}/prisma/dev.db" in result.stdout + result.stderr
    with sqlite3.connect(project / "prisma" / "dev.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema")}
    assert "User" in tables
    assert not (project / "dev.db").exists()


def test_an_env_file_is_not_trueups_own_database_url(project: Path) -> None:
    # Only the schema's env() calls read .env files: a SQL schema names no variable, so
    # DATABASE_URL in .env means nothing to it, as it would mean nothing to Prisma.
    (project / "prisma" / "schema.prisma").unlink()
    (project / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    (project / ".env").write_text("DATABASE_URL=file:./dev.db\n")
    result = trueup(project, "push", "--no-backup")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No database given." in result.stderr
    assert list(project.glob("*.db")) == []


def test_a_relative_database_url_is_where_prisma_puts_it(project: Path) -> None:
    env = {"DATABASE_URL": "file:./dev.db"}
    pushed = trueup(project, "push", "--no-backup", env=env)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert (project / "prisma" / "dev.db").exists() and not (project / "dev.db").exists()
    # Every command opens that same file.
    backed = trueup(project, "backup", env=env)
    assert backed.returncode == 0, backed.stdout + backed.stderr
    assert f"{project}/prisma/backups/dev.db." in backed.stdout + backed.stderr
    shown = trueup(project, "inspect", "--format", "json", env=env)
    assert shown.returncode == 0 and '"User"' in shown.stdout, shown.stderr


@pytest.mark.parametrize(
    ("schema_file", "text", "flag"),
    [
        # Prisma 7: no url in the schema (it is in prisma.config.ts); from the project.
        ("prisma/schema.prisma", SCHEMA.replace('  url      = env("DATABASE_URL")\n', ""), False),
        ("schema.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n", False),
        ("prisma/schema.prisma", SCHEMA, True),  # --url is always from the current folder
    ],
)
def test_other_relative_urls_are_from_the_current_folder(
    project: Path, schema_file: str, text: str, flag: bool
) -> None:
    (project / "prisma" / "schema.prisma").unlink()
    (project / schema_file).write_text(text)
    args = ["--url", "file:./dev.db"] if flag else []
    env = {} if flag else {"DATABASE_URL": "file:./dev.db"}
    result = trueup(project, "push", "--no-backup", "--schema", schema_file, *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "dev.db").exists() and not (project / "prisma" / "dev.db").exists()
