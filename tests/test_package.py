"""The package as a user gets it: the wheel and sdist built as a release builds them, the
wheel installed in a fresh virtual environment with nothing but its own dependencies (no
psycopg, no rich), and used from outside the repository: ``trueup --version``, the demo,
and every PostgreSQL command saying what to install instead of failing with a traceback.

The build and the environment are made once for the whole run, by whichever test process
gets there first (tests/packaging.py).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import trueup
from tests.packaging import ROOT, Installed, installed_wheel, run_on_terminal

POSTGRES_URL = "postgresql://app@localhost:1/app"  # never reached: the driver is missing


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return installed_wheel(tmp_path_factory)


def metadata(wheel: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(f"trueup-{trueup.__version__}.dist-info/METADATA").decode()
    fields: dict[str, list[str]] = {}
    for key, value in Parser().parsestr(text).items():
        fields.setdefault(key, []).append(value)
    return fields


def test_the_wheel_says_what_it_is(wheel_env: Installed) -> None:
    meta = metadata(wheel_env.wheel)
    assert meta["Version"] == [trueup.__version__]
    assert meta["License-Expression"] == ["MIT"]
    assert meta["License-File"] == ["LICENSE"]
    assert {"Homepage", "Repository", "Changelog"} <= {
        url.split(",")[0] for url in meta["Project-URL"]
    }
    assert "Programming Language :: Python :: 3.11" in meta["Classifier"]
    assert meta["Keywords"] and meta["Author"]
    plain = [r for r in meta["Requires-Dist"] if "extra ==" not in r]
    assert sorted(re.split(r"[<>=!~;, ]", r)[0] for r in plain) == ["click", "python-dotenv"]
    assert set(meta["Provides-Extra"]) == {"postgres", "progress", "sqlalchemy", "test"}
    models = [r.split(";")[0] for r in meta["Requires-Dist"] if 'extra == "sqlalchemy"' in r]
    assert [re.findall(r"^[\w.-]+|[<>=!~]+[\w.*]+", r) for r in models] in (
        [["SQLAlchemy", ">=2.0", "<3"]],
        [["SQLAlchemy", "<3", ">=2.0"]],
    )
    with zipfile.ZipFile(wheel_env.wheel) as zf:
        names = zf.namelist()
        licence = zf.read(f"trueup-{trueup.__version__}.dist-info/licenses/LICENSE")
    assert licence.startswith(b"MIT License")
    assert "trueup/engines/sqlite/queries/" in "".join(names)
    assert not [n for n in names if n.startswith("tests/")]


def test_the_sdist_ships_no_part_of_the_test_suite(wheel_env: Installed) -> None:
    with tarfile.open(wheel_env.sdist) as tf:
        names = [n.split("/", 1)[1] for n in tf.getnames() if "/" in n]
    assert "LICENSE" in names and "CHANGELOG.md" in names
    assert not [n for n in names if n.startswith("tests") or "/tests/" in n]


def test_version_outside_the_repository(wheel_env: Installed, tmp_path: Path) -> None:
    done = wheel_env.run(["trueup", "--version"], tmp_path)
    assert done.stdout.strip() == f"trueup, version {trueup.__version__}"
    where = wheel_env.run(["python", "-c", "import trueup; print(trueup.__file__)"], tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(wheel_env.venv)
    names = "import importlib.metadata as m; print(*(d.name for d in m.distributions()))"
    listed = wheel_env.run(["python", "-c", names], tmp_path)
    installed = {name.lower() for name in listed.stdout.split()}
    assert "click" in installed
    assert not installed & {"psycopg", "psycopg-binary", "rich", "sqlalchemy"}, installed


def test_the_demo_runs_outside_the_repository(wheel_env: Installed, tmp_path: Path) -> None:
    example = tmp_path / "mediaserver"
    shutil.copytree(ROOT / "examples" / "mediaserver", example)
    done = wheel_env.run(["bash", str(example / "demo.sh")], tmp_path)
    assert "already in sync" in done.stdout, done.stdout + done.stderr
    rows = sqlite3.connect(tmp_path / "demo" / "media.db").execute("SELECT count(*) FROM media")
    assert rows.fetchone() == (3,)


def postgres_commands(folder: Path) -> list[list[str]]:
    (folder / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    (folder / "schema.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\n'
        "model T {\n  id Int @id\n}\n"
    )
    url = ["--url", POSTGRES_URL]
    return [
        ["push", "--schema", "schema.sql", *url],
        ["diff", "--schema", "schema.prisma", *url],
        ["diff", "--schema", "schema.sql", *url],
        ["inspect", *url],
        ["backup", *url],
        ["export", *url, "-o", "out.jsonl"],
        ["import", "app.jsonl", *url],
        ["copy", "--from", "app.db", "--to", POSTGRES_URL],
        ["start", "--schema", "schema.sql", *url, "--", "true"],
        ["history", *url],
    ]


def test_postgres_commands_say_what_to_install(wheel_env: Installed, tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    wheel_env.run(["trueup", "push", "--schema", "schema.sql", "--url", "app.db"], tmp_path)
    wheel_env.run(["trueup", "export", "--url", "app.db", "-o", "app.jsonl"], tmp_path)
    for args in postgres_commands(tmp_path):
        done = wheel_env.run(["trueup", *args], tmp_path, check=False)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert "pip install 'trueup[postgres]'" in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr, (args, done.stderr)
    assert not (tmp_path / "out.jsonl").exists()


def test_models_without_sqlalchemy_say_what_to_install(
    wheel_env: Installed, tmp_path: Path
) -> None:
    (tmp_path / "models.py").write_text("from sqlalchemy.orm import DeclarativeBase\n")
    args = ["trueup", "push", "--schema", "models.py", "--url", "app.db"]
    done = wheel_env.run(args, tmp_path, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "No module named 'sqlalchemy'" in done.stderr
    assert "pip install 'trueup[sqlalchemy]'" in done.stderr
    assert not (tmp_path / "app.db").exists()


def test_a_plain_progress_line_without_rich(wheel_env: Installed, tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "app.db")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO t (name) VALUES (?)", [(f"n{i}",) for i in range(3000)])
    conn.commit()
    conn.close()
    env = {**wheel_env.env, "TERM": "xterm"}
    command = [str(wheel_env.venv / "bin" / "trueup"), "export", "--url", "app.db"]
    code, screen = run_on_terminal([*command, "-o", "app.jsonl"], tmp_path, env)
    assert code == 0, screen
    assert "Exporting 3,000/3,000 rows (100%)" in screen, screen
    assert "Exported 1 table, 3,000 rows" in screen
    assert os.path.getsize(tmp_path / "app.jsonl") > 0
