"""Large SQLite tables are exported with reader processes beside the export's own
(trueup.engines.sqlite.transfer_readers): the file must be byte for byte the one a single process
writes, and the parts must come from the export's snapshot. Where a reader process cannot
help, the export reads its part itself."""

from __future__ import annotations

import io
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from trueup.engines.sqlite import transfer as sqlite_transfer
from trueup.engines.sqlite import transfer_readers as sqlite_readers
from trueup.engines.sqlite.transfer import SQLiteSource
from trueup.engines.sqlite.transfer_rows import RowidScan
from trueup.transfer import export_database
from trueup.urls import parse_url

ROWS = 400


def _build(path: Path, *, wal: bool = False) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    # An INTEGER PRIMARY KEY with gaps, a table whose rowid is hidden, and a table whose
    # every rowid name is a column (read by the single-process path).
    conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, price REAL, data BLOB)")
    conn.execute("CREATE TABLE note (body TEXT, n INTEGER)")
    conn.execute("CREATE TABLE odd (rowid TEXT, _rowid_ TEXT, oid TEXT)")
    for i in range(ROWS):
        conn.execute(
            "INSERT INTO item VALUES (?, ?, ?, ?)",
            (i * 3 + 1, f'item {i} ✓ "q"', i / 7, bytes([i % 256]) if i % 9 == 0 else None),
        )
        conn.execute("INSERT INTO note VALUES (?, ?)", (f"note {i}", 2**62 + i))
        conn.execute("INSERT INTO odd VALUES (?, ?, ?)", (str(i), "b", "c"))
    conn.execute("DELETE FROM note WHERE n % 11 = 0")  # gaps in the hidden rowid
    # Text that is not valid UTF-8 in every part, and an infinity.
    for rowid in (2, 150, 270, 391):
        conn.execute("UPDATE note SET body = CAST(X'FF41C0' AS TEXT) WHERE rowid = ?", (rowid,))
    conn.execute("UPDATE item SET price = 9e999 WHERE id = 601")
    conn.commit()
    conn.close()


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """Reader processes for every table of more than 100 rows, four of them; what each
    part's reader process gave (None: the export read that part itself)."""
    monkeypatch.setattr(sqlite_readers, "PART_ROWS", 100)
    monkeypatch.setattr(sqlite_transfer, "usable_cpus", lambda: 8)
    results: list[int | None] = []
    original = sqlite_readers._Part.result

    def result(self: Any, identity: Any, path: str) -> int | None:
        rows: int | None = original(self, identity, path)
        results.append(rows)
        return rows

    monkeypatch.setattr(sqlite_readers._Part, "result", result)
    return results


def _export(path: Path, scratch: Path | None) -> bytes:
    out = io.BytesIO()
    export_database(parse_url(str(path)), out, scratch=str(scratch) if scratch else None)
    return out.getvalue()


def test_the_file_is_the_one_a_single_process_writes(
    tmp_path: Path, readers: list[int | None]
) -> None:
    db = tmp_path / "a.db"
    _build(db)
    alone = _export(db, None)
    assert readers == []
    together = _export(db, tmp_path)
    # item (400 rows) is read in four parts, note (364) in three: all but the first of
    # each by a reader process.
    assert len(readers) == 5 and None not in readers
    assert sum(r for r in readers if r is not None) > ROWS
    assert together == alone
    assert list(tmp_path.iterdir()) == [db]  # the parts' scratch files are gone


def test_a_reader_that_fails_leaves_its_part_to_the_export(
    tmp_path: Path, readers: list[int | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "a.db"
    _build(db)
    alone = _export(db, None)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    assert _export(db, tmp_path) == alone
    assert readers and set(readers) == {None}


def test_a_wal_database_is_read_by_one_process(tmp_path: Path, readers: list[int | None]) -> None:
    # Each reader process would see the newest commit, not the export's snapshot.
    db = tmp_path / "a.db"
    _build(db, wal=True)
    alone = _export(db, None)
    assert _export(db, tmp_path) == alone
    assert readers == []


def _wait_until_pending(db: Path) -> None:
    """Until a writer holds SQLite's PENDING lock: then no new reader can start."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        probe = sqlite3.connect(db, timeout=0)
        try:
            probe.execute("SELECT count(*) FROM note").fetchone()
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return
        finally:
            probe.close()
        time.sleep(0.01)
    raise AssertionError("the writer never started to commit")


def test_a_writer_waiting_to_commit_keeps_the_parts_in_the_export(
    tmp_path: Path, readers: list[int | None]
) -> None:
    """A writer that waits to commit holds SQLite's PENDING lock, so no new reader can
    start: the reader processes give up at once and the export reads every part itself,
    from its own snapshot, without the writer's rows."""
    db = tmp_path / "a.db"
    _build(db)
    alone = _export(db, None)
    source = SQLiteSource(parse_url(str(db)), 5.0, None)
    source.scratch = str(tmp_path)
    writer = sqlite3.connect(db, timeout=30, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO note VALUES ('late', 1)")
    committing = threading.Thread(target=writer.execute, args=("COMMIT",))
    committing.start()
    try:
        _wait_until_pending(db)  # the COMMIT waits for the export's read lock
        assert committing.is_alive()
        note = next(t for t in source.schema.tables if t.name == "note")
        lines = b"".join(bytes(data) for data, _ in source.lines(note, source.record(note)))
    finally:
        source.close()
        committing.join()
    assert readers and set(readers) == {None}
    assert b'"late"' not in lines
    assert lines in alone
    assert writer.execute("SELECT count(*) FROM note WHERE body = 'late'").fetchone() == (1,)
    writer.close()


def test_a_reader_stops_when_the_export_is_gone(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    _build(db)
    scan = RowidScan("item", '"item"', '"id", "name"', '"id"', 0)
    fd = os.open(tmp_path / "part", os.O_WRONLY | os.O_CREAT)  # the reader closes it
    spec = {"path": str(db), "scan": scan.__dict__, "after": 0, "upto": None}
    with pytest.raises(SystemExit):
        sqlite_readers._read_part(spec | {"fd": fd, "parent": -1})


def test_a_reader_reads_its_part_and_names_the_file(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    _build(db)
    scan = RowidScan("item", '"item"', '"id", "name"', '"id"', 0)
    part = tmp_path / "part"
    fd = os.open(part, os.O_WRONLY | os.O_CREAT)
    spec = {"path": str(db), "scan": scan.__dict__, "after": 10, "upto": 31}
    # Called here, the reader's parent is this process's.
    said = sqlite_readers._read_part(spec | {"fd": fd, "parent": os.getppid()})
    identity = sqlite_readers.Identity.of(str(db))
    assert said == f"7 {identity.dev} {identity.ino}"  # ids 13, 16, ..., 31
    assert part.read_bytes().splitlines()[0] == b'[13,"item 4 \xe2\x9c\x93 \\"q\\""]'


def test_a_database_file_replaced_is_read_by_one_process(
    tmp_path: Path, readers: list[int | None]
) -> None:
    """A reader process opens the path: once another file is there, it would read that
    one, so the export reads every part itself from the file it has open."""
    db = tmp_path / "a.db"
    _build(db)
    alone = _export(db, None)
    source = SQLiteSource(parse_url(str(db)), 5.0, None)
    source.scratch = str(tmp_path)
    try:
        db.rename(tmp_path / "moved.db")
        _build(db)  # the same schema, other rows
        other = sqlite3.connect(db)
        other.execute("UPDATE item SET name = 'other'")
        other.commit()
        other.close()
        item = next(t for t in source.schema.tables if t.name == "item")
        lines = b"".join(bytes(data) for data, _ in source.lines(item, source.record(item)))
    finally:
        source.close()
    assert readers == []
    assert lines in alone and lines.count(b"\n") == ROWS
