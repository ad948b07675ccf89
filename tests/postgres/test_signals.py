"""SIGTERM on PostgreSQL: a push stopped by it cancels the statement the server is running,
drops its scratch database, kills its pg_dump, leaves no temporary file, changes nothing,
and exits with 143. Every trial is a real ``trueup`` process sent a real signal while the
server is busy with its work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.postgres.support import Server, with_database

SLEEP = "pg_sleep(120)"


def start(folder: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEUP_")}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "trueup", *args],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if condition():
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("timed out")


def terminated(proc: subprocess.Popen[str]) -> str:
    """SIGTERM to ``proc``; it must end with 143 within a few seconds."""
    proc.send_signal(signal.SIGTERM)
    began = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert time.monotonic() - began < 10, "the statement was waited for, not cancelled"
    assert "Traceback" not in err and "Terminated (SIGTERM)" in err, err
    return err


def running(server: Server, what: str, database: str | None = None) -> list[str]:
    """The databases where a statement containing ``what`` runs now."""
    rows = server.query(
        "SELECT datname FROM pg_stat_activity WHERE query LIKE %s AND pid <> pg_backend_pid()"
        + (" AND datname = %s" if database else ""),
        (f"%{what}%", database) if database else (f"%{what}%",),
    )
    return [r[0] for r in rows]


def scratch_databases(server: Server) -> list[str]:
    rows = server.query("SELECT datname FROM pg_database WHERE datname LIKE 'trueup\\_scratch%%'")
    return [r[0] for r in rows]


def tables(db: Server) -> list[str]:
    rows = db.query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace")
    return sorted(r[0] for r in rows)


def write_step(folder: Path, text: str) -> None:
    (folder / "trueup" / "steps").mkdir(parents=True, exist_ok=True)
    (folder / "trueup" / "steps" / "001-step.sql").write_text(text)


def test_sigterm_cancels_a_data_step_and_changes_nothing(tmp_path: Path, pg: Server) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY);\n")
    write_step(tmp_path, f"-- trueup:before\nSELECT {SLEEP};\n")
    proc = start(tmp_path, "push", "--url", pg.url)
    wait_for(lambda: bool(running(pg, SLEEP, pg.name)), proc)
    terminated(proc)
    assert running(pg, SLEEP, pg.name) == []  # cancelled on the server, not left running
    assert tables(pg) == []


def test_sigterm_during_the_scratch_database_drops_it(
    tmp_path: Path, pg: Server, pg_server: Server
) -> None:
    """A SQL schema is read in a scratch database: one of its statements takes long."""
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE t (id integer PRIMARY KEY);\n"
        f"CREATE MATERIALIZED VIEW slow AS SELECT 1 AS one FROM {SLEEP};\n"
    )
    before = scratch_databases(pg_server)
    proc = start(tmp_path, "push", "--url", pg.url)
    wait_for(lambda: any(d.startswith("trueup_scratch") for d in running(pg_server, SLEEP)), proc)
    terminated(proc)
    assert scratch_databases(pg_server) == before
    assert running(pg_server, SLEEP) == []
    assert tables(pg) == []


def test_sigterm_during_pg_dump_leaves_no_backup(tmp_path: Path, pg: Server) -> None:
    """The pre-push backup's pg_dump waits for a table another session holds locked."""
    pg.execute("CREATE TABLE t (id integer PRIMARY KEY); INSERT INTO t VALUES (1);")
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY, note text);\n")
    holder = pg.connect()
    holder.execute("BEGIN")
    holder.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
    try:
        proc = start(tmp_path, "push", "--url", pg.url)
        wait_for(lambda: bool(running(pg, "pg_dump") or _dump_waiting(pg)), proc)
        terminated(proc)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    folder = tmp_path / "backups"
    assert not folder.exists() or os.listdir(folder) == []
    assert _dump_waiting(pg) is False
    assert [
        r[0]
        for r in pg.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 't'"
        )
    ] == ["id"]


def _dump_waiting(db: Server) -> bool:
    rows = db.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = 'pg_dump' AND datname = %s",
        (db.name,),
    )
    return bool(rows)


@pytest.fixture
def missing(pg_server: Server) -> Iterator[Server]:
    name = f"t_signal_{os.getpid()}"
    db = Server(with_database(pg_server.url, name), name)
    pg_server.drop_database(db)
    yield db
    pg_server.drop_database(db)


def test_sigterm_during_a_first_push_drops_the_database_it_made(
    tmp_path: Path, pg_server: Server, missing: Server
) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY);\n")
    write_step(tmp_path, f"-- trueup:after\nSELECT {SLEEP};\n")
    proc = start(tmp_path, "push", "--url", missing.url)
    wait_for(lambda: bool(running(pg_server, SLEEP, missing.name)), proc)
    terminated(proc)
    rows = pg_server.query("SELECT 1 FROM pg_database WHERE datname = %s", (missing.name,))
    assert rows == []
