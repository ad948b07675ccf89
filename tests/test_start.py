"""``trueup start``: backup, push, then exec the app; the app never starts after a failed or
refused push; two starts at once. Every start runs in a real process, since it execs."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import make_db

ROOT = Path(__file__).resolve().parent.parent
V1 = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, bio TEXT);\n"
V2 = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, bio TEXT, age INT);\n"
V3 = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n"
ROWS = "INSERT INTO users (email, bio) VALUES ('a@x', 'hi');"
START = [sys.executable, "-m", "trueup", "start", "--url", "app.db", "--"]
APP = "import pathlib, sys; pathlib.Path('app-ran').write_text('yes'); print('app says hi')"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema.sql").write_text(V2)
    return tmp_path


def environ(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("TRUEUP_") and k != "DATABASE_URL"
    }
    env.update(extra)
    return env


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trueup", "start", "--url", "app.db", *args],
        capture_output=True,
        text=True,
        env=env or environ(),
    )


def columns(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[1] for r in conn.execute("PRAGMA table_info(users)")]
    finally:
        conn.close()


def backups(project: Path, name: str = "backups") -> list[str]:
    """The backups in the folder (not their hidden records)."""
    folder = project / name
    return sorted(n for n in os.listdir(folder) if not n.startswith(".")) if folder.exists() else []


def test_start_backs_up_pushes_and_execs_the_command(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    proc = start("--", sys.executable, "-c", "import os, sys; print(os.getpid()); sys.exit(7)")
    assert proc.returncode == 7, proc.stderr  # the app's exit code is the container's
    [backup] = backups(project)
    assert ".pre-push." in backup  # a start that changes the database
    assert f"Backup saved: {project / 'backups' / backup}" in proc.stderr
    assert "now in sync" in proc.stderr
    assert "age" in columns(project / "app.db")
    assert "age" not in columns(project / "backups" / backup)  # taken before the push


def test_the_startup_backup_is_in_the_push_history(project: Path) -> None:
    import json

    make_db(project / "app.db", V1, ROWS)
    assert start("--", sys.executable, "-c", APP).returncode == 0
    [backup] = backups(project)
    history = subprocess.run(
        [sys.executable, "-m", "trueup", "history", "--url", "app.db", "--json"],
        capture_output=True,
        text=True,
        env=environ(),
    )
    assert history.returncode == 0, history.stderr
    [entry] = json.loads(history.stdout)
    assert entry["backup"] == str(project / "backups" / backup)


def test_the_command_replaces_trueup(project: Path) -> None:
    """exec, not a child process: the app has trueup's pid, so signals reach it."""
    make_db(project / "app.db", V2, ROWS)
    child = subprocess.Popen(
        [*START, sys.executable, "-c", "import os; print(os.getpid())"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ(),
    )
    out, err = child.communicate()
    assert child.returncode == 0, err
    assert out.strip() == str(child.pid)
    assert "already in sync" in err


def test_signals_reach_the_app(project: Path) -> None:
    make_db(project / "app.db", V2)
    app = (
        "import signal, sys, time\n"
        "def stop(*_):\n"
        "    print('got SIGTERM', flush=True)\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [*START, sys.executable, "-c", app],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ(),
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    child.terminate()  # SIGTERM to trueup's pid, as `docker stop` sends it
    out, _ = child.communicate()
    assert "got SIGTERM" in out and child.returncode == 0


def test_no_backup_when_the_database_is_new(project: Path) -> None:
    proc = start("--", sys.executable, "-c", APP)
    assert proc.returncode == 0, proc.stderr
    assert (project / "app-ran").exists() and "app says hi" in proc.stdout
    assert backups(project) == []
    assert "Backup" not in proc.stderr


def test_no_backup_flag(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    proc = start("--no-backup", "--", sys.executable, "-c", APP)
    assert proc.returncode == 0, proc.stderr
    assert backups(project) == []


def test_with_backup_always_every_start_takes_a_startup_backup(project: Path) -> None:
    make_db(project / "app.db", V2, ROWS)
    for _ in range(3):
        assert start("--backup", "always", "--", sys.executable, "-c", APP).returncode == 0
    assert len(backups(project)) == 3
    assert all(".startup." in b for b in backups(project))
    env = environ(TRUEUP_BACKUP_KEEP="2", TRUEUP_START_BACKUP="always")
    proc = start("--", sys.executable, "-c", APP, env=env)
    assert proc.returncode == 0
    assert len(backups(project)) == 2


def test_a_refused_push_does_not_start_the_app(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    (project / "schema.sql").write_text(V3)
    proc = start("--", sys.executable, "-c", APP)
    assert proc.returncode == 3
    assert "data loss" in proc.stderr
    assert "The command was not started:" in proc.stderr
    assert not (project / "app-ran").exists()
    assert "bio" in columns(project / "app.db")

    proc = start("--", sys.executable, "-c", APP, env=environ(TRUEUP_ACCEPT_DATA_LOSS="1"))
    assert proc.returncode == 0, proc.stderr
    assert (project / "app-ran").exists()
    assert "bio" not in columns(project / "app.db")
    # the refused start backed up for the record; this one before the change, which the
    # dropped column is in
    [refused, before] = backups(project)
    assert ".startup." in refused and ".pre-push." in before
    assert "bio" in columns(project / "backups" / before)


@pytest.mark.parametrize(("mode", "startups"), [("always", 2), ("on-change", 1)])
def test_a_crash_loop_never_rotates_out_the_backup_taken_before_a_lossy_change(
    project: Path, mode: str, startups: int
) -> None:
    """The app crashes at every start, the container restarts it: the one backup holding
    the dropped column outlives every later startup backup. With --backup always each start
    backs up (and retention rotates them); on-change, only the first start after the
    change, since the crashing app changes nothing."""
    make_db(project / "app.db", V1, ROWS)
    (project / "schema.sql").write_text(V3)  # drops users.bio
    env = environ(TRUEUP_ACCEPT_DATA_LOSS="1", TRUEUP_BACKUP_KEEP="2", TRUEUP_START_BACKUP=mode)
    crash = ("--", sys.executable, "-c", "import sys; sys.exit('the app crashed')")
    for _ in range(5):
        proc = start(*crash, env=env)
        assert proc.returncode == 1 and "the app crashed" in proc.stderr, proc.stderr
    made = backups(project)
    assert len([b for b in made if ".startup." in b]) == startups
    [before] = [b for b in made if ".pre-push." in b]
    conn = sqlite3.connect(project / "backups" / before)
    try:
        assert conn.execute("SELECT bio FROM users").fetchall() == [("hi",)]
    finally:
        conn.close()
    assert "bio" not in columns(project / "app.db")


def test_a_start_with_a_data_step_backs_up_before_the_step_runs(project: Path) -> None:
    import json

    make_db(project / "app.db", V1, ROWS)
    steps = project / "trueup" / "steps"
    steps.mkdir(parents=True)
    (steps / "001-bio.sql").write_text("-- trueup:before\nUPDATE users SET bio = 'changed';\n")
    assert start("--", sys.executable, "-c", APP).returncode == 0
    [backup] = backups(project)
    assert ".pre-push." in backup
    conn = sqlite3.connect(project / "backups" / backup)
    try:
        assert conn.execute("SELECT bio FROM users").fetchall() == [("hi",)]
    finally:
        conn.close()
    history = subprocess.run(
        [sys.executable, "-m", "trueup", "history", "--url", "app.db", "--json"],
        capture_output=True,
        text=True,
        env=environ(),
    )
    [entry] = json.loads(history.stdout)
    assert entry["backup"] == str(project / "backups" / backup)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: (p / "schema.sql").write_text("CREATE TABLE t (a INT,,);\n"), "schema.sql:1"),
        (lambda p: (p / "backups").write_text("a file where the folder goes"), "backups"),
    ],
    ids=["bad-schema", "backup-fails"],
)
def test_a_failed_push_does_not_start_the_app(project: Path, setup: object, message: str) -> None:
    make_db(project / "app.db", V1, ROWS)
    setup(project)  # type: ignore[operator]
    proc = start("--", sys.executable, "-c", APP)
    assert proc.returncode == 1
    assert message in proc.stderr and "The command was not started:" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (project / "app-ran").exists()
    assert "age" not in columns(project / "app.db")


def test_a_missing_command(project: Path) -> None:
    make_db(project / "app.db", V2)
    proc = start("--", "no-such-command-anywhere")
    assert proc.returncode == 127
    assert "'no-such-command-anywhere' was not found" in proc.stderr


def test_a_command_is_required(project: Path) -> None:
    proc = start()
    assert proc.returncode == 64 and "Missing argument" in proc.stderr  # a usage error


def test_a_refusal_names_the_containers_knob_and_each_finding_once(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    (project / "schema.sql").write_text(V3)
    proc = start("--", sys.executable, "-c", APP)
    assert proc.returncode == 3
    assert "set TRUEUP_ACCEPT_DATA_LOSS=1 in the container's environment" in proc.stderr
    assert proc.stderr.count("drop the column `bio`") == 1, proc.stderr


def test_an_unexecutable_rename_says_so_before_force_reset(project: Path) -> None:
    make_db(project / "app.db", V1, ROWS)
    (project / "schema.sql").write_text(V3.replace(");", ", biography TEXT NOT NULL);"))
    proc = start("--", sys.executable, "-c", APP)
    assert proc.returncode == 3 and not (project / "app-ran").exists()
    err = proc.stderr
    assert err.count("Added the required column `biography`") == 1, err
    rename = err.index("If `biography` is `bio` renamed, say so and its values are kept")
    assert "`--rename users.bio=biography`" in err
    assert rename < err.index("--force-reset")


def test_two_starts_at_once(project: Path) -> None:
    """Both wait for the lock the test holds; then one backs up and pushes, the other backs
    up and finds the database in sync, and both run the app."""
    make_db(project / "app.db", V1, ROWS)
    holder = sqlite3.connect(project / "app.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    starts = [
        subprocess.Popen(
            [*START, sys.executable, "-c", "print('app ran')"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environ(),
        )
        for _ in range(2)
    ]
    early = []
    for proc in starts:  # both are up to the push before the lock is let go
        assert proc.stderr is not None
        early.append(proc.stderr.readline())
        assert early[-1].startswith("trueup start:")
    holder.execute("ROLLBACK")
    holder.close()
    results = [(proc, *proc.communicate()) for proc in starts]
    for proc, out, err in results:
        assert proc.returncode == 0, err
        assert out == "app ran\n"
    errs = [err for _, _, err in results]
    assert sorted("now in sync" in e for e in errs) == [False, True]
    assert sorted("already in sync" in e for e in errs) == [False, True]
    made = backups(project)
    # the first backs up before its change, the second for the record
    assert [b.split(".")[-2] for b in made] == ["pre-push", "startup"]
    # one backup from before the push, one from after it
    assert sorted("age" in columns(project / "backups" / b) for b in made) == [False, True]


def test_nothing_heavy_is_imported_before_exec(project: Path) -> None:
    make_db(project / "app.db", V2)
    script = (
        "import os, sys\n"
        "def report(file, args):\n"
        "    heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rich', 'psycopg', 'sqlalchemy') or m.startswith('trueup.transfer'))\n"
        "    print('loaded:', heavy, flush=True)\n"
        "    os._exit(0)\n"
        "os.execvp = report\n"
        "from trueup.cli import main\n"
        "sys.argv = ['trueup', 'start', '--url', 'app.db', '--', 'true']\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environ()
    )
    assert proc.stdout.strip() == "loaded: []", proc.stderr


def test_the_example_entrypoint(project: Path) -> None:
    """examples/mediaserver/entrypoint.sh as the Dockerfile runs it."""
    example = ROOT / "examples" / "mediaserver"
    env = environ(
        DATABASE_URL=f"file:{project / 'media.db'}",
        TRUEUP_SCHEMA=str(example / "schema.sql"),
        TRUEUP_BACKUP_DIR=str(project / "data-backups"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    run = [str(example / "entrypoint.sh"), sys.executable, "-c", APP]
    proc = subprocess.run(run, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "app says hi" in proc.stdout
    conn = sqlite3.connect(project / "media.db")
    conn.executescript((example / "seed.sql").read_text())
    conn.close()
    env["TRUEUP_SCHEMA"] = str(example / "schema-v2.sql")
    proc = subprocess.run(run, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "now in sync" in proc.stderr
    assert len(backups(project, "data-backups")) == 1
