"""The bad-input catalogue on PostgreSQL (docs/bad-input.md): a wrong password, a server
that cannot be reached or never answers, a full disk or a folder that cannot be written
during a backup, and an import cut short or killed half way. Each gives a clear message,
exit code 1, no traceback and no password, and changes nothing: the database is compared
before and after, and no half-written file is left.

The password cases need a server that asks for one: the module starts its own small
cluster with ``scripts/postgres`` (``TRUEUP_PG_TCP_PORT``: scram-sha-256 on 127.0.0.1, the
socket left password-free for the test itself). The permission cases run trueup as the
user ``nobody``, which reaches that cluster over TCP.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.bad_input import small_disk, trueup
from tests.postgres.support import Server, with_database

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret-Pa55"
WRONG = "wr0ng-Pa55"
TABLES = """
CREATE TABLE parent (id SERIAL PRIMARY KEY, x TEXT);
CREATE TABLE child (id SERIAL PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), y TEXT);
"""
CHANGED = TABLES.replace("x TEXT", "x TEXT, z INTEGER")


def rows_sql(n: int) -> str:
    # Random text, so that a compressed pg_dump is still big.
    return (
        f"INSERT INTO parent (x) SELECT md5(random()::text) || md5(random()::text) "
        f"FROM generate_series(1, {n});"
        f"INSERT INTO child (parent_id, y) SELECT i, md5(random()::text) "
        f"FROM generate_series(1, {n}) AS i;"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def assert_clear_error(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert "Traceback" not in said
    assert "Error: " in result.stderr, said
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)
    for secret in (PASSWORD, WRONG):
        assert secret not in said


def state(db: Server) -> list[Any]:
    """What "unchanged" means: the tables and columns, every row, and trueup's history."""
    columns = db.query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    )
    rows = [
        db.query(f"SELECT count(*), md5(string_agg(t::text, ',' ORDER BY id)) FROM {t} AS t")
        for (t,) in db.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY 1"
        )
    ]
    return [columns, rows, db.query("SELECT to_regclass('_trueup_history')")]


def wait_for_backends(db: Server) -> None:
    """A killed client's backend ends once it finds the connection closed: wait for it."""
    sql = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + 30
    while db.query(sql, (db.name,)) != [(0,)]:
        assert time.monotonic() < deadline, "the killed client's backend is still there"
        time.sleep(0.01)


@dataclass(frozen=True)
class PasswordServer:
    """A cluster where the role ``app`` must give its password over TCP."""

    admin: Server  # the superuser over the unix socket, no password
    port: int

    def url(self, database: str, password: str = PASSWORD) -> str:
        return f"postgresql://app:{password}@127.0.0.1:{self.port}/{database}"

    def database(self, name: str, sql: str = "") -> Server:
        with self.admin.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
            conn.execute(f'CREATE DATABASE "{name}" OWNER app'.encode())
        db = Server(with_database(self.admin.url, name), name)
        if sql:
            db.execute(f"SET ROLE app; {sql}")
        return db


@pytest.fixture(scope="module")
def password_server() -> Iterator[PasswordServer]:
    folder = tempfile.mkdtemp(prefix="trueup-pg-password-")
    port = free_port()
    script = str(ROOT / "scripts" / "postgres")
    env = {**os.environ, "TRUEUP_PG_TCP_PORT": str(port)}
    started = subprocess.run(
        [script, "start", folder], capture_output=True, text=True, env=env, check=False
    )
    if started.returncode != 0:
        raise RuntimeError(f"scripts/postgres could not start a cluster:\n{started.stderr}")
    try:
        admin = Server(started.stdout.strip().splitlines()[-1])
        admin.execute(f"CREATE ROLE app LOGIN CREATEDB PASSWORD '{PASSWORD}'")
        yield PasswordServer(admin, port)
    finally:
        subprocess.run([script, "stop", folder], check=False, capture_output=True)


# --- connections -----------------------------------------------------------------------------


def test_wrong_password(password_server: PasswordServer, folder: Path) -> None:
    db = password_server.database("shop", TABLES + rows_sql(50))
    (folder / "schema.sql").write_text(CHANGED)
    good = password_server.url("shop")
    assert trueup(folder, "export", "--url", good, "-o", "shop.jsonl").returncode == 0
    before = state(db)
    bad = password_server.url("shop", WRONG)
    app = [sys.executable, "-c", "open('app-ran', 'w')"]
    for args in (
        ["push", "--url", bad],
        ["start", "--url", bad, "--", *app],
        ["backup", "--url", bad],
        ["export", "--url", bad, "-o", "out.jsonl"],
        ["import", "shop.jsonl", "--url", bad],
        ["history", "--url", bad],
    ):
        result = trueup(folder, *args)
        assert_clear_error(result, 'password authentication failed for user "app"')
        assert "Check the host, port, user, password" in result.stderr, args
        assert "app:***@127.0.0.1" in result.stderr, args
    assert sorted(p.name for p in folder.iterdir()) == ["schema.sql", "shop.jsonl"]
    assert state(db) == before
    # The right password works, and is never printed either (pg_dump gets it in its env).
    for args in (["backup", "--url", good], ["push", "--url", good]):
        result = trueup(folder, *args)
        assert result.returncode == 0, result.stderr
        assert PASSWORD not in result.stdout + result.stderr


def test_export_by_a_role_that_may_not_read_a_table(pg: Server, folder: Path) -> None:
    role = f"reader_{os.getpid()}"
    pg.execute(
        f'CREATE ROLE "{role}" LOGIN;'
        "CREATE TABLE open (id integer PRIMARY KEY); CREATE TABLE secret (id integer PRIMARY KEY);"
        f'INSERT INTO secret VALUES (1); GRANT SELECT ON open TO "{role}";'
    )
    try:
        url = pg.url.replace("postgresql://postgres@", f"postgresql://{role}@")
        assert url != pg.url
        result = trueup(folder, "export", "--url", url, "-o", "out.jsonl")
        assert_clear_error(
            result, "permission denied for table secret", "Nothing was exported", "SELECT"
        )
        assert list(folder.iterdir()) == []
        result = trueup(folder, "backup", "--url", url, "--dir", "backups")
        assert_clear_error(result, "permission denied", "must be able to read every table")
        assert not (folder / "backups").exists() or not any((folder / "backups").iterdir())
    finally:
        pg.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}";')


def test_unreachable_server(folder: Path) -> None:
    (folder / "schema.sql").write_text(TABLES)
    nothing_there = f"postgresql://app:{PASSWORD}@127.0.0.1:{free_port()}/shop"
    no_socket = f"postgresql://app:{PASSWORD}@/shop?host={folder / 'no-such-dir'}"
    for url, reason in ((nothing_there, "Connection refused"), (no_socket, "No such file")):
        for args in (["push", "--url", url], ["backup", "--url", url], ["history", "--url", url]):
            result = trueup(folder, *args)
            assert_clear_error(result, reason, "that the server is running")
        result = trueup(folder, "start", "--url", url, "--", "true")
        assert_clear_error(result, reason, "The command was not started")
    assert sorted(p.name for p in folder.iterdir()) == ["schema.sql"]  # no backups folder


def test_a_server_that_never_answers(folder: Path) -> None:
    """A port that takes the connection and then says nothing (a firewall, another
    service): without a connect timeout libpq waits for ever, and a container's start hangs.
    trueup gives up after 10 s unless the URL or $PGCONNECT_TIMEOUT says otherwise; here the
    default is lowered to 1 s for the test."""
    (folder / "schema.sql").write_text(TABLES)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"postgresql://app:{PASSWORD}@127.0.0.1:{silent.getsockname()[1]}/shop"
        patched = (
            "import trueup.engines.postgres.connection as c; c.CONNECT_TIMEOUT = 1; "
            "from trueup.cli import main; main()"
        )
        result = subprocess.run(
            [sys.executable, "-c", patched, "push", "--url", url],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert_clear_error(result, "timeout expired", "?connect_timeout=SECONDS")
        result = trueup(folder, "backup", "--url", url + "?connect_timeout=1")  # pg_dump
        assert_clear_error(result, "timeout expired", "that the server is running")
        result = trueup(folder, "push", "--url", url, env={"PGCONNECT_TIMEOUT": "1"})
        assert_clear_error(result, "timeout expired")


# --- backups ---------------------------------------------------------------------------------


def test_disk_full_during_a_backup(pg: Server, folder: Path) -> None:
    pg.execute(TABLES + rows_sql(40000))  # a pg_dump of about 2.5 MB, on a disk of 1 MB
    before = state(pg)
    (folder / "schema.sql").write_text(CHANGED)
    no_pg_dump = {"PATH": str(Path(sys.executable).parent)}  # the JSON backup instead
    app = [sys.executable, "-c", "open('app-ran', 'w')"]
    with small_disk(folder / "backups") as backups:
        result = trueup(folder, "backup", "--url", pg.url)
        assert_clear_error(result, "No space left on device", "has space")
        assert list(backups.iterdir()) == []  # no half-written backup
        result = trueup(folder, "backup", "--url", pg.url, env=no_pg_dump)
        assert_clear_error(result, "writing the backup in", "No space left on device")
        assert list(backups.iterdir()) == []
        # The backup before a push, and the one of `trueup start`, stop them before any change.
        result = trueup(folder, "push", "--url", pg.url)
        assert_clear_error(result, "No space left on device")
        result = trueup(folder, "start", "--url", pg.url, "--", *app)
        assert_clear_error(result, "No space left on device", "The command was not started")
        result = trueup(folder, "export", "--url", pg.url, "-o", "backups/shop.jsonl")
        assert_clear_error(result, "Cannot write the export", "No space left on device")
        assert list(backups.iterdir()) == []
    assert state(pg) == before
    assert not (folder / "app-ran").exists()


def test_backup_folder_not_writable(password_server: PasswordServer, folder: Path) -> None:
    db = password_server.database("owned", TABLES + rows_sql(20))
    before = state(db)
    (folder / "schema.sql").write_text(CHANGED)
    (folder / "backups").mkdir(mode=0o755)  # root's: the user may not write in it
    url = password_server.url("owned")
    result = trueup(folder, "backup", "--url", url, as_nobody=True)
    assert_clear_error(result, "Cannot write a backup in", "Permission denied")
    result = trueup(folder, "push", "--url", url, as_nobody=True)
    assert_clear_error(result, "Cannot write a backup in", "Permission denied")
    assert list((folder / "backups").iterdir()) == []
    assert state(db) == before


# --- imports ---------------------------------------------------------------------------------


def test_import_of_a_file_cut_short(pg: Server, pg_server: Server, folder: Path) -> None:
    source = pg_server.create_database()
    try:
        source.execute(TABLES + rows_sql(2000))
        assert trueup(folder, "export", "--url", source.url, "-o", "whole.jsonl").returncode == 0
    finally:
        pg_server.drop_database(source)
    whole = (folder / "whole.jsonl").read_bytes()
    middle = len(whole) // 2
    cuts = {
        "in the header": 40,
        "in a row": middle,
        "between two rows": whole.index(b"\n", middle) + 1,
        "before the end record": whole.rindex(b'{"end"'),
    }
    missing = with_database(pg.url, pg.name + "_new")
    for where, length in cuts.items():
        (folder / "cut.jsonl").write_bytes(whole[:length])
        result = trueup(folder, "import", "cut.jsonl", "--url", pg.url)
        assert_clear_error(result, "it is incomplete", "Nothing was imported")
        assert state(pg) == [[], [], [(None,)]], where
    # Into a database that does not exist yet: the one the import made is dropped again.
    result = trueup(folder, "import", "cut.jsonl", "--url", missing)
    assert_clear_error(result, "it is incomplete", "Nothing was imported")
    made = pg.query("SELECT datname FROM pg_database WHERE datname = %s", (pg.name + "_new",))
    assert made == []


def test_import_killed_half_way(pg: Server, folder: Path) -> None:
    pg.execute(TABLES + rows_sql(60000))
    assert trueup(folder, "export", "--url", pg.url, "-o", "whole.jsonl").returncode == 0
    pg.execute("DROP TABLE child, parent")
    before = state(pg)
    proc = subprocess.Popen(
        [sys.executable, "-m", "trueup", "import", "whole.jsonl", "--url", pg.url],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Half way: the parents are in, the children are being copied.
    copying = "SELECT 1 FROM pg_stat_activity WHERE datname = %s AND query LIKE 'COPY \"child\"%%'"
    while proc.poll() is None and not pg.query(copying, (pg.name,)):
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the import ended before the kill"
    wait_for_backends(pg)
    assert state(pg) == before
    locks = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
    assert pg.query(locks) == [(0,)]
    # Nothing is left in the way of the import done again.
    assert trueup(folder, "import", "whole.jsonl", "--url", pg.url).returncode == 0
    assert pg.query("SELECT count(*) FROM child") == [(60000,)]
