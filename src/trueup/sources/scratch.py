"""The one normaliser of every declared source: the declared DDL runs in an empty scratch
database of the target engine, which is then read back by the inspector that reads the live
database. So both sides of a diff come out of one normaliser (type spelling, default text,
implied keys), and the engine itself judges the DDL.

Each source makes its statements (from a SQL file, from SQLAlchemy's ``create_all()``, from
a Prisma data model) and says what an engine's refusal of one of them means for the
person; the scratch database's life, the running and the reading back are here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from trueup.engines.base import Dialect, Session
    from trueup.errors import SchemaError
    from trueup.model import Schema
    from trueup.urls import DatabaseURL

#: What a statement was made from (an offset in a file, a table), for the error message.
Origin = TypeVar("Origin")
#: The statements to run, each with its origin, made once the scratch database is open
#: (what they say may depend on it: its server's version, where it places a schema).
Statements = Callable[["Session"], Sequence[tuple[Origin, str]]]
#: The error to raise when the engine refuses a statement: (origin, statement, error).
Rejected = Callable[[Origin, str, Exception], "SchemaError"]


@dataclass(frozen=True, slots=True)
class Normalised:
    """The declared schema as the engine made it, and the foreign keys (child table,
    parent table) the engine would refuse every write through (when asked for)."""

    schema: Schema
    unusable: list[tuple[str, str]]


def normalise(
    dialect: Dialect,
    statements: Statements[Origin],
    rejected: Rejected[Origin],
    *,
    url: DatabaseURL | None = None,
    in_place: Sequence[str] | None = None,
    reorder: bool = False,
    references: bool = False,
) -> Normalised:
    """Run ``statements`` in a scratch database of ``dialect`` and read it back.

    ``url`` is the database the schema is for (an engine with a server makes the scratch
    database there). With ``in_place`` (the declared namespaces), the scratch session is
    the database of ``url`` itself where the engine can have one (see
    :meth:`~trueup.engines.base.Dialect.scratch_in_place`). With ``reorder``, what fails
    runs again while that makes progress (a statement may name an object made further
    down a file), and the first statement that still fails is the one reported; without,
    the first to fail is. With ``references``, the unusable foreign keys are read too."""
    scratch = None
    if in_place is not None and url is not None:
        scratch = dialect.scratch_in_place(url, in_place)
    scratch = scratch or dialect.scratch(url)
    try:
        made = statements(scratch)
        if reorder:
            _run_reordered(scratch, made, rejected)
        else:
            for origin, sql in made:
                try:
                    scratch.execute(sql)
                except Exception as exc:  # the engine's own error type, whatever the engine
                    raise rejected(origin, sql, exc) from None
        schema = scratch.inspect()
        return Normalised(schema, scratch.unusable_references() if references else [])
    finally:
        scratch.close()


def _run_reordered(
    scratch: Session, statements: Sequence[tuple[Origin, str]], rejected: Rejected[Origin]
) -> None:
    pending = list(statements)
    failed: list[tuple[Origin, str, Exception]] = []
    while pending:
        failed = []
        for origin, sql in pending:
            try:
                scratch.execute(sql)
            except Exception as exc:  # the engine's own error type, whatever the engine
                failed.append((origin, sql, exc))
        if not failed or len(failed) == len(pending):
            break
        pending = [(origin, sql) for origin, sql, _ in failed]
    if failed:
        raise rejected(*failed[0])
