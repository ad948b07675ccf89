"""The progress bar of export and import, on a terminal: drawn by rich when it is
installed, a plain line of counts when it is not (rich is an optional extra)."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.packaging import run_on_terminal

EXPORT = "from trueup.cli import main; sys.argv = ['trueup', *sys.argv[1:]]; main()"


def export_on_terminal(folder: Path, *, rich: bool) -> str:
    conn = sqlite3.connect(folder / "app.db")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO t (name) VALUES (?)", [(f"n{i}",) for i in range(3000)])
    conn.commit()
    conn.close()
    blocked = "" if rich else "sys.modules['rich'] = None; "  # import rich then fails
    script = f"import sys; {blocked}{EXPORT}"
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    args = [sys.executable, "-c", script, "export", "--url", "app.db", "-o", "app.jsonl"]
    code, screen = run_on_terminal(args, folder, env)
    assert code == 0, screen
    assert "Exported 1 table, 3,000 rows" in screen
    return screen


@pytest.mark.parametrize("rich", [True, False], ids=["rich", "plain"])
def test_export_draws_a_bar_on_a_terminal(tmp_path: Path, rich: bool) -> None:
    screen = export_on_terminal(tmp_path, rich=rich)
    if rich:
        assert "Exporting" in screen and "3000/3000" in screen, screen
    else:
        assert "\rExporting 0/3,000 rows (0%)" in screen, screen
        assert "\rExporting 3,000/3,000 rows (100%)" in screen, screen
        assert "\r\x1b[KExported 1 table" in screen.replace("\r\n", "\n"), screen
