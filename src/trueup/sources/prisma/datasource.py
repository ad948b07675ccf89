"""The ``datasource`` block: which engine (provider), the database URL and the options that
change the database (``relationMode``, ``schemas``). Generators are read and left alone."""

from __future__ import annotations

import os

from trueup.sources.prisma.attributes import mismatch
from trueup.sources.prisma.datamodel import POSTGRESQL, SQLITE, Datasource
from trueup.sources.prisma.extensions import read_extensions
from trueup.sources.prisma.source import fail
from trueup.sources.prisma.syntax import Array, Call, Config, Document, Expr, Str

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


#: The connection URLs Prisma 7 takes from prisma.config.ts only, with its words for each.
_MOVED_TO_CONFIG = {
    "url": "Move connection URLs for Migrate to `prisma.config.ts` and pass either `adapter` "
    "for a direct database connection or `accelerateUrl` for Accelerate to the "
    "`PrismaClient` constructor. See https://pris.ly/d/config-datasource and "
    "https://pris.ly/d/prisma7-client-config",
    "directUrl": "Move connection URLs to `prisma.config.ts`. See "
    "https://pris.ly/d/config-datasource",
    "shadowDatabaseUrl": "Move connection URLs to `prisma.config.ts`. See "
    "https://pris.ly/d/config-datasource",
}
URL_KEYS = tuple(_MOVED_TO_CONFIG)


def read_datasource(
    doc: Document, environ: dict[str, str] | os._Environ[str], *, major: int = 7
) -> Datasource:
    ds = _the_datasource(doc)
    _check_properties(ds, major)
    provider = _provider(ds)
    mode = _relation_mode(ds)
    schemas: tuple[str, ...] = ()
    schemas_prop = ds.get("schemas")
    if schemas_prop is not None:
        listed = schemas_prop.value
        if provider != POSTGRESQL:
            raise fail(schemas_prop.pos, f"The `schemas` property is not supported on {provider}.")
        schemas = _schema_names(listed)
    ext_prop = ds.get("extensions")
    if ext_prop is not None and provider != POSTGRESQL:
        raise fail(ext_prop.pos, f"The `extensions` property is not supported on {provider}.")
    extensions = read_extensions(ext_prop, doc) if ext_prop is not None else ()
    url = _datasource_url(ds, provider, environ)
    return Datasource(provider, url, mode, schemas, ds.pos, extensions)


def _the_datasource(doc: Document) -> Config:
    """The schema's one datasource block."""
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
    return sources[0]


def _check_properties(ds: Config, major: int) -> None:
    """The block's properties as Prisma checks them: a provider, no key twice, only known
    keys (no URL in the schema for Prisma 7), URLs written as Prisma takes them."""
    if ds.get("provider") is None:
        raise fail(ds.pos, f'Argument "provider" is missing in data source block "{ds.name}".')
    seen: set[str] = set()
    for prop in ds.properties:
        if prop.key in seen:
            raise fail(prop.pos, f'Key "{prop.key}" is already defined in datasource "{ds.name}".')
        seen.add(prop.key)
    for prop in ds.properties:
        if prop.key == "previewFeatures":
            raise fail(
                prop.pos,
                "Preview features are only supported in the generator block. Please move "
                "this field to the generator block.",
            )
        if prop.key not in _DATASOURCE_KEYS:
            raise fail(prop.pos, f'Property not known: "{prop.key}".')
        if major >= 7 and prop.key in _MOVED_TO_CONFIG:
            raise fail(
                prop.pos,
                f"The datasource property `{prop.key}` is no longer supported in schema "
                f"files. {_MOVED_TO_CONFIG[prop.key]}",
                hint="Prisma 7 reads the database URL from prisma.config.ts; trueup takes it "
                "from --url or DATABASE_URL.",
            )
    for key in URL_KEYS:
        given = ds.get(key)
        if given is not None:
            env_variable(given.value)
    if major < 7:
        _check_shadow_database(ds)


def _provider(ds: Config) -> str:
    """The engine the ``provider`` names: a string literal, of an engine trueup manages."""
    provider_prop = ds.get("provider")
    assert provider_prop is not None
    if isinstance(provider_prop.value, Call) and provider_prop.value.name == "env":
        raise fail(ds.pos, "A datasource must not use the env() function in the provider argument.")
    if not isinstance(provider_prop.value, Str):
        raise fail(
            provider_prop.value.pos,
            f"Error validating datasource `{ds.name}`: The provider argument in a datasource "
            "must be a string literal",
        )
    name = provider_prop.value.value
    if name in _OTHER_PROVIDERS:
        raise fail(
            provider_prop.value.pos,
            f'trueup does not manage "{name}" databases: the provider must be "sqlite" or '
            '"postgresql".',
        )
    if name not in _PROVIDERS:
        raise fail(provider_prop.value.pos, f'Datasource provider not known: "{name}".')
    return _PROVIDERS[name]


def _relation_mode(ds: Config) -> str:
    """``relationMode`` (or its old name ``referentialIntegrity``, never both)."""
    mode = "foreignKeys"
    both = ds.get("relationMode") is not None and ds.get("referentialIntegrity")
    if both:
        raise fail(
            both.pos,
            "The `referentialIntegrity` and `relationMode` attributes cannot be used together. "
            "Please use only `relationMode` instead.",
        )
    for key in ("relationMode", "referentialIntegrity"):
        mode_prop = ds.get(key)
        if mode_prop is None:
            continue
        value = mode_prop.value
        if not isinstance(value, Str) or value.value not in _RELATION_MODES:
            raise fail(value.pos, f'Invalid {key}: expected "foreignKeys" or "prisma".')
        mode = value.value
    return mode


def _datasource_url(
    ds: Config, provider: str, environ: dict[str, str] | os._Environ[str]
) -> str | None:
    """The ``url``, its variable's value for ``env()``; a relative SQLite path resolved."""
    url = None
    url_prop = ds.get("url")
    if url_prop is not None:
        url = _url(url_prop.value, provider, environ)
        if url is not None and provider == SQLITE:
            url = _resolve_sqlite(url, os.path.dirname(url_prop.pos.source.path))
    return url


def _schema_names(listed: Expr) -> tuple[str, ...]:
    """``schemas = ["a", "b"]`` (or a lone ``"a"``): distinct names, at least one."""
    items = listed.items if isinstance(listed, Array) else (listed,)
    names: list[str] = []
    for item in items:
        if not isinstance(item, Str):
            raise mismatch("string", item)
        if item.value in names:
            raise fail(item.pos, "Duplicated schema names are not allowed")
        names.append(item.value)
    if not names:
        raise fail(listed.pos, "If provided, the schemas array can not be empty.")
    return tuple(names)


def _check_shadow_database(ds: Config) -> None:
    """Prisma 6 refuses a shadow database that is the main or the direct one (written the
    same way: the same literal, or env() of the same variable)."""
    shadow = ds.get("shadowDatabaseUrl")
    if shadow is None or _written(shadow.value) == ("literal", ""):
        return
    for key, name in (("directUrl", "directUrl"), ("url", "url")):
        other = ds.get(key)
        if other is not None and _written(other.value) == _written(shadow.value):
            raise fail(
                other.value.pos,
                f'shadowDatabaseUrl is the same as {name} for datasource "{ds.name}". '
                "Please specify a different database as shadow database to avoid data loss.",
            )


def _written(value: Expr) -> tuple[str, str]:
    if isinstance(value, Call) and value.name == "env" and value.args:
        arg = value.args[0].value
        return "env", arg.value if isinstance(arg, Str) else ""
    return "literal", value.value if isinstance(value, Str) else ""


def env_variable(value: Expr) -> str | None:
    """The variable of ``env("NAME")`` (None for a literal); an error for any other shape."""
    if isinstance(value, Call) and value.name == "env":
        arg = value.args[0].value if len(value.args) == 1 else None
        if not isinstance(arg, Str) or value.trailing_comma is not None:
            raise fail(
                value.pos,
                "Exactly one string parameter must be passed to the env function.",
                hint='Write env("DATABASE_URL").',
            )
        return arg.value
    if not isinstance(value, Str):
        raise mismatch("String", value)
    return None


def _url(value: Expr, provider: str, environ: dict[str, str] | os._Environ[str]) -> str | None:
    variable = env_variable(value)
    if variable is not None:
        # An unset variable is no error here: the URL is only the last place trueup looks.
        return environ.get(variable) or None
    assert isinstance(value, Str)
    if not value.value:
        return None  # Prisma checks no empty URL: it is no URL
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
