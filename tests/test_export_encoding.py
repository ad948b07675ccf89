"""Export encodes a whole batch of rows with one call of the JSON encoder and splits it
into lines: the bytes must be exactly those of encoding every row on its own, whatever the
values (text holding "],[" or newlines, infinities, text that is not valid UTF-8, nested
arrays), and the file format itself must not move."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trueup.engines.sqlite import transfer as sqlite_transfer
from trueup.transfer import export_database
from trueup.transfer.format import LineEncoder, decode_text, encode_row, encode_rows
from trueup.urls import parse_url

TRICKY: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**63 - 1,
    -(2**63),
    10**40,  # bigger than SQLite holds: PostgreSQL numeric
    0.0,
    -0.0,
    0.1 + 0.2,
    1e300,
    -1e-300,
    5e-324,
    1e15,
    1e16,
    123456789.123,
    float("inf"),
    float("-inf"),
    float("nan"),
    "",
    "],[",
    "a],[b",
    "]\n[",
    "line\nbreak",
    "\x00\x01\x1f\x7f",
    '"quoted" \\ back',
    "ünïcode – ✓ 😀 \u2028",
    "\udcff\udc80",  # invalid UTF-8 as read with surrogateescape
    b"",
    b"\x00\xff],[",
    [[1, 2], [3]],  # "],[" outside any string
]


def _one_by_one(rows: list[Any]) -> bytes:
    return b"".join(encode_row(row) for row in rows)


def _nests(value: Any) -> bool:
    """Whether the value can be inside an array: the tags are for a row's own values."""
    try:
        encode_row([[value]])
    except (ValueError, UnicodeEncodeError):
        return False
    return True


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_each_value_in_a_batch(value: Any) -> None:
    rows: list[tuple[Any, Any]] = [(1, "a"), (2, value), (3, "b")]
    if _nests(value):
        rows.insert(2, (2.5, [value, [value]]))
    assert bytes(encode_rows(rows)) == _one_by_one(rows)
    assert bytes(encode_rows(rows[1:2])) == _one_by_one(rows[1:2])


def test_all_tricky_values_at_once() -> None:
    rows = [tuple(TRICKY), tuple(reversed(TRICKY)), (), ("],[",), ("x",)]
    assert bytes(encode_rows(rows)) == _one_by_one(rows)
    assert bytes(encode_rows([])) == b""


def test_the_format_does_not_move() -> None:
    rows = [
        (1, -0.0, 1e300, 5e-324, 0.1 + 0.2, 1e16, 2**63 - 1, None),
        ("", "],[", "a\nb", "\x00\x1f", '"\\', "ü–😀", b"", b"\x00\xff"),
    ]
    assert bytes(encode_rows(rows)) == (
        b"[1,-0.0,1e+300,5e-324,0.30000000000000004,1e+16,9223372036854775807,null]\n"
        b'["","],[","a\\nb","\\u0000\\u001f","\\"\\\\","\xc3\xbc\xe2\x80\x93\xf0\x9f\x98\x80",'
        b'{"$blob":""},{"$blob":"AP8="}]\n'
    )
    special = [(float("inf"), float("-inf"), float("nan"), "\udcff")]
    assert bytes(encode_rows(special)) == (
        b'[{"$real":"Infinity"},{"$real":"-Infinity"},{"$real":"NaN"},{"$text":"/w=="}]\n'
    )


def test_a_table_whose_text_holds_the_row_separator() -> None:
    """After a batch whose text holds "],[", the table's batches go row by row: the same
    bytes still, including the batches that need the careful path."""
    encode = LineEncoder()
    batches: list[list[Any]] = [
        [(1, "a"), (2, "b")],
        [(3, "[[1,2],[3,4]]"), (4, "c")],
        [(5, "d"), (6, "e")],
        [(7, float("inf")), (8, "\udcff")],
        [],
        [(9, "f")],
    ]
    for batch in batches:
        assert bytes(encode(batch)) == _one_by_one(batch)


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(alphabet=st.sampled_from('],[ \n"\\\x00ü😀\udcffab')),
    st.text(),
    st.binary(max_size=8),
)


@given(st.lists(st.lists(_values, max_size=6), max_size=12))
def test_any_batch_is_its_rows(rows: list[list[Any]]) -> None:
    assert bytes(encode_rows(rows)) == _one_by_one(rows)


def test_sqlite_export_of_tricky_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every storage class in every kind of column, exported a few rows a batch."""
    monkeypatch.setattr(sqlite_transfer, "BATCH", 3)
    path = tmp_path / "t.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, a)")
    values: list[Any] = [
        None,
        0,
        2**63 - 1,
        -(2**63),
        -0.0,
        1e300,
        5e-324,
        0.1 + 0.2,
        1e16,
        "",
        "],[",
        "x\ny",
        "ünïcode – ✓ 😀",
        b"",
        b"\x00\xff",
    ]
    for v in values:
        conn.execute("INSERT INTO t (i, r, t, b, a) VALUES (?, ?, ?, ?, ?)", (v, v, v, v, v))
    conn.execute("INSERT INTO t (r, a) VALUES (9e999, -9e999)")
    conn.execute("INSERT INTO t (t, a) VALUES (CAST(X'FF41C0' AS TEXT), CAST(X'80' AS TEXT))")
    conn.commit()
    conn.close()

    out = io.BytesIO()
    assert export_database(parse_url(str(path)), out).rows == len(values) + 2
    lines = [line + b"\n" for line in out.getvalue().split(b"\n") if line.startswith(b"[")]
    conn = sqlite3.connect(path)
    conn.text_factory = decode_text
    try:
        expected = [encode_row(row) for row in conn.execute("SELECT * FROM t ORDER BY id")]
    finally:
        conn.close()
    assert lines == expected
    assert lines[-2] == b'[16,null,{"$real":"Infinity"},null,null,{"$real":"-Infinity"}]\n'
    assert lines[-1] == b'[17,null,null,{"$text":"/0HA"},null,{"$text":"gA=="}]\n'
