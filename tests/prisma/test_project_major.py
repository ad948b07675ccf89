"""Which Prisma major's rules a project follows: a setting, else the prisma package
installed in node_modules, else the range package.json asks for, else what the config file
says; when nothing says, 7, except for a schema whose datasource has a ``url`` (which
Prisma 7 refuses): that is a Prisma 6 project."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.prisma.project_support import schema, write
from trueup.config import load_settings
from trueup.errors import ConfigError
from trueup.sources.prisma_project import find_project


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name == "DATABASE_URL" or name.startswith("TRUEUP_"):
            monkeypatch.delenv(name)
    return tmp_path


def package(folder: Path, section: str, name: str, spec: str) -> None:
    write(folder, {"package.json": json.dumps({"name": "app", section: {name: spec}})})


@pytest.mark.parametrize(
    ("spec", "major"),
    [
        ("^7.10.1", 7),
        ("7.10.1", 7),
        ("~7.1.0", 7),
        ("7.x", 7),
        (">=7", 7),
        ("workspace:^7.0.0", 7),
        ("^6.19.0", 6),
        ("6.x", 6),
        ("~6.19.3", 6),
        ("^5.22.0", 6),
        ("latest", None),
        ("*", None),
        (">=6.0.0", None),
        ("github:prisma/prisma", None),
    ],
)
def test_the_range_package_json_asks_for(folder: Path, spec: str, major: int | None) -> None:
    package(folder, "devDependencies", "prisma", spec)
    assert find_project().known == major


def test_the_client_package_when_the_cli_is_not_listed(folder: Path) -> None:
    package(folder, "dependencies", "@prisma/client", "^6.1.0")
    assert find_project().known == 6


def test_the_installed_package_wins_over_the_range(folder: Path) -> None:
    package(folder, "devDependencies", "prisma", "^7.0.0")
    write(folder, {"node_modules/prisma/package.json": '{"name": "prisma", "version": "6.19.3"}'})
    project = find_project()
    assert (project.known, project.known_from) == (6, "node_modules/prisma/package.json")


def test_a_monorepo_package_above_the_app(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package(folder, "devDependencies", "prisma", "6.19.3")
    app = folder / "apps" / "api"
    write(app, {"package.json": '{"name": "api", "dependencies": {"express": "^5"}}'})
    monkeypatch.chdir(app)
    assert find_project().known == 6


def test_the_setting_wins(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package(folder, "devDependencies", "prisma", "^7.10.1")
    monkeypatch.setenv("TRUEUP_PRISMA_MAJOR", "6")
    assert find_project(override=load_settings().prisma_major).known == 6
    monkeypatch.delenv("TRUEUP_PRISMA_MAJOR")
    write(folder, {"trueup.toml": "prisma_major = 7\n"})
    assert load_settings().prisma_major == 7


@pytest.mark.parametrize("value", ["8", "six", "6.19"])
def test_a_setting_that_is_no_major(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TRUEUP_PRISMA_MAJOR", value)
    with pytest.raises(ConfigError, match="prisma_major must be 6 or 7"):
        load_settings()


@pytest.mark.parametrize(
    ("name", "config", "major"),
    [
        ("prisma7.config.ts", "export default {}", 7),
        ("prisma.config.ts", 'export default { datasource: { url: "file:./a.db" } }', 7),
        (
            "prisma.config.ts",
            'export default { engine: "classic", datasource: { url: "file:./a.db" } }',
            6,
        ),
        ("prisma.config.ts", 'export default { schema: "prisma/schema.prisma" }', None),
    ],
)
def test_what_the_config_file_says(folder: Path, name: str, config: str, major: int | None) -> None:
    write(folder, {name: config + "\n", "prisma/schema.prisma": schema()})
    assert find_project().hinted_major == major


@pytest.mark.parametrize(
    ("files", "major"),
    [
        ({"schema.prisma": schema(url='"file:./dev.db"')}, 6),
        ({"schema.prisma": schema(url='env("DATABASE_URL")')}, 6),
        ({"schema.prisma": schema()}, 7),
        (
            {
                "prisma.config.ts": 'export default { schema: "schema.prisma" }\n',
                "schema.prisma": schema(url='env("DATABASE_URL")'),
            },
            6,
        ),
        (
            {
                "package.json": '{"devDependencies": {"prisma": "7.10.1"}}',
                "schema.prisma": schema(url='"file:./dev.db"'),
            },
            7,
        ),
    ],
)
def test_when_nothing_says(folder: Path, files: dict[str, str], major: int) -> None:
    write(folder, files)
    assert find_project().major_for("schema.prisma") == major


def test_package_json_names_the_schema_for_prisma_6_only(folder: Path) -> None:
    pkg = {"devDependencies": {"prisma": "^6.19.0"}, "prisma": {"schema": "db/app.prisma"}}
    write(folder, {"package.json": json.dumps(pkg), "db/app.prisma": schema()})
    assert find_project().schema() == "db/app.prisma"
    pkg["devDependencies"] = {"prisma": "^7.10.1"}
    write(folder, {"package.json": json.dumps(pkg)})
    assert find_project().schema() is None
