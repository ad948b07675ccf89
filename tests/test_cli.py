"""The command line: output, exit codes, and that a refused or dry run changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.helpers import file_bytes_and_schema, make_db
from trueup.cli import EXIT_USAGE, cli

V1 = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, bio TEXT);\n"
V2 = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, bio TEXT, age INT);\n"
V3 = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema.sql").write_text(V1)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_push_then_in_sync(project: Path) -> None:
    code, out = run("push", "--url", "file:./app.db")
    assert code == 0, out
    assert "Schema loaded from schema.sql" in out
    assert 'CREATE TABLE "users"' in out
    assert "now in sync" in out
    code, out = run("push", "--url", "file:./app.db")
    assert code == 0
    assert "already in sync" in out


def test_dry_run_prints_the_plan_and_changes_nothing(project: Path) -> None:
    run("push", "--url", "app.db")
    before = file_bytes_and_schema(project / "app.db")
    (project / "schema.sql").write_text(V2)
    code, out = run("push", "--url", "app.db", "--dry-run")
    assert code == 2
    assert 'ALTER TABLE "users" ADD COLUMN "age" INT;' in out
    assert file_bytes_and_schema(project / "app.db") == before
    (project / "schema.sql").write_text(V1)
    assert run("push", "--url", "app.db", "--dry-run")[0] == 0


def test_dry_run_does_not_create_the_database(project: Path) -> None:
    code, _ = run("push", "--url", "new.db", "--dry-run")
    assert code == 2
    assert not (project / "new.db").exists()


def test_data_loss_is_refused_with_exit_3_and_nothing_changes(project: Path) -> None:
    make_db(project / "app.db", V1, "INSERT INTO users (email, bio) VALUES ('a@x', 'hi');")
    before = file_bytes_and_schema(project / "app.db")
    (project / "schema.sql").write_text(V3)
    code, out = run("push", "--url", "app.db")
    assert code == 3
    assert "--accept-data-loss" in out
    assert out.count("drop the column `bio`") == 1, out  # in the refusal, not twice
    assert file_bytes_and_schema(project / "app.db") == before
    code, out = run("push", "--url", "app.db", "--dry-run")  # nothing refuses: listed
    assert code == 2 and "Findings:\n  • [DL102 data-loss]" in out
    code, out = run("push", "--url", "app.db", "--accept-data-loss")
    assert code == 0, out


def test_accept_data_loss_from_the_environment(project: Path) -> None:
    make_db(project / "app.db", V1)
    (project / "schema.sql").write_text(V3)
    result = CliRunner().invoke(
        cli, ["push", "--url", "app.db"], env={"TRUEUP_ACCEPT_DATA_LOSS": "1"}
    )
    assert result.exit_code == 0, result.output


def test_push_json(project: Path) -> None:
    code, out = run("push", "--url", "app.db", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["applied"] is True and data["in_sync"] is False
    assert data["changes"][0]["kind"] == "AddTable"
    assert data["steps"][0]["sql"].startswith('CREATE TABLE "users"')
    assert data["warnings"] == []  # the schema's (a SQL file has none)


def test_refused_json_lists_findings(project: Path) -> None:
    make_db(project / "app.db", V1, "INSERT INTO users (email, bio) VALUES ('a@x', 'hi');")
    (project / "schema.sql").write_text(V3)
    code, out = run("push", "--url", "app.db", "--json")
    assert code == 3
    data = json.loads(out[: out.rindex("}") + 1])
    assert data["refused"] is True
    [finding] = data["findings"]
    assert finding["code"] == "DL102" and finding["column"] == "bio"
    assert finding["risk"] == "data-loss" and finding["count"] == 1 and finding["examples"] == [1]


def test_diff_formats_and_exit_codes(project: Path) -> None:
    run("push", "--url", "app.db")
    assert run("diff", "--url", "app.db") == (0, "The database is in sync with the schema.\n")
    (project / "schema.sql").write_text(V2)
    code, out = run("diff", "--url", "app.db")
    assert code == 2 and '+ column "age" INT' in out
    code, out = run("diff", "--url", "app.db", "--format", "sql")
    assert code == 2
    assert out.startswith("PRAGMA foreign_keys = OFF;\nBEGIN IMMEDIATE;\n")
    assert out.endswith("COMMIT;\nPRAGMA foreign_keys = ON;\n")
    code, out = run("diff", "--url", "app.db", "--format", "json")
    assert code == 2 and json.loads(out)["changes"][0]["table"] == "users"


def test_inspect_formats(project: Path) -> None:
    run("push", "--url", "app.db")
    code, out = run("inspect", "--url", "app.db")
    assert code == 0 and out.startswith('CREATE TABLE "users" (')
    code, out = run("inspect", "--url", "app.db", "--format", "json")
    assert json.loads(out)["tables"][0]["name"] == "users"


def test_database_url_from_environment(project: Path) -> None:
    result = CliRunner().invoke(cli, ["push"], env={"DATABASE_URL": "file:./env.db"})
    assert result.exit_code == 0, result.output
    assert (project / "env.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["push"], "No database given"),
        (["push", "--url", "missing/dir/app.db"], "does not exist"),
        (["push", "--url", "mysql://root:hunter2@db/app"], "Unknown database URL scheme"),
        (["push", "--url", "app.db", "--schema", "nope.sql"], "does not exist"),
    ],
)
def test_errors_are_messages_not_tracebacks(project: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert "hunter2" not in result.output


def test_schema_error_shows_location(project: Path) -> None:
    (project / "schema.sql").write_text("CREATE TABLE t (\n  a INT,\n  b INT,,\n);\n")
    code, out = run("push", "--url", "app.db")
    assert code == 1
    assert "schema.sql:3:9: error:" in out
    assert not (project / "app.db").exists() or os.path.getsize(project / "app.db") == 0


def test_not_a_database(project: Path) -> None:
    (project / "app.db").write_text("this is not sqlite" * 100)
    code, out = run("push", "--url", "app.db")
    assert code == 1 and "not a database" in out


@pytest.mark.parametrize("command", ["push", "diff", "inspect"])
def test_every_command_has_help(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0 and "Usage: " in out and "--url" in out


def test_console_script_and_module_entry_points(project: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "trueup", "--version"], capture_output=True, text=True, check=True
    )
    assert "trueup" in out.stdout


def test_prisma_datasource_url_is_the_last_fallback(project: Path) -> None:
    (project / "schema.sql").unlink()
    (project / "prisma").mkdir()
    (project / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "sqlite"\n  url      = "file:./dev.db"\n}\n\n'
        "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n"
    )
    code, out = run("push")
    assert code == 0, out
    assert "Schema loaded from prisma/schema.prisma" in out
    assert "now in sync with your Prisma schema" in out
    # As Prisma does, a relative file: URL is relative to the schema's folder.
    assert (project / "prisma" / "dev.db").exists()
    assert "already in sync with the Prisma schema" in run("push")[1]


# A usage error has a code of its own: 2 means "changes pending" to a CI drift check.
USAGE_ERRORS = [
    ([], "Usage: "),  # no command
    (["no-such-command"], "No such command"),
    (["--no-such-option"], "No such option"),
    (["push", "--lock-timeout", "soon"], "'soon' is not a valid float"),
    (["diff", "--format", "yaml"], "'yaml' is not one of"),
    (["inspect", "--format", "yaml"], "'yaml' is not one of"),
    (["backup", "--keep", "0"], "0 is not in the range"),
    (["backups", "--dir"], "requires an argument"),
    (["restore"], "Missing argument 'BACKUP'"),
    (["export", "--output"], "requires an argument"),
    (["import"], "Missing argument"),
    (["copy", "--lock-timeout", "soon"], "'soon' is not a valid float"),
    (["start", "--url", "app.db"], "Missing argument 'COMMAND"),
    (["history", "show", "first"], "'first' is not a valid integer"),
    (["rollback", "--to", "last"], "'last' is not a valid integer"),
]


def test_usage_errors_cover_every_command() -> None:
    ctx = click.Context(cli)
    named = {args[0] for args, _ in USAGE_ERRORS if args and args[0] in cli.list_commands(ctx)}
    assert named == set(cli.list_commands(ctx))


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_64(project: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == EXIT_USAGE == 64, result.output
    assert message in result.output


@pytest.mark.parametrize(
    "command",
    [
        "push",
        "diff",
        "inspect",
        "backup",
        "backups",
        "restore",
        "export",
        "import",
        "copy",
        "start",
        "history",
        "rollback",
    ],
)
def test_an_unknown_option_of_each_command_exits_64(project: Path, command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--no-such-option"])
    assert result.exit_code == 64, result.output
    assert "No such option '--no-such-option'" in result.output


def test_a_usage_error_in_a_real_process_exits_64(project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "trueup", "diff", "--formt", "sql"], capture_output=True, text=True
    )
    assert proc.returncode == 64
    assert "No such option '--formt'" in proc.stderr and "Traceback" not in proc.stderr


def test_the_text_diff_keeps_an_index_keys_collation(project: Path) -> None:
    run("push", "--url", "app.db")
    (project / "schema.sql").write_text(
        V1 + "CREATE INDEX by_email ON users (email COLLATE NOCASE DESC);\n"
    )
    code, out = run("diff", "--url", "app.db")
    assert code == 2
    assert '+ index "by_email" (email COLLATE NOCASE DESC)' in out


@pytest.mark.parametrize("command", ["push", "diff", "inspect", "backup", "history", "start"])
def test_the_url_help_gives_the_postgresql_form(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0 and "postgresql://user:password@host:5432/db" in " ".join(out.split())


ENV_URL_SCHEMA = (
    'datasource db {\n  provider = "sqlite"\n  url      = env("X_URL")\n}\n\n'
    "model A {\n  id Int @id\n}\n"
)


@pytest.mark.parametrize("command", [["push"], ["diff"], ["backup"], ["start", "--", "true"]])
def test_an_unset_env_url_names_its_variable(project: Path, command: list[str]) -> None:
    (project / "schema.sql").unlink()
    (project / "schema.prisma").write_text(ENV_URL_SCHEMA)
    code, out = run(*command)
    assert code == 1
    assert 'reads its url from env("X_URL"), and X_URL is not set' in out
    assert "Set X_URL, or pass --url" in out


def test_the_schema_is_said_loaded_only_once_it_is(project: Path) -> None:
    (project / "schema.sql").write_text("CREATE TABLE t (a INT,,);\n")
    code, out = run("push", "--url", "app.db")
    assert code == 1 and "schema.sql:1:" in out
    assert "Schema loaded" not in out
    (project / "schema.sql").write_text(V1)
    code, out = run("push", "--url", "app.db")
    assert code == 0 and out.startswith("Schema loaded from schema.sql\nDatasource: SQLite")
    # In sync by the last push's record: the schema is not read, and the output says so.
    code, out = run("push", "--url", "app.db")
    assert code == 0 and out.startswith("Schema schema.sql: unchanged since the last push\n")
    assert "Schema loaded" not in out


def json_run(*args: str) -> tuple[int, object]:
    """A command in JSON mode: its standard output must be one JSON document."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, json.loads(result.stdout)


def test_push_json_gives_the_backup_and_backups_lists_it_as_json(project: Path) -> None:
    make_db(project / "app.db", V1, "INSERT INTO users (email) VALUES ('a@x');")
    (project / "schema.sql").write_text(V2)
    code, data = json_run("push", "--url", "app.db", "--json")
    assert code == 0 and isinstance(data, dict)
    backup = data["backup"]
    assert backup and Path(backup).exists() and ".pre-push." in backup
    assert data["created"] is False
    code, listed = json_run("backups", "--url", "app.db", "--json")
    assert code == 0 and isinstance(listed, dict)
    assert listed["folder"] == str(project / "backups")
    [entry] = listed["backups"]
    assert entry["path"] == backup and entry["reason"] == "pre-push" and entry["kind"] == "sqlite"
    assert entry["size"] == Path(backup).stat().st_size and entry["taken"].endswith("Z")


def test_push_json_says_when_it_made_the_database(project: Path) -> None:
    (project / "schema.sql").write_text(V1)
    code, data = json_run("push", "--url", "new.db", "--json")
    assert code == 0 and isinstance(data, dict)
    assert data["created"] is True and (project / "new.db").exists()
    code, again = json_run("push", "--url", "new.db", "--json")
    assert code == 0 and isinstance(again, dict) and again["created"] is False


@pytest.mark.parametrize(
    "args",
    [
        ["push", "--url", "app.db", "--json"],
        ["diff", "--url", "app.db", "--format", "json"],
        ["inspect", "--url", "missing/app.db", "--format", "json"],
        ["history", "--url", "missing/app.db", "--json"],
        ["history", "show", "7", "--url", "app.db", "--json"],
        ["backups", "--json"],
    ],
)
def test_errors_in_json_mode_are_json_on_stdout(project: Path, args: list[str]) -> None:
    (project / "schema.sql").write_text("CREATE TABLE t (a INT,,);\n")
    make_db(project / "app.db", V1)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    error = json.loads(result.stdout)["error"]
    assert error["exit_code"] == 1 and error["message"] and error["type"].endswith("Error")
    assert "Error: " in result.stderr and error["message"] in result.stderr  # and for people


def test_a_schema_error_in_json_mode_has_its_location(project: Path) -> None:
    (project / "schema.sql").write_text("CREATE TABLE t (a INT,,);\n")
    code, data = json_run("push", "--url", "app.db", "--json")
    assert code == 1 and isinstance(data, dict)
    assert data["error"]["type"] == "SchemaError" and data["error"]["location"] == "schema.sql:1:23"


def test_a_refused_push_in_json_mode_is_one_document_with_its_error(project: Path) -> None:
    make_db(project / "app.db", V1, "INSERT INTO users (email, bio) VALUES ('a@x', 'hi');")
    (project / "schema.sql").write_text(V3)
    code, data = json_run("push", "--url", "app.db", "--json")
    assert code == 3 and isinstance(data, dict)
    assert data["refused"] is True and data["backup"] is None
    assert data["error"]["type"] == "UnsafePlan" and data["error"]["exit_code"] == 3


def test_the_history_help_says_view() -> None:
    code, out = run("history", "--help")
    text = " ".join(out.split())
    assert code == 0 and "View what trueup changed" in text and "_trueup_history view" in text
    assert "table)" not in text
