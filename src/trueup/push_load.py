"""The load stage of a push: the declared schema, whatever form it was given in, read (with
the database's schema meanwhile, where inspecting it waits on a server)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.push_session import load_while_inspecting
from trueup.sources.declared import Declared, Source

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeAlias

    from trueup.engines.base import Session
    from trueup.model import Schema

    #: What a push is given to make the database equal: a schema, a declared schema with
    #: its rename hints and data steps, a Source not read yet, or a function that reads one.
    Desired: TypeAlias = Schema | Declared | Source | Callable[[], Declared]


def loaded_first(desired: Desired) -> Desired:
    """``desired`` read now, before the push makes the database it is for: a bad schema file
    then leaves no empty database file behind. (A database that does not exist yet has
    nothing to find in sync, so the quick path loses nothing by this.)"""
    if isinstance(desired, Source):
        desired.load()
    elif callable(desired):
        return desired()
    return desired


def load_declared(session: Session, desired: Desired) -> tuple[Declared, Schema | None]:
    """The declared schema, and the database's schema when it was read meanwhile (None
    otherwise). The session then manages the schemas (namespaces) the declared schema uses,
    not just the default one; a schema read before that, without them, is not returned."""
    namespaces = session.managed()
    early: Schema | None = None
    if isinstance(desired, Declared):
        declared = desired
    elif isinstance(desired, Source):
        declared, early = load_while_inspecting(session, desired.load)
    elif callable(desired):
        declared, early = load_while_inspecting(session, desired)
    else:
        declared = Declared(desired, path="")
    session.manage(declared.schema.namespaces)
    if early is not None and session.managed() != namespaces:
        early = None  # read without schemas it now must read
    return declared, early
