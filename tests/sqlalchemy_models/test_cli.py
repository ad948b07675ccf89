"""The command line with SQLAlchemy models as the schema: every way to name them, the app's
import path, the app's own errors, and what a push does with them (plan, refusals,
renames, the quick path). Each command runs in a process of its own, in the app's folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sqlalchemy_models.apps import HEAD, USERS, columns, environ, rows, trueup, write_app

V2 = USERS + '    age: Mapped[int | None] = mapped_column(server_default=text("0"))\n'


@pytest.fixture
def app(tmp_path: Path) -> Path:
    write_app(tmp_path, USERS)
    return tmp_path


@pytest.mark.parametrize(
    "schema",
    [
        "shop.models:Base",
        "shop.models:Base.metadata",
        "shop.models",
        "shop/models.py",
        "shop/models.py:Base",
    ],
)
def test_every_way_to_name_the_models(app: Path, schema: str) -> None:
    done = trueup(app, "push", "--schema", schema, "--url", "app.db")
    assert done.returncode == 0, done.stderr
    assert f"Schema loaded from {schema}" in done.stdout
    assert columns(app / "app.db", "users") == ["id", "email", "name"]


def test_the_settings_file_and_the_environment_name_them_too(app: Path) -> None:
    (app / "trueup.toml").write_text('schema = "shop.models:Base"\nurl = "app.db"\n')
    assert trueup(app, "push").returncode == 0
    (app / "trueup.toml").unlink()
    (app / "pyproject.toml").write_text('[tool.trueup]\nschema = "shop.models"\n')
    done = trueup(app, "diff", "--url", "app.db")
    assert done.returncode == 0 and "in sync" in done.stdout, done.stderr
    done = trueup(app, "diff", "--url", "app.db", env=environ(TRUEUP_SCHEMA="shop/models.py"))
    assert done.returncode == 0, done.stderr


def test_sqlmodel_metadata(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(
        "from sqlmodel import Field, SQLModel\n\n\n"
        "class Hero(SQLModel, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n"
        "    name: str = Field(index=True)\n"
        "    age: int | None = None\n"
    )
    for schema in ("models:SQLModel", "models", "models.py:SQLModel.metadata"):
        done = trueup(tmp_path, "push", "--schema", schema, "--url", "app.db")
        assert done.returncode == 0, done.stderr
    assert columns(tmp_path / "app.db", "hero") == ["id", "name", "age"]
    assert rows(tmp_path / "app.db", "SELECT name FROM sqlite_master WHERE type = 'index'") == [
        ("ix_hero_name",)
    ]


def test_a_src_layout_app_is_found_with_python_path(tmp_path: Path) -> None:
    write_app(tmp_path / "src", USERS)
    done = trueup(tmp_path, "push", "--schema", "shop.models:Base", "--url", "app.db")
    assert done.returncode == 1
    assert "No module named 'shop'" in done.stderr and "--python-path" in done.stderr
    assert not (tmp_path / "app.db").exists()
    args = ("push", "--schema", "shop.models:Base", "--url", "app.db")
    assert trueup(tmp_path, *args, "--python-path", "src").returncode == 0
    (tmp_path / "app.db").unlink()
    assert trueup(tmp_path, *args, env=environ(TRUEUP_PYTHON_PATH="src")).returncode == 0


def test_an_import_error_shows_the_apps_traceback_and_changes_nothing(app: Path) -> None:
    assert trueup(app, "push", "--schema", "shop.models", "--url", "app.db").returncode == 0
    before = (app / "app.db").read_bytes()
    write_app(app, USERS + "\nsettings = load_settings()\n")
    done = trueup(app, "push", "--schema", "shop.models", "--url", "app.db")
    assert done.returncode == 1
    assert "Importing the models shop.models failed. The app's own error:" in done.stderr
    line = (app / "shop" / "models.py").read_text().splitlines().index("settings = load_settings()")
    assert f'shop/models.py", line {line + 1}, in <module>' in done.stderr
    assert "NameError: name 'load_settings' is not defined" in done.stderr
    assert "trueup/" not in done.stderr.replace("trueup/steps", "")  # the app's frames only
    assert (app / "app.db").read_bytes() == before


def test_an_app_that_exits_while_imported(app: Path) -> None:
    write_app(app, "import sys\nsys.exit('no DATABASE_SECRET')\n")
    done = trueup(app, "push", "--schema", "shop.models", "--url", "app.db")
    assert done.returncode == 1
    assert "sys.exit('no DATABASE_SECRET')" in done.stderr
    assert not (app / "app.db").exists()


@pytest.mark.parametrize(
    ("models", "schema", "said"),
    [
        (USERS, "shop.models:Nope", "shop.models has no attribute 'Nope'"),
        (USERS, "shop.models:User.email", "is not SQLAlchemy metadata"),
        ("import sqlalchemy\n", "shop.models", "holds no SQLAlchemy metadata"),
        (
            USERS + "\nfrom sqlalchemy import MetaData\nother = MetaData()\n",
            "shop.models",
            "holds 2 different metadata",
        ),
        (
            USERS.replace("String(100))", 'String(100), info={"trueup": {"renamed": "x"}})'),
            "shop.models",
            "unknown trueup keys: 'renamed'",
        ),
    ],
)
def test_models_that_cannot_be_read(app: Path, models: str, schema: str, said: str) -> None:
    write_app(app, models, head="" if models == "import sqlalchemy\n" else HEAD)
    done = trueup(app, "push", "--schema", schema, "--url", "app.db")
    assert done.returncode == 1
    assert said in done.stderr
    assert "Traceback" not in done.stderr
    assert not (app / "app.db").exists()


def test_a_type_the_engine_does_not_have(app: Path) -> None:
    write_app(
        app,
        "from sqlalchemy.dialects.postgresql import ARRAY\n\n\n"
        "class Tag(Base):\n"
        '    __tablename__ = "tag"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    names: Mapped[list[str]] = mapped_column(ARRAY(String))\n",
    )
    done = trueup(app, "push", "--schema", "shop.models", "--url", "app.db")
    assert done.returncode == 1
    assert "SQLAlchemy cannot make the models' DDL for SQLite" in done.stderr
    assert "ARRAY" in done.stderr and "with_variant" in done.stderr


def test_what_the_app_prints_while_imported_stays_out_of_json(app: Path) -> None:
    write_app(app, USERS + "\nprint('connecting to the mail server')\n")
    done = trueup(app, "push", "--schema", "shop.models", "--url", "app.db", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["applied"] is True
    assert "connecting to the mail server" in done.stderr


def test_plan_dry_run_refusal_and_accepting_the_loss(app: Path) -> None:
    push = ("push", "--schema", "shop.models", "--url", "app.db")
    assert trueup(app, *push).returncode == 0
    db = app / "app.db"
    rows(db, "SELECT 1")  # the file is there
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO users (email, name) VALUES ('a@x', 'Ann'), ('b@x', 'Bob')")
    write_app(app, V2)
    dry = trueup(app, *push, "--dry-run")
    assert dry.returncode == 2 and '+ column "age"' in dry.stdout
    assert columns(db, "users") == ["id", "email", "name"]
    assert trueup(app, *push).returncode == 0
    assert rows(db, "SELECT email, age FROM users ORDER BY id") == [("a@x", 0), ("b@x", 0)]
    write_app(app, V2.replace("    name: Mapped[str | None] = mapped_column(String(100))\n", ""))
    refused = trueup(app, *push)
    assert refused.returncode == 3
    assert "You are about to drop the column `name` on the `users` table" in refused.stderr
    assert "2 non-null values" in refused.stderr
    assert columns(db, "users") == ["id", "email", "name", "age"]
    done = trueup(app, *push, "--accept-data-loss")
    assert done.returncode == 0, done.stderr
    assert columns(db, "users") == ["id", "email", "age"]
    # One before each change to the rows' table (their hidden records aside).
    taken = [p for p in (app / "backups").iterdir() if not p.name.startswith(".")]
    assert len(taken) == 2
    history = json.loads(trueup(app, "history", "--url", "app.db", "--json").stdout)
    assert [e["kind"] for e in history] == ["push"] * 3
    last = json.loads(trueup(app, "history", "--url", "app.db", "show", "3", "--json").stdout)
    assert last["schema_path"] == "shop.models" and last["backup"]
    undone = trueup(app, "rollback", "--url", "app.db", "--yes")
    assert undone.returncode == 0, undone.stderr
    assert rows(db, "SELECT name FROM users ORDER BY id") == [("Ann",), ("Bob",)]


def test_renames_from_the_models_info_and_from_the_command_line(app: Path) -> None:
    push = ("push", "--schema", "shop.models", "--url", "app.db")
    assert trueup(app, *push).returncode == 0
    import sqlite3

    with sqlite3.connect(app / "app.db") as conn:
        conn.execute("INSERT INTO users (email, name) VALUES ('a@x', 'Ann')")
    renamed = USERS.replace(
        "    name: Mapped[str | None] = mapped_column(String(100))\n",
        "    full_name: Mapped[str | None] = mapped_column(\n"
        '        String(100), info={"trueup": {"renamed_from": "name"}}\n'
        "    )\n",
    ).replace(
        '    __tablename__ = "users"\n',
        '    __tablename__ = "members"\n'
        '    __table_args__ = {"info": {"trueup": {"renamed_from": "users"}}}\n',
    )
    write_app(app, renamed)
    done = trueup(app, *push)
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(app / "app.db", "SELECT email, full_name FROM members") == [("a@x", "Ann")]
    write_app(app, renamed.replace('"full_name"', '"nickname"').replace("full_name", "nickname"))
    done = trueup(app, *push, "--rename", "members.full_name=nickname")
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(app / "app.db", "SELECT nickname FROM members") == [("Ann",)]


def test_the_quick_way_and_a_change_to_the_models(app: Path) -> None:
    push = ("push", "--schema", "shop.models", "--url", "app.db")
    assert trueup(app, *push).returncode == 0
    again = trueup(app, *push)
    assert "Schema shop.models: unchanged since the last push" in again.stdout
    write_app(app, V2)
    changed = trueup(app, *push)
    assert "Schema loaded from shop.models" in changed.stdout
    assert columns(app / "app.db", "users")[-1] == "age"
    # A model made from the environment changes the key too, though no file changed.
    write_app(app, USERS.replace('"users"', 'os.environ.get("USERS_TABLE", "users")'))
    (app / "shop" / "models.py").write_text("import os\n" + (app / "shop/models.py").read_text())
    first = trueup(app, *push, "--dry-run", env=environ(USERS_TABLE="people"))
    assert first.returncode == 2 and '+ table "people"' in first.stdout
