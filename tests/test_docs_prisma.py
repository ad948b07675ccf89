"""The examples of docs/prisma.md's sections on Prisma projects run as written: the
package.json scripts and the Dockerfile's commands in a project `prisma init` (7.10.1)
made, with the real Prisma 7 CLI for `prisma generate`, and the error shown for a config
file trueup cannot read."""

from __future__ import annotations

import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.prisma import project_cli
from tests.prisma.prisma_cli import Unavailable
from tests.prisma.project_support import init_project, schema, write

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = (
    "Switching from `prisma db push`",
    "Prisma projects: the config file, `.env` and the Prisma major",
)
SERVER = "console.log('server.js is listening');\n"


def blocks(title: str) -> list[tuple[str, str]]:
    """The fenced code blocks of the docs/prisma.md section ``title``: (language, text)."""
    text = (ROOT / "docs" / "prisma.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else None]
    return re.findall(r"^```(\w*)\n(.*?)^```$", section, re.M | re.S)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    try:
        project_cli.install()
    except Unavailable as exc:
        pytest.skip(f"the Prisma 7 CLI cannot be installed here: {exc}")
    init_project(tmp_path, "sqlite")
    project_cli.link_modules(tmp_path)
    (tmp_path / "server.js").write_text(SERVER)
    return tmp_path


def run(project: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    """``command`` in ``project`` as npm or a container would run it: the project's
    node_modules/.bin and trueup on the PATH; Prisma's engine is the recording stand-in
    (`prisma generate` needs none, but the CLI checks for one)."""
    path = os.pathsep.join(
        [
            str(project / "node_modules" / ".bin"),
            str(Path(sys.executable).parent),
            os.environ["PATH"],
        ]
    )
    env = {
        k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("TRUEUP_")
    }
    env.update(
        PATH=path,
        PRISMA_SCHEMA_ENGINE_BINARY=str(project_cli.ENGINE),
        RECORD_ENGINE_LOG=str(project / ".engine.log"),
        CHECKPOINT_DISABLE="1",
    )
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


def pushed(project: Path) -> bool:
    with sqlite3.connect(project / "dev.db") as conn:
        return bool(conn.execute("SELECT 1 FROM sqlite_schema WHERE name = 'User'").fetchall())


def test_the_sections_have_the_examples_this_file_runs() -> None:
    assert [lang for lang, _ in blocks(SECTIONS[0])] == ["json", "dockerfile"]
    assert [lang for lang, _ in blocks(SECTIONS[1])] == ["text"]


def test_the_package_json_scripts(project: Path) -> None:
    (_, text), _ = blocks(SECTIONS[0])
    scripts = json.loads(text)["scripts"]
    (project / "package.json").write_text(text)
    generate = run(project, ["sh", "-c", scripts["postinstall"]])
    assert generate.returncode == 0, generate.stdout + generate.stderr
    assert (project / "generated" / "prisma" / "client.ts").exists()
    start = run(project, ["sh", "-c", scripts["start"]])
    assert start.returncode == 0, start.stderr
    assert "server.js is listening" in start.stdout
    assert pushed(project)


def test_the_dockerfile_commands(project: Path) -> None:
    _, (_, text) = blocks(SECTIONS[0])
    for line in text.splitlines():
        instruction, _, argument = line.partition(" ")
        if instruction == "RUN":
            done = run(project, ["sh", "-c", argument])
            assert done.returncode == 0, done.stdout + done.stderr
        elif instruction == "CMD":
            done = run(project, json.loads(argument))
            assert done.returncode == 0, done.stderr
            assert "server.js is listening" in done.stdout
        else:
            pytest.fail(f"a Dockerfile line this test does not run: {line}")
    assert (project / "generated" / "prisma" / "client.ts").exists()
    assert pushed(project)


def test_the_error_for_a_config_trueup_cannot_read(tmp_path: Path) -> None:
    ((_, shown),) = blocks(SECTIONS[1])
    config = """import { defineConfig } from "prisma/config";
import { databaseUrl } from "./src/settings";

export default defineConfig({
  schema: "prisma/schema.prisma",
  datasource: { url: databaseUrl() },
});
"""
    write(tmp_path, {"prisma.config.ts": config, "prisma/schema.prisma": schema()})
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "trueup", "push"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == shown, shlex.quote(done.stderr)
