"""Models into the model: the DDL SQLAlchemy makes for them runs in a scratch database of
the target engine, which is then inspected like the live one (see
:mod:`trueup.sources.scratch`, the road of every declared source)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from trueup.errors import SchemaError
from trueup.sources.declared import Declared, SchemaWarning
from trueup.sources.scratch import normalise
from trueup.sources.sqlalchemy.compile import Compiled, create_ddl
from trueup.sources.sqlalchemy.renames import rename_hints

if TYPE_CHECKING:
    from trueup.diff.renames import Renames
    from trueup.engines.base import Session
    from trueup.steps import DataStep
    from trueup.urls import DatabaseURL

#: Kinds of object that plain metadata never makes: when its DDL (DDL events included)
#: makes none of a kind, a push leaves the database's own as they are.
_OPTIONAL_KINDS = ("views", "triggers", "virtual_tables")


def load_metadata(
    metadata: Any,
    name: str,
    engine: str | None,
    *,
    ignore: Callable[[str], bool] | None = None,
    url: DatabaseURL | None = None,
    steps_folder: str | None = None,
) -> Declared:
    """The declared schema of ``metadata`` (called ``name`` in messages and the history)
    for ``engine`` (default: :func:`~trueup.engines.default_engine`); the data
    steps are in ``steps_folder``."""
    from trueup.engines import default_engine, get_dialect

    dialect = get_dialect(engine or default_engine(), ignore=ignore)
    renames = rename_hints(metadata)
    made: list[Compiled] = []

    def statements(scratch: Session) -> tuple[tuple[str | None, str], ...]:
        # For the server the scratch database is on: SQLAlchemy writes some DDL by version.
        version = dialect.source_hooks.server_version(scratch)
        made.append(create_ddl(metadata, dialect.name, version))
        return made[0].statements

    def rejected(table: str | None, statement: str, error: Exception) -> SchemaError:
        located = dialect.locate_error(statement, error)
        what = f"the table {table}" if table else "the statement"
        shown = "\n".join("    " + line for line in statement.splitlines())
        return SchemaError(
            f"{dialect.label} rejected the DDL SQLAlchemy makes for {what}: "
            f"{located.message}\n{shown}",
            hint="metadata.create_all() would fail the same way. Nothing was changed.",
        )

    normalised = normalise(dialect, statements, rejected, url=url, references=True)
    schema, unusable, compiled = normalised.schema, normalised.unusable, made[0]
    if unusable:
        child, parent = unusable[0]
        raise SchemaError(
            f"The table {child} has a foreign key to {parent}, which the models do not make "
            "(or whose columns are neither its primary key nor unique).",
            hint="Add the table to the same metadata, or reference a unique key. Nothing was "
            "changed.",
        )
    steps = read_steps_in(steps_folder)
    unmanaged = frozenset(kind for kind in _OPTIONAL_KINDS if not getattr(schema, kind))
    return Declared(
        schema=schema,
        path=name,
        renames=renames,
        source_hash=models_hash(create_ddl(metadata, dialect.name), renames, steps),
        steps=steps,
        unmanaged=unmanaged,
        warnings=tuple(SchemaWarning(f"SQLAlchemy: {w}") for w in compiled.warnings),
    )


def models_hash(compiled: Compiled, renames: Renames, steps: Sequence[DataStep]) -> str:
    """What the models declare, as a hash: their DDL (as made for a fixed server version),
    their rename hints and data steps. It changes when the models do, however they are
    written or wherever they come from."""
    # Sorted: create_all() makes a table's indexes in the order of a set, which changes
    # from process to process; the same statements are the same schema.
    digest = hashlib.sha256("\0".join(sorted(sql for _, sql in compiled.statements)).encode())
    digest.update(repr(sorted(renames.tables.items())).encode())
    digest.update(repr(sorted(renames.columns.items())).encode())
    for step in steps:
        digest.update(f"\0{step.name}\0{step.hash}".encode())
    return "sha256:" + digest.hexdigest()


def read_steps_in(folder: str | None) -> tuple[DataStep, ...]:
    from trueup.steps import read_steps

    return read_steps(folder) if folder else ()
