"""A declared schema read in the very database it is for, so that what its SQL names of the
database's own (a function, a sequence, a type, an extension's objects, as in
``dbgenerated("my_func()")``) is there, as it will be for the push.

Everything runs in one transaction that is always rolled back, on a connection of its
own: nothing of it is ever seen by another connection or kept. The declared objects go
into schemas made for the purpose, so they never meet the database's own: a stand-in for
the default schema comes first in ``search_path`` (the database's default schema second,
so its objects resolve and print as in a push), and one stand-in for each other schema
the declaration names. Reading back, the stand-ins' names are replaced by the declared
ones, in names, types and expressions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import psycopg

from trueup.engines.postgres.connection import connection_info, with_connect_timeout
from trueup.engines.postgres.expressions import expr
from trueup.engines.postgres.quoting import quote
from trueup.engines.postgres.scratch import scratch_name
from trueup.engines.postgres.session import PostgresSession
from trueup.model import Expr, Schema

if TYPE_CHECKING:
    from psycopg import Connection

    from trueup.model import Column, Index, IndexPart, Table
    from trueup.urls import DatabaseURL

_LOCK_TIMEOUT_MS = 5000


class LiveScratchSession(PostgresSession):
    """See the module. ``place(schema)`` is the schema to put in what the declaration
    puts in ``schema`` (None: the default one)."""

    def __init__(self, conn: Connection[Any], token: str, home: str, names: dict[str, str]) -> None:
        self.home = home
        self.token = token
        #: declared schema -> its stand-in (the default schema's is ``token``)
        self.stand_ins = names
        super().__init__(conn, None, token)
        self.manage(tuple(names.values()))

    @classmethod
    def create(cls, url: DatabaseURL, namespaces: Sequence[str]) -> LiveScratchSession | None:
        """The session, or None when the database cannot host it (it does not exist yet,
        or the user may not make a schema in it)."""
        conninfo, home = connection_info(url)
        try:
            conn = psycopg.connect(with_connect_timeout(conninfo), autocommit=True)
        except psycopg.Error:
            return None
        token = scratch_name()
        others = [n for n in dict.fromkeys(namespaces) if n != home]
        names = {n: f"{token}_{i}" for i, n in enumerate(others)}
        try:
            conn.execute("BEGIN")
            conn.execute(f"SET LOCAL lock_timeout = {_LOCK_TIMEOUT_MS}")
            for schema in (token, *names.values()):
                conn.execute(f"CREATE SCHEMA {quote(schema)}".encode())
        except psycopg.Error:
            with contextlib.suppress(psycopg.Error):
                conn.close()
            return None
        return cls(conn, token, home, names)

    def place(self, schema: str | None) -> str | None:
        if schema is None or schema == self.home:
            return None
        return self.stand_ins.get(schema, schema)

    def _set_search_path(self) -> None:
        self.conn.execute(f"SET LOCAL search_path TO {quote(self.token)}, {quote(self.home)}")

    def begin(self, *, write: bool, timeout: float) -> None:
        """The transaction is open from the start, and is never committed."""

    def commit(self) -> None:
        """Never: nothing of the stand-ins may be kept."""

    def inspect(self) -> Schema:
        # The default schema's stand-in reads as the default schema (its objects carry no
        # schema name), the others as the schemas they stand in for.
        names = {self.token: self.home}
        names.update((stand_in, declared) for declared, stand_in in self.stand_ins.items())
        quoted = dict(
            self.conn.execute(
                "SELECT s, quote_ident(s) FROM unnest(%s::text[]) AS s", (list(names.values()),)
            ).fetchall()
        )
        # Longest first: a stand-in's name begins with the default one's.
        words = sorted(names, key=len, reverse=True)
        found = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b")

        def text(value: str) -> str:
            return found.sub(lambda m: str(quoted[names[m.group(1)]]), value)

        def name(schema: str | None) -> str | None:
            return None if schema is None else names.get(schema, schema)

        return _renamed(super().inspect(), name, text)

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self.conn.execute("ROLLBACK")
        self.conn.close()


def _renamed(
    schema: Schema, name: Callable[[str | None], str | None], text: Callable[[str], str]
) -> Schema:
    """``schema`` with the schema names ``name`` gives, and the SQL text (types and
    expressions) ``text`` gives."""

    def ex(e: Expr | None) -> Expr | None:
        return None if e is None else expr(text(e.text))

    def column(c: Column) -> Column:
        return dataclasses.replace(c, type=text(c.type), default=ex(c.default))

    def part(p: IndexPart) -> IndexPart:
        return dataclasses.replace(p, expression=ex(p.expression))

    def index(i: Index) -> Index:
        return dataclasses.replace(i, parts=tuple(map(part, i.parts)), where=ex(i.where))

    def table(t: Table) -> Table:
        return dataclasses.replace(
            t,
            schema=name(t.schema),
            columns=tuple(map(column, t.columns)),
            indexes=tuple(map(index, t.indexes)),
            foreign_keys=tuple(
                dataclasses.replace(fk, ref_schema=name(fk.ref_schema)) for fk in t.foreign_keys
            ),
        )

    return dataclasses.replace(
        schema,
        tables=tuple(map(table, schema.tables)),
        enums=tuple(dataclasses.replace(e, schema=name(e.schema)) for e in schema.enums),
        # In the order the inspector gives: by name.
        namespaces=tuple(sorted(n for n in map(name, schema.namespaces) if n is not None)),
    )
