"""Backups: consistent copies while the app writes, the integrity check, the atomic write,
permissions, retention, the pre-push backup, restore and the listing."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.helpers import make_db, table_rows
from trueup.backup import backup, list_backups_of
from trueup.backup.files import file_name, parse_name
from trueup.cli import cli
from trueup.urls import parse_url

V1 = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, bio TEXT);\n"
V2 = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, bio TEXT, age INT);\n"
V3 = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n"
ROWS = "INSERT INTO users (email, bio) VALUES ('a@x', 'hi'), ('b@x', NULL);"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema.sql").write_text(V1)
    return tmp_path


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


def files(folder: Path) -> list[str]:
    """Everything in the folder, hidden temporary files included, but the backups' records
    (``.NAME.json``)."""
    names = os.listdir(folder) if folder.exists() else []
    return sorted(n for n in names if not (n.startswith(".") and n.endswith(".json")))


def corrupt_index(path: Path) -> None:
    """A database whose index no longer matches its table: SQLite opens and reads it, and
    only PRAGMA integrity_check tells."""
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE t (a, b); CREATE INDEX t_a ON t (a);"
        "INSERT INTO t VALUES (1, 10), (2, 20), (3, 30);"
    )
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_schema SET sql = 'CREATE INDEX t_a ON t (b)' WHERE name = 't_a'")
    conn.commit()
    conn.close()


# --- names ---------------------------------------------------------------------------------


def test_backup_names_carry_database_time_and_reason() -> None:
    from datetime import UTC, datetime

    taken = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    name = file_name("app.db", taken, "pre-push", "sqlite")
    assert name == "app.db.20250301T120000.123456Z.pre-push.sqlite3"
    assert parse_name(name) == ("app.db", taken, "pre-push", "sqlite")
    assert parse_name("app.db") is None
    assert parse_name("app.db.20250301T120000.123456Z.other.sqlite3") is None


# --- trueup backup ---------------------------------------------------------------------------


def test_backup_is_a_sound_copy_beside_the_database(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    result = invoke("backup", "--url", "app.db")
    assert result.exit_code == 0, result.output
    [name] = files(project / "backups")
    assert name.startswith("app.db.") and name.endswith(".manual.sqlite3")
    assert str(project / "backups" / name) in result.output
    assert "quick check passed" in result.output
    assert table_rows(project / "backups" / name) == table_rows(project / "app.db")


def test_backup_files_are_owner_only_whatever_the_umask(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    old = os.umask(0o277)  # would make a new file read-only for its owner
    try:
        assert invoke("backup", "--url", "app.db").exit_code == 0
    finally:
        os.umask(old)
    [name] = files(project / "backups")
    assert stat.S_IMODE(os.stat(project / "backups" / name).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(project / "backups").st_mode) & 0o077 == 0


def test_backup_dir_from_flag_environment_and_settings(project: Path) -> None:
    make_db(project / "app.db", V1)
    assert invoke("backup", "--url", "app.db", "--dir", "flag").exit_code == 0
    assert invoke("backup", "--url", "app.db", env={"TRUEUP_BACKUP_DIR": "env"}).exit_code == 0
    (project / "trueup.toml").write_text('backup_dir = "file"\n')
    assert invoke("backup", "--url", "app.db").exit_code == 0
    for folder in ("flag", "env", "file"):
        assert len(files(project / folder)) == 1, folder
    assert not (project / "backups").exists()


@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
def test_backup_while_another_connection_keeps_writing(project: Path, journal_mode: str) -> None:
    """Every backup taken while a writer commits is one committed moment: the counter row
    always equals the number of items, and each backup passes the integrity check."""
    db = project / "app.db"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    conn.executescript(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, payload BLOB);"
        "CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0);"
    )
    # Enough data that a copy is more than a page or two.
    conn.executemany("INSERT INTO items (payload) VALUES (?)", [(os.urandom(1000),)] * 2000)
    conn.execute("UPDATE counter SET n = 2000")
    conn.commit()
    conn.close()

    stop = threading.Event()
    committed = threading.Condition()
    total = [2000]
    errors: list[BaseException] = []

    def writer() -> None:
        w = sqlite3.connect(db, timeout=60)
        try:
            while not stop.is_set():
                with w:  # one transaction: a row and the counter move together
                    w.execute("INSERT INTO items (payload) VALUES (?)", (os.urandom(1000),))
                    w.execute("UPDATE counter SET n = n + 1")
                with committed:
                    total[0] += 1
                    committed.notify_all()
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            w.close()

    thread = threading.Thread(target=writer)
    thread.start()
    url = parse_url(str(db))
    seen = []
    try:
        for _ in range(5):
            with committed:  # the writer has committed since the last backup
                before = total[0]

                def grown(before: int = before) -> bool:
                    return total[0] > before or bool(errors)

                committed.wait_for(grown)
            result = backup(url, folder=str(project / "backups"), keep=10)
            assert result is not None
            copy = sqlite3.connect(result.backup.path)
            try:
                assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                items = copy.execute("SELECT count(*) FROM items").fetchone()[0]
                counter = copy.execute("SELECT n FROM counter").fetchone()[0]
            finally:
                copy.close()
            assert items == counter
            seen.append(items)
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert seen == sorted(seen) and len(set(seen)) == len(seen)  # writes went on throughout


def test_a_damaged_copy_is_not_a_backup(project: Path) -> None:
    corrupt_index(project / "app.db")  # a damage only the full check finds
    result = invoke("backup", "--url", "app.db", "--verify", "full")
    assert result.exit_code == 1
    assert "integrity_check" in result.output and "missing from index t_a" in result.output
    assert "Traceback" not in result.output
    assert files(project / "backups") == []  # no backup, no temporary file


def test_a_failed_write_leaves_no_partial_file(project: Path) -> None:
    """The file size limit makes the copy fail half way, as a full disk would."""
    make_db(project / "app.db", "CREATE TABLE t (b BLOB);")
    conn = sqlite3.connect(project / "app.db")
    conn.executemany("INSERT INTO t VALUES (?)", [(os.urandom(4000),)] * 500)
    conn.commit()
    conn.close()
    (project / "backups").mkdir()
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))\n"
        "from trueup.cli import main\n"
        "sys.argv = ['trueup', 'backup', '--url', 'app.db']\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "Could not back up" in proc.stderr and "Traceback" not in proc.stderr
    assert files(project / "backups") == []


def test_a_backup_dir_that_is_a_file_is_an_error(project: Path) -> None:
    make_db(project / "app.db", V1)
    (project / "taken").write_text("")
    result = invoke("backup", "--url", "app.db", "--dir", "taken")
    assert result.exit_code == 1
    assert "taken" in result.output and "Traceback" not in result.output


def test_backup_of_a_missing_database_is_an_error(project: Path) -> None:
    result = invoke("backup", "--url", "nothing.db")
    assert result.exit_code == 1
    assert "nothing.db" in result.output
    assert not (project / "nothing.db").exists()


def test_retention_keeps_the_newest_of_each_reason(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    url = parse_url(str(project / "app.db"))
    kept_pre_push = backup(url, reason="pre-push")
    assert kept_pre_push is not None
    made = []
    for _ in range(4):
        result = invoke("backup", "--url", "app.db", "--keep", "2")
        assert result.exit_code == 0, result.output
        made.append(result.output.split("Backup saved: ")[1].split("\n")[0])
    assert "Removed 1 older manual backup" in result.output
    left = [b.path for b in list_backups_of(url)]
    assert left == [made[3], made[2], kept_pre_push.backup.path]


def test_keep_must_be_at_least_one(project: Path) -> None:
    make_db(project / "app.db", V1)
    assert invoke("backup", "--url", "app.db", "--keep", "0").exit_code == 64  # usage error
    result = invoke("backup", "--url", "app.db", env={"TRUEUP_BACKUP_KEEP": "none"})
    assert result.exit_code == 1 and "backup_keep" in result.output


# --- the backup a push takes -----------------------------------------------------------------


def test_a_push_that_changes_something_backs_up_first(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    before = table_rows(project / "app.db")
    (project / "schema.sql").write_text(V2)
    result = invoke("push", "--url", "app.db")
    assert result.exit_code == 0, result.output
    [name] = files(project / "backups")
    assert name.endswith(".pre-push.sqlite3")
    assert f"Backup saved: {project / 'backups' / name}" in result.output
    # The backup is the database as it was before the push.
    assert table_rows(project / "backups" / name) == before
    conn = sqlite3.connect(project / "backups" / name)
    assert "age" not in [r[1] for r in conn.execute("PRAGMA table_info(users)")]
    conn.close()


def test_no_backup_when_in_sync_empty_refused_or_dry_run(project: Path) -> None:
    result = invoke("push", "--url", "app.db")  # a new, empty database
    assert result.exit_code == 0 and "Backup" not in result.output
    result = invoke("push", "--url", "app.db")  # in sync
    assert result.exit_code == 0 and "Backup" not in result.output
    (project / "schema.sql").write_text(V2)
    assert invoke("push", "--url", "app.db", "--dry-run").exit_code == 2
    (project / "schema.sql").write_text(V3)
    conn = sqlite3.connect(project / "app.db")
    conn.execute(ROWS)
    conn.commit()
    conn.close()
    assert invoke("push", "--url", "app.db").exit_code == 3  # refused: data loss
    assert files(project / "backups") == []


def test_no_backup_flag(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    (project / "schema.sql").write_text(V2)
    result = invoke("push", "--url", "app.db", "--no-backup")
    assert result.exit_code == 0, result.output
    assert "Backup" not in result.output
    assert files(project / "backups") == []


def test_accepted_data_loss_is_backed_up(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    (project / "schema.sql").write_text(V3)
    result = invoke("push", "--url", "app.db", "--accept-data-loss")
    assert result.exit_code == 0, result.output
    [name] = files(project / "backups")
    bios = [r["bio"] for r in table_rows(project / "backups" / name)["users"]]
    assert bios == ["hi", None]  # the dropped column's data is in the backup


def test_push_json_keeps_stdout_json(project: Path) -> None:
    import json

    make_db(project / "app.db", V1, ROWS)
    (project / "schema.sql").write_text(V2)
    result = invoke("push", "--url", "app.db", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["applied"] is True
    assert "Backup saved:" in result.stderr


def test_a_failing_backup_stops_the_push(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    (project / "taken").write_text("")
    (project / "schema.sql").write_text(V2)
    result = invoke("push", "--url", "app.db", env={"TRUEUP_BACKUP_DIR": "taken"})
    assert result.exit_code == 1
    conn = sqlite3.connect(project / "app.db")
    assert "age" not in [r[1] for r in conn.execute("PRAGMA table_info(users)")]
    conn.close()


# --- trueup restore ------------------------------------------------------------------------


def _changed(project: Path) -> None:
    conn = sqlite3.connect(project / "app.db")
    conn.execute("DELETE FROM users WHERE email = 'a@x'")
    conn.execute("INSERT INTO users (email) VALUES ('new@x')")
    conn.commit()
    conn.close()


def _one_backup(project: Path, url: str = "app.db") -> Path:
    result = invoke("backup", "--url", url)
    assert result.exit_code == 0, result.output
    return Path(result.output.split("Backup saved: ")[1].split("\n")[0])


def test_restore_puts_the_backup_back_and_saves_the_current_database(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    original = table_rows(project / "app.db")
    saved = _one_backup(project)
    _changed(project)
    changed = table_rows(project / "app.db")
    result = invoke("restore", str(saved), "--url", "app.db", "--yes")
    assert result.exit_code == 0, result.output
    assert table_rows(project / "app.db") == original
    [pre_restore] = [f for f in files(project / "backups") if ".pre-restore." in f]
    assert table_rows(project / "backups" / pre_restore) == changed
    assert f"Restored app.db from {saved}" in result.output


def test_restore_asks_first(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    saved = _one_backup(project)
    _changed(project)
    changed = table_rows(project / "app.db")
    for answer in ("n\n", ""):  # "no", and no answer at all
        result = invoke("restore", str(saved), "--url", "app.db", input=answer)
        assert result.exit_code == 1
        assert "Restore it? [y/N]" in result.output and "nothing was changed" in result.output
        assert table_rows(project / "app.db") == changed
    assert [f for f in files(project / "backups") if "pre-restore" in f] == []
    result = invoke("restore", str(saved), "--url", "app.db", input="y\n")
    assert result.exit_code == 0, result.output
    assert table_rows(project / "app.db") != changed


def test_restore_into_a_lost_database_file(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    original = table_rows(project / "app.db")
    saved = _one_backup(project)
    (project / "app.db").unlink()
    result = invoke("restore", str(saved), "--url", "app.db", "--yes")
    assert result.exit_code == 0, result.output
    assert table_rows(project / "app.db") == original
    assert "The database as it was" not in result.output  # nothing to save first


def test_restore_of_a_wal_database_keeps_wal(project: Path) -> None:
    conn = sqlite3.connect(project / "app.db")
    conn.execute("PRAGMA journal_mode = wal")
    conn.executescript(V1 + ROWS)
    conn.close()
    saved = _one_backup(project)
    _changed(project)
    assert invoke("restore", str(saved), "--url", "app.db", "--yes").exit_code == 0
    conn = sqlite3.connect(project / "app.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT count(*) FROM users WHERE email = 'a@x'").fetchone()[0] == 1
    conn.close()


#: A table without INTEGER PRIMARY KEY and with gaps in its rowids: a VACUUM in place would
#: number them anew.
NOTES = "CREATE TABLE notes (body TEXT);\n"
NOTE_ROWS = "INSERT INTO notes (rowid, body) VALUES (3, 'c'), (7, 'g'), (40, 'z');"


def _database(path: Path, page_size: int, journal_mode: str, rows: str = ROWS) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA page_size = {page_size}")
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    conn.executescript(V1 + NOTES + rows + NOTE_ROWS)
    conn.close()


def _page_size_and_journal(path: Path) -> tuple[int, str]:
    conn = sqlite3.connect(path)
    try:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        return size, conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def _vacuumed_to(path: Path, page_size: int) -> None:
    """The same database with another page size (a WAL database must leave WAL mode for
    it), back in WAL mode."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = delete")
    conn.execute(f"PRAGMA page_size = {page_size}")
    conn.execute("VACUUM")
    conn.execute("PRAGMA journal_mode = wal")
    conn.close()


@pytest.mark.parametrize(
    ("database", "backup_from"),
    [
        ((4096, "wal"), (8192, "wal")),
        ((8192, "wal"), (4096, "delete")),
        ((4096, "wal"), (65536, "delete")),
        ((8192, "wal"), "itself at 4096"),
    ],
    ids=["bigger-wal", "smaller-rollback", "largest", "vacuumed-since"],
)
def test_restore_into_a_wal_database_of_another_page_size(
    project: Path, database: tuple[int, str], backup_from: tuple[int, str] | str
) -> None:
    app = project / "app.db"
    if isinstance(backup_from, tuple):
        _database(
            project / "other.db", *backup_from, rows="INSERT INTO users (email) VALUES ('o@x');"
        )
        _database(app, *database)
        saved = _one_backup(project, "other.db")
        wanted = table_rows(project / "other.db")
    else:
        _database(app, 4096, "wal")
        saved = _one_backup(project)
        wanted = table_rows(app)
        _changed(project)
        _vacuumed_to(app, database[0])
    assert _page_size_and_journal(app) == database
    before = table_rows(app)
    result = invoke("restore", str(saved), "--url", "app.db", "--yes")
    assert result.exit_code == 0, result.output
    assert table_rows(app) == wanted  # rowids of notes too
    assert _page_size_and_journal(app) == database  # the database's, not the backup's
    conn = sqlite3.connect(app)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    [pre_restore] = [f for f in files(project / "backups") if ".pre-restore." in f]
    assert table_rows(project / "backups" / pre_restore) == before
    assert not [f for f in files(project) if f.endswith(".tmp") or "-wal" in f or "-shm" in f]


def test_a_rollback_journal_database_keeps_its_mode_and_a_new_file_takes_the_backups(
    project: Path,
) -> None:
    _database(project / "app.db", 4096, "wal")
    saved = _one_backup(project)  # its header says WAL
    make_db(project / "other.db", V1)
    assert invoke("restore", str(saved), "--url", "other.db", "--yes").exit_code == 0
    assert _page_size_and_journal(project / "other.db") == (4096, "delete")
    assert table_rows(project / "other.db") == table_rows(project / "app.db")
    result = invoke("restore", str(saved), "--url", "lost.db", "--yes")
    assert result.exit_code == 0, result.output
    assert _page_size_and_journal(project / "lost.db") == (4096, "wal")


def _restore_while_locked(project: Path, saved: Path) -> None:
    """A restore of ``saved`` into app.db while another connection holds its write lock:
    it gives up with a message about the lock."""
    holder = sqlite3.connect(project / "app.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO users (email) VALUES ('held@x')")
    try:
        result = invoke(
            "restore", str(saved), "--url", "app.db", "--yes", env={"TRUEUP_LOCK_TIMEOUT": "0.2"}
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert "Could not restore" in result.output and "locked" in result.output


def test_a_restore_of_another_page_size_that_cannot_get_the_lock_changes_nothing(
    project: Path,
) -> None:
    _database(project / "app.db", 4096, "wal")
    _database(project / "other.db", 8192, "delete")
    saved = project / "other.db"
    before = table_rows(project / "app.db")
    _restore_while_locked(project, saved)
    assert table_rows(project / "app.db") == before
    assert _page_size_and_journal(project / "app.db") == (4096, "wal")
    assert not [f for f in files(project) if f.endswith(".tmp")]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: corrupt_index(p), "is damaged"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 3000), "damaged"),
        (lambda p: p.write_text("just some text\n"), "not a SQLite database"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_bytes(b"PGDMP\x01\x0e"), "PostgreSQL dump"),
        (
            lambda p: p.write_text('{"format":"trueup-export","version":1}\n'),
            "trueup import",
        ),
    ],
    ids=["bad-index", "garbage-pages", "text", "empty", "pg-dump", "export"],
)
def test_restore_refuses_damaged_and_foreign_files(
    project: Path, make: object, message: str
) -> None:
    make_db(project / "app.db", V1, ROWS)
    before = table_rows(project / "app.db")
    bad = project / "bad.sqlite3"
    make(bad)  # type: ignore[operator]
    result = invoke("restore", str(bad), "--url", "app.db", "--yes")
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert table_rows(project / "app.db") == before
    assert files(project / "backups") == []  # refused before anything was saved


def test_restore_refuses_the_database_itself(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    result = invoke("restore", "app.db", "--url", "app.db", "--yes")
    assert result.exit_code == 1 and "the database itself" in result.output


def test_restore_that_cannot_get_the_lock_changes_nothing(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    saved = _one_backup(project)
    _changed(project)
    changed = table_rows(project / "app.db")
    _restore_while_locked(project, saved)
    assert table_rows(project / "app.db") == changed


# --- trueup backups ------------------------------------------------------------------------


def test_backups_lists_time_reason_and_size(project: Path) -> None:
    result = invoke("backups", "--url", "app.db")
    assert result.exit_code == 0 and "No backups in" in result.output
    make_db(project / "app.db", V1, ROWS)
    _one_backup(project)
    (project / "schema.sql").write_text(V2)
    assert invoke("push", "--url", "app.db").exit_code == 0
    (project / "backups" / "notes.txt").write_text("not a backup")
    result = invoke("backups", "--url", "app.db")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("Backups in ")
    assert "pre-push" in lines[1] and "manual" in lines[2]  # newest first
    assert " UTC " in lines[1] and "kB" in lines[1]
    assert "notes.txt" not in result.output
