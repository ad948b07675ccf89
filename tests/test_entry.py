"""The ``trueup`` command starts with Python's cycle collector off (its start-up makes no
garbage cycles, and passes over the objects it makes only cost time), and the commands
that run long and make objects as they go turn it back on: a push or a diff keep it off."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import gc, sys
import trueup.__main__ as entry
assert not gc.isenabled()
sys.argv = ["trueup", *sys.argv[1:]]
try:
    entry.main()
except SystemExit as exc:
    assert exc.code in (None, 0, 2), exc.code
print("collector on" if gc.isenabled() else "collector off", file=sys.stderr)
"""


def collector_after(folder: Path, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=folder, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stderr.strip().splitlines()[-1]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    conn = sqlite3.connect(tmp_path / "app.db")
    conn.executescript("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL);")
    conn.execute("INSERT INTO item (name) VALUES ('a'), ('b')")
    conn.commit()
    conn.close()
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);\n"
    )
    return tmp_path


def test_a_push_and_a_diff_run_without_the_collector(folder: Path) -> None:
    assert collector_after(folder, "diff", "--schema", "schema.sql", "--url", "app.db") == (
        "collector off"
    )
    push = ("push", "--schema", "schema.sql", "--url", "app.db", "--no-backup")
    assert collector_after(folder, *push) == "collector off"


def test_the_long_commands_turn_the_collector_on(folder: Path) -> None:
    on = "collector on"
    assert collector_after(folder, "export", "--url", "app.db", "-o", "app.jsonl") == on
    assert collector_after(folder, "import", "app.jsonl", "--url", "new.db") == on
    assert collector_after(folder, "copy", "--from", "app.db", "--to", "copy.db") == on
    assert collector_after(folder, "backup", "--url", "app.db", "--dir", "saved") == on
    (saved,) = (p for p in (folder / "saved").iterdir() if not p.name.startswith("."))
    assert collector_after(folder, "restore", str(saved), "--url", "app.db", "--yes") == on
    # A push that backs the database up first turns it on for the backup.
    assert collector_after(folder, "push", "--schema", "schema.sql", "--url", "app.db") == on


def test_the_collector_comes_back_without_what_start_up_made() -> None:
    code = (
        "import gc\n"
        "import trueup.__main__\n"
        "from trueup.cli.common import collect_cycles\n"
        "collect_cycles()\n"
        "assert gc.isenabled() and gc.get_freeze_count() > 0\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
