"""The session a push works in: opened (and, for a database the push made, removed again
when the push fails), locked for the push's one transaction (rolled back on any failure,
an interruption too), and the database's schema read while the declared one loads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trueup.engines.base import Dialect, Session
    from trueup.model import Schema
    from trueup.push_backup import Backup
    from trueup.push_options import PushOptions
    from trueup.sources.declared import Declared
    from trueup.urls import DatabaseURL


@dataclass(frozen=True, slots=True)
class Run:
    """A push under way: its session (open, in the push's transaction, holding the lock),
    the engine's dialect, and what the push was asked to do. ``backup`` is None for a plan
    that is not to be applied (a dry run, a diff): nothing is backed up, and what the plan
    stage runs (pending data steps) is rolled back."""

    session: Session
    dialect: Dialect
    options: PushOptions
    backup: Backup | None = None


@contextmanager
def locked(
    dialect: Dialect, url: DatabaseURL, *, write: bool, missing: bool, timeout: float
) -> Iterator[Session]:
    """The push's session, in its one transaction: a write lock for a push, a read-only one
    for a plan alone. Whatever stops the push (an error, a refusal, SIGTERM or Ctrl-C)
    rolls the transaction back; a push that goes through commits or rolls back itself."""
    with opened(dialect, url, write=write, missing=missing) as session:
        session.begin(write=write, timeout=timeout)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


@contextmanager
def opened(dialect: Dialect, url: DatabaseURL, *, write: bool, missing: bool) -> Iterator[Session]:
    """The session a push works in. A plan alone (``write`` false) for a database that does
    not exist yet is made for an empty one, and makes nothing. A push that made the
    database and then fails removes it again (while it holds nothing), so a failed first
    start leaves nothing."""
    session = dialect.scratch(url) if missing and not write else dialect.connect(url, create=write)
    try:
        with session:
            yield session
    except BaseException:
        if session.created:
            dialect.remove_created(url)
        raise


def load_while_inspecting(
    session: Session, load: Callable[[], Declared]
) -> tuple[Declared, Schema | None]:
    """``load()``, and the database's schema (None when it was not read). On an engine
    with a server the database is inspected meanwhile, in a second thread: its catalog
    queries wait on the server while this thread reads the declared schema (a Prisma file
    parsed, another database inspected). ``load`` must not use ``session``."""
    if not session.inspects_remotely:
        return load(), None
    from concurrent.futures import ThreadPoolExecutor

    # Leaving the pool waits for the inspection, also when load() fails: the session is
    # never used by two threads at once.
    with ThreadPoolExecutor(1, thread_name_prefix="trueup-inspect") as pool:
        inspecting = pool.submit(session.inspect)
        declared = load()
        return declared, inspecting.result()
