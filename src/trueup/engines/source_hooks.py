"""What the declared sources (:mod:`trueup.sources`) ask of an engine, with the answers of
an engine that has nothing special to say. Each engine overrides them in its own
``source_hooks`` module: the sources name no engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trueup.engines.base import Session
    from trueup.model import Schema
    from trueup.urls import DatabaseURL


@dataclass(frozen=True, slots=True)
class ColumnProblem:
    """A declared column the engine takes but would not make as it is written (its type is
    another engine's, say): the schema is refused at the column."""

    table: str
    column: str
    type: str
    message: str
    hint: str


class SourceHooks:
    """An engine's answers to the declared sources (``Dialect.source_hooks``)."""

    #: Whether a scratch database is made on a server (one must be known before a declared
    #: schema can be normalised), rather than in memory.
    scratch_needs_server: bool = False
    #: SQLAlchemy's URL for the engine: only DDL is compiled (on a mock engine), so the
    #: driver named is never loaded.
    sqlalchemy_url: str = ""
    #: The server version models' DDL is compiled for in their key (the key must change
    #: when the models do, not when the server does).
    key_version: tuple[int, ...] = ()

    def server_version(self, session: Session) -> tuple[int, ...]:
        """The version of the server ``session`` (a scratch one) is on, as SQLAlchemy
        would learn it from a connection."""
        return self.key_version

    def prepare_sqlalchemy(self, dialect: Any, version: tuple[int, ...]) -> None:
        """Tell SQLAlchemy's ``dialect`` what its ``initialize()`` would learn from a server
        of ``version`` and that changes the DDL it writes."""
        dialect.server_version_info = version

    def made_by_engine(self, table: str) -> bool:
        """Whether ``table`` is one the engine makes itself (a schema dump may list it; a
        schema file's statement for it is skipped)."""
        return False

    def column_problems(self, schema: Schema) -> list[ColumnProblem]:
        """The columns of a declared ``schema`` (as the scratch database made it) that the
        engine took but would not make as they were meant."""
        return []

    def in_memory(self, url: DatabaseURL) -> bool:
        """Whether the database of ``url`` lives in one connection's memory (another
        process cannot reach it)."""
        return False
