"""The engines trueup works with, looked up by name. Each is imported only when used, so a
SQLite push never loads a PostgreSQL driver.

An engine is a folder, ``trueup/engines/<name>/``, whose ``engine`` module holds its
:class:`~trueup.engines.descriptor.Engine`, and one line below. The line also holds what
URL parsing needs before an engine is picked (its URL schemes), so that reading a URL
imports no engine but the one it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from trueup.errors import ConfigError

if TYPE_CHECKING:
    from trueup.engines.base import Dialect
    from trueup.engines.descriptor import Engine


@dataclass(frozen=True, slots=True)
class Registered:
    """An engine's registry line: its name, the module whose ``ENGINE`` it is, the URL
    schemes it takes (before any ``+driver``), how its URLs are shown in a message, the
    kinds of backup file its backups write (kind, file extension: backup names are read
    without opening an engine), and whether a URL without a scheme is a path to one of its
    databases."""

    name: str
    module: str
    schemes: tuple[str, ...]
    shown: str
    backup_files: tuple[tuple[str, str], ...]
    paths: bool = False


_ENGINES = (
    Registered(
        "sqlite",
        "trueup.engines.sqlite.engine",
        ("file", "sqlite", "sqlite3"),
        "SQLite (file:./app.db, sqlite:///app.db, or a plain path)",
        (("sqlite", "sqlite3"),),
        paths=True,
    ),
    Registered(
        "postgresql",
        "trueup.engines.postgres.engine",
        ("postgresql", "postgres"),
        "PostgreSQL (postgresql://user@host/db)",
        (("pg_dump", "dump"),),
    ),
)
_BY_NAME = {e.name: e for e in _ENGINES}


def registered() -> tuple[Registered, ...]:
    """Every engine's registry line, in the order they are tried."""
    return _ENGINES


def engine_names() -> tuple[str, ...]:
    return tuple(e.name for e in _ENGINES)


def for_scheme(scheme: str) -> Registered | None:
    """The engine whose URLs have this scheme (lower-case, without ``+driver``)."""
    return next((e for e in _ENGINES if scheme in e.schemes), None)


def for_paths() -> Registered:
    """The engine a URL without a scheme (a plain path) is for."""
    return next(e for e in _ENGINES if e.paths)


@cache
def default_engine() -> str:
    """The engine a declared schema is read for when no database says which: the one whose
    databases are files, which needs no server."""
    return for_paths().name


@cache
def find_engine(name: str) -> Engine:
    """The engine called ``name``, imported on first use."""
    try:
        line = _BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(_BY_NAME))
        raise ConfigError(
            f"trueup does not support the {name!r} engine yet.",
            hint=f"Supported engines: {known}.",
        ) from None
    found: Engine = import_module(line.module).ENGINE
    return found


def get_dialect(
    name: str, *, ignore: Callable[[str], bool] | None = None, **options: bool
) -> Dialect:
    """The engine called ``name``; ``ignore`` names tables it must never read or touch.
    ``options`` are the engine's own switches (see its ``Capabilities``)."""
    return find_engine(name).dialect(ignore=ignore, **options)
