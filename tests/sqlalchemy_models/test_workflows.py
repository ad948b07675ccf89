"""What trueup does for every source, with models as the schema: data steps beside the
models' module, reviewed plans, ``trueup start``, and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

from tests.postgres.support import Server
from tests.sqlalchemy_models.apps import USERS, columns, rows, trueup, write_app

PUSH = ("push", "--schema", "shop.models:Base", "--url", "app.db")


def test_data_steps_beside_the_models_run_once(tmp_path: Path) -> None:
    write_app(tmp_path, USERS)
    assert trueup(tmp_path, *PUSH).returncode == 0
    with sqlite3.connect(tmp_path / "app.db") as conn:
        conn.execute("INSERT INTO users (email, name) VALUES ('a@x', NULL), ('b@x', 'Bob')")
    steps = tmp_path / "shop" / "trueup" / "steps"
    steps.mkdir(parents=True)
    (steps / "0001-name-everyone.sql").write_text(
        "-- trueup:before\nUPDATE users SET name = 'anonymous' WHERE name IS NULL;\n"
    )
    write_app(tmp_path, USERS.replace("Mapped[str | None] = mapped_column(String(100))",
                                      "Mapped[str] = mapped_column(String(100))"))  # fmt: skip
    done = trueup(tmp_path, *PUSH)
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(tmp_path / "app.db", "SELECT name FROM users ORDER BY id") == [
        ("anonymous",),
        ("Bob",),
    ]
    assert rows(tmp_path / "app.db", "SELECT count(*) FROM _trueup_steps") == [(1,)]
    again = trueup(tmp_path, *PUSH)
    assert "already in sync" in again.stdout


def test_a_reviewed_plan_is_applied_only_while_the_models_are_those_reviewed(
    tmp_path: Path,
) -> None:
    write_app(tmp_path, USERS)
    assert trueup(tmp_path, *PUSH).returncode == 0
    write_app(tmp_path, USERS + "    age: Mapped[int | None]\n")
    reviewed = trueup(tmp_path, "diff", *PUSH[1:], "--format", "json", "-o", "plan.json")
    assert reviewed.returncode == 2, reviewed.stderr
    assert json.loads((tmp_path / "plan.json").read_text())["steps"]
    write_app(tmp_path, USERS + "    age: Mapped[int | None]\n    bio: Mapped[str | None]\n")
    refused = trueup(tmp_path, *PUSH, "--plan", "plan.json")
    assert refused.returncode == 3
    assert "The declared schema changed since the plan plan.json was made." in refused.stderr
    write_app(tmp_path, USERS + "    age: Mapped[int | None]\n")
    done = trueup(tmp_path, *PUSH, "--plan", "plan.json")
    assert done.returncode == 0, done.stderr
    assert columns(tmp_path / "app.db", "users")[-1] == "age"


def test_start_pushes_the_models_then_runs_the_app(tmp_path: Path) -> None:
    write_app(tmp_path, USERS)
    assert trueup(tmp_path, *PUSH).returncode == 0
    with sqlite3.connect(tmp_path / "app.db") as conn:
        conn.execute("INSERT INTO users (email) VALUES ('a@x')")
    write_app(tmp_path, USERS + "    age: Mapped[int | None]\n")
    app = [sys.executable, "-c", "print('app started')"]
    done = trueup(tmp_path, "start", *PUSH[1:], "--", *app)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "app started\n"
    assert "trueup start: schema shop.models:Base" in done.stderr
    taken = [p for p in (tmp_path / "backups").iterdir() if not p.name.startswith(".")]
    assert [p.name.split(".")[-2] for p in taken] == ["pre-push"]
    write_app(tmp_path, "import nowhere\n")
    failed = trueup(tmp_path, "start", *PUSH[1:], "--", *app)
    assert failed.returncode == 1
    assert "No module named 'nowhere'" in failed.stderr
    assert "The command was not started" in failed.stderr and not failed.stdout


def test_postgresql(tmp_path: Path, pg: Server) -> None:
    write_app(tmp_path, USERS)
    push = ("push", "--schema", "shop/models.py", "--url", pg.url)
    done = trueup(tmp_path, *push)
    assert done.returncode == 0, done.stderr
    pg.execute("INSERT INTO users (email, name) VALUES ('a@x', 'Ann')")
    write_app(tmp_path, USERS.replace("String(100)", "String(40)"))
    dry = trueup(tmp_path, *push, "--dry-run")
    assert dry.returncode == 2
    assert '~ column "name": type VARCHAR(100) → VARCHAR(40)' in dry.stdout
    assert trueup(tmp_path, *push).returncode == 0, "no value is longer than 40"
    assert "unchanged since the last push" in trueup(tmp_path, *push).stdout
    assert pg.query("SELECT name FROM users") == [("Ann",)]
