"""The kinds of declared schema trueup reads, one module each, named in one registry.

A kind is a :class:`DeclaredSource`: it tells a schema of its own from its path (cheaply:
every push asks, and a push on a database left in sync reads no schema), gives the key of
the quick path, and loads the schema with its rename hints and warnings. Its module is
imported only when a path is offered to it, and its front end only when a schema is read.
A new kind of source is a module beside the others and a line in :data:`_REGISTRY`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from trueup.sources.declared import Declared, Source

#: Each kind, as ``module:object``, in the order a path is offered to them (the first that
#: recognises it reads it).
_REGISTRY = (
    "trueup.sources.kinds.models:MODELS",
    "trueup.sources.kinds.prisma:PRISMA",
    "trueup.sources.kinds.sql:SQL",
)


class DeclaredSource(Protocol):
    """One kind of declared schema."""

    #: What it reads, for people: "SQL schema files (.sql)".
    reads: str

    def locate(self, path: str) -> list[str] | None:
        """The files the schema that ``path`` (a ``--schema`` value) names is made of, in a
        stable order (hashed into the key and the history); an empty list for a schema
        that is not files (the models of an app). None when ``path`` is not a schema of
        this kind. Told from the path and the names of files only: no front end is
        imported."""
        ...

    def key(self, source: Source) -> str:
        """The quick path's key of ``source`` (a schema of this kind): it changes whenever
        what a push of it would do may change (its files, its data steps, trueup's
        version, ``source.engine`` and ``source.options``). Cheap: the schema is not
        read."""
        ...

    def load(self, source: Source) -> Declared:
        """The schema of ``source``, normalised by the engine of ``source.engine`` (see
        :mod:`trueup.sources.scratch`), with its rename hints, its warnings, its data
        steps and the hash of what was declared."""
        ...


def kinds() -> Iterator[DeclaredSource]:
    """The registered kinds, in their order, each imported when it is reached."""
    for entry in _REGISTRY:
        yield _kind(entry)


@cache
def _kind(entry: str) -> DeclaredSource:
    module, _, name = entry.partition(":")
    kind: DeclaredSource = getattr(import_module(module), name)
    return kind


def locate(path: str) -> tuple[DeclaredSource, list[str]] | None:
    """The kind of schema ``path`` names and its files; None when no kind reads it."""
    for kind in kinds():
        files = kind.locate(path)
        if files is not None:
            return kind, files
    return None


def described() -> str:
    """What trueup reads, for a message: "A, B and C"."""
    reads = [kind.reads for kind in kinds()]
    return ", ".join(reads[:-1]) + " and " + reads[-1] if len(reads) > 1 else reads[0]


def unlocated_files(path: str) -> list[str]:
    """The files of a path no kind reads (its key is made all the same; reading it fails)."""
    return [] if os.path.isdir(path) else [path]


def files_key(source: Source, files: list[str]) -> str:
    """The key of a schema made of ``files`` (with its data steps and the files that shape
    the push besides, ``source.extra_files``)."""
    from trueup import __version__
    from trueup.fingerprint import source_hash
    from trueup.steps import step_files

    hashed = files + step_files(source.path) + list(source.extra_files)
    return f"{source_hash(hashed)}|{__version__}|{source.engine}|{source.options}"


def with_files(declared: Declared, files: list[str]) -> Declared:
    """``declared`` (a schema made of ``files``) with its data steps and the hash of what
    was declared, byte for byte."""
    from trueup.fingerprint import source_hash
    from trueup.steps import read_steps, step_files

    path = declared.path
    return replace(
        declared, source_hash=source_hash(files + step_files(path)), steps=read_steps(path)
    )
