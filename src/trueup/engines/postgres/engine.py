"""The PostgreSQL engine's descriptor: its URLs, and where the rest of it is (imported
when first used: reading a URL loads no driver)."""

from __future__ import annotations

import itertools
import re
import subprocess
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from trueup.engines.base import Capabilities
from trueup.engines.descriptor import Engine, Ignore
from trueup.urls import DatabaseURL

if TYPE_CHECKING:
    from trueup.backup.engine import Strategy
    from trueup.engines.base import Dialect, Session
    from trueup.engines.kinds import Values
    from trueup.model import Table
    from trueup.transfer.engine import Source, Target

NAME = "postgresql"
_cursors = itertools.count(1)
#: Types whose values the driver gives as Python values; every other one is read as its
#: text, as an export reads it.
NATIVE = {"SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE PRECISION", "BOOLEAN", "BYTEA"}


class PostgresEngine(Engine):
    name = NAME
    label = "PostgreSQL"
    capabilities = Capabilities(
        concurrent_indexes=True,
        file_database=False,
        keys_after_load=True,
        namespaces=True,
    )

    def parse_url(self, text: str, scheme: str, base_dir: str | None) -> DatabaseURL:
        parts = urlsplit(text)
        dsn = urlunsplit((NAME, parts.netloc, parts.path, parts.query, parts.fragment))
        return DatabaseURL(NAME, text, dsn=dsn)

    def dialect(self, *, ignore: Ignore = None, **options: bool) -> Dialect:
        from trueup.engines.postgres.dialect import PostgresDialect

        return PostgresDialect(ignore=ignore, **options)

    def backups(self) -> Strategy:
        from trueup.engines.postgres.backup import PostgresBackups

        return PostgresBackups()

    def transfer_source(self, url: DatabaseURL, timeout: float, ignore: Ignore) -> Source:
        from trueup.engines.postgres.transfer import PostgresSource

        return PostgresSource(url, timeout, ignore)

    def transfer_target(self, url: DatabaseURL, timeout: float, ignore: Ignore) -> Target:
        from trueup.engines.postgres.transfer import PostgresTarget

        return PostgresTarget(url, timeout, ignore)

    @cached_property
    def values(self) -> Values:
        from trueup.engines.postgres.values import PostgresValues

        return PostgresValues()

    def read_rows(
        self, session: Session, table: Table, columns: Sequence[str], batch: int
    ) -> Iterator[Sequence[tuple[Any, ...]]]:
        from trueup.engines.postgres.quoting import quote
        from trueup.engines.postgres.render import table_name
        from trueup.engines.postgres.session import PostgresSession

        assert isinstance(session, PostgresSession)
        types = {c.name: c.type for c in table.columns}
        exprs = [quote(c) if types.get(c) in NATIVE else f"{quote(c)}::text" for c in columns]
        sql = f"SELECT {', '.join(exprs)} FROM {table_name(table)}"
        # A server-side cursor: the rows stream however many there are.
        with session.conn.cursor(name=f"trueup_checksum_{next(_cursors)}") as cursor:
            cursor.execute(sql.encode())
            while rows := cursor.fetchmany(batch):
                yield rows

    def backup_tables(self, path: str, head: bytes) -> set[str] | None:
        if not head.startswith(b"PGDMP"):
            return None
        try:
            listed = subprocess.run(
                ["pg_restore", "--list", path], capture_output=True, text=True, check=True
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
        return set(re.findall(r"^\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+) ", listed, re.M))

    def share_lock(self, tables: str) -> str | None:
        return f"LOCK TABLE {tables} IN SHARE MODE"

    def uncopied(self, session: Session) -> list[str]:
        # Triggers are not part of trueup's schema model: they are not copied, and the copy
        # says so rather than leave them behind silently.
        rows = session.query(
            "SELECT c.relname, t.tgname FROM pg_trigger AS t "
            "JOIN pg_class AS c ON c.oid = t.tgrelid "
            "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY 1, 2"
        )
        return [
            f"trigger {name} on {table}: not copied (trueup does not copy PostgreSQL triggers "
            "and their functions)"
            for table, name in rows
        ]


ENGINE = PostgresEngine()
