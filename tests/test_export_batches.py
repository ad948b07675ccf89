"""Export reads rows with Python's fast UTF-8 decoder and falls back, a batch at a time, to
the decoder that keeps invalid UTF-8: the file must be the same as if every row had been
read and written one at a time."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from trueup.engines.sqlite import transfer_rows as sqlite_rows
from trueup.transfer import export_database
from trueup.transfer.format import Reader, decode_text, encode_row
from trueup.urls import parse_url


def _rows_in_file(data: bytes) -> list[bytes]:
    return [line + b"\n" for line in data.split(b"\n") if line.startswith(b"[")]


def _expected(path: Path, sql: str) -> list[bytes]:
    conn = sqlite3.connect(path)
    conn.text_factory = decode_text
    try:
        return [encode_row(row) for row in conn.execute(sql)]
    finally:
        conn.close()


@pytest.mark.parametrize(
    "ddl, select",
    [
        ("CREATE TABLE t (id INTEGER PRIMARY KEY, t TEXT, r REAL, b BLOB)", "SELECT * FROM t"),
        ("CREATE TABLE t (t TEXT, r REAL, b BLOB)", "SELECT rowid, * FROM t"),
    ],
)
def test_invalid_utf8_between_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ddl: str, select: str
) -> None:
    monkeypatch.setattr(sqlite_rows, "BATCH", 7)
    path = tmp_path / "a.db"
    conn = sqlite3.connect(path)
    conn.execute(ddl)
    cols = "t, r, b"
    for i in range(60):
        conn.execute(
            f"INSERT INTO t ({cols}) VALUES (?, ?, ?)",
            (f"row {i} ✓", i / 7, bytes([i]) if i % 5 == 0 else None),
        )
    # Invalid UTF-8 at the start, inside and at the end of batches, twice in one batch.
    for rowid in (1, 9, 10, 14, 21, 22, 60):
        conn.execute("UPDATE t SET t = CAST(X'FF41C0' AS TEXT) WHERE rowid = ?", (rowid,))
    conn.execute("UPDATE t SET r = 9e999 WHERE rowid = 30")  # an infinity
    conn.commit()
    conn.close()

    out = io.BytesIO()
    result = export_database(parse_url(str(path)), out)
    assert result.rows == 60
    assert _rows_in_file(out.getvalue()) == _expected(path, select + " ORDER BY rowid")
    reader = Reader(io.BytesIO(out.getvalue()), "a.jsonl")
    header = reader.header()
    record = reader.table("t")
    assert sum(1 for _ in reader.rows(record)) == 60
    reader.end(header)
