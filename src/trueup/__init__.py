"""trueup: keep a database's schema equal to a declared schema, with no migration files and
no surprise data loss.

The pipeline, each step a function with plain data in and out::

    declared = load_schema("schema.sql")                 # declared schema -> model
    plan = plan_for(parse_url("app.db"), declared.schema)  # inspect + diff + plan (read-only)
    push(parse_url("app.db"), declared.schema)           # ... then apply and verify

Names are imported on first use, so ``import trueup`` stays cheap.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_schema": "trueup.sources",
    "Declared": "trueup.sources",
    "SchemaWarning": "trueup.sources",
    "diff": "trueup.diff.differ",
    "push": "trueup.push",
    "plan_for": "trueup.push",
    "push_with": "trueup.push",
    "plan_with": "trueup.push",
    "PushOptions": "trueup.push",
    "sync": "trueup.sources.sqlalchemy.sync",
    "PushResult": "trueup.push",
    "apply_plan": "trueup.apply",
    "parse_url": "trueup.urls",
    "DatabaseURL": "trueup.urls",
    "get_dialect": "trueup.engines",
    "Renames": "trueup.diff.renames",
    "Plan": "trueup.plan",
    "Step": "trueup.plan",
    "Finding": "trueup.plan",
    "Risk": "trueup.plan",
    "Schema": "trueup.model",
    "TrueupError": "trueup.errors",
    "SchemaError": "trueup.errors",
    "ConfigError": "trueup.errors",
    "ConnectionError": "trueup.errors",
    "LockTimeout": "trueup.errors",
    "UnsafePlan": "trueup.errors",
    "ApplyError": "trueup.errors",
    "UnsupportedChange": "trueup.errors",
    "backup": "trueup.backup",
    "restore": "trueup.backup",
    "list_backups_of": "trueup.backup",
    "BackupError": "trueup.backup",
    "export_database": "trueup.transfer",
    "import_database": "trueup.transfer",
    "TransferError": "trueup.transfer",
}

__all__ = [
    "ApplyError",
    "BackupError",
    "ConfigError",
    "ConnectionError",
    "DatabaseURL",
    "Declared",
    "Finding",
    "LockTimeout",
    "Plan",
    "PushOptions",
    "PushResult",
    "Renames",
    "Risk",
    "Schema",
    "SchemaError",
    "SchemaWarning",
    "Step",
    "TransferError",
    "TrueupError",
    "UnsafePlan",
    "UnsupportedChange",
    "__version__",
    "apply_plan",
    "backup",
    "diff",
    "export_database",
    "get_dialect",
    "import_database",
    "list_backups_of",
    "load_schema",
    "parse_url",
    "plan_for",
    "plan_with",
    "push",
    "push_with",
    "restore",
    "sync",
]

if TYPE_CHECKING:
    from trueup.apply import apply_plan
    from trueup.backup import BackupError, backup, list_backups_of, restore
    from trueup.diff.differ import diff
    from trueup.diff.renames import Renames
    from trueup.engines import get_dialect
    from trueup.errors import (
        ApplyError,
        ConfigError,
        ConnectionError,
        LockTimeout,
        SchemaError,
        TrueupError,
        UnsafePlan,
        UnsupportedChange,
    )
    from trueup.model import Schema
    from trueup.plan import Finding, Plan, Risk, Step
    from trueup.push import PushOptions, PushResult, plan_for, plan_with, push, push_with
    from trueup.sources import Declared, SchemaWarning, load_schema
    from trueup.sources.sqlalchemy.sync import sync
    from trueup.transfer import TransferError, export_database, import_database
    from trueup.urls import DatabaseURL, parse_url


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'trueup' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


class _Package(ModuleType):
    """The ``trueup`` package, whose exported names stay the functions they are.

    Python's import binds each submodule it loads as an attribute of its package: loading
    ``trueup.push`` (which ``plan_for`` does) would make ``trueup.push`` that module, not
    the function, and likewise ``trueup.backup`` and ``trueup.diff``. Such a binding is
    dropped here; the submodule stays reachable through ``sys.modules`` and ``from
    trueup.push import ...``, which is how trueup's own code imports it (``import
    trueup.push as m`` reads the attribute, so it gives the function).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
