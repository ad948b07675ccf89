"""The crash trial on SQLite (run by tests/test_crash.py): a file holding 4000 authors and
60000 books, copied back before each trial; a push that rebuilds both tables (a NOT NULL
column whose NULLs take a default, TEXT pages made INTEGER, a new column, an index changed,
a view over them made again), killed at a uniform random time over the whole push. After a
kill the file must open (the first connection rolls a hot journal back) and pass PRAGMA
integrity_check; after the next push no journal file is left."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import DIALECT, KillWindow, inspect_db, make_db, schema_from_sql, table_rows
from trueup.diff.differ import diff

OLD = """
CREATE TABLE author (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, born TEXT);
CREATE TABLE book (
    id INTEGER PRIMARY KEY,
    author_id INTEGER REFERENCES author (id) ON DELETE CASCADE,
    title TEXT,
    pages TEXT
);
CREATE INDEX book_author ON book (author_id);
CREATE VIEW long_books AS SELECT id, title FROM book WHERE pages > 300;
"""
NEW = """
CREATE TABLE author (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL DEFAULT 'unknown',
    born TEXT
);
CREATE TABLE book (
    id INTEGER PRIMARY KEY,
    author_id INTEGER REFERENCES author (id) ON DELETE CASCADE,
    title TEXT NOT NULL DEFAULT '',
    pages INTEGER,
    isbn TEXT
);
CREATE INDEX book_author ON book (author_id, title);
CREATE VIEW long_books AS SELECT id, title FROM book WHERE pages > 300;
"""

Rows = dict[str, list[dict[str, object]]]


def _seed(path: Path, authors: int = 4000, books: int = 60000) -> None:
    make_db(path, OLD)
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO author (id, name, born) VALUES (?, ?, ?)",
        ((i, None if i % 7 == 0 else f"author {i}", f"19{i % 100:02d}") for i in range(1, authors)),
    )
    conn.executemany(
        "INSERT INTO book VALUES (?, ?, ?, ?)",
        (
            (i, i % authors or None, None if i % 11 == 0 else f"title {i}", str(100 + i % 500))
            for i in range(1, books)
        ),
    )
    conn.commit()
    conn.close()


class SQLiteCrash:
    old = OLD
    new = NEW

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.db = Path(url)
        self.original = folder / "original.db"
        _seed(self.original)
        self.reset()

    def reset(self) -> None:
        for leftover in self.db.parent.glob(self.db.name + "*"):
            leftover.unlink()
        shutil.copy(self.original, self.db)

    def rows(self) -> Rows:
        return table_rows(self.db)

    def kill(self, proc: subprocess.Popen[bytes], window: KillWindow) -> bool:
        time.sleep(window.delay())
        proc.send_signal(signal.SIGKILL)
        return True

    def settle(self, proc: subprocess.Popen[bytes]) -> None:
        conn = sqlite3.connect(self.db)  # the first connection rolls a hot journal back
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()

    def schema_is(self, sql: str) -> bool:
        return diff(inspect_db(self.db), schema_from_sql(sql, self.db.parent), DIALECT.hooks) == []

    def kept(self, before: object, after: object) -> None:
        assert isinstance(before, dict) and isinstance(after, dict)
        for table, old_rows in before.items():
            new_rows = {r["id"]: r for r in after[table]}
            assert len(new_rows) == len(old_rows), table
            for old in old_rows:
                new = new_rows[old["id"]]
                for column, value in old.items():
                    got = new[column]
                    if value is None and got in ("unknown", ""):
                        continue  # filled with the new default
                    if column == "pages" and isinstance(got, int):
                        assert str(got) == value, (table, column, old["id"])
                        continue
                    assert got == value, (table, column, old["id"])

    def old_is_untouched(self, trial: int) -> None:
        pass  # the rows, compared by the runner, are all there is

    def converged(self, trial: int) -> None:
        assert not any(p.name.endswith("-journal") for p in self.db.parent.iterdir()), trial

    def finish(self) -> None:
        pass


@contextmanager
def crash_subject(url: str, folder: Path) -> Iterator[SQLiteCrash]:
    yield SQLiteCrash(url, folder)
