"""The trueup export format, version 1 (documented in docs/export-format.md).

A file is UTF-8 text, one JSON value per line, so it is written and read one row at a time
whatever its size::

    {"format":"trueup-export","version":1,"trueup":"0.1.0","engine":"sqlite","tables":[...],...}
    {"table":"libraries","columns":["id","name"],"types":["INTEGER","TEXT"]}
    [1,"Movies"]
    [2,"Shows"]
    {"table":"media",...}
    ...
    {"end":"trueup-export","tables":2,"rows":3}

Values keep their exact type: JSON integers (any size, read back exactly), JSON numbers with
a fraction or exponent for reals (Python's shortest repr, so they read back bit for bit),
strings, null, and tagged objects for what JSON cannot hold: ``{"$blob": base64}``,
``{"$real": "Infinity"}``, and ``{"$text": base64}`` for text that is not valid UTF-8.
"""

from __future__ import annotations

import base64
import json
import json.encoder
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from typing import IO, Any

from trueup.errors import TrueupError

FORMAT = "trueup-export"
#: The version this trueup writes, and the newest it reads.
VERSION = 1


class TransferError(TrueupError):
    """An export or import failed, or a file is not one trueup can import."""


class TextBytes(bytes):
    """Text whose bytes are not valid UTF-8: stored as TEXT, but not a Python str."""


class SpecialRow(list[Any]):
    """A row read from a file that holds :class:`TextBytes`, so the loader can treat it
    apart without looking at every value of every other row."""


@dataclass(frozen=True, slots=True)
class TableCount:
    name: str
    rows: int


@dataclass(frozen=True, slots=True)
class Header:
    version: int
    trueup: str
    engine: str
    tables: tuple[TableCount, ...]  # in file order: parents before children
    schema: dict[str, Any]  # the schema model as JSON (what `trueup inspect --format json` shows)
    ddl: tuple[str, ...]  # the engine's statements creating the tables and their indexes
    ddl_after: tuple[str, ...]  # views, triggers and virtual tables: made after the rows

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


@dataclass(frozen=True, slots=True)
class TableRecord:
    """The start of one table's rows. With ``rowid`` each row starts with the row's rowid
    (a SQLite rowid table whose rowid is not a column); ``sequence`` is the table's
    AUTOINCREMENT counter when it has one."""

    name: str
    columns: tuple[str, ...]
    types: tuple[str, ...]
    rowid: bool = False
    sequence: int | None = None

    @property
    def width(self) -> int:
        return len(self.columns) + self.rowid


# --- writing -----------------------------------------------------------------------------


def _tag(value: object) -> object:
    # Called by the JSON encoder only for values it cannot write itself.
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$blob": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot export a value of type {type(value).__name__}")


def _careful(value: object) -> object:
    """The slow path for a row the fast encoder refused: infinities and invalid text."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"$real": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raw = value.encode("utf-8", "surrogateescape")
            return {"$text": base64.b64encode(raw).decode("ascii")}
    return value


_RECORD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_ROW = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_tag, check_circular=False
)
#: How SQLite text is read for export: invalid UTF-8 survives as lone surrogates.
decode_text: Callable[[bytes], str] = partial(str, encoding="utf-8", errors="surrogateescape")


def encode_row(row: Sequence[Any]) -> bytes:
    try:
        return (_ROW.encode(row) + "\n").encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return (_ROW.encode([_careful(v) for v in row]) + "\n").encode("utf-8")


# The C encoder behind _ROW.encode, made once instead of once per row: called on a row it
# returns the row's JSON in pieces. None where the json module has no C part.
_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_ROW_PIECES: Any = (
    None
    if _make_encoder is None
    else _make_encoder(
        None, _tag, json.encoder.encode_basestring, None, ":", ",", False, False, False
    )
)


def _whole_batch(rows: Sequence[Sequence[Any]]) -> memoryview | None:
    """The lines of a batch from one call of the encoder (a call per row, and a string per
    row to join, were a quarter of the time of encoding). None when a value holds "],["
    (text, or nested arrays), which the split below cannot tell from the end of a row.
    Raises as the encoder does on an infinity or text that is not valid UTF-8."""
    # The batch as one JSON array; the empty row at its end puts a separator after the
    # last row as well.
    data = "".join(_ROW_PIECES([*rows, ()], 0)).encode("utf-8")
    # "[row,row,...,row,[]]": each "],[" after a row becomes its line break. The encoder
    # never writes a newline (JSON escapes it inside strings), so the newlines after the
    # replace count what it replaced: one a row, unless a value holds "],[" as well.
    lines = data.replace(b"],[", b"]\n[")
    if lines.count(b"\n") != len(rows):
        return None
    return memoryview(lines)[1:-3]  # without the outer "[" and the "[]]": no copy


class LineEncoder:
    """Rows as lines, a batch at a time, for the batches of one table: exactly what
    :func:`encode_row` writes for each row. A batch holding an infinity or text that is not
    valid UTF-8 is written row by row. Once text of the table held "],[" (JSON arrays of
    arrays, say), its later batches are encoded a row at a time straight away rather than
    twice."""

    def __init__(self) -> None:
        self._whole = True

    def __call__(self, rows: Sequence[Sequence[Any]]) -> bytes | memoryview:
        if _ROW_PIECES is None or not rows:
            return b"".join(map(encode_row, rows))
        try:
            if self._whole:
                lines = _whole_batch(rows)
                if lines is not None:
                    return lines
                self._whole = False
            text = "\n".join(map("".join, map(_ROW_PIECES, rows, repeat(0))))
            return (text + "\n").encode("utf-8")
        except (ValueError, UnicodeEncodeError):
            return b"".join(map(encode_row, rows))


def encode_rows(rows: Sequence[Sequence[Any]]) -> bytes | memoryview:
    """One batch of rows as lines (:class:`LineEncoder`)."""
    return LineEncoder()(rows)


class Writer:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def _record(self, data: dict[str, Any]) -> None:
        self.out.write((_RECORD.encode(data) + "\n").encode("utf-8"))

    def header(self, header: Header) -> None:
        self._record(
            {
                "format": FORMAT,
                "version": header.version,
                "trueup": header.trueup,
                "engine": header.engine,
                "tables": [{"name": t.name, "rows": t.rows} for t in header.tables],
                "schema": header.schema,
                "ddl": list(header.ddl),
                "ddl_after": list(header.ddl_after),
            }
        )

    def table(self, table: TableRecord) -> None:
        data: dict[str, Any] = {
            "table": table.name,
            "columns": list(table.columns),
            "types": list(table.types),
        }
        if table.rowid:
            data["rowid"] = True
        if table.sequence is not None:
            data["sequence"] = table.sequence
        self._record(data)

    def row(self, row: Sequence[Any]) -> None:
        self.out.write(encode_row(row))

    def lines(self, lines: bytes | memoryview) -> None:
        """Rows already encoded (:func:`encode_rows`), one line each."""
        self.out.write(lines)

    def end(self, tables: int, rows: int) -> None:
        self._record({"end": FORMAT, "tables": tables, "rows": rows})


# --- reading -----------------------------------------------------------------------------


class Reader:
    """Reads a file one line at a time: the header, then each table and its rows, then the
    end record. Errors name the file and the line."""

    def __init__(self, source: IO[bytes], name: str) -> None:
        self.source = source
        self.name = name
        self.line = 0
        self._pending: bytes | None = None
        self.special_text = False  # set when a row holds text that is not valid UTF-8
        self.ended = False  # the end of the file was reached
        self._rows = json.JSONDecoder(object_hook=self._untag)

    def fail(self, message: str, hint: str | None = None) -> TransferError:
        return TransferError(f"{self.name}:{self.line}: {message}", hint=hint)

    def cut_short(self, message: str) -> TransferError:
        """The file stops before its end (every record of a whole file ends its line)."""
        return self.fail(
            f"{message}: it is incomplete.",
            hint="Nothing was imported. The file was cut short (a copy or an export that was "
            "interrupted, or a full disk): export the database again.",
        )

    def _untag(self, obj: dict[str, Any]) -> Any:
        if len(obj) == 1:
            ((key, value),) = obj.items()
            if key == "$blob" and isinstance(value, str):
                return base64.b64decode(value, validate=True)
            if key == "$real" and value in ("Infinity", "-Infinity", "NaN"):
                return float(value)
            if key == "$text" and isinstance(value, str):
                self.special_text = True
                return TextBytes(base64.b64decode(value, validate=True))
        raise self.fail(f"unknown tagged value {json.dumps(obj)[:60]}")

    def _next(self) -> bytes | None:
        if self._pending is not None:
            line, self._pending = self._pending, None
            return line
        line = self.source.readline()
        if not line:
            self.ended = True
            return None
        self.line += 1
        return line

    def _record(self, line: bytes | None, what: str) -> dict[str, Any]:
        if line is None:
            raise self.cut_short(f"the file ends where {what} should be")
        try:
            data = json.loads(line)
        except ValueError as exc:
            if not line.endswith(b"\n"):
                raise self.cut_short("the file ends in the middle of a line") from None
            raise self.fail(f"not valid JSON ({exc}).") from None
        if not isinstance(data, dict):
            raise self.fail(f"expected {what}, found a row.")
        return data

    def header(self) -> Header:
        first = self._next()
        not_export = TransferError(
            f"{self.name} is not a trueup export.",
            hint="Give a file written by `trueup export`.",
        )
        try:
            data = json.loads(first) if first else None
        except ValueError:
            ours = b'{"format":"%s"' % FORMAT.encode()
            if first is not None and first.startswith(ours) and not first.endswith(b"\n"):
                raise self.cut_short("the file ends inside its header") from None
            raise not_export from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise not_export
        version = data.get("version")
        if not isinstance(version, int) or version < 1:
            raise self.fail(f"unknown format version {version!r}.")
        if version > VERSION:
            from trueup import __version__

            raise TransferError(
                f"{self.name} is in trueup export format version {version} (written by "
                f"trueup {data.get('trueup', '?')}); this trueup ({__version__}) reads "
                f"versions up to {VERSION}.",
                hint="Nothing was imported. Upgrade trueup (pip install --upgrade trueup) "
                "and run the import again.",
            )
        try:
            return Header(
                version=version,
                trueup=str(data["trueup"]),
                engine=str(data["engine"]),
                tables=tuple(TableCount(str(t["name"]), int(t["rows"])) for t in data["tables"]),
                schema=dict(data["schema"]),
                ddl=tuple(str(s) for s in data["ddl"]),
                ddl_after=tuple(str(s) for s in data["ddl_after"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise self.fail(f"the header is incomplete ({exc!r}).") from None

    def table(self, expected: str) -> TableRecord:
        data = self._record(self._next(), f"the table {expected!r}")
        if data.get("table") != expected:
            found = data.get("table") or ("the end" if "end" in data else "another record")
            raise self.fail(f"expected the rows of table {expected!r}, found {found!r}.")
        try:
            return TableRecord(
                name=expected,
                columns=tuple(str(c) for c in data["columns"]),
                types=tuple(str(t) for t in data["types"]),
                rowid=bool(data.get("rowid", False)),
                sequence=data.get("sequence"),
            )
        except (KeyError, TypeError) as exc:
            raise self.fail(f"the record of table {expected!r} is incomplete ({exc!r}).") from None

    def rows(self, table: TableRecord) -> Iterator[list[Any]]:
        """The rows of ``table``, each a list of values; stops at the next record."""
        width = table.width
        decode = self._rows.decode
        while True:
            line = self._next()
            if line is None:
                return
            if not line.startswith(b"["):
                self._pending = line
                return
            try:
                row = decode(line.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                if not line.endswith(b"\n"):
                    raise self.cut_short("the file ends in the middle of a row") from None
                raise self.fail(f"a row of {table.name!r} is not valid JSON ({exc}).") from None
            if self.special_text:
                row = SpecialRow(row)
                self.special_text = False
            if len(row) != width:
                raise self.fail(
                    f"a row of {table.name!r} has {len(row)} values; the table has {width}."
                )
            yield row

    def end(self, header: Header) -> None:
        data = self._record(self._next(), "the end record")
        if data.get("end") != FORMAT:
            raise self.fail(f"expected the end of the file, found {json.dumps(data)[:60]}.")
        if data.get("rows") != header.rows or data.get("tables") != len(header.tables):
            raise self.fail("the end record does not match the header's counts.")
        if self.source.readline().strip():
            self.line += 1
            raise self.fail("there is more after the end record.")
