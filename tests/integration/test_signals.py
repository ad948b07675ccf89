"""SIGTERM (``docker stop``, Kubernetes) ends trueup the way Ctrl-C does: whatever moment it
lands, no half-written backup or export and no temporary file is left, a push changes
nothing, and the exit code is 143. What a SIGKILL leaves behind (it cannot be handled) the
next backup removes.

Every trial is a real ``trueup`` process sent a real signal, at several moments of work on
a database large enough for the work to take a while."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROWS = 250_000
FRACTIONS = (0.0, 0.3, 0.6)  # of the time the work takes without a signal
# The backup a push or a start takes is a file copy of a few milliseconds; its full check
# (every index entry against its row) keeps it going long enough for a signal to land in it.
PUSH_WITH_BACKUP = ("push", "--url", "app.db", "--verify", "full")
START_WITH_BACKUP = ("start", "--url", "app.db", "--verify", "full", "--backup", "always")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of some 40 MB with two indexes: a backup or an export takes seconds."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        f"""
        CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, body TEXT, n INTEGER);
        CREATE INDEX item_name ON item (name);
        CREATE INDEX item_n ON item (n, name);
        WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < {ROWS})
        INSERT INTO item
        SELECT i, printf('name-%08d', (i * 7919) % {ROWS}), hex(randomblob(40)), i % 1000
        FROM r;
        """
    )
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def project(tmp_path: Path, big: Path) -> Path:
    shutil.copy(big, tmp_path / "app.db")
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, body TEXT, n INTEGER,"
        " extra TEXT);\nCREATE INDEX item_name ON item (name);\n"
        "CREATE INDEX item_n ON item (n, name);\n"
    )
    return tmp_path


def start(project: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUEUP_")}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "trueup", *args],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str], limit: float = 60) -> bool:
    """Wait until ``condition`` holds; False when the process ended first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    raise AssertionError("timed out")


def temp_files(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def backups(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return sorted(n for n in os.listdir(folder) if n.endswith(".sqlite3"))


def timed(project: Path, *args: str) -> float:
    began = time.monotonic()
    proc = start(project, *args)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return time.monotonic() - began


def terminate(
    project: Path,
    args: tuple[str, ...],
    started: Callable[[], bool],
    delay: float,
    sent: signal.Signals = signal.SIGTERM,
) -> tuple[int, str]:
    """Run trueup, send ``sent`` ``delay`` seconds after ``started()`` first holds."""
    proc = start(project, *args)
    if wait_for(started, proc):
        time.sleep(delay)
        proc.send_signal(sent)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err, err
    return proc.returncode, err


def check_backup_folder(folder: Path, code: int) -> None:
    assert temp_files(folder) == []
    made = backups(folder)
    if code == 143:
        assert made == []
    else:
        assert code == 0 and len(made) == 1
        conn = sqlite3.connect(folder / made[0])
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("SELECT count(*) FROM item").fetchone() == (ROWS,)
        finally:
            conn.close()


def test_sigterm_during_a_backup_leaves_no_partial_backup(project: Path) -> None:
    folder = project / "backups"
    took = timed(project, "backup", "--url", "app.db")
    shutil.rmtree(folder)
    codes = []
    for fraction in FRACTIONS:
        code, err = terminate(
            project,
            ("backup", "--url", "app.db"),
            lambda: bool(temp_files(folder)),
            fraction * took,
        )
        check_backup_folder(folder, code)
        if code == 143:
            assert "Terminated (SIGTERM)" in err
        codes.append(code)
        shutil.rmtree(folder, ignore_errors=True)
    assert 143 in codes, codes  # at least one signal landed while the backup was made


def test_sigterm_during_a_pushs_backup_changes_nothing(project: Path) -> None:
    folder = project / "backups"
    before = (project / "app.db").read_bytes()
    code, err = terminate(project, PUSH_WITH_BACKUP, lambda: bool(temp_files(folder)), 0.05)
    assert code == 143, err
    assert (project / "app.db").read_bytes() == before
    check_backup_folder(folder, code)


def test_ctrl_c_during_a_pushs_backup_changes_nothing_and_exits_130(project: Path) -> None:
    folder = project / "backups"
    before = (project / "app.db").read_bytes()
    code, err = terminate(
        project, PUSH_WITH_BACKUP, lambda: bool(temp_files(folder)), 0.05, signal.SIGINT
    )
    assert code == 130, err
    assert (project / "app.db").read_bytes() == before
    assert temp_files(folder) == [] and backups(folder) == []


def readers_of(path: Path) -> list[int]:
    """The export's reader processes still reading ``path``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"trueup.engines.sqlite.transfer_readers" in cmdline and str(path).encode() in cmdline:
            found.append(int(pid))
    return found


def test_sigterm_during_an_export_leaves_no_partial_export(project: Path) -> None:
    took = timed(project, "export", "--url", "app.db", "-o", "out.jsonl")
    (project / "out.jsonl").unlink()
    codes = []
    for fraction in FRACTIONS:
        code, err = terminate(
            project,
            ("export", "--url", "app.db", "-o", "out.jsonl"),
            lambda: bool(temp_files(project)),
            fraction * took,
        )
        assert temp_files(project) == []
        if code == 143:
            assert not (project / "out.jsonl").exists()
        else:
            assert code == 0, err
            (project / "out.jsonl").unlink()
        time.sleep(0.5)  # a reader process notices its parent is gone between rows
        assert readers_of(project / "app.db") == []
        codes.append(code)
    assert 143 in codes, codes


def test_the_next_backup_removes_what_a_killed_one_left(project: Path) -> None:
    folder = project / "backups"
    proc = start(project, "backup", "--url", "app.db")
    assert wait_for(lambda: bool(temp_files(folder)), proc)
    proc.kill()  # SIGKILL: nothing can clean up
    proc.communicate()
    [stale] = temp_files(folder)
    # What is not a stale backup of this database stays: another file that only looks
    # like one, a temporary file of a backup of another database, and the temporary file
    # of a backup of this one that is being written right now (its writer holds the lock).
    (folder / ".notes.tmp").write_text("mine")
    (folder / ".other.db.20250301T120000.123456Z.manual.sqlite3.0123abcd.tmp").write_text("")
    live = folder / ".app.db.20250301T120000.123456Z.manual.sqlite3.89abcdef.tmp"
    live.write_text("")
    with open(live, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = start(project, "backup", "--url", "app.db")
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert stale not in temp_files(folder)
    assert temp_files(folder) == sorted(
        [".notes.tmp", live.name, ".other.db.20250301T120000.123456Z.manual.sqlite3.0123abcd.tmp"]
    )
    assert len(backups(folder)) == 1


def test_sigterm_during_a_start_does_not_start_the_app(project: Path) -> None:
    folder = project / "backups"
    before = (project / "app.db").read_bytes()
    code, err = terminate(
        project,
        (*START_WITH_BACKUP, "--", sys.executable, "-c", "open('app-ran', 'w')"),
        lambda: bool(temp_files(folder)),
        0.05,
    )
    assert code == 143, err
    assert not (project / "app-ran").exists()
    assert (project / "app.db").read_bytes() == before
    assert temp_files(folder) == [] and backups(folder) == []


def test_sigterm_during_a_first_push_leaves_no_file(tmp_path: Path) -> None:
    """A new database, a schema whose data step takes a while: the file the push made goes."""
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n")
    steps = tmp_path / "trueup" / "steps"
    steps.mkdir(parents=True)
    (steps / "001-fill.sql").write_text(
        "-- trueup:after\nWITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
        "WHERE i < 3000000) INSERT INTO t SELECT i, hex(randomblob(20)) FROM r;\n"
    )
    code, err = terminate(
        tmp_path, ("push", "--url", "app.db"), lambda: (tmp_path / "app.db").exists(), 0.3
    )
    assert code == 143, err
    assert sorted(os.listdir(tmp_path)) == ["schema.sql", "trueup"]
