"""SQLite for the external runner: a fresh database file per load, SQL run into it by
SQLite itself (``executescript``: statement by statement, as the sqlite3 shell does)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.external import sqlite_catalog
from tests.external.catalog import Catalog


class SqliteDatabases:
    """The database files of one case, in the case's own folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def fresh(self, label: str) -> str:
        return str(self.folder / f"{label}.db")

    def load(self, name: str, text: str, folder: Path) -> str | None:
        del folder
        conn = sqlite3.connect(name, isolation_level=None)
        try:
            conn.executescript(text)
        except sqlite3.Error as exc:
            return f"{type(exc).__name__}: {exc}"
        finally:
            conn.close()
        return None

    def describe(self, name: str) -> Catalog:
        return sqlite_catalog.describe(Path(name))

    def url(self, name: str) -> str:
        return f"file:{name}"

    def close(self) -> None:
        """The files go with the case's folder."""
