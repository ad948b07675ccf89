"""Where the declared schema and the database come from: the flags, the environment and
the settings file first, then what a Prisma project says (its config file, and the
schema's own datasource ``url`` for Prisma 6), then the usual places."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from trueup.config import Settings, find_schema
from trueup.errors import ConfigError, TrueupError
from trueup.urls import DatabaseURL, parse_url

if TYPE_CHECKING:
    from trueup.sources.prisma_project import PrismaProject


@dataclass(frozen=True, slots=True)
class Origin:
    """The settings (with the tables a Prisma config leaves to others added to the
    ignored ones), the schema's path, and the Prisma project when the schema is a Prisma
    schema."""

    settings: Settings
    path: str
    project: PrismaProject | None = None

    def key_files(self) -> tuple[str, ...]:
        return self.project.key_files() if self.project is not None else ()

    def options(self) -> str:
        """What besides the files shapes what a push does: the ignored tables, and the
        Prisma major the project points to."""
        out = repr(sorted(self.settings.ignore_tables))
        if self.project is not None:
            out += f"|prisma{self.project.hinted_major or ''}"
        return out


def is_prisma(path: str) -> bool:
    return path.lower().endswith(".prisma") or os.path.isdir(path)


def locate(settings: Settings) -> Origin:
    """The schema to read, and the Prisma project around it."""
    from trueup.sources.prisma_project import find_project

    if settings.schema and not is_prisma(settings.schema):
        return Origin(settings, settings.schema)  # a SQL schema: no Prisma project to read
    project = find_project(".", settings.prisma_major)
    path = settings.schema or project.schema() or find_schema(settings)
    if not is_prisma(path):
        return Origin(settings, path)
    external = tuple(_pattern(name) for name in project.external_tables())
    if external:
        settings = replace(settings, ignore_tables=(*settings.ignore_tables, *external))
    return Origin(settings, path, project)


def database(origin: Origin) -> DatabaseURL | None:
    """The database named by the settings or by the Prisma config; None when neither
    names one (a Prisma 6 schema may, in its datasource)."""
    settings = origin.settings
    if settings.url:
        return parse_url(settings.url, base_dir=url_base(settings, origin))
    project = origin.project
    url = project.url() if project is not None else None
    if url is None or project is None:
        return None
    return parse_url(url, base_dir=project.url_base(origin.path))


def no_database(origin: Origin | None) -> ConfigError:
    """The error for no database anywhere. When a Prisma schema's datasource reads its url
    from a variable that is not set, it names that variable: that is what is missing."""
    variable = _url_variable(origin.path) if origin is not None else None
    config = origin.project.config if origin and origin.project else None
    message = "No database given."
    hint = "Pass --url (for example --url file:./app.db) or set DATABASE_URL."
    if variable is not None and origin is not None:
        where = "the environment" if config is not None else "the environment or .env files"
        message = (
            f"No database given: the datasource of {origin.path} reads its url from "
            f'env("{variable}"), and {variable} is not set in {where}.'
        )
        hint = f"Set {variable}, or pass --url (or set DATABASE_URL)."
    if config is not None:
        hint += f" Or set `datasource.url` in {config.path}."
        if os.path.isfile(".env") and not config.file.env_loads:
            hint += (
                f" .env is not read: Prisma reads it only when {config.path} loads it "
                '(`import "dotenv/config";`), and so does trueup.'
            )
    return ConfigError(message, hint=hint)


def _url_variable(schema: str) -> str | None:
    if not is_prisma(schema):
        return None
    from trueup.sources.prisma import is_prisma_path, url_variable

    return url_variable(schema) if is_prisma_path(schema) else None


def url_base(settings: Settings, origin: Origin | None) -> str:
    """The folder a relative SQLite path in the settings' url is relative to: the current
    one, except for $DATABASE_URL in a Prisma 6 project whose schema takes its url from
    env("DATABASE_URL"). Prisma 6 resolves it from the schema's folder, and both must open
    the same file (Prisma 7 resolves it from the project's folder, the current one)."""
    here = os.getcwd()
    # A SQLite file's path, as written (no folder is given to resolve it against).
    path = parse_url(settings.url).path if settings.url_from_env and settings.url else None
    if not path or path == ":memory:" or os.path.isabs(path):
        return here
    if origin is None:
        try:
            origin = locate(settings)
        except TrueupError:
            return here
    if origin.project is None or origin.project.hinted_major == 7:
        return here
    from trueup.sources.prisma import env_url_folder, is_prisma_path

    schema = origin.path
    folder = env_url_folder(schema, "DATABASE_URL") if is_prisma_path(schema) else None
    return folder or here


def _pattern(name: str) -> str:
    """An ignore pattern for an external table: its name without the schema (trueup's
    patterns match table names), with glob characters taken literally."""
    table = name.split(".", 1)[1] if "." in name else name
    return "".join(f"[{c}]" if c in "*?[" else c for c in table)
