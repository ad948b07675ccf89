"""What a declared schema gives a push: the desired model, the rename hints, and where it
came from."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trueup.diff.renames import NO_RENAMES, Renames
from trueup.errors import ConfigError, Location

if TYPE_CHECKING:
    from trueup.model import Schema
    from trueup.sources.prisma_project import PrismaProject
    from trueup.steps import DataStep
    from trueup.urls import DatabaseURL


@dataclass(frozen=True, slots=True)
class SchemaWarning:
    """Something the schema's own tool accepts but advises against (Prisma's schema
    warnings): the database is made as declared, and the person is told. ``location`` is
    where it is, when known."""

    message: str
    location: Location | None = None

    def __str__(self) -> str:
        return f"{self.location}: warning: {self.message}" if self.location else self.message

    def to_data(self) -> dict[str, str | int | None]:
        where = self.location
        return {
            "message": self.message,
            "path": where.path if where else None,
            "line": where.line if where else None,
            "column": where.column if where else None,
        }


@dataclass(frozen=True, slots=True)
class Declared:
    """``url`` is the database URL the schema names itself (a Prisma datasource's ``url``,
    with ``env()`` read and a relative ``file:`` path made absolute): the last place to
    look for the database when none is given."""

    schema: Schema
    path: str
    renames: Renames = field(default=NO_RENAMES)
    url: str | None = None
    #: The hash of the schema's files and its data steps: what was declared, byte for byte.
    source_hash: str | None = None
    steps: tuple[DataStep, ...] = ()
    #: Kinds of object the source cannot declare ("views", "triggers", "virtual_tables",
    #: "checks", "namespaces": empty ones): a push leaves the database's own as they are.
    unmanaged: frozenset[str] = frozenset()
    #: Columns (schema, table, column) whose default the source leaves to the database
    #: (Prisma's ``@default(dbgenerated())`` without SQL): a push keeps the one it finds.
    kept_defaults: frozenset[tuple[str | None, str, str]] = frozenset()
    #: Columns (schema, table, column) whose default the client makes, with nothing in the
    #: database (Prisma's ``@default(uuid())``, ``cuid()``, ...): the checks' advice for
    #: such a column added as required is Prisma's.
    client_defaults: frozenset[tuple[str | None, str, str]] = frozenset()
    #: What the schema's checks advise against but accept, in the order of the files.
    warnings: tuple[SchemaWarning, ...] = ()


@dataclass
class Source:
    """A declared schema not read yet. Its ``key`` (a hash of its files, its data steps and
    the options that change what a push does) is cheap; a push on a database that trueup
    left in sync with that very key needs nothing more (see :func:`trueup.push.push`).
    Reading and normalising the schema happens only in ``load``."""

    path: str
    engine: str | None = None
    ignore: Callable[[str], bool] | None = None
    options: str = ""  # what else shapes the outcome: ignore patterns, rename options
    url: DatabaseURL | None = None  # the database it is for (a scratch database's server)
    #: Called once with the schema when it is read (to report its warnings as it is).
    on_load: Callable[[Declared], None] | None = None
    #: The Prisma project around a Prisma schema (its config file, its major).
    project: PrismaProject | None = None
    #: Files besides the schema that change what a push does (a Prisma config file and the
    #: .env files it loads): part of the key, not of the schema's hash.
    extra_files: tuple[str, ...] = ()
    #: Folders the app's models are imported from, besides the current one (models only).
    python_path: tuple[str, ...] = ()
    _loaded: Declared | None = None

    def key(self) -> str:
        from trueup.sources.registry import files_key, locate, unlocated_files

        found = locate(self.path)
        if found is None:  # reading it fails; until then, it has a key like any file
            return files_key(self, unlocated_files(self.path))
        return found[0].key(self)

    @property
    def warnings(self) -> tuple[SchemaWarning, ...]:
        """The schema's warnings once it is read; none before (a push that finds the
        database in sync the quick way never reads it)."""
        return self._loaded.warnings if self._loaded is not None else ()

    def load(self) -> Declared:
        if self._loaded is None:
            self._loaded = _read(self)
            if self.on_load is not None:
                self.on_load(self._loaded)
        return self._loaded


def load_schema(
    path: str,
    engine: str | None = None,
    *,
    ignore: Callable[[str], bool] | None = None,
    url: DatabaseURL | None = None,
    project: PrismaProject | None = None,
    python_path: Sequence[str] = (),
) -> Declared:
    """Read the schema at ``path`` for the engine of the target database (None: the one
    the schema names itself, else the default engine). Tables matched by ``ignore`` are
    left out, as they are on the live side. The data steps beside the schema (see
    :mod:`trueup.steps`) come with it. A Prisma schema is read by the rules of the Prisma
    major of ``project`` (by default, the project of the working directory).

    ``path`` names a schema file, or a folder of Prisma files, or SQLAlchemy models
    (``myapp.models:Base``, ``myapp.models``, ``app/models.py``): the app is imported,
    from the current folder and ``python_path`` (see :mod:`trueup.sources.sqlalchemy`).
    Each kind of schema is read by its module (see :mod:`trueup.sources.registry`)."""
    source = Source(path, engine, ignore, url=url, project=project, python_path=tuple(python_path))
    return _read(source)


def names_models(path: str) -> bool:
    """Whether ``path`` names SQLAlchemy models rather than a schema file. Told from the
    text: the other sources' paths never load the models' code."""
    from trueup.sources.sqlalchemy.spec import is_models_spec

    return is_models_spec(path)


def require_schema_file(path: str) -> None:
    """Refuse a schema path that names nothing (the file, or a multi-file folder)."""
    if os.path.exists(path):
        return
    from trueup.sources.registry import locate

    found = locate(path)
    if found is None or found[1]:  # a schema of files, without them
        raise ConfigError(
            f"The schema file {path} does not exist.",
            hint="Pass --schema PATH, or put the schema in schema.sql (or prisma/schema.prisma).",
        )


def _read(source: Source) -> Declared:
    from trueup.sources.registry import described, locate

    found = locate(source.path)
    if found is not None and not found[1]:  # not files: nothing to find on disk
        return found[0].load(source)
    require_schema_file(source.path)
    if found is not None:
        return found[0].load(source)
    if os.path.isdir(source.path):
        raise ConfigError(
            f"The schema path {source.path} is a folder with no .prisma files; name the "
            "schema file itself."
        )
    raise ConfigError(
        f"trueup cannot read {source.path}: it reads {described()}.",
        hint="Name a .sql file containing CREATE TABLE / CREATE INDEX / CREATE VIEW / "
        "CREATE TRIGGER statements.",
    )
