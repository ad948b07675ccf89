"""The Prisma schema front end: ``schema.prisma`` (or a folder of ``.prisma`` files) to
the database ``prisma db push`` would make.

The steps, each its own module: :mod:`.parser` (text to a syntax tree with positions, by
Prisma's grammar: :mod:`.terminals`, :mod:`.reader`, :mod:`.expressions`),
:mod:`.validate` (Prisma's checks, for Prisma 6 or 7; the tree to a data model with
database names), :mod:`.lower` (the data model to trueup's neutral schema for one engine) and
:mod:`.normalize` (through the engine itself, like the live side).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from trueup.errors import SchemaError, TrueupError
from trueup.model import Schema
from trueup.sources.declared import Declared
from trueup.sources.kinds.prisma import folder_files, is_prisma_path
from trueup.sources.prisma.datamodel import DataModel, Default
from trueup.sources.prisma.datasource import URL_KEYS
from trueup.sources.prisma.lower import lower
from trueup.sources.prisma.normalize import normalize
from trueup.sources.prisma.parser import parse_file
from trueup.sources.prisma.renames import rename_hints
from trueup.sources.prisma.source import SourceFile, fail
from trueup.sources.prisma.syntax import Block, Call, Document, Str
from trueup.sources.prisma.validate import validate

__all__ = [
    "is_prisma_path",
    "load_prisma",
    "parse",
    "prisma_major",
    "read_data_model",
    "schema_for",
]

#: Prisma makes a schema of the datasource's `schemas` only when a model or enum is in it.
UNMANAGED = frozenset({"views", "triggers", "virtual_tables", "checks", "sequences", "namespaces"})


def read_sources(path: str) -> list[SourceFile]:
    paths = folder_files(path) if os.path.isdir(path) else [path]
    sources = []
    for p in paths:
        try:
            with open(p, encoding="utf-8", newline="") as f:
                sources.append(SourceFile(p, f.read()))
        except UnicodeDecodeError as exc:
            raise SchemaError(f"{p} is not UTF-8 text ({exc.reason}).") from exc
        except OSError as exc:
            raise SchemaError(f"Cannot read {p}: {exc.strerror}.") from exc
    return sources


def url_variable(path: str) -> str | None:
    """The variable the datasource's ``url`` reads (``env("NAME")``) in the Prisma schema
    at ``path``; None when it reads none (or the schema cannot be read)."""
    try:
        doc = parse(read_sources(path))
    except TrueupError:
        return None
    for config in doc.configs("datasource"):
        prop = config.get("url")
        if prop is not None and isinstance(prop.value, Call) and prop.value.name == "env":
            args = prop.value.args
            if len(args) == 1 and isinstance(args[0].value, Str):
                return args[0].value.value
    return None


def env_url_folder(path: str, variable: str) -> str | None:
    """The folder of the file whose datasource takes its ``url`` from ``env(variable)`` in
    the Prisma schema at ``path``, where Prisma resolves a relative SQLite path in that
    variable; None when the datasource does not (or the schema cannot be read: its errors
    are reported when it is loaded)."""
    try:
        doc = parse(read_sources(path))
    except TrueupError:
        return None
    for config in doc.configs("datasource"):
        prop = config.get("url")
        if prop is None or not isinstance(prop.value, Call) or prop.value.name != "env":
            continue
        args = prop.value.args
        if len(args) == 1 and isinstance(args[0].value, Str) and args[0].value.value == variable:
            return os.path.dirname(os.path.abspath(prop.pos.source.path))
    return None


def parse(sources: list[SourceFile]) -> Document:
    """All files of one schema as one document (Prisma reads a folder as one schema)."""
    blocks: list[Block] = []
    for source in sources:
        blocks.extend(parse_file(source))
    return Document(tuple(blocks))


def read_data_model(
    sources: list[SourceFile],
    environ: Mapping[str, str] | None = None,
    *,
    major: int | None = None,
) -> tuple[Document, DataModel]:
    """The syntax tree and the data model of ``sources``, by the rules of Prisma ``major``
    (6 or 7; None: the one the schema itself shows, see :func:`prisma_major`)."""
    doc = parse(sources)
    return doc, validate(doc, environ, major=prisma_major(doc) if major is None else major)


def prisma_major(doc: Document) -> int:
    """The Prisma major a schema is written for when nothing else says: 6 when its
    datasource names a connection URL (Prisma 7 refuses them all, so the schema cannot be
    for 7), else 7, the current one."""
    for config in doc.configs("datasource"):
        if any(config.get(key) is not None for key in URL_KEYS):
            return 6
    return 7


def schema_for(data: DataModel, url: str | None = None) -> Schema:
    """The schema the database should have, normalised by the engine itself the way the
    live side is (see :mod:`.normalize`). An engine whose scratch databases are made on a
    server makes one on the server of ``url`` (else of $TRUEUP_SCRATCH_URL or
    $DATABASE_URL, when it is one of that engine's); with no server known, the model is
    the lowering alone (reading a schema needs no server; comparing it with a database
    does, and then the database's URL is known)."""
    from trueup.engines import get_dialect
    from trueup.urls import parse_url

    schema = lower(data)
    dialect = get_dialect(data.datasource.provider)
    if not dialect.source_hooks.scratch_needs_server:
        return normalize(schema, data)
    server = url or _scratch_server(dialect.name)
    if server is None:
        return schema
    return normalize(schema, data, parse_url(server))


def _scratch_server(engine: str) -> str | None:
    from trueup.urls import parse_url

    for name in ("TRUEUP_SCRATCH_URL", "DATABASE_URL"):
        value = os.environ.get(name, "").strip()
        try:
            if value and parse_url(value).engine == engine:
                return value
        except TrueupError:
            continue  # not a URL: not a server for this
    return None


def load_prisma(
    path: str,
    engine: str | None = None,
    *,
    ignore: Callable[[str], bool] | None = None,
    environ: Mapping[str, str] | None = None,
    url: str | None = None,
    major: int | None = None,
) -> Declared:
    """Read a Prisma schema (a file or a folder of them) for ``engine`` (the engine of the
    target database; None takes the schema's provider). ``url`` is that database (where the
    schema is normalised, on an engine with a server). ``major`` is the Prisma major whose
    rules apply (6 or 7, as the project's config or package says); None takes the one the
    schema shows (:func:`prisma_major`)."""
    sources = read_sources(path)
    if environ is None:
        from trueup.sources.prisma.envfiles import environment

        environ = environment(path)
    doc, data = read_data_model(sources, environ, major=major)
    provider = data.datasource.provider
    if engine is not None and engine != provider:
        raise fail(
            data.datasource.pos,
            f"The schema's datasource is for {provider}, but the database is {engine}.",
            hint="Point --url at a database of the schema's provider, or change the provider.",
        )
    schema = schema_for(data, url)
    if ignore is not None:
        schema = Schema(
            tables=tuple(t for t in schema.tables if not ignore(t.name)),
            views=schema.views,
            triggers=tuple(t for t in schema.triggers if not ignore(t.table)),
            virtual_tables=schema.virtual_tables,
            enums=schema.enums,
            namespaces=schema.namespaces,
            extensions=schema.extensions,
        )
    return Declared(
        schema=schema,
        path=path,
        renames=rename_hints(doc, data),
        url=data.datasource.url,
        # Prisma cannot declare these: a push leaves the database's own alone, as Prisma's.
        unmanaged=UNMANAGED,
        kept_defaults=kept_defaults(data, schema),
        client_defaults=_columns(data, schema, lambda d: d.kind == "client"),
        warnings=data.warnings,
    )


def kept_defaults(data: DataModel, schema: Schema) -> frozenset[tuple[str | None, str, str]]:
    """The columns declared ``@default(dbgenerated())`` without SQL, as (schema, table,
    column) of ``schema``: Prisma takes any default the database has for them as in sync,
    and creates them with none."""
    return _columns(data, schema, lambda d: d.kind == "dbgenerated" and d.sql is None)


def _columns(
    data: DataModel, schema: Schema, default: Callable[[Default], bool]
) -> frozenset[tuple[str | None, str, str]]:
    """The columns whose ``@default`` passes ``default``, as (schema, table, column) of
    ``schema``."""
    out: set[tuple[str | None, str, str]] = set()
    for model in data.models:
        columns = [f.db_name for f in model.fields if f.default is not None and default(f.default)]
        if model.is_view or not columns:
            continue
        # The default schema's tables carry no schema name once normalised.
        tables = [t for t in schema.tables if t.name == model.db_name]
        table = next((t for t in tables if t.schema == model.schema), None) or next(
            (t for t in tables if t.schema is None), None
        )
        if table is not None:
            out.update((table.schema, table.name, c) for c in columns)
    return frozenset(out)
