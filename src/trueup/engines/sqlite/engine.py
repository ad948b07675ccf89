"""The SQLite engine's descriptor: its URLs, and where the rest of it is (imported when
first used)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from trueup.engines.base import Capabilities
from trueup.engines.descriptor import Engine, Ignore
from trueup.errors import ConfigError
from trueup.urls import DatabaseURL, redact

if TYPE_CHECKING:
    from trueup.backup.engine import Strategy
    from trueup.engines.base import Dialect, Session
    from trueup.engines.kinds import Values
    from trueup.model import Table
    from trueup.transfer.engine import Source, Target

NAME = "sqlite"
# SQLite can hold text that is not UTF-8; it is read as it is instead of failing the read.
_decode = partial(str, encoding="utf-8", errors="surrogateescape")


class SQLiteEngine(Engine):
    name = NAME
    label = "SQLite"
    capabilities = Capabilities(
        # One writer at a time anyway: indexes are built in the push's transaction.
        concurrent_indexes=False,
        file_database=True,
        keys_after_load=False,
        namespaces=False,
    )

    def parse_url(self, text: str, scheme: str, base_dir: str | None) -> DatabaseURL:
        if not scheme:
            return _path(text, text, base_dir)
        if scheme.split("+", 1)[0] == "file":
            rest = text[len("file:") :]
            if rest.startswith("//"):
                rest = urlsplit(text).path
            return _path(text, _strip_query(rest), base_dir)
        rest = text[len(scheme) + 1 :]
        if not rest.startswith("//"):
            raise ConfigError(
                f"Cannot read the SQLite URL {redact(text)!r}.",
                hint="Write it as sqlite:///relative/path.db or sqlite:////absolute/path.db.",
            )
        rest = _strip_query(rest[2:])
        # sqlite:///x.db -> "/x.db" after the authority: one slash is the separator.
        if rest.startswith("/"):
            rest = rest[1:]
        if rest in ("", ":memory:"):
            return DatabaseURL(NAME, text, path=":memory:")
        return _path(text, rest, base_dir)

    def dialect(self, *, ignore: Ignore = None, **options: bool) -> Dialect:
        from trueup.engines.sqlite.dialect import SQLiteDialect

        return SQLiteDialect(ignore=ignore, **options)

    def backups(self) -> Strategy:
        from trueup.engines.sqlite.backup import SQLiteBackups

        return SQLiteBackups()

    def transfer_source(self, url: DatabaseURL, timeout: float, ignore: Ignore) -> Source:
        from trueup.engines.sqlite.transfer import SQLiteSource

        return SQLiteSource(url, timeout, ignore)

    def transfer_target(self, url: DatabaseURL, timeout: float, ignore: Ignore) -> Target:
        from trueup.engines.sqlite.transfer import SQLiteTarget

        return SQLiteTarget(url, timeout, ignore)

    @cached_property
    def values(self) -> Values:
        from trueup.engines.sqlite.values import SQLiteValues

        return SQLiteValues()

    def read_rows(
        self, session: Session, table: Table, columns: Sequence[str], batch: int
    ) -> Iterator[Sequence[tuple[Any, ...]]]:
        from trueup.engines.sqlite.quoting import quote
        from trueup.engines.sqlite.session import SQLiteSession

        assert isinstance(session, SQLiteSession)
        conn = session.conn
        sql = f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table.name)}"
        before = conn.text_factory
        conn.text_factory = _decode
        try:
            cursor = conn.execute(sql)
            while rows := cursor.fetchmany(batch):
                yield rows
        finally:
            conn.text_factory = before

    def backup_tables(self, path: str, head: bytes) -> set[str] | None:
        import sqlite3

        if not head.startswith(b"SQLite format 3\0"):
            return None
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
                return {r[0] for r in rows if not r[0].startswith(("sqlite_", "_trueup_"))}
            finally:
                conn.close()
        except sqlite3.Error:
            return None


def _strip_query(path: str) -> str:
    return path.split("?", 1)[0]


def _path(original: str, path: str, base_dir: str | None) -> DatabaseURL:
    path = unquote(path)
    if path == ":memory:":
        return DatabaseURL(NAME, original, path=path)
    if not path:
        raise ConfigError(f"The SQLite URL {original!r} names no file.")
    path = os.path.expanduser(path)
    if not os.path.isabs(path) and base_dir is not None:
        path = os.path.join(base_dir, path)
    return DatabaseURL(NAME, original, path=os.path.normpath(path))


ENGINE = SQLiteEngine()
