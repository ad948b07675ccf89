"""``trueup.sync()``, what an app calls at start-up in place of ``create_all()``: with an
Engine or a URL, on SQLite and PostgreSQL; it backs up, applies, says what changed, raises
with the findings when data would be lost, leaves ``alembic_version`` alone, makes the
PostgreSQL extensions the models' DDL makes (and keeps the database's own), and several app
processes starting at once queue on the push lock (real processes)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, text

import trueup
from tests.postgres.support import Server
from tests.sqlalchemy_models.apps import USERS, environ, write_app
from tests.sqlalchemy_models.catalogs import sa_url
from trueup.engines.postgres.connection import connection_info
from trueup.engines.postgres.session import lock_key
from trueup.errors import ConfigError, UnsafePlan
from trueup.urls import parse_url


def users(*extra: Column[object]) -> MetaData:
    metadata = MetaData()
    Table(
        "users",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("email", String(200), nullable=False),
        *extra,
    )
    return metadata


def test_create_then_in_sync_then_a_change_with_a_backup(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    made = trueup.sync(engine, users(), backup_dir=str(tmp_path / "backups"))
    assert made.applied and made.created and made.backup is None  # nothing to back up
    again = trueup.sync(engine, users())
    assert not again.applied and again.plan.is_empty
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (email) VALUES ('a@x')"))
    changed = trueup.sync(
        engine, users(Column("age", Integer)), backup_dir=str(tmp_path / "backups")
    )
    assert changed.applied
    assert [type(c).__name__ for c in changed.plan.changes] == ["ModifyTable"]
    assert changed.backup is not None and os.path.exists(changed.backup)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT email, age FROM users")).all() == [("a@x", None)]
    engine.dispose()


def test_data_loss_raises_with_the_findings_and_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    trueup.sync(url, users(Column("bio", String)))
    with sqlite3.connect(tmp_path / "app.db") as conn:
        conn.execute("INSERT INTO users (email, bio) VALUES ('a@x', 'hello')")
    with pytest.raises(UnsafePlan) as refused:
        trueup.sync(url, users())
    assert refused.value.plan is not None
    [finding] = refused.value.plan.findings
    assert finding.code == "DL102" and finding.count == 1  # a dropped column with values
    with sqlite3.connect(tmp_path / "app.db") as conn:
        assert conn.execute("SELECT bio FROM users").fetchall() == [("hello",)]
    done = trueup.sync(url, users(), accept_data_loss=True, backup=False)
    assert done.applied and done.backup is None


def test_alembic_version_is_left_alone(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "app.db") as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('4f2e')")
    trueup.sync(f"sqlite:///{tmp_path / 'app.db'}", users())
    with sqlite3.connect(tmp_path / "app.db") as conn:
        assert conn.execute("SELECT * FROM alembic_version").fetchall() == [("4f2e",)]


def test_an_in_memory_database_is_refused() -> None:
    with pytest.raises(ConfigError, match="in-memory SQLite database"):
        trueup.sync(create_engine("sqlite://"), users())


def test_sqlmodel_metadata(tmp_path: Path) -> None:
    from sqlmodel import Field, SQLModel

    class Hero(SQLModel, table=True):
        __tablename__ = "sync_hero"
        id: int | None = Field(default=None, primary_key=True)
        name: str

    metadata = MetaData()
    Hero.__table__.to_metadata(metadata)  # type: ignore[attr-defined]
    result = trueup.sync(f"sqlite:///{tmp_path / 'app.db'}", metadata)
    assert result.applied
    with sqlite3.connect(tmp_path / "app.db") as conn:
        names = [r[1] for r in conn.execute("PRAGMA table_info(sync_hero)")]
    assert names == ["id", "name"]


def test_postgresql_with_an_engine(pg: Server, tmp_path: Path) -> None:
    engine = create_engine(sa_url(pg.url))
    assert trueup.sync(engine, users()).applied
    pg.execute("INSERT INTO users (email) VALUES ('a@x')")
    changed = trueup.sync(engine, users(Column("age", Integer)), backup_dir=str(tmp_path))
    assert changed.applied and changed.backup is not None
    assert os.path.dirname(changed.backup) == str(tmp_path)
    assert not trueup.sync(engine, users(Column("age", Integer))).applied
    assert pg.query("SELECT column_name FROM information_schema.columns WHERE "
                    "table_name = 'users' ORDER BY ordinal_position") == [
        ("id",), ("email",), ("age",)
    ]  # fmt: skip
    engine.dispose()


def test_an_extension_the_models_make_is_made_and_the_databases_own_kept(pg: Server) -> None:
    from sqlalchemy import DDL, event
    from sqlalchemy.dialects.postgresql import CITEXT

    metadata = MetaData()
    # SQLAlchemy's DDL() has no annotations.
    ddl = DDL("CREATE EXTENSION IF NOT EXISTS citext")  # type: ignore[no-untyped-call]
    event.listen(metadata, "before_create", ddl)
    Table("tags", metadata, Column("id", Integer, primary_key=True), Column("name", CITEXT))
    pg.execute("CREATE EXTENSION hstore")  # the database's own, which the models do not make
    made = trueup.sync(sa_url(pg.url), metadata, backup=False)
    assert made.applied
    assert [type(c).__name__ for c in made.plan.changes] == ["AddExtension", "AddTable"]
    extensions = "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1"
    assert pg.query(extensions) == [("citext",), ("hstore",)]
    pg.execute("INSERT INTO tags (name) VALUES ('Jazz')")
    assert pg.query("SELECT id FROM tags WHERE name = 'JAZZ'") == [(1,)]
    assert trueup.sync(sa_url(pg.url), metadata).plan.is_empty


# --- several app processes at once -------------------------------------------------------------

APPS = 4
APP = """\
import json, sys
import trueup
from sqlalchemy import create_engine
from shop.models import Base

engine = create_engine(sys.argv[1])
print("syncing", file=sys.stderr, flush=True)
result = trueup.sync(engine, Base.metadata, backup_dir="backups")
print(json.dumps({"applied": result.applied, "in_sync": result.plan.is_empty}))
"""
V2 = USERS + "    age: Mapped[int | None]\n"


def _launch(folder: Path, url: str) -> list[subprocess.Popen[str]]:
    (folder / "app.py").write_text(APP)
    write_app(folder, V2)
    env = environ(PYTHONPATH=str(folder))
    procs = [
        subprocess.Popen(
            [sys.executable, "app.py", url],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(APPS)
    ]
    for proc in procs:  # each is about to sync: it waits for the lock from here on
        assert proc.stderr is not None
        assert proc.stderr.readline() == "syncing\n"
    return procs


def _one_applied(procs: list[subprocess.Popen[str]]) -> None:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert sorted(r["applied"] for r in results) == [False] * (APPS - 1) + [True], results


def _start(folder: Path, url: str) -> None:
    write_app(folder, USERS)
    script = (
        "import sys, trueup; from shop.models import Base; trueup.sync(sys.argv[1], Base.metadata)"
    )
    subprocess.run([sys.executable, "-c", script, url], cwd=folder, env=environ(), check=True)


def test_apps_starting_at_once_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    _start(tmp_path, url)
    holder = sqlite3.connect(tmp_path / "app.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock every push needs first
    try:
        procs = _launch(tmp_path, url)
        time.sleep(1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _one_applied(procs)
    with sqlite3.connect(tmp_path / "app.db") as conn:
        assert [r[1] for r in conn.execute("PRAGMA table_info(users)")][-1] == "age"


def test_apps_starting_at_once_on_postgresql(tmp_path: Path, pg: Server) -> None:
    url = sa_url(pg.url)
    _start(tmp_path, url)
    dsn, _ = connection_info(parse_url(pg.url))
    holder = psycopg.connect(dsn, autocommit=True)
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", (lock_key("public"),))
        procs = _launch(tmp_path, url)
        waiting = (
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        deadline = time.monotonic() + 120
        while holder.execute(waiting).fetchone() != (APPS,):
            assert time.monotonic() < deadline, "the apps never all waited for the lock"
            time.sleep(0.02)
    finally:
        holder.close()
    _one_applied(procs)
    assert pg.query(
        "SELECT count(*) FROM information_schema.columns WHERE column_name = 'age'"
    ) == [(1,)]
