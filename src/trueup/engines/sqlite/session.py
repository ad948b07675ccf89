"""A connection to one SQLite database file, set up the way a push needs it.

The connection runs in autocommit mode (``isolation_level=None``) and trueup issues
``BEGIN IMMEDIATE`` / ``COMMIT`` itself, so the whole push is one transaction. The immediate
transaction is also the lock: a second push waits for it (up to the lock timeout) and then
sees the schema the first one left. ``PRAGMA foreign_keys`` is a no-op inside a
transaction, so it is switched off before ``BEGIN`` and put back after ``COMMIT``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from trueup.engines.base import Session
from trueup.errors import ApplyError, ConfigError, ConnectionError, LockTimeout

if TYPE_CHECKING:
    from trueup.model import Schema
    from trueup.urls import DatabaseURL

#: The oldest SQLite with everything trueup relies on (pragma_table_list, DROP COLUMN).
MIN_VERSION = (3, 37, 0)
_SAVEPOINT = "trueup_savepoint"


def _check_version() -> None:
    if sqlite3.sqlite_version_info < MIN_VERSION:
        need = ".".join(map(str, MIN_VERSION))
        raise ConnectionError(
            f"This Python uses SQLite {sqlite3.sqlite_version}; trueup needs {need} or newer.",
            hint="Use a Python built against a newer SQLite (Debian 12, Ubuntu 22.04 and the "
            "python:3.11 images have one).",
        )


def _busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED") or (
        "locked" in str(exc)
    )


class SQLiteSession(Session):
    def __init__(
        self,
        conn: sqlite3.Connection,
        url: DatabaseURL | None,
        *,
        ignore: Callable[[str], bool] | None = None,
    ) -> None:
        self.conn = conn
        self.url = url
        self.ignore = ignore
        self._restore_foreign_keys: int | None = None
        self._timeout = 0.0

    @classmethod
    def open(
        cls,
        url: DatabaseURL,
        *,
        create: bool,
        ignore: Callable[[str], bool] | None = None,
    ) -> SQLiteSession:
        _check_version()
        path = url.path or ":memory:"
        if path != ":memory:":
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise ConfigError(
                    f"The folder {folder} for the database {url} does not exist.",
                    hint="Create the folder first, or point --url / DATABASE_URL elsewhere.",
                )
            if os.path.isdir(path):
                raise ConfigError(f"The database path {path} is a folder, not a file.")
            if not create and not os.path.exists(path):
                # Reading must not make the file: a mistyped path would then look like an
                # empty database, and leave one behind.
                raise ConnectionError(
                    f"The SQLite database file {os.path.abspath(path)} does not exist.",
                    hint="Check the path (--url or DATABASE_URL); `trueup push` creates the file.",
                )
            elif not os.path.exists(path) and not os.access(folder, os.W_OK):
                raise ConfigError(
                    f"Cannot create the database {url}: this user may not write in the "
                    f"folder {folder}.",
                    hint="Create the database file there first, give this user write "
                    "permission on the folder, or point --url / DATABASE_URL elsewhere.",
                )
        created = path != ":memory:" and not os.path.lexists(path)
        try:
            # No busy wait yet: begin() sets the lock timeout before the first read.
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=0)
        except sqlite3.DatabaseError as exc:
            raise ConnectionError(
                f"Cannot open the SQLite database {url}: {exc}.",
                hint="Check that the path is a SQLite database file and that it is readable.",
            ) from exc
        session = cls(conn, url, ignore=ignore)
        session.created = created
        return session

    def inspect(self) -> Schema:
        from trueup.engines.sqlite.inspect import inspect

        return inspect(self.conn, ignore=self.ignore)

    def begin(self, *, write: bool, timeout: float) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {max(0, int(timeout * 1000))}")
        if write:
            # A rebuild drops the old copy of the table; with secure_delete on (Debian's
            # default) SQLite would overwrite every freed page, which costs as much as the
            # copy itself. FAST still clears what it can without extra writes. This is this
            # connection's setting only; the application's connections keep theirs.
            self.conn.execute("PRAGMA secure_delete = FAST")
            self._restore_foreign_keys = self.conn.execute("PRAGMA foreign_keys").fetchone()[0]
            self.conn.execute("PRAGMA foreign_keys = OFF")
            if self.conn.execute("PRAGMA foreign_keys").fetchone()[0]:
                raise ApplyError(
                    "Could not switch off foreign key enforcement before the push.",
                    hint="A rebuild with foreign keys on could delete rows through ON DELETE "
                    "actions, so trueup stops here. Is a transaction already open?",
                )
        try:
            self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            # The first read takes a deferred transaction's snapshot, and is where a file
            # that is not a database shows itself.
            self.conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        except sqlite3.DatabaseError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self._restore()
            if _busy(exc):
                raise self._locked(timeout) from exc
            raise ConnectionError(
                f"Cannot read the SQLite database {self.url}: {exc}.",
                hint="Check that the path is a SQLite database file and that it is readable.",
            ) from exc
        self._timeout = timeout

    def _locked(self, timeout: float, *, committing: bool = False) -> LockTimeout:
        if committing:
            return LockTimeout(
                f"Could not commit the push to {self.url}: other connections reading it kept "
                f"the database locked for more than {timeout:g} s. Nothing was changed.",
                hint="Try again when the readers are done, raise --lock-timeout, or put the "
                "database in WAL mode (PRAGMA journal_mode=WAL), where readers do not block "
                "a commit.",
            )
        return LockTimeout(
            f"The database {self.url} is locked by another connection "
            f"(waited {timeout:g} s). Nothing was changed.",
            hint="Another push or a long write is running; try again when it ends, "
            "or raise the lock timeout (--lock-timeout).",
        )

    def execute(self, sql: str) -> None:
        try:
            self.conn.execute(sql)
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return list(self.conn.execute(sql, tuple(params)).fetchall())
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: sqlite3.DatabaseError) -> Exception:
        """The errors that are about the database file rather than the statement become
        trueup's own, with what to do; the rest stay the engine's, for the caller to report
        with the statement."""
        name = getattr(exc, "sqlite_errorname", "")
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return ConnectionError(
                f"The database {self.url} is damaged: {exc}. Nothing was changed.",
                hint="trueup does not change a damaged database. Check it with "
                "sqlite3 FILE 'PRAGMA integrity_check' and restore it from a backup "
                "(docs/backup-recovery.md).",
            )
        if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")) or name == "SQLITE_PERM":
            return ConnectionError(
                f"The database {self.url} cannot be written: {exc}. Nothing was changed.",
                hint="Check that this user may write the file and its folder (SQLite writes "
                "a journal file beside the database).",
            )
        return exc

    def commit(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            # COMMIT needs every reader gone (in rollback-journal mode); the caller rolls
            # back, so the database is as it was.
            if _busy(exc):
                raise self._locked(self._timeout, committing=True) from exc
            raise ApplyError(f"Could not commit the push to {self.url}: {exc}.") from exc
        self._restore()

    def rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        finally:
            self._restore()

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        self.execute(f"SAVEPOINT {_SAVEPOINT}")
        try:
            yield
        except BaseException:
            try:
                self.conn.execute(f"ROLLBACK TO {_SAVEPOINT}")
                self.conn.execute(f"RELEASE {_SAVEPOINT}")
            except sqlite3.Error:
                pass  # the file itself failed (damaged, gone): the block's error says so
            raise
        self.execute(f"RELEASE {_SAVEPOINT}")

    def _restore(self) -> None:
        if self._restore_foreign_keys is not None and not self.conn.in_transaction:
            self.conn.execute(f"PRAGMA foreign_keys = {int(self._restore_foreign_keys)}")
            self._restore_foreign_keys = None

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.rollback()
        self.conn.close()

    def schema_digest(self) -> str | None:
        rows = self.conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema "
            "WHERE name NOT LIKE '!_trueup!_%' ESCAPE '!' ORDER BY type, name"
        ).fetchall()
        return hashlib.sha256(repr(rows).encode()).hexdigest()

    def relation_names(self) -> frozenset[str]:
        from trueup.engines.sqlite.tracking import relation_names

        return relation_names(self.conn)

    def run_tracked(self, sql: str) -> frozenset[str]:
        from trueup.engines.sqlite.tracking import named_tables

        try:
            names = named_tables(self.conn, sql)
        except sqlite3.Error:
            names = frozenset()  # running it says what is wrong, in the engine's words
        self.execute(sql)
        return names

    def probe(self, sql: str) -> frozenset[str]:
        from trueup.engines.sqlite.tracking import named_tables

        try:
            return named_tables(self.conn, sql)
        except sqlite3.Error:
            return frozenset()

    def missing_table(self, error: Exception) -> str | None:
        from trueup.engines.sqlite.tracking import missing_table

        return missing_table(error)

    def unusable_references(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        children = self.conn.execute(
            'SELECT DISTINCT m.name, f."table", p.name IS NULL FROM sqlite_schema AS m '
            "JOIN pragma_foreign_key_list(m.name) AS f "
            "LEFT JOIN sqlite_schema AS p ON p.type = 'table' AND p.name = f.\"table\" "
            "COLLATE NOCASE WHERE m.type = 'table' ORDER BY 1, 2"
        ).fetchall()
        # A parent that does not exist: SQLite refuses every write to the child ("no such
        # table") but reports nothing on the check.
        found.extend((child, parent) for child, parent, missing in children if missing)
        for table in dict.fromkeys(child for child, _, _ in children):
            try:
                # SQLite judges the key itself: a parent key it cannot look rows up by
                # fails the check with "foreign key mismatch", whether or not rows exist.
                self.conn.execute("SELECT 1 FROM pragma_foreign_key_check(?)", (table,)).fetchone()
            except sqlite3.OperationalError as exc:
                if "foreign key mismatch" not in str(exc):
                    raise
                named = re.search(r'referencing "(.*)"$', str(exc))
                parent = named.group(1) if named else next(p for c, p, _ in children if c == table)
                found.append((table, parent))
        return sorted(found)

    def constraint_violations(self, tables: Sequence[str]) -> Counter[tuple[str, str]]:
        found: Counter[tuple[str, str]] = Counter()
        from trueup.engines.sqlite.lexer import fold

        existing = {
            fold(r[0])
            for r in self.conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
        }
        for table in tables:
            if fold(table) not in existing:
                continue
            try:
                rows = self.conn.execute(
                    'SELECT "table", parent, count(*) FROM pragma_foreign_key_check(?) '
                    "GROUP BY 1, 2",
                    (table,),
                ).fetchall()
            except sqlite3.OperationalError as exc:
                # "foreign key mismatch": the parent columns are not a primary key or unique,
                # so SQLite cannot check (or enforce) the foreign key at all.
                raise ApplyError(
                    f"A foreign key of {table} cannot be checked: {exc}.",
                    hint="A foreign key must point at the parent's primary key or at columns "
                    "with a unique constraint; declare one of those. Nothing was changed.",
                ) from exc
            for child, parent, count in rows:
                found[(child, parent)] += count
        return found
