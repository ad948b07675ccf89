"""Options and set-up shared by the commands."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from trueup.config import Settings, find_schema, load_settings
from trueup.diff.renames import Renames
from trueup.errors import ConfigError
from trueup.sources.declared import Declared, SchemaWarning, Source, require_schema_file
from trueup.urls import DatabaseURL, parse_url

F = TypeVar("F", bound=Callable[..., Any])


def schema_option(fn: F) -> F:
    return click.option(
        "--schema",
        "schema",
        metavar="PATH",
        help="The declared schema (default: $TRUEUP_SCHEMA, the settings file, then "
        "prisma/schema.prisma, schema.prisma or schema.sql).",
    )(fn)


def url_option(fn: F) -> F:
    return click.option(
        "--url",
        "url",
        metavar="URL",
        help="The database. SQLite: file:./app.db, sqlite:///app.db or a path. PostgreSQL: "
        "postgresql://user:password@host:5432/db (or postgres://...), libpq options in the "
        "query string, ?schema=NAME for the default schema. Default: $DATABASE_URL, then the "
        "settings file.",
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


def resolve_url(settings: Settings) -> DatabaseURL:
    if not settings.url:
        raise ConfigError(
            "No database given.",
            hint="Pass --url (for example --url file:./app.db) or set DATABASE_URL.",
        )
    return parse_url(settings.url, base_dir=_url_base(settings))


def no_database(schema: str) -> ConfigError:
    """The error for no database anywhere, when the declared schema at ``schema`` names
    none either: it names the variable a Prisma datasource reads, when that is what is
    missing."""
    from trueup.sources.prisma import is_prisma_path, url_variable

    variable = url_variable(schema) if is_prisma_path(schema) else None
    if variable is None:
        return ConfigError(
            "No database given.",
            hint="Pass --url (for example --url file:./app.db) or set DATABASE_URL.",
        )
    return ConfigError(
        f'No database given: the datasource of {schema} reads its url from env("{variable}"), '
        f"and {variable} is not set (in the environment or the project's .env files).",
        hint=f"Set {variable}, or pass --url (or set DATABASE_URL).",
    )


def _url_base(settings: Settings) -> str:
    """The folder a relative SQLite path in the url is relative to: the current one, except
    for $DATABASE_URL when the Prisma schema takes its url from env("DATABASE_URL"). Prisma
    (up to 6.x) resolves it from the schema's folder, and both must open the same file."""
    here = os.getcwd()
    # A SQLite file's path, as written (no folder is given to resolve it against).
    path = parse_url(settings.url).path if settings.url_from_env and settings.url else None
    if not path or path == ":memory:" or os.path.isabs(path):
        return here
    try:
        schema = find_schema(settings)
    except ConfigError:
        return here
    from trueup.sources.prisma import env_url_folder, is_prisma_path

    folder = env_url_folder(schema, "DATABASE_URL") if is_prisma_path(schema) else None
    return folder or here


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
    return Target(settings, resolve_url(settings))


def describe_database(url: DatabaseURL) -> str:
    if url.engine == "sqlite":
        return f"SQLite database {url.path}"
    return f"{url.engine} database {url.redacted()}"


def warn_if_missing(url: DatabaseURL) -> None:
    """For a look at a database without changing it (a diff, a dry run): say so when the
    database does not exist, rather than show a plan that silently adds everything (a
    mistyped path looks just like that). On stderr: stdout may be SQL or JSON."""
    from trueup.dialects import get_dialect

    if get_dialect(url.engine).database_missing(url):
        click.echo(
            click.style("Warning: ", fg="yellow", bold=True)
            + f"The SQLite database file {os.path.abspath(url.path or '')} does not exist: "
            "the plan is for an empty database, and a push creates it.",
            err=True,
        )


def created_line(url: DatabaseURL) -> str:
    """What a push that made the database says about it."""
    if url.engine == "sqlite":
        return f"Created the database file {os.path.abspath(url.path or '')}."
    return f"Created the {url.engine} database {url.redacted()}."


def schema_path(settings: Settings) -> str:
    return find_schema(settings)


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
    on_load: Callable[[Declared], None] | None = None,
) -> tuple[Target, Source]:
    """The database and the declared schema, read only when a push needs it (see
    ``Source``; ``on_load`` is called with it once it is read). A schema that names its
    own database (a Prisma datasource url) is read here, to find the database."""
    settings = load_settings(
        schema=schema, url=url, lock_timeout=lock_timeout, ignore_tables=ignore_tables
    )
    path = schema_path(settings)
    require_schema_file(path)
    ignore = settings.ignore()
    options = repr(sorted(settings.ignore_tables))
    if settings.url:
        db = resolve_url(settings)
        return Target(settings, db), Source(path, db.engine, ignore, options, db, on_load)
    t, declared = load_target(
        schema=schema, url=url, lock_timeout=lock_timeout, ignore_tables=ignore_tables
    )
    source = Source(path, t.url.engine, ignore, options, t.url, on_load)
    source._loaded = declared
    if on_load is not None:
        on_load(declared)
    return t, source


def load_target(
    *,
    schema: str | None = None,
    url: str | None = None,
    lock_timeout: float | None = None,
    ignore_tables: tuple[str, ...] = (),
) -> tuple[Target, Declared]:
    """The database and the declared schema. The database is --url, $DATABASE_URL or the
    settings file, and last the schema's own datasource url (Prisma's ``url``)."""
    from trueup.sources import load_schema

    settings = load_settings(
        schema=schema, url=url, lock_timeout=lock_timeout, ignore_tables=ignore_tables
    )
    path = schema_path(settings)
    ignore = settings.ignore()
    if settings.url:
        db = resolve_url(settings)
        return Target(settings, db), load_schema(path, db.engine, ignore=ignore, url=db)
    declared = load_schema(path, None, ignore=ignore)
    if not declared.url:
        raise no_database(path)
    return Target(settings, parse_url(declared.url, base_dir=os.getcwd())), declared


def collect_cycles() -> None:
    """Turn Python's cycle collector back on for work that runs long and makes objects as
    it goes (the ``trueup`` command starts with it off: trueup/__main__.py). What was made
    before stays out of its passes."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
