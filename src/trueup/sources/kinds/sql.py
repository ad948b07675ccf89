"""SQL schema files (see :mod:`trueup.sources.sql`)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from trueup.sources.registry import DeclaredSource, files_key, with_files

if TYPE_CHECKING:
    from trueup.sources.declared import Declared, Source

SUFFIXES = (".sql",)


class SQLFiles:
    reads = "SQL schema files (.sql)"

    def locate(self, path: str) -> list[str] | None:
        if path.lower().endswith(SUFFIXES) and not os.path.isdir(path):
            return [path]
        return None

    def key(self, source: Source) -> str:
        return files_key(source, [source.path])

    def load(self, source: Source) -> Declared:
        from trueup.engines import default_engine, get_dialect
        from trueup.sources.sql import load_sql

        dialect = get_dialect(source.engine or default_engine(), ignore=source.ignore)
        return with_files(load_sql(source.path, dialect, source.url), [source.path])


SQL: DeclaredSource = SQLFiles()
