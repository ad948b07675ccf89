"""``trueup.sync()``: what an app calls at start-up instead of ``metadata.create_all()``.

It pushes the metadata to the database as ``trueup push`` does (under the push lock, with a
backup before the first write, refusing data loss unless accepted), and says what changed.
Processes that start at once queue on the lock: one applies, the others then find the
database in sync the quick way, without reading either schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from trueup.errors import ConfigError

if TYPE_CHECKING:
    from trueup.diff.renames import Renames
    from trueup.plan import Plan
    from trueup.push import PushResult
    from trueup.urls import DatabaseURL

NAME = "SQLAlchemy metadata"


def sync(
    bind: Any,
    metadata: Any,
    *,
    accept_data_loss: bool = False,
    backup: bool = True,
    backup_dir: str | None = None,
    backup_keep: int = 10,
    renames: Renames | None = None,
    ignore_tables: Iterable[str] = (),
    steps: str | None = None,
    lock_timeout: float = 60.0,
) -> PushResult:
    """Make the database of ``bind`` (an SQLAlchemy ``Engine``, or a database URL) equal
    to ``metadata`` (``Base.metadata``, ``SQLModel.metadata``, Flask-SQLAlchemy's
    ``db.metadata``), and return what was done (``PushResult``: ``applied``, ``plan``,
    ``backup``).

    Raises ``UnsafePlan`` (with the plan and its findings) when the change would lose data
    and ``accept_data_loss`` is not set, or cannot run on the data; nothing is changed then.
    ``backup`` backs the database up before the first write (in ``backup_dir``, default a
    ``backups`` folder beside a database file; ``backup_keep`` of them are kept). ``steps``
    is a folder of data steps (``trueup/steps`` in it). ``ignore_tables`` are glob
    patterns of tables left alone, as ``alembic_version`` always is.
    """
    from trueup.config import Settings
    from trueup.push import push_with
    from trueup.push_options import PushOptions
    from trueup.sources.sqlalchemy.source import MetadataSource

    url = database_url(bind)
    settings = Settings(ignore_tables=tuple(ignore_tables))
    ignore = settings.ignore()
    source = MetadataSource(
        NAME,
        url.engine,
        ignore,
        repr(sorted(settings.ignore_tables)),
        url,
        metadata=metadata,
        steps_folder=os.path.abspath(steps) if steps else None,
    )
    options = PushOptions(
        accept_data_loss=accept_data_loss,
        renames=renames,
        lock_timeout=lock_timeout,
        ignore=ignore,
        before_apply=_backup(url, backup_dir, backup_keep, lock_timeout) if backup else None,
    )
    return push_with(url, source, options)


def database_url(bind: Any) -> DatabaseURL:
    """The trueup URL of an SQLAlchemy Engine (or Connection), or of a URL string (an
    SQLAlchemy one, with its driver, too)."""
    from trueup.engines import get_dialect
    from trueup.urls import parse_url

    engine = getattr(bind, "engine", bind)
    sa_url = getattr(engine, "url", None)
    if isinstance(bind, str):
        text = bind
    elif sa_url is not None and hasattr(sa_url, "render_as_string"):
        text = sa_url.render_as_string(hide_password=False)
    else:
        raise ConfigError(
            f"trueup.sync() takes an SQLAlchemy Engine or a database URL, not "
            f"{type(bind).__name__}."
        )
    url = parse_url(text)
    dialect = get_dialect(url.engine)
    if dialect.source_hooks.in_memory(url):
        raise ConfigError(
            f"An in-memory {dialect.label} database lives and dies with one connection; "
            "trueup cannot reach it from its own.",
            hint="Use metadata.create_all(engine) for an in-memory database (a test's), and "
            "trueup.sync() for a database file.",
        )
    return url


def _backup(url: DatabaseURL, folder: str | None, keep: int, timeout: float) -> Any:
    def hook(plan: Plan) -> str | None:
        from trueup.backup import backup

        taken = backup(
            url, reason="pre-push", folder=folder, keep=keep, timeout=timeout, skip_empty=True
        )
        return taken.backup.path if taken is not None else None

    return hook
