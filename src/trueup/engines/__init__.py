"""The engines trueup works with, looked up by name. Each is imported only when used, so a
SQLite push never loads a PostgreSQL driver."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

from trueup.errors import ConfigError

if TYPE_CHECKING:
    from trueup.engines.base import Dialect

_REGISTRY = {
    "sqlite": "trueup.engines.sqlite.dialect:SQLiteDialect",
    "postgresql": "trueup.engines.postgres.dialect:PostgresDialect",
}


def get_dialect(
    name: str, *, ignore: Callable[[str], bool] | None = None, **options: bool
) -> Dialect:
    """The engine called ``name``; ``ignore`` names tables it must never read or touch.
    ``options`` are the engine's own switches (PostgreSQL: ``concurrent_indexes``)."""
    try:
        target = _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ConfigError(
            f"trueup does not support the {name!r} engine yet.",
            hint=f"Supported engines: {known}.",
        ) from None
    module, _, cls = target.partition(":")
    dialect: Dialect = getattr(import_module(module), cls)(ignore=ignore, **options)
    return dialect
