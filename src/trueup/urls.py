"""Database URLs: which engine, where, and how to show them without the password.

Accepted spellings:

* SQLite: ``file:./dev.db`` (Prisma's form), ``sqlite:///relative.db``, ``sqlite:////abs/path.db``,
  ``sqlite+pysqlite:///x.db`` (SQLAlchemy's form), or a plain path such as ``data/app.db``.
  A query string (``?connection_limit=1``) is accepted and ignored.
* PostgreSQL: ``postgresql://…`` or ``postgres://…``, with an optional driver suffix
  (``postgresql+psycopg://…``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from trueup.engines import find_engine, for_paths, for_scheme, registered
from trueup.errors import ConfigError

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
#: A password given as a parameter: ``?password=…`` in a URL's query string (or the
#: ``?api_key=…`` of Prisma's ``prisma+postgres://`` URLs), or ``password=…`` in a libpq
#: keyword string (quoted or not).
_PASSWORD_PARAM = re.compile(
    r"(\b(?:password|api_key)\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)", re.IGNORECASE
)
#: A libpq keyword string (``host=db dbname=app``) rather than a URL or a path.
_KEYWORD_DSN = re.compile(r"^\s*(host|hostaddr|dbname|user|port|password|service)\s*=", re.I)


@dataclass(frozen=True, slots=True)
class DatabaseURL:
    """A parsed database URL: ``engine`` is the name the engine is registered by; ``path``
    is set for an engine whose database is a file, ``dsn`` for one with a server."""

    engine: str
    original: str
    path: str | None = None
    dsn: str | None = None

    def redacted(self) -> str:
        """The URL as it may be printed: any password replaced by ``***``."""
        return redact(self.original)

    def __str__(self) -> str:
        return self.redacted()

    def __repr__(self) -> str:
        return f"DatabaseURL({self.engine!r}, {self.redacted()!r})"


def redact(url: str) -> str:
    """Hide the password in a URL (``postgresql://u:***@host/db``, ``?password=***``), or in
    a libpq keyword string; other text is unchanged."""
    url = _PASSWORD_PARAM.sub(r"\1***", url)
    match = _SCHEME.match(url)
    if not match or "@" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{user}:***@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def parse_url(url: str, *, base_dir: str | None = None) -> DatabaseURL:
    """Parse a database URL or path.

    ``base_dir`` is the folder relative SQLite paths are resolved against (the schema file's
    folder for a URL taken from a Prisma datasource, the working directory otherwise).
    """
    text = url.strip()
    if not text:
        raise ConfigError(
            "The database URL is empty.",
            hint="Pass --url, or set DATABASE_URL (for example DATABASE_URL=file:./app.db).",
        )
    match = _SCHEME.match(text)
    scheme = match.group(1).lower() if match else ""
    if not match and _KEYWORD_DSN.match(text):
        raise ConfigError(
            f"{redact(text)!r} is a libpq connection string; trueup takes a URL.",
            hint="Write it as postgresql://USER:PASSWORD@HOST:PORT/DBNAME (a socket folder "
            "goes in ?host=/path).",
        )
    # A Windows drive letter ("C:\\data\\app.db") looks like a one-letter scheme: a path.
    if not match or len(scheme) == 1:
        return find_engine(for_paths().name).parse_url(text, "", base_dir)
    base_scheme = scheme.split("+", 1)[0]
    found = for_scheme(base_scheme)
    if found is not None:
        return find_engine(found.name).parse_url(text, scheme, base_dir)
    if base_scheme == "prisma":
        raise ConfigError(
            f"{redact(text)!r} is a Prisma Postgres URL (prisma+postgres://), which only "
            "Prisma's own clients speak.",
            hint="Give trueup the database's direct URL, postgresql://USER:PASSWORD@HOST:PORT/"
            "DBNAME (with --url, DATABASE_URL or the Prisma config's datasource.url).",
        )
    raise ConfigError(
        f"Unknown database URL scheme {scheme!r} in {redact(text)!r}.",
        hint="trueup works with " + " and ".join(e.shown for e in registered()) + ".",
    )
