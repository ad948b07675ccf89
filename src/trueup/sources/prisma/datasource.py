"""The ``datasource`` block: which engine (provider), the database URL and the options that
change the database (``relationMode``, ``schemas``). Generators are read and left alone."""

from __future__ import annotations

import os

from trueup.sources.prisma.datamodel import POSTGRESQL, SQLITE, Datasource
from trueup.sources.prisma.extensions import read_extensions
from trueup.sources.prisma.source import fail
from trueup.sources.prisma.syntax import Array, Call, Document, Expr, Str

_PROVIDERS = {"sqlite": SQLITE, "postgresql": POSTGRESQL, "postgres": POSTGRESQL}
_OTHER_PROVIDERS = ("mysql", "sqlserver", "mongodb", "cockroachdb")
_DATASOURCE_KEYS = {
    "provider",
    "url",
    "directUrl",
    "shadowDatabaseUrl",
    "relationMode",
    "referentialIntegrity",
    "schemas",
    "extensions",
}
_RELATION_MODES = ("foreignKeys", "prisma")


def read_datasource(doc: Document, environ: dict[str, str] | os._Environ[str]) -> Datasource:
    sources = doc.configs("datasource")
    if not sources:
        files = sorted({b.pos.source.path for b in doc.blocks})
        what = "The schema has no datasource block"
        if len(files) == 1:
            what = f"{files[0]} has no datasource block"
        elif files:
            shown = ", ".join(files[:3]) + (", …" if len(files) > 3 else "")
            what = f"No file of the schema ({shown}) has a datasource block"
        raise fail(
            None,
            f"{what}, so trueup cannot tell which database it is for.",
            hint='Add one, e.g. datasource db {\n  provider = "sqlite"\n}',
        )
    if len(sources) > 1:
        raise fail(
            sources[1].pos,
            "You defined more than one datasource. Prisma supports exactly one.",
        )
    ds = sources[0]
    for prop in ds.properties:
        if prop.key not in _DATASOURCE_KEYS:
            raise fail(prop.pos, f'Property not known: "{prop.key}".')
    seen: set[str] = set()
    for prop in ds.properties:
        if prop.key in seen:
            raise fail(prop.pos, f'Key "{prop.key}" is already defined in datasource "{ds.name}".')
        seen.add(prop.key)

    provider_prop = ds.get("provider")
    if provider_prop is None:
        raise fail(ds.pos, f'The datasource "{ds.name}" has no `provider`.')
    if not isinstance(provider_prop.value, Str):
        raise fail(provider_prop.value.pos, 'The provider must be a string, like "sqlite".')
    name = provider_prop.value.value
    if name in _OTHER_PROVIDERS:
        raise fail(
            provider_prop.value.pos,
            f'trueup does not manage "{name}" databases: the provider must be "sqlite" or '
            '"postgresql".',
        )
    if name not in _PROVIDERS:
        raise fail(provider_prop.value.pos, f'Datasource provider not known: "{name}".')
    provider = _PROVIDERS[name]

    mode = "foreignKeys"
    for key in ("relationMode", "referentialIntegrity"):
        mode_prop = ds.get(key)
        if mode_prop is None:
            continue
        value = mode_prop.value
        if not isinstance(value, Str) or value.value not in _RELATION_MODES:
            raise fail(value.pos, f'Invalid {key}: expected "foreignKeys" or "prisma".')
        mode = value.value

    schemas: tuple[str, ...] = ()
    schemas_prop = ds.get("schemas")
    if schemas_prop is not None:
        listed = schemas_prop.value
        if provider != POSTGRESQL:
            raise fail(schemas_prop.pos, f"The `schemas` property is not supported on {provider}.")
        if not isinstance(listed, Array) or not all(isinstance(i, Str) for i in listed.items):
            raise fail(listed.pos, 'Expected a list of schema names, like ["public"].')
        schemas = tuple(i.value for i in listed.items if isinstance(i, Str))
        if not schemas:
            raise fail(listed.pos, "The `schemas` list must not be empty.")
    ext_prop = ds.get("extensions")
    if ext_prop is not None and provider != POSTGRESQL:
        raise fail(ext_prop.pos, f"The `extensions` property is not supported on {provider}.")
    extensions = read_extensions(ext_prop, doc) if ext_prop is not None else ()

    url = None
    url_prop = ds.get("url")
    if url_prop is not None:
        url = _url(url_prop.value, provider, environ)
        if url is not None and provider == SQLITE:
            url = _resolve_sqlite(url, os.path.dirname(url_prop.pos.source.path))
    for config in doc.configs("generator"):
        if config.get("provider") is None:
            raise fail(
                config.pos, f'Argument "provider" is missing in generator block "{config.name}".'
            )
    return Datasource(provider, url, mode, schemas, ds.pos, extensions)


def _url(value: Expr, provider: str, environ: dict[str, str] | os._Environ[str]) -> str | None:
    if isinstance(value, Call) and value.name == "env":
        arg = value.args[0].value if len(value.args) == 1 else None
        if not isinstance(arg, Str) or value.args[0].name is not None:
            raise fail(value.pos, 'env() takes the name of one variable: env("DATABASE_URL").')
        # An unset variable is no error here: the URL is only the last place trueup looks.
        return environ.get(arg.value) or None
    if not isinstance(value, Str):
        raise fail(value.pos, 'The url must be a string or env("NAME").')
    if provider == SQLITE and not value.value.startswith("file:"):
        raise fail(
            value.pos,
            "Error validating datasource `url`: the URL must start with the protocol `file:`.",
        )
    if provider == POSTGRESQL and not value.value.startswith(("postgresql://", "postgres://")):
        raise fail(
            value.pos,
            "Error validating datasource `url`: the URL must start with the protocol "
            "`postgresql://` or `postgres://`.",
        )
    return value.value


def _resolve_sqlite(url: str, folder: str) -> str:
    """A relative ``file:`` path is relative to the schema file's folder, as in Prisma 6."""
    if not url.startswith("file:"):
        return url
    rest = url[len("file:") :]
    path, sep, query = rest.partition("?")
    if not path or path.startswith(("/", ":memory:")) or os.path.isabs(path):
        return url
    resolved = os.path.normpath(os.path.join(os.path.abspath(folder or "."), path))
    return "file:" + resolved + sep + query
