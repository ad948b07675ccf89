"""Prisma schemas: a ``.prisma`` file, or a folder of them (see :mod:`trueup.sources.prisma`).
Read by the rules of the Prisma major of the schema's project."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from trueup.sources.registry import DeclaredSource, files_key, with_files

if TYPE_CHECKING:
    from trueup.sources.declared import Declared, Source

SUFFIX = ".prisma"


def is_prisma_path(path: str) -> bool:
    """A ``.prisma`` file, or a folder holding ``.prisma`` files (a multi-file schema)."""
    if os.path.isdir(path):
        return bool(folder_files(path))
    return path.lower().endswith(SUFFIX)


def folder_files(folder: str) -> list[str]:
    """The ``.prisma`` files of a multi-file schema, as Prisma finds them."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        found += [os.path.join(root, f) for f in files if f.lower().endswith(SUFFIX)]
    return sorted(found)


class PrismaSchemas:
    reads = "Prisma schemas (.prisma)"

    def locate(self, path: str) -> list[str] | None:
        from trueup.fingerprint import source_files

        return source_files(path, SUFFIX) if is_prisma_path(path) else None

    def key(self, source: Source) -> str:
        from trueup.fingerprint import source_files

        return files_key(source, source_files(source.path, SUFFIX))

    def load(self, source: Source) -> Declared:
        from trueup.fingerprint import source_files
        from trueup.sources.prisma import load_prisma
        from trueup.sources.prisma_project import find_project

        project = source.project or find_project()
        major = project.major_for(source.path)
        declared = load_prisma(
            source.path,
            source.engine,
            ignore=source.ignore,
            environ=project.environ(major),
            url=source.url.original if source.url else None,
            major=major,
        )
        return with_files(declared, source_files(source.path, SUFFIX))


PRISMA: DeclaredSource = PrismaSchemas()
