"""Prisma's SQLite ``DateTime`` values into PostgreSQL's ``TIMESTAMP(3)`` and back, by
``trueup copy`` and by ``trueup export`` / ``import``: integer milliseconds since 1970 (what
Prisma's native engine stores), ISO 8601 text (what its driver adapters store), the text of
a ``CURRENT_TIMESTAMP`` default, and a mix of them, exactly to the millisecond. A value that
is none of these stops the move, naming its table, key and value, with nothing written.

The SQLite side is Prisma's own: the schema pushed by the Prisma CLI, the rows written
(and read back) by its libSQL driver adapter."""

from __future__ import annotations

import datetime
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.postgres.support import Server
from tests.prisma import prisma_cli
from trueup.cli import cli

ROWS = Path(__file__).resolve().parent / "prisma_rows.cjs"
MODULES = prisma_cli.HERE / "node_modules"
MODELS = """
model Event {
  id      Int       @id
  title   String    @default("")
  at      DateTime?
  created DateTime  @default(now())
}
"""
STAMPS = [
    "2026-12-07T10:00:00.123Z",
    "1969-07-20T20:17:40.001Z",  # before 1970: a negative number of milliseconds
    "2000-02-29T23:59:59.999Z",
    "1970-01-01T00:00:00.000Z",
    "2038-01-19T03:14:08.500Z",
]


def moment(stamp: str) -> datetime.datetime:
    """The instant as PostgreSQL's TIMESTAMP(3) gives it back: UTC, without a zone."""
    aware = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return aware.astimezone(datetime.UTC).replace(tzinfo=None)


def schema(folder: Path, provider: str) -> Path:
    path = folder / f"{provider}.prisma"
    path.write_text(
        f'datasource db {{\n  provider = "{provider}"\n  url      = env("DATABASE_URL")\n}}\n'
        + MODELS
    )
    return path


def prisma_rows(*args: str) -> list[object]:
    done = subprocess.run(
        ["node", str(ROWS), str(MODULES), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="session")
def prisma() -> None:
    prisma_cli.install_or_skip()


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prisma: None) -> Path:
    """A SQLite database of Prisma's making: ids 1 to 5 written by the driver adapter's
    default (ISO text), 11 to 15 the same instants as Prisma's native engine writes them
    (integers), 20 by SQL with the column's CURRENT_TIMESTAMP default for ``created``."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "dev.db"
    pushed = prisma_cli.db_push(schema(tmp_path, "sqlite"), db)
    assert pushed.code == 0, pushed.output
    iso = [f"{i}={s}" for i, s in enumerate(STAMPS, 1)]
    prisma_rows("write", str(db), "Event", "at", "iso8601", *iso)
    millis = [f"{i}={s}" for i, s in enumerate(STAMPS, 11)]
    prisma_rows("write", str(db), "Event", "at", "unixepoch-ms", *millis)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO Event (id, created) VALUES (20, '2026-12-07 10:00:00')")
    conn.commit()
    conn.close()
    return db


def stored(db: Path) -> dict[int, tuple[str, object]]:
    conn = sqlite3.connect(db)
    try:
        return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, typeof(at), at FROM Event")}
    finally:
        conn.close()


def move(how: str, source: str, target: str, schema_path: Path, folder: Path) -> Result:
    """``trueup copy`` into an empty database, or export, push and import."""
    if how == "copy":
        return invoke("copy", "--from", source, "--to", target, "--schema", str(schema_path))
    export = folder / f"export-{abs(hash(source))}.jsonl"
    done = invoke("export", "--url", source, "-o", str(export))
    assert done.exit_code == 0, done.output
    done = invoke("push", "--url", target, "--schema", str(schema_path))
    assert done.exit_code == 0, done.output
    return invoke("import", str(export), "--url", target)


@pytest.mark.parametrize("how", ["copy", "import"])
def test_both_forms_and_a_mix_move_exactly_and_back(
    app: Path, pg: Server, tmp_path: Path, how: str
) -> None:
    forms = stored(app)
    assert forms[1] == ("text", "2026-12-07T10:00:00.123+00:00")
    assert forms[11] == ("integer", 1796637600123)
    assert forms[12] == ("integer", -14182939999)
    done = move(how, str(app), pg.url, schema(tmp_path, "postgresql"), tmp_path)
    assert done.exit_code == 0, done.output
    assert pg.query(
        "SELECT data_type, datetime_precision FROM information_schema.columns "
        "WHERE table_name = 'Event' AND column_name = 'at'"
    ) == [("timestamp without time zone", 3)]
    expected: dict[int, datetime.datetime | None] = {i: moment(s) for i, s in enumerate(STAMPS, 1)}
    expected |= {i + 10: m for i, m in expected.items()}
    expected[20] = None
    assert dict(pg.query('SELECT id, at FROM "Event"')) == expected
    assert pg.query('SELECT created FROM "Event" WHERE id = 20') == [
        (datetime.datetime(2026, 12, 7, 10, 0),)
    ]

    # And back into SQLite, where Prisma reads every value as the instant it was.
    back = tmp_path / "back.db"
    done = move(how, pg.url, f"file:{back}", schema(tmp_path, "sqlite"), tmp_path)
    assert done.exit_code == 0, done.output
    assert stored(back)[1] == ("text", "2026-12-07T10:00:00.123+00:00")  # the adapters' form
    read = prisma_rows("read", str(back), "Event", "at")
    instants = [moment(v) if isinstance(v, str) else v for v in read]
    assert instants == [expected[i] for i in sorted(expected)]


@pytest.mark.parametrize("how", ["copy", "import"])
def test_a_value_that_is_no_time_stamp_stops_the_move(
    app: Path, pg: Server, tmp_path: Path, how: str
) -> None:
    conn = sqlite3.connect(app)
    conn.execute("INSERT INTO Event (id, at) VALUES (31, 'yesterday'), (32, 1.5), (33, X'00')")
    conn.commit()
    conn.close()
    done = move(how, str(app), pg.url, schema(tmp_path, "postgresql"), tmp_path)
    assert done.exit_code == 1
    assert "Event.at: 3 value(s) that are no time stamp" in done.output
    assert "id 31: 'yesterday', id 32: 1.5, id 33: b'\\x00'" in done.output
    assert "Nothing was written" in done.output
    tables = pg.query("SELECT table_name FROM information_schema.tables WHERE table_name = 'Event'")
    if tables:  # the import's target had the schema pushed first: its rows are not there
        assert pg.query('SELECT count(*) FROM "Event"') == [(0,)]


def test_an_offset_is_turned_into_utc(pg: Server, tmp_path: Path) -> None:
    # PostgreSQL drops the offset of text it reads into a TIMESTAMP; the copy does not.
    db = tmp_path / "a.db"
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, at DATETIME, zoned DATETIME);"
        "INSERT INTO t VALUES (1, '2026-12-07T12:00:00.250+02:00', '2026-12-07T12:00:00+02:00');"
        "INSERT INTO t VALUES (2, '2026-12-07 10:00:00', 1796637600000);"
    )
    conn.close()
    sql = tmp_path / "schema.sql"
    sql.write_text(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, at TIMESTAMP(3), zoned TIMESTAMPTZ(3));"
    )
    done = invoke("copy", "--from", str(db), "--to", pg.url, "--schema", str(sql))
    assert done.exit_code == 0, done.output
    utc = datetime.UTC
    assert pg.query("SELECT id, at, zoned FROM t ORDER BY id") == [
        (
            1,
            datetime.datetime(2026, 12, 7, 10, 0, 0, 250000),
            datetime.datetime(2026, 12, 7, 10, 0, tzinfo=utc),
        ),
        (
            2,
            datetime.datetime(2026, 12, 7, 10, 0),
            datetime.datetime(2026, 12, 7, 10, 0, tzinfo=utc),
        ),
    ]
    # Back into SQLite (the schema converted): the adapters' form, in UTC.
    back = tmp_path / "back.db"
    done = invoke("copy", "--from", pg.url, "--to", f"file:{back}")
    assert done.exit_code == 0, done.output
    conn = sqlite3.connect(back)
    assert conn.execute("SELECT at, zoned FROM t ORDER BY id").fetchall() == [
        ("2026-12-07T10:00:00.250+00:00", "2026-12-07T10:00:00.000+00:00"),
        ("2026-12-07T10:00:00.000+00:00", "2026-12-07T10:00:00.000+00:00"),
    ]
    conn.close()
