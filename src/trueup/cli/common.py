"""Options and set-up shared by the commands."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from trueup.cli.where import Origin, database, locate, no_database, url_base
from trueup.config import Settings, load_settings
from trueup.diff.renames import Renames
from trueup.errors import ConfigError
from trueup.sources.declared import Declared, SchemaWarning, Source, require_schema_file
from trueup.urls import DatabaseURL, parse_url

F = TypeVar("F", bound=Callable[..., Any])


def schema_option(fn: F) -> F:
    """``--schema``, and ``--python-path`` for a schema that is the app's models."""
    fn = click.option(
        "--python-path",
        "python_path",
        multiple=True,
        metavar="FOLDER",
        help="SQLAlchemy models: a folder to import the app from, besides the current one. "
        "Repeatable; adds to $TRUEUP_PYTHON_PATH and `python_path` in the settings.",
    )(fn)
    return click.option(
        "--schema",
        "schema",
        metavar="PATH",
        help="The declared schema: a .prisma or .sql file, or SQLAlchemy models "
        "(myapp.models:Base, myapp.models, app/models.py). Default: $TRUEUP_SCHEMA, the "
        "settings file, the Prisma config file's schema, then schema.prisma, "
        "prisma/schema.prisma, prisma/schema/ or schema.sql.",
    )(fn)


def url_option(fn: F) -> F:
    return click.option(
        "--url",
        "url",
        metavar="URL",
        help="The database. SQLite: file:./app.db, sqlite:///app.db or a path. PostgreSQL: "
        "postgresql://user:password@host:5432/db (or postgres://...), libpq options in the "
        "query string, ?schema=NAME for the default schema. Default: $DATABASE_URL, the "
        "settings file, then the Prisma config's or schema's url.",
    )(fn)


def rename_option(fn: F) -> F:
    return click.option(
        "--rename",
        "renames",
        multiple=True,
        metavar="OLD=NEW",
        help="Rename instead of drop and add: `table.old=new` for a column, `old=new` for a "
        "table (database names). Repeatable. A rename that already happened is ignored.",
    )(fn)


def ignore_table_option(fn: F) -> F:
    return click.option(
        "--ignore-table",
        "ignore_tables",
        multiple=True,
        metavar="PATTERN",
        help="Leave tables matching this glob pattern alone (never read, changed or "
        "dropped). Repeatable; adds to `ignore_tables` in the settings.",
    )(fn)


def parse_renames(values: tuple[str, ...]) -> Renames:
    """``--rename`` values: ``old=new`` renames a table, ``table.old=new`` a column."""
    tables: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    for value in values:
        old, sep, new = value.partition("=")
        old, new = old.strip(), new.strip()
        if not sep or not old or not new:
            raise ConfigError(
                f"Cannot read --rename {value!r}.",
                hint="Write --rename table.old_column=new_column for a column, or "
                "--rename old_table=new_table for a table.",
            )
        table, dot, column = old.partition(".")
        if dot:
            columns[(table, column)] = new
        else:
            tables[old] = new
    return Renames(tables, columns)


def lock_timeout_option(fn: F) -> F:
    return click.option(
        "--lock-timeout",
        type=float,
        metavar="SECONDS",
        help="How long to wait for another push on the same database (default 60).",
    )(fn)


@dataclass(frozen=True, slots=True)
class Target:
    settings: Settings
    url: DatabaseURL


def resolve_url(settings: Settings, origin: Origin | None = None) -> DatabaseURL:
    """The database the settings name (--url, $DATABASE_URL, the settings file)."""
    if not settings.url:
        raise no_database(origin)
    return parse_url(settings.url, base_dir=url_base(settings, origin))


def target(
    *,
    schema: str | None = None,
    url: str | None = None,
    lock_timeout: float | None = None,
    ignore_tables: tuple[str, ...] = (),
) -> Target:
    settings = load_settings(
        schema=schema, url=url, lock_timeout=lock_timeout, ignore_tables=ignore_tables
    )
    return target_of(settings)


def target_of(settings: Settings) -> Target:
    """The database of the settings; without one, as for a push: the Prisma config's
    ``datasource.url``, and last the url of the schema's datasource."""
    if settings.url:
        return Target(settings, resolve_url(settings))
    try:
        origin = locate(settings)
    except ConfigError:
        resolve_url(settings)  # raises "No database given", the error that fits
        raise
    found = database(origin)
    if found is not None:
        return Target(settings, found)
    return _load_with_own_url(origin)[0]


def describe_database(url: DatabaseURL) -> str:
    from trueup.engines import find_engine

    found = find_engine(url.engine)
    if found.capabilities.file_database:
        return f"{found.label} database {url.path}"
    return f"{url.engine} database {url.redacted()}"


def warn_if_missing(url: DatabaseURL) -> None:
    """For a look at a database without changing it (a diff, a dry run): say so when the
    database does not exist, rather than show a plan that silently adds everything (a
    mistyped path looks just like that). On stderr: stdout may be SQL or JSON."""
    from trueup.engines import find_engine

    found = find_engine(url.engine)
    # Only a database that is a file can be told missing without a server.
    if found.dialect().database_missing(url):
        click.echo(
            click.style("Warning: ", fg="yellow", bold=True)
            + f"The {found.label} database file {os.path.abspath(url.path or '')} does not "
            "exist: the plan is for an empty database, and a push creates it.",
            err=True,
        )


def created_line(url: DatabaseURL) -> str:
    """What a push that made the database says about it."""
    from trueup.engines import find_engine

    if find_engine(url.engine).capabilities.file_database:
        return f"Created the database file {os.path.abspath(url.path or '')}."
    return f"Created the {url.engine} database {url.redacted()}."


def report_warnings(declared: Declared) -> None:
    """The declared schema's warnings, on stderr (stdout may be JSON or the app's own)."""
    for warning in declared.warnings:
        click.echo(click.style("Warning: ", fg="yellow", bold=True) + str(warning), err=True)


def warnings_data(warnings: tuple[SchemaWarning, ...]) -> list[dict[str, str | int | None]]:
    return [w.to_data() for w in warnings]


def find_target(
    *,
    schema: str | None = None,
    url: str | None = None,
    lock_timeout: float | None = None,
    ignore_tables: tuple[str, ...] = (),
    python_path: tuple[str, ...] = (),
    on_load: Callable[[Declared], None] | None = None,
) -> tuple[Target, Source]:
    """The database and the declared schema, read only when a push needs it (see
    ``Source``; ``on_load`` is called with it once it is read). A schema that names its
    own database (a Prisma 6 datasource url) is read here, to find the database."""
    origin = locate(
        load_settings(
            schema=schema,
            url=url,
            lock_timeout=lock_timeout,
            ignore_tables=ignore_tables,
            python_path=python_path,
        )
    )
    require_schema_file(origin.path)
    settings, ignore = origin.settings, origin.settings.ignore()

    def source(db: DatabaseURL) -> Source:
        return Source(
            origin.path,
            db.engine,
            ignore,
            origin.options(),
            db,
            on_load,
            project=origin.project,
            extra_files=origin.key_files(),
            python_path=settings.python_path,
        )

    db = database(origin)
    if db is not None:
        return Target(settings, db), source(db)
    t, declared = _load_with_own_url(origin)
    loaded = source(t.url)
    loaded._loaded = declared
    if on_load is not None:
        on_load(declared)
    return t, loaded


def load_target(
    *,
    schema: str | None = None,
    url: str | None = None,
    lock_timeout: float | None = None,
    ignore_tables: tuple[str, ...] = (),
    python_path: tuple[str, ...] = (),
) -> tuple[Target, Declared]:
    """The database and the declared schema. The database is --url, $DATABASE_URL or the
    settings file, then a Prisma config's ``datasource.url``, and last the schema's own
    datasource url (Prisma 6's ``url``)."""
    from trueup.sources import load_schema

    origin = locate(
        load_settings(
            schema=schema,
            url=url,
            lock_timeout=lock_timeout,
            ignore_tables=ignore_tables,
            python_path=python_path,
        )
    )
    db = database(origin)
    if db is None:
        return _load_with_own_url(origin)
    declared = load_schema(
        origin.path,
        db.engine,
        ignore=origin.settings.ignore(),
        url=db,
        project=origin.project,
        python_path=origin.settings.python_path,
    )
    return Target(origin.settings, db), declared


def _load_with_own_url(origin: Origin) -> tuple[Target, Declared]:
    """The schema, read to find the database in its own datasource ``url``."""
    from trueup.sources import load_schema

    ignore = origin.settings.ignore()
    declared = load_schema(
        origin.path,
        None,
        ignore=ignore,
        project=origin.project,
        python_path=origin.settings.python_path,
    )
    if not declared.url:
        raise no_database(origin)
    return Target(origin.settings, parse_url(declared.url, base_dir=os.getcwd())), declared


def collect_cycles() -> None:
    """Turn Python's cycle collector back on for work that runs long and makes objects as
    it goes (the ``trueup`` command starts with it off: trueup/__main__.py). What was made
    before stays out of its passes."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
