"""trueup finds a Prisma 7 project's schema and database as the real Prisma 7 CLI (7.10.1)
does. ``prisma db push`` runs in each folder with a stand-in schema engine that records
the schema files, the URL and the working folder it is started with (see
tests/prisma/project_cli); trueup must read the same files and open the same database."""

from __future__ import annotations

import filecmp
import os
from pathlib import Path

import pytest

from tests.prisma import project_cli
from tests.prisma.prisma_cli import Unavailable
from tests.prisma.project_support import FIXTURES, init_project, schema, write
from tests.prisma.test_project_config import DOCS
from trueup.cli.where import database, locate
from trueup.config import load_settings
from trueup.errors import TrueupError
from trueup.fingerprint import source_files
from trueup.urls import parse_url


@pytest.fixture(scope="module")
def prisma7() -> None:
    try:
        project_cli.install()
    except Unavailable as exc:
        pytest.skip(f"the Prisma 7 CLI cannot be installed here: {exc}")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prisma7: None) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name == "DATABASE_URL" or name.startswith(("DOTENV", "TRUEUP_", "APP_DB")):
            monkeypatch.delenv(name)
    project_cli.link_modules(tmp_path)
    return tmp_path


def same_as_prisma(folder: Path, env: dict[str, str] | None = None) -> None:
    """trueup's schema files and database are the ones `prisma db push` would use."""
    prisma = project_cli.push_target(folder, env=env)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in (env or {}).items():
            mp.setenv(key, value)
        origin = locate(load_settings())
        url = database(origin)
    assert url is not None and prisma.url is not None
    ours = {os.path.abspath(p) for p in source_files(origin.path, ".prisma")}
    assert ours == set(prisma.schemas)
    theirs = parse_url(prisma.url, base_dir=prisma.cwd)  # the engine runs in prisma.cwd
    assert (url.engine, url.path, url.dsn) == (theirs.engine, theirs.path, theirs.dsn)


@pytest.mark.parametrize("provider", ["sqlite", "postgresql"])
def test_the_fixtures_are_what_prisma_init_writes(
    tmp_path: Path, prisma7: None, provider: str
) -> None:
    run = project_cli.prisma(tmp_path, "init", "--datasource-provider", provider, "--no-skills")
    assert run.code == 0, run.output
    ours = FIXTURES / f"init-{provider}"
    for path in sorted(p for p in ours.rglob("*") if p.is_file()):
        relative = path.relative_to(ours)
        name = relative.name
        written = tmp_path / relative.parent / ("." + name[4:] if name.startswith("dot-") else name)
        assert filecmp.cmp(path, written, shallow=False), relative


@pytest.mark.parametrize("provider", ["sqlite", "postgresql"])
def test_a_project_prisma_init_made(folder: Path, provider: str) -> None:
    init_project(folder, provider)
    same_as_prisma(folder)


def test_the_config_prisma_documents(folder: Path) -> None:
    write(folder, {"prisma.config.ts": DOCS, ".env": "DATABASE_URL=file:./docs.db\n"})
    write(folder, {"prisma/schema.prisma": schema()})
    same_as_prisma(folder)


def test_a_config_in_the_config_folder_and_a_relative_file_url(folder: Path) -> None:
    config = """import { defineConfig } from "prisma/config";
export default defineConfig({
  schema: "../db/schema.prisma",
  datasource: { url: "file:./data/app.db" },
});
"""
    write(folder, {".config/prisma.ts": config, "db/schema.prisma": schema()})
    same_as_prisma(folder)


def test_a_schema_folder(folder: Path) -> None:
    write(
        folder,
        {
            "prisma.config.ts": DOCS.replace("prisma/schema.prisma", "prisma/schema"),
            ".env": "DATABASE_URL=file:./multi.db\n",
            "prisma/schema/main.prisma": 'datasource db {\n  provider = "sqlite"\n}\n',
            "prisma/schema/models/user.prisma": "model User {\n  id Int @id\n}\n",
        },
    )
    same_as_prisma(folder)


def test_the_default_schema_places_without_a_config_schema(folder: Path) -> None:
    config = 'export default { datasource: { url: process.env.APP_DB ?? "file:./x.db" } }\n'
    write(folder, {"prisma.config.ts": config, "schema.prisma": schema()})
    write(folder, {"prisma/schema.prisma": schema().replace("User", "Other")})
    same_as_prisma(folder)
    same_as_prisma(folder, env={"APP_DB": "file:./from-env.db"})


def test_the_config_file_prisma_picks(folder: Path) -> None:
    write(folder, {"prisma/schema.prisma": schema(), "other.prisma": schema()})
    picked = (
        'export default { schema: "prisma/schema.prisma", datasource: { url: "file:./a.db" } }\n'
    )
    passed = 'export default { schema: "other.prisma", datasource: { url: "file:./b.db" } }\n'
    write(folder, {"prisma.config.ts": passed, "prisma.config.js": picked})
    write(folder, {".config/prisma.ts": passed})
    same_as_prisma(folder)
    in_config_folder = picked.replace('"prisma/', '"../prisma/')  # relative to .config/
    write(folder, {".config/prisma7.ts": in_config_folder, "prisma.config.js": passed})
    same_as_prisma(folder)


@pytest.mark.parametrize(
    ("load", "files", "env"),
    [
        ('import "dotenv/config";', {".env": "DATABASE_URL=file:./a.db\n"}, {}),
        (
            'import "dotenv/config";',
            {"conf/app.env": "DATABASE_URL=file:./b.db\n"},
            {"DOTENV_CONFIG_PATH": "conf/app.env"},
        ),
        (
            'import { config } from "dotenv";\nconfig({ path: [".env.local", ".env"] });',
            {".env": "DATABASE_URL=file:./c.db\n", ".env.local": "DATABASE_URL=file:./d.db\n"},
            {},
        ),
        (
            'import dotenv from "dotenv";\ndotenv.config({ override: true });',
            {".env": 'DATABASE_URL="file:./e.db" # comment\n'},
            {},
        ),
        ("", {".env": "DATABASE_URL=file:./never-read.db\n"}, {"DATABASE_URL": "file:./f.db"}),
    ],
)
def test_the_env_file_the_config_loads(
    folder: Path, load: str, files: dict[str, str], env: dict[str, str]
) -> None:
    config = DOCS.replace('import "dotenv/config";', load)
    write(folder, {"prisma.config.ts": config, "prisma/schema.prisma": schema(), **files})
    same_as_prisma(folder, env=env)


def test_env_of_an_unset_variable_fails_in_both(folder: Path) -> None:
    write(folder, {"prisma.config.ts": DOCS, "prisma/schema.prisma": schema()})
    run = project_cli.prisma(folder, "db", "push")
    assert run.code != 0 and "Cannot resolve environment variable: DATABASE_URL" in run.output
    with pytest.raises(TrueupError, match="Cannot resolve environment variable: DATABASE_URL"):
        database(locate(load_settings()))
