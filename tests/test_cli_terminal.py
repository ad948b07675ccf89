"""What the commands write, wherever it goes: output whose encoding cannot hold a character
(a narrow locale, a redirect on Windows) degrades and never changes the exit code; colour
follows $NO_COLOR and TERM=dumb on a terminal too. Real processes: the streams are the ones
Python sets up from the environment."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# A table and a column no narrow encoding holds in full (latin-1 has the é, not the rest).
SCHEMA = 'CREATE TABLE "médias" (id INTEGER PRIMARY KEY, "題名" TEXT);\n'
NARROW = [
    {"PYTHONIOENCODING": "ascii"},
    {"PYTHONIOENCODING": "latin-1"},
    {"PYTHONIOENCODING": "cp1252"},
    {"LC_ALL": "C", "LANG": "C"},
    {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii:strict"},
]


def environ(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRUEUP_", "LC_", "PYTHONIO"))
        and k not in ("DATABASE_URL", "NO_COLOR", "PYTHONUTF8")
    }
    env.update(extra)
    return env


def trueup(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "trueup", *args], cwd=folder, capture_output=True, env=environ(**env)
    )


def tables(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
    finally:
        conn.close()


@pytest.mark.parametrize("env", NARROW, ids=lambda e: " ".join(f"{k}={v}" for k, v in e.items()))
def test_a_narrow_encoding_never_turns_a_done_push_into_an_error(
    tmp_path: Path, env: dict[str, str]
) -> None:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    done = trueup(tmp_path, "push", "--url", "app.db", **env)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    assert b"now in sync" in done.stdout
    assert "médias" in tables(tmp_path / "app.db")
    for args, code in [(("diff", "--url", "app.db"), 0), (("push", "--url", "app.db"), 0)]:
        again = trueup(tmp_path, *args, **env)
        assert again.returncode == code, again.stderr.decode(errors="replace")
    # Pending changes and a refused push keep their codes too (their messages hold ⚠️).
    (tmp_path / "schema.sql").write_text('CREATE TABLE "médias" (id INTEGER PRIMARY KEY);\n')
    conn = sqlite3.connect(tmp_path / "app.db")
    conn.execute("INSERT INTO \"médias\" VALUES (1, 'ゴジラ')")
    conn.commit()
    conn.close()
    pending = trueup(tmp_path, "diff", "--url", "app.db", **env)
    assert pending.returncode == 2, pending.stderr.decode(errors="replace")
    refused = trueup(tmp_path, "push", "--url", "app.db", **env)
    assert refused.returncode == 3, refused.stderr.decode(errors="replace")
    assert b"Traceback" not in refused.stderr and b"--accept-data-loss" in refused.stderr


def test_what_the_encoding_cannot_hold_is_written_escaped(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    done = trueup(tmp_path, "push", "--url", "app.db", PYTHONIOENCODING="latin-1")
    out = done.stdout.decode("latin-1")
    assert '+ table "médias"' in out  # what latin-1 holds is kept as it is
    assert '"\\u984c\\u540d" TEXT' in out  # the rest is escaped, not lost
    assert "\\U0001f680  Your database is now in sync" in out


@pytest.mark.parametrize(
    ("stream", "command"),
    [
        ("stdout", ("push", "--url", "app.db")),
        ("stderr", ("start", "--url", "app.db", "--", sys.executable, "-c", "pass")),
    ],
    ids=["push-stdout", "start-stderr"],
)
def test_a_reader_that_goes_away_changes_nothing_about_the_work(
    tmp_path: Path, stream: str, command: tuple[str, ...]
) -> None:
    """`trueup push | head -1`: the reader leaves after the first line, before the push
    has begun; the push still runs whole and exits 0, with no traceback."""
    (tmp_path / "schema.sql").write_text(SCHEMA + "CREATE TABLE b (id INTEGER PRIMARY KEY);\n")
    other = "stderr" if stream == "stdout" else "stdout"
    proc = subprocess.Popen(
        [sys.executable, "-m", "trueup", *command],
        cwd=tmp_path,
        env=environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reader, rest = getattr(proc, stream), getattr(proc, other)
    assert reader is not None and rest is not None
    assert reader.readline()  # the first line, then the reader is gone
    reader.close()
    said = rest.read()
    rest.close()
    proc.wait(timeout=120)
    assert proc.returncode == 0, said
    assert b"Traceback" not in said and b"Broken pipe" not in said
    assert {"médias", "b"} <= set(tables(tmp_path / "app.db"))


def on_a_terminal(folder: Path, *args: str, **env: str) -> tuple[int, bytes]:
    """Run trueup with its stdout and stderr on a pseudo-terminal."""
    main, secondary = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "trueup", *args],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=secondary,
            stderr=secondary,
            env=environ(**env),
        )
    finally:
        os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end is closed: the process is done writing
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return proc.wait(), b"".join(chunks)


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({"TERM": "xterm-256color"}, True),
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, False),
        ({"TERM": "dumb"}, False),
        ({"TERM": "xterm-256color", "NO_COLOR": ""}, True),  # set but empty: no effect
    ],
)
def test_colour_on_a_terminal(tmp_path: Path, env: dict[str, str], coloured: bool) -> None:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    code, out = on_a_terminal(tmp_path, "diff", "--url", "app.db", **env)
    assert code == 2, out
    assert b'+ table "m' in out
    assert (b"\x1b[" in out) is coloured
    code, out = on_a_terminal(tmp_path, "push", "--url", "missing/app.db", **env)
    assert code == 1 and b"Error: " in out
    assert (b"\x1b[" in out) is coloured
