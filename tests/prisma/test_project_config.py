"""Reading a Prisma project's config file without running it: the forms Prisma's
documentation and `prisma init` write, the ``.env`` the config loads, and clear errors,
with the place, for what trueup cannot work out. (What the real Prisma 7 CLI makes of the
same folders is checked in test_project_oracle.py.)"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.prisma.project_support import init_project, schema, write
from trueup.errors import SchemaError
from trueup.sources.prisma_project import find_project

DOCS = """import "dotenv/config";
import { defineConfig, env } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
    seed: "tsx prisma/seed.ts",
  },
  datasource: {
    url: env("DATABASE_URL"),
  },
});
"""
SATISFIES = """import 'dotenv/config'
import type { PrismaConfig } from "prisma";
import { env } from "prisma/config";

export default {
  schema: "prisma/schema.prisma",
  datasource: {
    url: env("DATABASE_URL")
  }
} satisfies PrismaConfig;
"""
PATH_JOIN = """import path from "node:path";
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("db", "migrations") },
  datasource: { url: "file:./dev.db" },
});
"""
IMPORT_META = """import path from "node:path";
import { defineConfig } from "prisma/config";

const fallbackDatasourceUrl = "file:./fallback.db";

export default defineConfig({
  earlyAccess: true,
  schema: path.join(import.meta.dirname, "prisma", "schema.prisma"),
  datasource: {
    url:
      process.env.DATABASE_DIRECT_URL ??
      process.env.DATABASE_URL ??
      fallbackDatasourceUrl,
  },
});
"""
COMMONJS = """const path = require("path");
const { defineConfig } = require("prisma/config");
require("dotenv").config();

/* A CommonJS config, as some projects keep it. */
module.exports = defineConfig({
  schema: path.join(__dirname, "prisma", "schema.prisma"), // beside this file
  datasource: { url: process.env["DATABASE_URL"]! as string },
});
"""
SHORTHAND = """import "dotenv/config";
import { defineConfig } from "prisma/config";

// Migrations need a direct connection.
const url = process.env.DIRECT_URL ?? process.env.DATABASE_URL;

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url },
})
"""
TEMPLATE = """import { join } from "node:path";
import { defineConfig } from "prisma/config";

const config = defineConfig({
  "schema": `prisma/schema.prisma`,
  datasource: { url: `file:${join(__dirname, "data", "app.db")}` },
});
export default config;
"""
ANNOTATED = """import type { PrismaConfig } from "prisma";
import { env } from "prisma/config";
import { config as loadEnv } from "dotenv";

loadEnv({ path: ".env.local", quiet: true });

const config: PrismaConfig = {
  schema: "prisma/schema.prisma",
  datasource: { url: env<{ DATABASE_URL: string }>("DATABASE_URL") },
};

export default config;
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name == "DATABASE_URL" or name.startswith(("DOTENV", "DIRECT_URL", "TRUEUP_")):
            monkeypatch.delenv(name)
    return tmp_path


@pytest.mark.parametrize("provider", ["sqlite", "postgresql"])
def test_the_project_prisma_init_makes(folder: Path, provider: str) -> None:
    init_project(folder, provider)
    project = find_project()
    assert project.config_path == "prisma7.config.ts"
    assert project.schema() == "prisma/schema.prisma"
    expected = {
        "sqlite": "file:./dev.db",
        "postgresql": "postgresql://johndoe:randompassword@localhost:5432/mydb?schema=public",
    }
    assert project.url() == expected[provider]
    assert project.key_files() == ("prisma7.config.ts", ".env")
    assert project.major_for("prisma/schema.prisma") == 7


@pytest.mark.parametrize(
    ("name", "text", "env", "url"),
    [
        ("prisma.config.ts", DOCS, "DATABASE_URL=file:./docs.db\n", "file:./docs.db"),
        ("prisma.config.ts", SATISFIES, "DATABASE_URL=file:./s.db\n", "file:./s.db"),
        ("prisma.config.ts", PATH_JOIN, "", "file:./dev.db"),
        ("prisma.config.mts", IMPORT_META, "", "file:./fallback.db"),
        ("prisma.config.cjs", COMMONJS, "DATABASE_URL='file:./cjs.db' # quoted\n", "file:./cjs.db"),
        ("prisma.config.ts", SHORTHAND, "DATABASE_URL=file:./short.db\n", "file:./short.db"),
        ("prisma.config.js", TEMPLATE, "", "file:{folder}/data/app.db"),
        (".config/prisma.ts", ANNOTATED, "", "file:./local.db"),
    ],
)
def test_documented_config_forms(folder: Path, name: str, text: str, env: str, url: str) -> None:
    write(folder, {name: text, ".env": env, ".env.local": "DATABASE_URL=file:./local.db\n"})
    write(folder, {"prisma/schema.prisma": schema()})
    project = find_project()
    assert project.config_path == name
    if name.startswith(".config"):  # schema paths are relative to the config's folder
        write(folder, {name: text.replace('"prisma/schema.prisma"', '"../prisma/schema.prisma"')})
        project = find_project()
    assert project.schema() == "prisma/schema.prisma"
    assert project.url() == url.format(folder=folder)


def test_a_schema_folder_named_by_the_config(folder: Path) -> None:
    write(
        folder,
        {
            "prisma.config.ts": 'export default { schema: "prisma/schema" }\n',
            "prisma/schema/base.prisma": 'datasource db {\n  provider = "sqlite"\n}\n',
            "prisma/schema/user.prisma": "model User {\n  id Int @id\n}\n",
        },
    )
    assert find_project().schema() == "prisma/schema"


def test_a_schema_the_config_names_that_does_not_exist(folder: Path) -> None:
    write(folder, {"prisma.config.ts": 'export default { schema: "db/schema.prisma" }\n'})
    with pytest.raises(
        SchemaError, match=re.escape("Could not load schema from `db/schema.prisma`")
    ):
        find_project().schema()


# Which .env the config loads, by dotenv's rules.


def test_without_a_dotenv_import_no_env_file_is_read(folder: Path) -> None:
    init_project(folder, "sqlite")
    config = folder / "prisma7.config.ts"
    config.write_text(config.read_text().replace('import "dotenv/config";\n', ""))
    project = find_project()
    assert project.url() is None
    assert project.key_files() == ("prisma7.config.ts",)


def test_the_process_environment_wins_unless_the_config_overrides(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_project(folder, "sqlite")
    monkeypatch.setenv("DATABASE_URL", "file:./from-process.db")
    assert find_project().url() == "file:./from-process.db"
    config = folder / "prisma7.config.ts"
    config.write_text(
        config.read_text().replace(
            'import "dotenv/config";',
            'import dotenv from "dotenv";\ndotenv.config({ override: true });',
        )
    )
    assert find_project().url() == "file:./dev.db"


def test_dotenv_values_are_not_expanded(folder: Path) -> None:
    write(folder, {"prisma.config.ts": DOCS, ".env": "NAME=app\nDATABASE_URL=file:./${NAME}.db\n"})
    assert find_project().url() == "file:./${NAME}.db"


def test_dotenv_config_path_from_the_environment(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(folder, {"prisma.config.ts": DOCS, "config/app.env": "DATABASE_URL=file:./x.db\n"})
    monkeypatch.setenv("DOTENV_CONFIG_PATH", "config/app.env")
    project = find_project()
    assert project.url() == "file:./x.db"
    assert project.key_files() == ("prisma.config.ts", "config/app.env")


def test_node_load_env_file(folder: Path) -> None:
    text = DOCS.replace('import "dotenv/config";', 'process.loadEnvFile("settings.env");')
    write(folder, {"prisma.config.ts": text, "settings.env": "DATABASE_URL=file:./n.db\n"})
    assert find_project().url() == "file:./n.db"
    (folder / "settings.env").unlink()
    with pytest.raises(SchemaError, match=r"loadEnvFile\(\) finds no file"):
        find_project().url()


def test_a_package_that_loads_env_files_trueup_does_not_know(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = 'import { loadEnvConfig } from "@next/env";\n' + DOCS.replace(
        'import "dotenv/config";', "loadEnvConfig(process.cwd());"
    )
    write(folder, {"prisma.config.ts": text, ".env": "DATABASE_URL=file:./next.db\n"})
    with pytest.raises(SchemaError) as err:
        find_project().url()
    assert "prisma.config.ts:1:1: error: trueup cannot tell what this loads" in str(err.value)
    assert "DATABASE_URL is not set" in str(err.value)
    monkeypatch.setenv("DATABASE_URL", "file:./set.db")
    assert find_project().url() == "file:./set.db"


# Errors: the place, and what to pass instead.


@pytest.mark.parametrize(
    ("config", "where", "instead"),
    [
        (
            "export default defineConfig({\n"
            "  datasource: { url: process.env.DATABASE_URL?.trim() },\n})\n",
            "prisma.config.ts:2:22",
            "--url URL",
        ),
        (
            "export default defineConfig({\n  datasource: { url: isCI ? a : b },\n})\n",
            "prisma.config.ts:2:27",
            "--url URL",
        ),
        (
            'import { settings } from "./src/settings";\nexport default defineConfig({\n'
            "  datasource: { url: settings.databaseUrl },\n})\n",
            "prisma.config.ts:3:22",
            "--url URL",
        ),
        (
            "export default defineConfig({\n  ...shared,\n})\n",
            "prisma.config.ts:2:3",
            "--url URL",
        ),
        ("export default async () => ({})\n", "prisma.config.ts:1:16", "--url URL"),
    ],
)
def test_what_trueup_cannot_work_out(folder: Path, config: str, where: str, instead: str) -> None:
    text = 'import { defineConfig } from "prisma/config";\n' + config
    write(folder, {"prisma.config.ts": text})
    line, column = where.split(":")[1:]
    with pytest.raises(SchemaError) as err:
        find_project().url()
    message = str(err.value)
    assert message.startswith(f"prisma.config.ts:{int(line) + 1}:{column}: error: trueup reads")
    assert "without running it" in message and f"Pass {instead}" in message
    assert "^" in message  # the line, with a caret under the place


def test_an_unreadable_schema_setting_names_schema(folder: Path) -> None:
    write(folder, {"prisma.config.ts": "export default { schema: schemaPath() }\n"})
    with pytest.raises(SchemaError) as err:
        find_project().schema()
    assert str(err.value).startswith("prisma.config.ts:1:26: error:")
    assert "Pass --schema PATH" in str(err.value)


def test_env_of_an_unset_variable(folder: Path) -> None:
    write(folder, {"prisma.config.ts": DOCS})
    with pytest.raises(SchemaError) as err:
        find_project().url()
    message = str(err.value)
    assert message.startswith("prisma.config.ts:11:10: error: Cannot resolve environment")
    assert "Set DATABASE_URL, or pass --url URL" in message


def test_a_config_without_a_default_export(folder: Path) -> None:
    write(folder, {"prisma.config.ts": 'const config = { schema: "x.prisma" };\n'})
    with pytest.raises(SchemaError, match="has no default export"):
        find_project().schema()


def test_a_config_extension_prisma_refuses(folder: Path) -> None:
    write(folder, {"prisma.config.json": '{ "schema": "prisma/schema.prisma" }\n'})
    with pytest.raises(
        SchemaError, match=re.escape("Unsupported Prisma config file extension: .json")
    ):
        find_project()


def test_a_string_that_never_ends(folder: Path) -> None:
    write(folder, {"prisma.config.ts": 'export default {\n  schema: "prisma/schema.prisma,\n}\n'})
    with pytest.raises(SchemaError, match="never closed") as err:
        find_project().schema()
    assert str(err.value).startswith("prisma.config.ts:2:11:")


# Which file is the config: Prisma's order.


@pytest.mark.parametrize(
    ("files", "chosen"),
    [
        (["prisma.config.ts", "prisma7.config.ts"], "prisma7.config.ts"),
        (["prisma.config.ts", ".config/prisma7.ts"], ".config/prisma7.ts"),
        (["prisma7.config.ts", "prisma7.config.js"], "prisma7.config.js"),
        (["prisma.config.ts", "prisma.config.mjs"], "prisma.config.ts"),
        (["prisma.config.cts", "prisma.config.mts"], "prisma.config.mts"),
        ([".config/prisma.ts", "prisma.config.ts"], "prisma.config.ts"),
        ([".config/prisma.config.ts", ".config/prisma.ts"], ".config/prisma.ts"),
        ([".config/prisma.config.ts", "prisma.config/index.ts"], "prisma.config/index.ts"),
    ],
)
def test_the_config_file_prisma_picks(folder: Path, files: list[str], chosen: str) -> None:
    write(folder, {name: "export default {}\n" for name in files})
    assert find_project().config_path == chosen


def test_prisma_6_does_not_know_the_prisma7_names(folder: Path) -> None:
    write(
        folder,
        {
            "prisma7.config.ts": "export default {}\n",
            "prisma.config.ts": "export default {}\n",
            "package.json": '{"devDependencies": {"prisma": "^6.19.0"}}',
        },
    )
    assert find_project().config_path == "prisma.config.ts"


# External tables: left alone, as Prisma leaves them.


def test_external_tables(folder: Path) -> None:
    text = """export default {
  experimental: { externalTables: true },
  tables: { external: ["users", "auth.sessions", "odd[name]"] },
}
"""
    write(folder, {"prisma.config.ts": text})
    assert find_project().external_tables() == ("users", "auth.sessions", "odd[name]")
    write(folder, {"prisma.config.ts": text.replace("externalTables: true", "")})
    with pytest.raises(SchemaError, match=re.escape("requires `experimental.externalTables`")):
        find_project().external_tables()


def test_external_enums_are_refused(folder: Path) -> None:
    text = """export default {
  experimental: { externalTables: true },
  enums: { external: ["mood"] },
}
"""
    write(folder, {"prisma.config.ts": text})
    with pytest.raises(SchemaError, match="cannot leave external enums alone"):
        find_project().external_tables()


def test_a_config_trueup_cannot_read_has_no_external_tables_unless_it_says_so(
    folder: Path,
) -> None:
    write(folder, {"prisma.config.ts": "export default makeConfig()\n"})
    assert find_project().external_tables() == ()
    write(folder, {"prisma.config.ts": 'export default makeConfig({ external: ["t"] })\n'})
    with pytest.raises(SchemaError, match=re.escape("cannot work out `tables.external`")):
        find_project().external_tables()


def test_what_the_reader_passes_over(folder: Path) -> None:
    """Functions, regular expressions, comments with quotes in them, nested templates and
    settings trueup does not use are skipped; only the values asked for are worked out."""
    text = r"""#!/usr/bin/env node
// it's a comment with a quote; so is /* this " one */
import { defineConfig, env } from "prisma/config";
import path from "node:path";

const pattern = /["'`]+\/x/g;
const label = `run ${`nested ${1 + 2}`} {braces}`;
function seedCommand(): string {
  return process.argv.includes("--fast") ? "tsx seed.ts" : `tsx ${"seed"}.ts`;
}

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"), /* "quoted" */
  migrations: { path: "prisma/migrations", seed: seedCommand() },
  views: { path: path.resolve(__dirname, "views") },
  typedSql: { path: pattern.source },
  datasource: {
    url: process.env.DATABASE_URL ?? `file:./${"dev"}.db`,
    shadowDatabaseUrl: env("SHADOW_DATABASE_URL"),
  },
})
"""
    write(folder, {"prisma.config.ts": text, "prisma/schema.prisma": schema()})
    project = find_project()
    assert project.schema() == "prisma/schema.prisma"
    assert project.url() == "file:./dev.db"
    assert project.external_tables() == ()
