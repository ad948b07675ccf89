"""Retention by count, age and size, each reason on its own, never the newest (nor the
newest good) backup of a reason; compressed backups, restored as they are; and what a
killed compressed backup leaves behind, removed by the next."""

from __future__ import annotations

import gzip
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.helpers import make_db, table_rows
from trueup.backup import BackupError, BackupFile, Retention, backup, list_backups_of, restore
from trueup.backup.files import file_name, record_path
from trueup.backup.retention import doomed
from trueup.cli import cli
from trueup.urls import parse_url

SCHEMA = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, bio TEXT);\n"
ROWS = "INSERT INTO users (email, bio) VALUES ('a@x', 'hello'), ('b@x', 'world');"
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make_db(tmp_path / "app.db", SCHEMA, ROWS)
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def names(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if not n.startswith("."))


def fake(days_old: float, reason: str = "startup", size: int = 100) -> BackupFile:
    taken = NOW - timedelta(days=days_old)
    path = f"/b/{file_name('app.db', taken, reason, 'sqlite')}"
    return BackupFile(path, "app.db", taken, reason, "sqlite", size)


def aged(result_path: str, days: float) -> str:
    """Give a backup (and its record) the name of one taken ``days`` days ago."""
    folder, name = os.path.split(result_path)
    reason = name.split(".")[-2]
    taken = datetime.now(UTC) - timedelta(days=days)
    new = os.path.join(folder, file_name("app.db", taken, reason, "sqlite"))
    os.rename(result_path, new)
    os.rename(record_path(result_path), record_path(new))
    return new


# --- which backups go ----------------------------------------------------------------------


def test_count_age_and_size() -> None:
    same = [fake(d) for d in (0, 1, 2, 3, 4)]  # newest first
    assert doomed(same, Retention(keep=3), NOW) == same[3:]
    assert doomed(same, Retention(keep_days=2.5), NOW) == same[3:]
    assert doomed(same, Retention(max_size=250), NOW) == same[2:]
    assert doomed(same, Retention(keep=4, keep_days=1.5, max_size=10_000), NOW) == same[2:]


def test_the_newest_backup_of_a_reason_always_stays() -> None:
    """With on-change backups the newest may be old: the database has not changed since."""
    same = [fake(40), fake(50)]
    assert doomed(same, Retention(keep_days=7), NOW) == same[1:]
    assert doomed(same, Retention(max_size=1), NOW) == same[1:]


def test_limits_must_make_sense() -> None:
    for bad in ({"keep": 0}, {"keep_days": 0}, {"max_size": 0}):
        with pytest.raises(ValueError):
            Retention(**bad)


def test_the_newest_good_backup_stays_when_newer_ones_were_not_checked(project: Path) -> None:
    url = parse_url("app.db")
    good = backup(url, reason="startup", folder="backups")
    assert good is not None
    for _ in range(2):
        backup(url, reason="startup", folder="backups", verify="none", keep=1)
    kept = {b.path for b in list_backups_of(url, folder="backups")}
    assert good.backup.path in kept and len(kept) == 2  # the good one, the newest unchecked


def test_keep_days_and_max_size_from_the_command_line(project: Path) -> None:
    url = parse_url("app.db")
    old = [backup(url, reason="manual", folder="backups") for _ in range(3)]
    startup = backup(url, reason="startup", folder="backups")
    assert startup is not None
    for result, days in zip(old, (30, 20, 10), strict=True):
        assert result is not None
        aged(result.backup.path, days)
    aged(startup.backup.path, 40)  # another reason: untouched by manual backups' retention
    shown = invoke("backup", "--url", "app.db", "--keep-days", "15")
    assert shown.exit_code == 0, shown.output
    assert "Removed 2 older manual backups" in shown.output
    left = names(project / "backups")
    assert len([n for n in left if ".manual." in n]) == 2 and len(left) == 3
    size = os.path.getsize(project / "app.db")
    shown = invoke("backup", "--url", "app.db", "--max-size", str(size * 2))
    assert shown.exit_code == 0, shown.output
    assert len([n for n in names(project / "backups") if ".manual." in n]) == 2
    assert not [
        n
        for n in os.listdir(project / "backups")
        if n.endswith(".json") and not os.path.exists(project / "backups" / n[1:-5])
    ]  # no lost records


def test_bad_retention_options_are_usage_errors(project: Path) -> None:
    for args in (["--keep-days", "0"], ["--max-size", "lots"], ["--verify", "some"]):
        result = CliRunner().invoke(cli, ["backup", "--url", "app.db", *args])
        assert result.exit_code in (1, 2, 64), result.output
        assert "Traceback" not in result.output
    assert not (project / "backups").exists()


# --- compression ---------------------------------------------------------------------------


def test_a_compressed_backup_is_gzip_and_restores(project: Path) -> None:
    result = invoke("backup", "--url", "app.db", "--compress")
    assert result.exit_code == 0, result.output
    [name] = names(project / "backups")
    assert name.endswith(".manual.sqlite3.gz") and ", gzip, quick check passed" in result.output
    path = project / "backups" / name
    with gzip.open(path) as f:
        assert f.read(16) == b"SQLite format 3\x00"
    assert os.stat(path).st_mode & 0o777 == 0o600
    [listed] = list_backups_of(parse_url("app.db"), folder="backups")
    assert listed.compressed and listed.kind == "sqlite"
    before = table_rows(project / "app.db")
    conn = sqlite3.connect(project / "app.db")
    conn.execute("DELETE FROM users")
    conn.commit()
    conn.close()
    result = invoke("restore", str(path), "--url", "app.db", "--yes")
    assert result.exit_code == 0, result.output
    assert table_rows(project / "app.db") == before
    assert not [n for n in os.listdir(project) if n.endswith(".tmp")]  # its copy is gone


def test_a_damaged_compressed_backup_is_refused_and_nothing_changes(project: Path) -> None:
    url = parse_url("app.db")
    result = backup(url, folder="backups", compress=True)
    assert result is not None
    data = Path(result.backup.path).read_bytes()
    Path(result.backup.path).write_bytes(data[: len(data) // 2])
    before = (project / "app.db").read_bytes()
    with pytest.raises(BackupError, match="cannot be decompressed"):
        restore(url, result.backup.path, folder="backups")
    assert (project / "app.db").read_bytes() == before
    assert not [n for n in os.listdir(project) if n.endswith(".tmp")]


def test_what_a_killed_compressed_backup_left_is_removed_by_the_next(project: Path) -> None:
    """A backup killed with SIGKILL leaves its temporary files: the compressed one, the
    uncompressed copy it was compressing, and a record's; nothing holds their locks."""
    folder = project / "backups"
    folder.mkdir()
    final = file_name("app.db", datetime(2025, 3, 1, tzinfo=UTC), "startup", "sqlite")
    left = [
        f".{final}.gz.0123abcd.tmp",
        f".{final}.4567cdef.tmp",
        f"..{final}.json.89abcdef.tmp",
    ]
    for name in left:
        (folder / name).write_bytes(b"half")
    other = ".other.db.20250301T000000.000000Z.startup.sqlite3.gz.0123abcd.tmp"
    (folder / other).write_bytes(b"another database's")
    result = backup(parse_url("app.db"), folder=str(folder), compress=True)
    assert result is not None
    assert not any((folder / name).exists() for name in left)
    assert (folder / other).exists()
