"""Database URLs: which engine, where, and how to show them without the password.

Accepted spellings:

* SQLite: ``file:./dev.db`` (Prisma's form), ``sqlite:///relative.db``, ``sqlite:////abs/path.db``,
  ``sqlite+pysqlite:///x.db`` (SQLAlchemy's form), or a plain path such as ``data/app.db``.
  A query string (``?connection_limit=1``) is accepted and ignored.
* PostgreSQL: ``postgresql://…`` or ``postgres://…``, with an optional driver suffix
  (``postgresql+psycopg://…``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

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
    """A parsed database URL. ``path`` is set for SQLite, ``dsn`` for PostgreSQL."""

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
        return _sqlite(text, text, base_dir)
    base_scheme = scheme.split("+", 1)[0]
    if base_scheme == "file":
        rest = text[len("file:") :]
        if rest.startswith("//"):
            rest = urlsplit(text).path
        return _sqlite(text, _strip_query(rest), base_dir)
    if base_scheme in ("sqlite", "sqlite3"):
        rest = text[len(scheme) + 1 :]
        if not rest.startswith("//"):
            raise ConfigError(
                f"Cannot read the SQLite URL {redact(text)!r}.",
                hint="Write it as sqlite:///relative/path.db or sqlite:////absolute/path.db.",
            )
        rest = _strip_query(rest[2:])
        # sqlite:///x.db -> "/x.db" after the authority: one slash is the separator.
        if rest.startswith("/"):
            rest = rest[1:]
        if rest in ("", ":memory:"):
            return DatabaseURL("sqlite", text, path=":memory:")
        return _sqlite(text, rest, base_dir)
    if base_scheme in ("postgresql", "postgres"):
        parts = urlsplit(text)
        dsn = urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, parts.fragment))
        return DatabaseURL("postgresql", text, dsn=dsn)
    if base_scheme == "prisma":
        raise ConfigError(
            f"{redact(text)!r} is a Prisma Postgres URL (prisma+postgres://), which only "
            "Prisma's own clients speak.",
            hint="Give trueup the database's direct URL, postgresql://USER:PASSWORD@HOST:PORT/"
            "DBNAME (with --url, DATABASE_URL or the Prisma config's datasource.url).",
        )
    raise ConfigError(
        f"Unknown database URL scheme {scheme!r} in {redact(text)!r}.",
        hint="trueup works with SQLite (file:./app.db, sqlite:///app.db, or a plain path) "
        "and PostgreSQL (postgresql://user@host/db).",
    )


def _strip_query(path: str) -> str:
    return path.split("?", 1)[0]


def _sqlite(original: str, path: str, base_dir: str | None) -> DatabaseURL:
    path = unquote(path)
    if path == ":memory:":
        return DatabaseURL("sqlite", original, path=path)
    if not path:
        raise ConfigError(f"The SQLite URL {original!r} names no file.")
    path = os.path.expanduser(path)
    if not os.path.isabs(path) and base_dir is not None:
        path = os.path.join(base_dir, path)
    return DatabaseURL("sqlite", original, path=os.path.normpath(path))
